"""Negotiation policies: what each bot tables, amends, counters, signs or rejects (issue #15).

``decide(policy, state, actor, offers, cbm_offers, history, seed)`` looks only at the actor's
knowledge (``view_for`` and the belief state behind the what-if projection), the open offers
and the table's history, and returns the moves it makes now, each with a message intent.

Every policy values a text with :class:`~game_engine.negotiator.appraise.Appraiser` and differs
in how it weighs the result (``STYLES``):

- ``dove``: signs anything not clearly against its interest; tables caps at current levels,
  defense limits and every CBM; matches every CBM offered.
- ``reciprocator``: signs what helps it, amends what nearly does; matches CBMs and proposals
  of states that have not provoked it (caught cheating, out-arming it); asks for inspections
  when it does not trust the other side.
- ``verifier``: like the reciprocator, but signs no limit on forces without on-site
  inspections, and amends to add them (with a data exchange).
- ``cheater``: signs caps it means to evade (values its own cuts at a fraction), strikes out
  inspections and data exchanges, offers only the cheap CBMs (hotline, notification).
- ``hawk``: weighs every constraint on itself double and signs only a clear gain; tables
  nothing, offers nothing, rejects with a reason.
- ``richardson``: signs what lowers its arms-race pressure and helps it; tables a cap when its
  pressure is positive (it wants relief), counters a rival's defenses with a defense limit.

Host-nation agreements (``decide(..., hosting=True)``: the headless table and the server): a
bot that wants defense - the hawk always, the Richardson bot under positive pressure, the
reciprocator and the verifier once a rival has provoked them - and has interceptors in store
tables an agreement to each ally (a state it extends deterrence to) whose site it could load and
that hosts nobody yet: its interceptors up to the site's capacity, no forward radar, no sensor
sharing. The host signs
(its CONSENT_HOSTING order) if the consent is legal for it and its policy takes defenses in:
the hawk and the cheater always, the Richardson bot under positive pressure, the reciprocator
and the verifier when they have a rival; the dove declines (defenses within a rival's reach
provoke it). Asked by a host to load its site, a bot signs if it wants defense and has a matching
interceptor in store.

Packages of confidence-building measures (template ``CBM``, tabled by people): a bot signs a
package of measures its policy offers and accepts, amends it down to those when it holds others
too (the cheater strikes the data exchange out), rejects it when it believes in none (the hawk)
or when a reciprocator or verifier deals with a provoker.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from game_engine.engine import normalize_terms, validate_orders
from game_engine.errors import OrderError
from game_engine.jsontypes import JSON
from game_engine.negotiator.appraise import Appraisal, Appraiser, class_levels
from game_engine.negotiator.types import (
    CBM,
    CBM_KINDS,
    HOSTING,
    Act,
    CbmOffer,
    Intent,
    Move,
    Offer,
    Record,
)
from game_engine.orders import active_consent
from game_engine.params import CLASS_ORDER
from game_engine.rng import u01
from game_engine.state import GameState
from game_engine.visibility import bot_view_json

NEGOTIATING_POLICIES: tuple[str, ...] = (
    "hawk",
    "dove",
    "reciprocator",
    "verifier",
    "cheater",
    "richardson",
)


@dataclass(frozen=True, slots=True)
class Style:
    """How a policy weighs appraisals [INV: every number is a named, tunable constant]."""

    sign_margin: float  # sign when gain >= this (VP/turn)
    own_cut_weight: float  # multiplies the posture part of the gain when negative
    tables: bool  # puts texts on the table
    cbms: tuple[str, ...]  # CBM kinds it offers and accepts
    needs_verification: bool  # never signs an unverified force limit
    min_quota: int  # inspections it asks for when it amends
    dislikes_inspection: bool  # strikes inspections out (the cheater)
    reduction: float  # deepest cut it tables, as a share of current levels
    partner_floor: float  # it tables only texts it expects the other side to value at least this


STYLES: dict[str, Style] = {
    "dove": Style(-0.6, 1.0, True, CBM_KINDS, False, 1, False, 0.7, -0.5),
    "reciprocator": Style(0.0, 1.0, True, CBM_KINDS, False, 2, False, 0.8, 0.0),
    "verifier": Style(0.0, 1.0, True, CBM_KINDS, True, 3, False, 0.8, 0.0),
    "cheater": Style(-0.3, 1.0, True, ("HOTLINE", "NOTIFICATION"), False, 0, True, 0.8, 0.0),
    "hawk": Style(1.5, 2.0, False, (), False, 2, False, 1.0, 0.0),
    "richardson": Style(0.0, 1.0, True, CBM_KINDS, False, 2, False, 0.85, 0.0),
}
DETERRENCE_READERS: tuple[str, ...] = ("cheater",)
"""Policies whose orders read the deterrence thresholds of their view (``cheater_threshold``)."""
TRUST_FOR_NO_INSPECTION = 0.6
"""A reciprocator trusting a party less than this asks for inspections before signing [INV]."""
COMPLIANCE_PROVOKED = 90.0
"""A party whose public compliance score is below this has been caught cheating [INV]."""
TABLE_COOLDOWN = 2
"""Turns a bot waits before tabling again to the same partner after a rejection [INV]."""
FORGIVENESS = 0.2
"""Chance a reciprocator deals with a provoker anyway (seeded) [INV]."""
RIVAL_THREAT = 35.0
"""A state the bot fears at least this much is a rival it negotiates with (as in bots.py)."""
AMEND_PREFERENCE = 0.5
"""Bonus (VP/turn) for amending the proposal on the table over countering with another [INV]."""
MAX_AMENDMENTS = 2
"""Amendments a bot makes to one proposal before it only signs or rejects [INV]."""


def _num(x: object) -> float:
    return float(x) if isinstance(x, (int, float)) and not isinstance(x, bool) else 0.0


def _int(x: object) -> int:
    return x if isinstance(x, int) and not isinstance(x, bool) else 0


class Table:
    """The actor's reading of the table: its view, appraiser, rivals and provocations."""

    def __init__(self, policy: str, state: GameState, actor: str, seed: str) -> None:
        self.policy = policy
        self.style = STYLES[policy]
        self.state = state
        self.actor = actor
        self.seed = seed
        # Only the cheater reads its deterrence thresholds (its covert build, orders.py): the
        # other policies' reading - and the orders made from it - leave them out (speed). The
        # public part of the view is shared with the other bots reading the same state: the
        # view is only read, never changed.
        self.view = bot_view_json(state, actor, deterrence=policy in DETERRENCE_READERS)
        me = self.view.get("me")
        self.me: Mapping[str, object] = me if isinstance(me, Mapping) else {}
        self.turn = _int(self.view.get("turn"))
        self._ap: Appraiser | None = None
        threat = self.me.get("threat")
        self.threat = (
            {str(k): _num(v) for k, v in threat.items()} if isinstance(threat, Mapping) else {}
        )
        trust = self.me.get("trust")
        self.trust = (
            {str(k): _num(v) for k, v in trust.items()} if isinstance(trust, Mapping) else {}
        )
        states = self.view.get("states")
        self.states: dict[str, Mapping[str, object]] = {}
        if isinstance(states, list):
            for s in states:
                if isinstance(s, Mapping):
                    self.states[str(s.get("id"))] = s

    @property
    def ap(self) -> Appraiser:
        """The actor's appraiser, built on first use: its belief state and base projection are
        the dearest part of a reading, and a bot with nothing to value this turn needs neither."""
        if self._ap is None:
            self._ap = Appraiser(self.state, self.actor, bluff=self.policy == "cheater")
        return self._ap

    def rivals(self) -> list[str]:
        t = self.threat
        return sorted((k for k, v in t.items() if v >= RIVAL_THREAT), key=lambda k: (-t[k], k))

    def provoked_by(self, other: str) -> bool:
        """``other`` was caught cheating (public compliance or evidence) or out-arms us."""
        st = self.states.get(other, {})
        comp = st.get("compliance")
        if isinstance(comp, (int, float)) and comp < COMPLIANCE_PROVOKED:
            return True
        ev = self.view.get("public_evidence")
        if isinstance(ev, list):
            for e in ev:
                if (
                    isinstance(e, Mapping)
                    and e.get("target") == other
                    and _int(e.get("published_turn")) >= self.turn - 2
                ):
                    return True
        return False

    def pressure(self) -> float:
        return _num(self.me.get("arms_pressure"))

    def defenses_within_reach(self, other: str) -> int:
        """Interceptors ``other`` has deployed (public), the threat we must answer."""
        st = self.states.get(other, {})
        pub = st.get("public_interceptors")
        return sum(_int(v) for v in pub.values()) if isinstance(pub, Mapping) else 0

    def valued(self, a: Appraisal) -> float:
        """The policy's weighting of an appraisal (the hawk doubles its own constraints)."""
        post = a.posture
        if post < 0:
            post *= self.style.own_cut_weight
        gain = a.projected + post
        if self.policy == "richardson" and self.pressure() > 0:
            gain += 0.1 * self.pressure()  # relief from a race it feels is worth more
        return gain


# -- evaluating and answering offers ------------------------------------------------------


def _verified(template: str, terms: Mapping[str, JSON]) -> bool:
    if template not in ("OFFENSE_CAP", "CLASS_BAN", "NONPROLIFERATION"):
        return True
    return _int(terms.get("inspection_quota")) > 0 or terms.get("data_exchange") is True


def _acceptable(
    t: Table, template: str, parties: Sequence[str], terms: Mapping[str, JSON]
) -> tuple[bool, float, str]:
    """(sign?, valued gain, reason id if not). Judged on the text with the engine's defaults
    filled in (a clause left out means what the engine will enforce)."""
    terms = normalize_terms(template, terms, t.state.scenario.params)
    others = [p for p in parties if p != t.actor]
    if t.policy in ("reciprocator", "verifier") and any(t.provoked_by(p) for p in others):
        forgive = u01(t.seed, "forgive", t.actor, t.turn, ",".join(others)) < FORGIVENESS
        if not forgive:
            return False, 0.0, "reject_distrust"
    if (
        t.style.needs_verification
        and template in ("OFFENSE_CAP", "CLASS_BAN", "NONPROLIFERATION")
        and _int(terms.get("inspection_quota")) <= 0
    ):
        return False, 0.0, "reject_unverified"  # the verifier wants inspectors on site
    if (
        t.policy == "reciprocator"
        and not _verified(template, terms)
        and any(t.trust.get(p, 0.5) < TRUST_FOR_NO_INSPECTION for p in others)
    ):
        return False, 0.0, "reject_unverified"
    if t.style.dislikes_inspection and _int(terms.get("inspection_quota")) > 2:
        return False, 0.0, "reject_intrusive"
    if (
        template == "DEFENSE_LIMIT"
        and "max_interceptors" in terms
        and _int(terms.get("max_interceptors")) < t.defenses_within_reach(t.actor)
    ):
        # Interceptors cannot be scrapped (stored ones count too): a total below what it holds
        # would put it in breach as soon as the grace turn ends.
        return False, 0.0, "reject_hurts"
    a = t.ap.appraise(template, parties, terms)
    v = t.valued(a)
    if v >= t.style.sign_margin:
        return True, v, ""
    return False, v, "reject_hurts"


def _amendments(t: Table, o: Offer) -> list[tuple[Act, str, dict[str, JSON], Intent]]:
    """Candidate changes the actor could ask for, each with its intent."""
    out: list[tuple[Act, str, dict[str, JSON], Intent]] = []
    terms = dict(o.terms)  # amendments change the text as written ...
    norm = normalize_terms(o.template, terms, t.state.scenario.params)  # ... read as enforced
    others = [p for p in o.parties if p != t.actor]
    if o.template in ("OFFENSE_CAP", "CLASS_BAN"):
        quota = _int(norm.get("inspection_quota"))
        if t.style.dislikes_inspection:
            if quota > 0 or norm.get("data_exchange") is True:
                out.append(
                    (
                        Act.AMEND,
                        o.template,
                        {**terms, "inspection_quota": 0, "data_exchange": False},
                        Intent.of("amend_no_inspections"),
                    )
                )
        elif quota < t.style.min_quota:
            q = max(t.style.min_quota, 1)
            out.append(
                (
                    Act.AMEND,
                    o.template,
                    {**terms, "inspection_quota": q, "data_exchange": True},
                    Intent.of("amend_inspections", quota=q),
                )
            )
        if norm.get("notification") is not True and not t.style.dislikes_inspection:
            out.append(
                (
                    Act.AMEND,
                    o.template,
                    {**terms, "notification": True},
                    Intent.of("amend_notification"),
                )
            )
    caps = terms.get("caps")
    if o.template == "OFFENSE_CAP" and isinstance(caps, dict):
        mine = t.ap.counts[t.actor]
        for c in CLASS_ORDER:
            if c not in caps:
                continue
            cap = _int(caps[c])
            own = round(mine.get(c, 0.0))
            theirs = max((round(t.ap.counts[p].get(c, 0.0)) for p in others), default=0)
            if own > cap:  # keep what we have: raise the cap to our level
                out.append(
                    (
                        Act.AMEND,
                        o.template,
                        {**terms, "caps": {**caps, c: own}},
                        Intent.of("amend_raise_cap", missile=c, cap=own),
                    )
                )
            elif theirs > cap and own < theirs:
                pass
            elif theirs > own and cap > own:  # lower the cap the other side fills
                new = max(own, (own + cap) // 2)
                if new < cap:
                    out.append(
                        (
                            Act.AMEND,
                            o.template,
                            {**terms, "caps": {**caps, c: new}},
                            Intent.of("amend_lower_cap", missile=c, cap=new),
                        )
                    )
    # A rival's defenses within reach: ask for a defense limit as well.
    if o.template != "DEFENSE_LIMIT":
        reach = max((t.defenses_within_reach(p) for p in others), default=0)
        if reach > 0:
            own_def = t.defenses_within_reach(t.actor)
            limit = max(own_def, reach)  # a freeze: nobody can scrap interceptors to go lower
            out.append(
                (
                    Act.COUNTER,
                    "DEFENSE_LIMIT",
                    {"max_interceptors": limit},
                    Intent.of("counter_defense_limit", limit=limit),
                )
            )
    else:
        if norm.get("terminal_only") is not True:
            out.append(
                (
                    Act.AMEND,
                    o.template,
                    {**terms, "terminal_only": True},
                    Intent.of("amend_terminal_only"),
                )
            )
    return out


def _answer(t: Table, o: Offer, history: Sequence[Record]) -> list[Move]:
    if o.template == HOSTING:
        return [_answer_hosting(t, o)]
    if o.template == CBM:
        return [_answer_cbm(t, o, history)]
    ok, gain, reason = _acceptable(t, o.template, o.parties, o.terms)
    to = tuple(p for p in o.parties if p != t.actor)
    if ok:
        return [
            Move(
                t.actor,
                Act.SIGN,
                Intent.of("sign", template=o.template, proposal=o.id),
                proposal=o.id,
                version=o.version,
                to=to,
            )
        ]
    amended = sum(
        1
        for r in history
        if r.move.actor == t.actor
        and r.move.proposal == o.id
        and r.move.act in (Act.AMEND, Act.COUNTER)
    )
    if amended < MAX_AMENDMENTS and reason != "reject_distrust":
        best: tuple[float, Act, str, dict[str, JSON], Intent] | None = None
        for act, template, terms, intent in _amendments(t, o):
            ok2, g2, _ = _acceptable(t, template, o.parties, terms)
            if not ok2:
                continue
            a = t.ap.appraise(template, o.parties, terms)
            if a.worst_other < t.style.partner_floor - 1.0:
                continue  # the other side would never take it
            # Mending the text on the table is preferred to changing the subject.
            score = g2 + 0.5 * a.worst_other + (AMEND_PREFERENCE if act is Act.AMEND else 0.0)
            if best is None or score > best[0]:
                best = (score, act, template, terms, intent)
        if best is not None:
            _, act, template, terms, intent = best
            return [
                Move(
                    t.actor,
                    act,
                    intent,
                    proposal=o.id,
                    version=o.version,
                    template=template,
                    parties=o.parties,
                    terms=terms,
                    to=to,
                )
            ]
    loss = round(max(0.0, -gain), 2)
    return [
        Move(
            t.actor,
            Act.REJECT,
            Intent.of(reason or "reject_hurts", template=o.template, loss=loss),
            proposal=o.id,
            version=o.version,
            to=to,
        )
    ]


# -- tabling -------------------------------------------------------------------------------


def _covered(t: Table, other: str, template: str, offers: Sequence[Offer]) -> bool:
    pair = {t.actor, other}
    for o in offers:
        if pair <= set(o.parties) and o.template == template:
            return True
    tr = t.view.get("treaties")
    if isinstance(tr, list):
        for x in tr:
            if not isinstance(x, Mapping) or x.get("template") != template:
                continue
            parties = x.get("parties")
            if (
                x.get("status") in ("in_force", "draft")
                and isinstance(parties, list)
                and pair <= set(parties)
            ):
                return True
    return False


def _recently_tabled(t: Table, other: str, template: str, history: Sequence[Record]) -> bool:
    return any(
        r.move.actor == t.actor
        and r.move.act in (Act.TABLE, Act.COUNTER)
        and r.move.template == template
        and other in r.move.parties
        and t.turn - r.turn < TABLE_COOLDOWN
        for r in history
    )


def _cap_candidates(t: Table, parties: Sequence[str]) -> list[tuple[dict[str, JSON], float]]:
    top = class_levels(t.ap, parties)
    quota = t.style.min_quota
    out: list[tuple[dict[str, JSON], float]] = []
    for share in sorted({1.0, 0.9, t.style.reduction}, reverse=True):
        caps: dict[str, JSON] = {c: round(n * share) for c, n in top.items() if n > 0}
        if not caps:
            continue
        terms: dict[str, JSON] = {
            "caps": caps,
            "inspection_quota": quota,
            "data_exchange": not t.style.dislikes_inspection,
        }
        out.append((terms, share))
    return out


def _table(t: Table, offers: Sequence[Offer], history: Sequence[Record]) -> list[Move]:
    if not t.style.tables:
        return []
    if t.policy == "richardson" and t.pressure() <= 0 and t.turn > 1:
        return []
    moves: list[Move] = []
    for r in t.rivals():
        parties = tuple(x for x in t.state.state_ids if x in (t.actor, r))
        if t.provoked_by(r) and t.policy in ("reciprocator", "verifier"):
            continue
        if not _covered(t, r, "OFFENSE_CAP", offers) and not _recently_tabled(
            t, r, "OFFENSE_CAP", history
        ):
            best: tuple[float, dict[str, JSON], float] | None = None
            for terms, share in _cap_candidates(t, parties):
                ok, g, _ = _acceptable(t, "OFFENSE_CAP", parties, terms)
                if not ok:
                    continue
                a = t.ap.appraise("OFFENSE_CAP", parties, terms)
                if a.worst_other < t.style.partner_floor:
                    continue
                score = min(g, a.worst_other) + (0.3 if share < 1 else 0.0)
                if best is None or score > best[0]:
                    best = (score, terms, share)
            if best is not None:
                _, terms, share = best
                intent = (
                    Intent.of("table_cap", quota=_int(terms.get("inspection_quota")))
                    if share >= 1
                    else Intent.of(
                        "table_reduction",
                        percent=round(100 * (1 - share)),
                        quota=_int(terms.get("inspection_quota")),
                    )
                )
                moves.append(
                    Move(
                        t.actor,
                        Act.TABLE,
                        intent,
                        template="OFFENSE_CAP",
                        parties=parties,
                        terms=terms,
                        to=(r,),
                    )
                )
        reach = t.defenses_within_reach(r)
        if (
            reach > 0
            and not _covered(t, r, "DEFENSE_LIMIT", offers)
            and not _recently_tabled(t, r, "DEFENSE_LIMIT", history)
        ):
            own_def = t.defenses_within_reach(t.actor)
            # A freeze at the larger holding: interceptors (stored ones too) cannot be scrapped,
            # so a lower total would only put a party in breach.
            for limit in (max(own_def, reach),):
                terms = {"max_interceptors": limit}
                ok, g, _ = _acceptable(t, "DEFENSE_LIMIT", parties, terms)
                a = t.ap.appraise("DEFENSE_LIMIT", parties, terms)
                if ok and a.worst_other >= t.style.partner_floor:
                    moves.append(
                        Move(
                            t.actor,
                            Act.TABLE,
                            Intent.of("table_defense_limit", limit=limit),
                            template="DEFENSE_LIMIT",
                            parties=parties,
                            terms=terms,
                            to=(r,),
                        )
                    )
                    break
    return moves


def _agreements(t: Table) -> set[tuple[str, str, str]]:
    out: set[tuple[str, str, str]] = set()
    ag = t.view.get("agreements")
    if isinstance(ag, list):
        for g in ag:
            if isinstance(g, Mapping):
                out.add((str(g.get("kind")), str(g.get("a")), str(g.get("b"))))
    return out


def _cbm_moves(
    t: Table,
    cbm_offers: Sequence[CbmOffer],
    history: Sequence[Record],
    offer: bool,
    offers: Sequence[Offer] = (),
) -> list[Move]:
    moves: list[Move] = []
    have = _agreements(t)
    answered = {
        (r.move.cbm, r.move.to[0])
        for r in history
        if r.move.actor == t.actor
        and r.move.act in (Act.ACCEPT_CBM, Act.DECLINE_CBM)
        and r.turn == t.turn
        and r.move.to
    }
    for c in cbm_offers:
        if c.receiver != t.actor or (c.kind, c.sender) in answered:
            continue
        if c.kind in t.style.cbms and not (
            t.policy in ("reciprocator", "verifier") and t.provoked_by(c.sender)
        ):
            moves.append(
                Move(
                    t.actor,
                    Act.ACCEPT_CBM,
                    Intent.of("accept_cbm", kind=c.kind),
                    to=(c.sender,),
                    cbm=c.kind,
                )
            )
        else:
            moves.append(
                Move(
                    t.actor,
                    Act.DECLINE_CBM,
                    Intent.of("decline_cbm", kind=c.kind),
                    to=(c.sender,),
                    cbm=c.kind,
                )
            )
    if not offer:
        return moves
    offered = {(c.kind, c.sender, c.receiver) for c in cbm_offers}
    offered |= {
        (r.move.cbm, r.move.actor, r.move.to[0])
        for r in history
        if r.turn == t.turn and r.move.act is Act.OFFER_CBM and r.move.to
    }
    # A partner that declined a measure is not asked again for TABLE_COOLDOWN turns.
    offered |= {
        (r.move.cbm, r.move.to[0], r.move.actor)
        for r in history
        if r.move.act is Act.DECLINE_CBM and r.move.to and t.turn - r.turn < TABLE_COOLDOWN
    }
    # A measure in an open package (a CBM proposal) is settled there, not offered again.
    offered |= {
        (k, o.parties[0], o.parties[1])
        for o in offers
        if o.template == CBM and len(o.parties) == 2
        for k in cbm_measures(o.terms)
    }
    for r in t.rivals():
        if t.policy in ("reciprocator", "verifier") and t.provoked_by(r):
            continue
        a, b = sorted((t.actor, r))
        for kind in t.style.cbms:
            if (
                (kind, a, b) in have
                or (kind, t.actor, r) in offered
                or (kind, r, t.actor) in offered
            ):
                continue
            moves.append(
                Move(t.actor, Act.OFFER_CBM, Intent.of("offer_cbm", kind=kind), to=(r,), cbm=kind)
            )
    return moves


# -- packages of confidence-building measures (CBM proposals) ------------------------------


def cbm_measures(terms: Mapping[str, JSON]) -> list[str]:
    """The measures of a CBM package, in :data:`CBM_KINDS` order (unknown kinds left out)."""
    raw = terms.get("measures")
    asked = {str(k) for k in raw} if isinstance(raw, list) else set()
    return [k for k in CBM_KINDS if k in asked]


def _answer_cbm(t: Table, o: Offer, history: Sequence[Record]) -> Move:
    """A package of CBMs is answered as the bot answers each measure offered alone: it signs the
    measures its policy believes in (a reciprocator or verifier none with a provoker), amends the
    package down to them when it believes in some, and rejects it otherwise."""
    to = tuple(p for p in o.parties if p != t.actor)
    measures = cbm_measures(o.terms)
    if t.policy in ("reciprocator", "verifier") and any(t.provoked_by(p) for p in to):
        return Move(
            t.actor,
            Act.REJECT,
            Intent.of("reject_distrust", template=CBM),
            proposal=o.id,
            version=o.version,
            to=to,
        )
    wanted = [k for k in measures if k in t.style.cbms]
    if measures and wanted == measures:
        return Move(
            t.actor,
            Act.SIGN,
            Intent.of("sign", template=CBM, proposal=o.id),
            proposal=o.id,
            version=o.version,
            to=to,
        )
    amended = sum(
        1
        for r in history
        if r.move.actor == t.actor and r.move.proposal == o.id and r.move.act is Act.AMEND
    )
    if wanted and amended < MAX_AMENDMENTS:
        return Move(
            t.actor,
            Act.AMEND,
            Intent.of("amend_cbm", kinds=",".join(wanted)),
            proposal=o.id,
            version=o.version,
            template=CBM,
            parties=o.parties,
            terms={**o.terms, "measures": list(wanted)},
            to=to,
        )
    return Move(
        t.actor,
        Act.REJECT,
        Intent.of("reject_cbm", template=CBM),
        proposal=o.id,
        version=o.version,
        to=to,
    )


# -- host-nation agreements ------------------------------------------------------------


def wants_defense(t: Table) -> bool:
    """Whether the actor's policy wants more missile defense now."""
    if t.policy == "hawk":
        return True
    if t.policy == "richardson":
        return t.pressure() > 0
    if t.policy in ("reciprocator", "verifier"):
        return any(t.provoked_by(r) for r in t.rivals())
    return False


def consent_order(terms: Mapping[str, JSON]) -> dict[str, object]:
    """The host's CONSENT_HOSTING order for a host-nation agreement's terms."""
    return {"type": "CONSENT_HOSTING", **{k: v for k, v in terms.items() if k != "host"}}


def _hosting_terms(t: Table, offers: Sequence[Offer]) -> list[dict[str, JSON]]:
    """Agreements the actor could ask its allies for: sites they host, not hosting anyone, that
    it is allowed to operate and has interceptors of an allowed type to load."""
    store = t.me.get("interceptors_store")
    held = {str(k): _int(v) for k, v in store.items()} if isinstance(store, Mapping) else {}
    asked = {str(o.terms.get("site")) for o in offers if o.template == HOSTING}
    out: list[dict[str, JSON]] = []
    for s in t.state.sites:
        if s.host == t.actor or s.owner not in ("", t.actor) or s.id in asked:
            continue
        pair = t.state.pairs.get((t.actor, s.host))
        if pair is None or pair.ed <= 0 or active_consent(t.state, s.id) is not None:
            continue
        load = sum(held.get(k, 0) for k in s.allowed)
        if load <= 0 or s.capacity <= 0:
            continue
        out.append(
            {
                "owner": t.actor,
                "host": s.host,
                "site": s.id,
                "max_interceptors": min(s.capacity, load),
                "forward_allowed": False,
                "sensor_sharing_allowed": False,
                "compensation": 0,
                "notice_turns": 1,
            }
        )
    return out


def _table_hosting(t: Table, offers: Sequence[Offer], history: Sequence[Record]) -> list[Move]:
    if not wants_defense(t):
        return []
    moves: list[Move] = []
    for terms in _hosting_terms(t, offers):
        host = str(terms["host"])
        if _recently_tabled(t, host, HOSTING, history):
            continue
        parties = tuple(x for x in t.state.state_ids if x in (t.actor, host))
        moves.append(
            Move(
                t.actor,
                Act.TABLE,
                Intent.of("table_hosting", site=terms["site"], limit=terms["max_interceptors"]),
                template=HOSTING,
                parties=parties,
                terms=terms,
                to=(host,),
            )
        )
    return moves


def _answer_hosting(t: Table, o: Offer) -> Move:
    """The host's answer: sign (its consent) or decline. A bot asked to load an ally's site (the
    host tabled the agreement) signs if it wants defense and has a matching interceptor in store."""
    to = tuple(p for p in o.parties if p != t.actor)
    if o.terms.get("owner") == t.actor and o.terms.get("host") != t.actor:
        site = t.state.site(str(o.terms.get("site")))
        store = t.me.get("interceptors_store")
        held = {str(k): _int(v) for k, v in store.items()} if isinstance(store, Mapping) else {}
        if wants_defense(t) and site is not None and any(held.get(k, 0) > 0 for k in site.allowed):
            return Move(
                t.actor,
                Act.SIGN,
                Intent.of("sign", template=HOSTING, proposal=o.id),
                proposal=o.id,
                version=o.version,
                to=to,
            )
    takes = {
        "hawk": True,
        "cheater": True,
        "richardson": t.pressure() > 0,
        "reciprocator": bool(t.rivals()),
        "verifier": bool(t.rivals()),
    }.get(t.policy, False)
    legal = o.terms.get("host") == t.actor
    if legal and takes:
        try:
            validate_orders(t.state, t.actor, [consent_order(o.terms)])
        except OrderError:
            legal = False
    if legal and takes:
        return Move(
            t.actor,
            Act.SIGN,
            Intent.of("sign", template=HOSTING, proposal=o.id),
            proposal=o.id,
            version=o.version,
            to=to,
        )
    return Move(
        t.actor,
        Act.REJECT,
        Intent.of("reject_hosting", site=o.terms.get("site")),
        proposal=o.id,
        version=o.version,
        to=to,
    )


def decide(
    policy: str,
    state: GameState,
    actor: str,
    offers: Sequence[Offer] = (),
    cbm_offers: Sequence[CbmOffer] = (),
    history: Sequence[Record] = (),
    seed: str = "",
    *,
    table: bool = True,
    readings: dict[str, Table] | None = None,
    hosting: bool = False,
) -> list[Move]:
    """The actor's moves now: answers to offers awaiting it, CBM answers/offers, new texts.

    Pure and deterministic: the same arguments give the same moves. ``table=False`` answers
    only (used for later rounds within a phase). ``hosting=True`` also tables host-nation
    agreements (the headless table concludes them; the server tables them as proposals).
    """
    if policy not in STYLES:
        raise ValueError(
            f"unknown policy {policy!r}; choose from {', '.join(NEGOTIATING_POLICIES)}"
        )
    if state.game_over or actor not in state.state_ids:
        return []
    answered = {
        (r.move.proposal, r.move.version)
        for r in history
        if r.move.actor == actor and r.move.act in (Act.SIGN, Act.REJECT, Act.AMEND, Act.COUNTER)
    }
    waiting = [o for o in offers if o.needs(actor) and (o.id, o.version) not in answered]
    if not table and not waiting and not any(c.receiver == actor for c in cbm_offers):
        return []  # nothing awaits it and it is not its turn to table: no need to think
    # ``readings`` lets a caller that asks several times about one state (the rounds of a
    # table) reuse the actor's reading of it: its belief state and projections.
    key = f"{policy}:{actor}:{seed}"
    t = readings.get(key) if readings is not None else None
    if t is None or t.state is not state:
        t = Table(policy, state, actor, seed)
        if readings is not None:
            readings[key] = t
    moves: list[Move] = []
    for o in waiting:
        moves += _answer(t, o, history)
    moves += _cbm_moves(t, cbm_offers, history, offer=table, offers=offers)
    if table:
        moves += _table(t, offers, history)
        if hosting:
            moves += _table_hosting(t, offers, history)
    return moves
