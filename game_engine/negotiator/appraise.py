"""How much a treaty text is worth to a state, from that state's knowledge only.

Two parts, both in VP per turn:

- the engine's one-turn expected-outcome projection (:mod:`game_engine.whatif`'s belief state,
  resolved in expected mode with the draft signed by every party): what entry into force does
  to the regional stability index, trust and compliance this turn;
- the *posture* the treaty imposes once its parties comply, which a one-turn projection cannot
  see (caps bind after their grace period): the state's security (B5.3) with every party's
  forces trimmed to the caps and its interceptors to the defense limit, weighted by the state's
  security weight. Another party's cut is counted only as far as it is credible:
  ``cred = 1 - (1 - trust) (1 - p_verify)``, where inspections and data exchange raise
  ``p_verify``; deployments are public, so a defense limit is fully credible.

Everything is computed on ``belief_state(state, viewer)``: hidden facts never enter.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from game_engine import formulas as f
from game_engine import metrics as m
from game_engine.engine import add_treaty_draft, normalize_terms, resolve_vp, validate_orders
from game_engine.errors import OrderError, RuleViolation
from game_engine.jsontypes import JSON
from game_engine.params import CLASS_ORDER
from game_engine.state import GameState, Site, replace
from game_engine.whatif import WHAT_IF_SEED, belief_state

VERIFY_PER_VISIT = 0.2
"""p_verify added by each inspection visit a turn (capped at VERIFY_MAX) [INV]."""
VERIFY_MAX = 0.8
VERIFY_DATA_EXCHANGE = 0.2
"""p_verify added by a data exchange clause [INV]."""
OWN_CUT_BLUFF = 0.4
"""Share of its own cut a cheater expects to actually make (it plans to rebuild covertly) [INV]."""


@dataclass(frozen=True, slots=True)
class Appraisal:
    """A treaty's value to the viewer (``gain``) and the viewer's guess of its value to the
    other parties (``others``), in VP per turn; ``cuts`` is what each party would give up."""

    gain: float
    projected: float
    posture: float
    others: Mapping[str, float]
    cuts: Mapping[str, Mapping[str, int]]

    @property
    def worst_other(self) -> float:
        return min(self.others.values(), default=0.0)


def _int(x: JSON) -> int:
    return x if isinstance(x, int) and not isinstance(x, bool) else 0


def p_verify(template: str, terms: Mapping[str, JSON]) -> float:
    """How likely the viewer thinks a breach of ``terms`` would be found (B5.6 in brief)."""
    if template == "DEFENSE_LIMIT":
        return 1.0
    quota = _int(terms.get("inspection_quota"))
    ps = [min(VERIFY_MAX, VERIFY_PER_VISIT * quota)]
    if terms.get("data_exchange") is True:
        ps.append(VERIFY_DATA_EXCHANGE)
    return f.combine(ps)


class Appraiser:
    """Values treaty texts for ``viewer``; builds the belief world once and caches projections."""

    def __init__(self, state: GameState, viewer: str, *, bluff: bool = False) -> None:
        self.state = state
        self.viewer = viewer
        self.bluff = bluff
        self.belief = belief_state(state, viewer)
        b = self.belief
        self.world = m.World(
            scenario=b.scenario,
            turn=b.turn,
            nations=b.nations,
            pairs=b.pairs,
            sites={s.id: s for s in b.sites},
            consents=b.consents,
            treaties={t.id: t for t in b.treaties},
            agreements=b.agreements,
        )
        self.engine = m.Engine.build(self.world)
        self.counts: dict[str, dict[str, float]] = {
            s: {c: float(n) for c, n in b.nations[s].missiles.items()} for s in b.state_ids
        }
        self._sec0: dict[str, float] = {}
        self._proj: dict[tuple[str, tuple[str, ...], str], float] = {}
        # Posture parts already valued, by what ``constrained`` reads of a text (see _inputs).
        self._post: dict[
            tuple[object, ...], tuple[dict[str, float], dict[str, dict[str, int]]]
        ] = {}
        self.base_vp = self._project_vp(None)

    # -- the two parts -----------------------------------------------------------------------

    def _project_vp(self, draft: tuple[str, tuple[str, ...], Mapping[str, JSON]] | None) -> float:
        b = self.belief
        raw: dict[str, list[dict[str, object]]] = {sid: [] for sid in b.state_ids}
        if draft is not None:
            template, parties, terms = draft
            try:
                b, _, h = add_treaty_draft(b, template, list(parties), dict(terms))
            except RuleViolation:
                return self.base_vp
            for x in parties:
                raw[x].append({"type": "SIGN", "terms_hash": h})
        try:
            orders = {sid: validate_orders(b, sid, lst) for sid, lst in raw.items()}
        except OrderError:
            return self.base_vp
        return float(resolve_vp(b, orders, WHAT_IF_SEED, self.viewer))

    def projected_gain(
        self, template: str, parties: Sequence[str], terms: Mapping[str, JSON]
    ) -> float:
        """One-turn VP change of entry into force; cached by the text's non-numeric shape."""
        # Entry into force moves stability and trust by the kind of text, not by its numbers:
        # texts differing only in caps, limits or the number of visits share one projection.
        # The shape is read on the text as the engine tables it (defaults filled in), so a text
        # and its normalised copy - which table the same draft - share one projection too.
        terms = normalize_terms(template, terms, self.state.scenario.params)
        shape = ",".join(
            f"{k}={terms[k] if k != 'inspection_quota' else _int(terms[k]) > 0}"
            for k in sorted(terms)
            if k not in ("caps", "max_interceptors", "max_per_site", "weighted_cap", "name")
        )
        key = (template, tuple(parties), shape)
        if key not in self._proj:
            self._proj[key] = self._project_vp((template, tuple(parties), terms)) - self.base_vp
        return self._proj[key]

    def security(
        self,
        sid: str,
        counts: Mapping[str, Mapping[str, float]] | None = None,
        sites: Mapping[str, Site] | None = None,
        eng: m.Engine | None = None,
    ) -> float:
        """``sid``'s security with ``counts`` and ``sites`` (default: the belief's); ``eng``, if
        given, is the engine built on ``sites`` (several judges of one text share it)."""
        if counts is None and sites is None and sid in self._sec0:
            return self._sec0[sid]
        if eng is None:
            w = self.world if sites is None else replace(self.world, sites=sites)
            eng = self.engine if sites is None else m.Engine.build(w)
        sec = m.security(eng, counts or self.counts, sid, {}).sec
        if counts is None and sites is None:
            self._sec0[sid] = sec
        return sec

    def _trust(self, i: str, j: str) -> float:
        return self.belief.pairs[(i, j)].tau

    def constrained(
        self, template: str, parties: Sequence[str], terms: Mapping[str, JSON], judge: str
    ) -> tuple[dict[str, dict[str, float]], dict[str, Site] | None, dict[str, dict[str, int]]]:
        """Forces after compliance as ``judge`` expects it (credibility-weighted)."""
        counts = {s: dict(c) for s, c in self.counts.items()}
        cuts: dict[str, dict[str, int]] = {}
        sites: dict[str, Site] | None = None
        pv = p_verify(template, terms)
        limits: dict[str, float] = {}
        if template == "OFFENSE_CAP":
            caps = terms.get("caps")
            if isinstance(caps, dict):
                limits = {c: float(_int(n)) for c, n in caps.items()}
        elif template == "CLASS_BAN":
            classes = terms.get("classes")
            if isinstance(classes, list):
                limits = {str(c): 0.0 for c in classes}
        if limits:
            for p in parties:
                if p == judge:
                    cred = OWN_CUT_BLUFF if (self.bluff and p == self.viewer) else 1.0
                else:
                    cred = 1 - (1 - self._trust(judge, p)) * (1 - pv)
                for c, cap in limits.items():
                    have = counts[p].get(c, 0.0)
                    if have > cap:
                        cuts.setdefault(p, {})[c] = int(have - cap)
                        counts[p][c] = cap + (1 - cred) * (have - cap)
        if template == "DEFENSE_LIMIT":
            total = _int(terms.get("max_interceptors")) if "max_interceptors" in terms else None
            per_site = _int(terms.get("max_per_site")) if "max_per_site" in terms else None
            sites = dict(self.world.sites)
            for p in parties:
                own = [s for s in sites.values() if s.owner == p]
                held = sum(sum(s.interceptors.values()) for s in own)
                scale = 1.0
                if total is not None and held > total:
                    scale = total / held
                    cuts.setdefault(p, {})["interceptors"] = held - total
                for s in own:
                    inter = {k: math.floor(n * scale) for k, n in s.interceptors.items()}
                    if per_site is not None:
                        inter = {k: min(n, per_site) for k, n in inter.items()}
                    if terms.get("no_foreign_basing") is True and s.host != p:
                        inter = dict.fromkeys(inter, 0)
                    sites[s.id] = replace(s, interceptors=inter)
        return counts, sites, cuts

    def _inputs(
        self, template: str, parties: Sequence[str], terms: Mapping[str, JSON]
    ) -> tuple[object, ...]:
        """Everything :meth:`constrained` reads of a text, in the order it reads it: two texts
        with the same inputs (a text and its normalised copy, the same amendment weighed in two
        rounds) constrain every party alike, so :meth:`appraise` values their posture once."""
        limits: tuple[tuple[str, float], ...] = ()
        if template == "OFFENSE_CAP":
            caps = terms.get("caps")
            if isinstance(caps, dict):
                limits = tuple({c: float(_int(n)) for c, n in caps.items()}.items())
        elif template == "CLASS_BAN":
            classes = terms.get("classes")
            if isinstance(classes, list):
                limits = tuple({str(c): 0.0 for c in classes}.items())
        defense: tuple[object, ...] = ()
        if template == "DEFENSE_LIMIT":
            defense = (
                _int(terms.get("max_interceptors")) if "max_interceptors" in terms else None,
                _int(terms.get("max_per_site")) if "max_per_site" in terms else None,
                terms.get("no_foreign_basing") is True,
            )
        pv = p_verify(template, terms) if limits else None
        return (template, tuple(parties), limits, pv, defense)

    def appraise(
        self, template: str, parties: Sequence[str], terms: Mapping[str, JSON]
    ) -> Appraisal:
        proj = self.projected_gain(template, parties, terms)
        key = self._inputs(template, parties, terms)
        hit = self._post.get(key)
        if hit is None:
            hit = self._posture(template, parties, terms)
            self._post[key] = hit
        post, all_cuts = hit
        gains = {judge: d + proj for judge, d in post.items()}
        own = gains.pop(self.viewer, proj)
        return Appraisal(
            gain=own,
            projected=proj,
            posture=own - proj,
            others=gains,
            cuts=all_cuts,
        )

    def _posture(
        self, template: str, parties: Sequence[str], terms: Mapping[str, JSON]
    ) -> tuple[dict[str, float], dict[str, dict[str, int]]]:
        """Per party, the security-weighted change of its security under compliance (as that
        party expects it), and the viewer's cuts."""
        post: dict[str, float] = {}
        all_cuts: dict[str, dict[str, int]] = {}
        # The sites a defense limit leaves do not depend on the judge: one engine serves all.
        eng: m.Engine | None = None
        for judge in parties:
            counts, sites, cuts = self.constrained(template, parties, terms, judge)
            if judge == self.viewer:
                all_cuts = cuts
            if sites is None and not cuts:
                # Nobody cuts anything: the forces are the base forces, so the security is the
                # base security and the difference exactly 0.0 (no need to recompute it).
                d_sec = 0.0
            else:
                if sites is not None and eng is None:
                    eng = m.Engine.build(replace(self.world, sites=sites))
                d_sec = self.security(judge, counts, sites, eng) - self.security(judge)
            w_sec = self.belief.nations[judge].weights[0]
            post[judge] = w_sec * d_sec
        return post, all_cuts


def class_levels(appraiser: Appraiser, parties: Sequence[str]) -> dict[str, int]:
    """Per class, the largest holding among ``parties`` as the viewer knows it."""
    out: dict[str, int] = {}
    for p in parties:
        for c in CLASS_ORDER:
            n = round(appraiser.counts[p].get(c, 0.0))
            if n > out.get(c, 0):
                out[c] = n
    return out
