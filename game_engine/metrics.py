"""Strategic metrics on a snapshot of the world (B5.1-B5.5, B5.9).

Everything here is a pure function of a :class:`World` (current nations, pairs, sites,
consents, treaties, agreements) and a *force view*: which missile counts to assume for each
state. The same code computes truth (true counts), the public version (public ledgers) and
each state's perception (its own estimates of others).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass, field
from typing import Any

from game_engine import formulas as f
from game_engine.params import CLASS_ORDER, ITYPE_ORDER, ClassSpec, InterceptorSpec, Params
from game_engine.scenario import Scenario
from game_engine.state import Agreement, Consent, Nation, Pair, Site, Treaty, builder

Counts = Mapping[str, float]
ForceView = Mapping[str, Counts]


@dataclass(slots=True)
class World:
    """Read-only snapshot used by the metric functions."""

    scenario: Scenario
    turn: int
    nations: Mapping[str, Nation]
    pairs: Mapping[tuple[str, str], Pair]
    sites: Mapping[str, Site]
    consents: tuple[Consent, ...]
    treaties: Mapping[str, Treaty]
    agreements: tuple[Agreement, ...]
    env: Mapping[str, float] = field(default_factory=dict)
    ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.ids:
            self.ids = self.scenario.state_ids

    @property
    def p(self) -> Params:
        return self.scenario.params


@dataclass(frozen=True, slots=True)
class DefenseCell:
    """Defense of ``defended`` against ``attacker``: interceptors per type and radar data."""

    interceptors: tuple[tuple[str, float], ...]
    delta: float
    q: float


@dataclass(frozen=True, slots=True)
class Dyad:
    """Exchange results between i and j under one force view (B5.3)."""

    f_ij: float  # damage to i from j's full first strike
    f_ji: float
    r_ij: float  # damage to i after i strikes first (j's survivors retaliate)
    r_ji: float
    ratio_i: float  # r_i(j) = R_ij / F_ij
    ratio_j: float

    def mirror(self) -> Dyad:
        """The same exchange seen from j's side."""
        return _new_dyad(self.f_ji, self.f_ij, self.r_ji, self.r_ij, self.ratio_j, self.ratio_i)

    @property
    def fsi(self) -> float:
        """First-strike stability ``r_i(j) r_j(i)``."""
        return self.ratio_i * self.ratio_j


_new_dyad = builder(Dyad)
"""``Dyad(...)``, cheaper (one per exchange computed)."""


def site_active(w: World, s: Site) -> bool:
    """A site counts if ready, owned, and (if hosted) covered by an active consent."""
    if not s.owner or s.ready_turn > w.turn:
        return False
    if s.host == s.owner:
        return True
    for c in w.consents:
        if (
            c.site == s.id
            and c.owner == s.owner
            and (c.revoke_effective is None or c.revoke_effective > w.turn)
        ):
            return True
    return False


def ed_eff(w: World, patron: str, client: str) -> float:
    """Extended-deterrence credibility incl. the hosting bonus (B5.3)."""
    base = w.pairs[(patron, client)].ed
    if base <= 0:
        return 0.0
    for s in w.sites.values():
        if s.owner == patron and s.host == client and site_active(w, s):
            return min(w.p.ed_cap, base + w.p.ed_hosting_bonus)
    return base


def defends(w: World, s: Site, j: str) -> bool:
    """Site ``s`` may be used to defend state ``j`` (owner, host, or ally of the owner)."""
    if s.owner == j or s.host == j:
        return True
    return w.pairs[(s.owner, j)].ed > 0


def defense_table(w: World) -> dict[tuple[str, str], DefenseCell]:
    """Available interceptors and radar per (defended, attacker) (B5.2 items 1, 2, 5).

    One pass over each active site's coverage entries (the first entry per pair counts), in
    site order, so sums are added in the same order as a per-cell scan of the sites.
    """
    p = w.p
    ids = w.ids
    active = [s for s in w.sites.values() if site_active(w, s)]
    inter: dict[tuple[str, str], dict[str, float]] = {}
    q_best: dict[tuple[str, str], float] = {}
    bonus: dict[tuple[str, str], float] = {}
    for s in active:
        q = 0.0 if s.outage_turn == w.turn else s.radar_q
        defended = {j for j in ids if defends(w, s, j)}
        if s.radar_mode == "forward" and s.sensor_sharing and q > 0:
            for j in defended:
                for i in s.sees:
                    if i != j:
                        bonus[(j, i)] = p.forward_share_bonus
        seen: set[tuple[str, str]] = set()
        for c in s.coverage:
            key = (c.defends, c.against)
            if key in seen:
                continue
            seen.add(key)
            if c.defends not in defended or c.defends == c.against or c.value <= 0:
                continue
            q_best[key] = max(q_best.get(key, 0.0), q)
            cell = inter.setdefault(key, dict.fromkeys(ITYPE_ORDER, 0.0))
            for t, n in s.interceptors.items():
                cell[t] = cell.get(t, 0.0) + c.value * n
    table: dict[tuple[str, str], DefenseCell] = {}
    zero = tuple((t, 0.0) for t in ITYPE_ORDER)
    for j in ids:
        disc = w.nations[j].disc
        for i in ids:
            if i == j:
                continue
            key = (j, i)
            qb = q_best.get(key, 0.0)
            b = bonus.get(key, 0.0)
            delta = min(1.0, qb + b + disc) if (qb > 0 or b > 0) else min(1.0, disc)
            found = inter.get(key)
            table[key] = DefenseCell(
                interceptors=zero if found is None else tuple((t, found[t]) for t in ITYPE_ORDER),
                delta=delta,
                q=qb,
            )
    return table


_TABLES: dict[tuple[object, ...], list[tuple[object, object, object, object]]] = {}
"""Defense tables already built, by the hashable part of what :func:`defense_table` reads
(see :func:`shared_defense_table`); each entry holds the scenario, the part compared by value
(sites, consents) and the table. At most ``_TABLES_MAX`` keys, then afresh."""
_TABLES_MAX = 512
_TABLES_PER_KEY = 4


def shared_defense_table(
    w: World,
) -> tuple[dict[tuple[str, str], DefenseCell], dict[tuple[object, ...], object]]:
    """``defense_table(w)``, built once per content: a bot's projections of one turn (and the
    engines of each projection's perception and posture) see the same sites, consents,
    extended deterrence and detection bonuses, so they share one table. The table reads the
    scenario (ids, parameters), the turn, every site in order (ownership, hosting, readiness,
    outage, radar, sharing, coverage, interceptors), the consents (whether a hosted site is
    active), each pair's extended deterrence and each nation's ``disc``; the key holds all of
    them, the sites and consents compared by value (as perception's memo does). The shared
    table is only read (no caller writes into it).

    Also returns the memo tokens (:meth:`Engine._token`) found by the engines sharing the
    table, by kind, pair and the two sides' profiles: with the same table and profiles, the
    token's content is the same."""
    eds = tuple([pr.ed for pr in w.pairs.values()])
    discs = tuple([nat.disc for nat in w.nations.values()])
    hashed = (w.turn, w.ids, tuple(w.pairs), eds, tuple(w.nations), discs)
    by_value = (tuple(w.sites.items()), tuple(w.consents))
    held = _TABLES.get(hashed)
    if held is not None:
        for sc, value, found, found_toks in held:
            if sc is w.scenario and value == by_value:
                return found, found_toks  # type: ignore[return-value]
    else:
        if len(_TABLES) >= _TABLES_MAX:
            _TABLES.clear()
        held = _TABLES[hashed] = []
    table = defense_table(w)
    toks: dict[tuple[object, ...], object] = {}
    held.insert(0, (w.scenario, by_value, table, toks))
    del held[_TABLES_PER_KEY:]  # the most recent few per key (other games' sites rarely match)
    return table, toks


@dataclass(slots=True)
class Engine:
    """Caches per-view computations for one resolution phase."""

    w: World
    defense: dict[tuple[str, str], DefenseCell]
    classes: dict[str, ClassSpec]
    itypes: dict[str, InterceptorSpec]
    _pk: dict[tuple[str, str], dict[str, tuple[tuple[str, float, float], ...]]] = field(
        default_factory=dict
    )
    # Per (attacker, defender): what ``arriving`` reads that does not depend on the counts
    # (reach, warhead weight, whether any interceptor defends, the engagement order) and the
    # counterforce weights of ``survivors`` - looked up once, not per salvo.
    _arr: dict[tuple[str, str], list[object]] = field(default_factory=dict)
    _pcf: dict[tuple[str, str], tuple[tuple[str, float], ...]] = field(default_factory=dict)
    _prof: dict[str, tuple[object, ...]] = field(default_factory=dict)
    _tok: dict[tuple[str, str, str], object] = field(default_factory=dict)

    _toks: dict[tuple[object, ...], object] = field(default_factory=dict)
    """Tokens of every engine sharing this one's defense table (see shared_defense_table)."""

    @classmethod
    def build(cls, w: World) -> Engine:
        table, toks = shared_defense_table(w)
        return cls(
            w=w,
            defense=table,
            classes={c.name: c for c in w.scenario.classes},
            itypes={t.name: t for t in w.scenario.interceptors},
            _toks=toks,
        )

    def env_of(self, j: str) -> float:
        return self.w.env.get(j, self.w.p.env_expected)

    def kill_table(self, att: str, dfd: str) -> dict[str, tuple[tuple[str, float, float], ...]]:
        """Per class, the interceptor layers ``(type, P_k, shots per warhead)``, best first."""
        key = (att, dfd)
        hit = self._pk.get(key)
        if hit is not None:
            return hit
        p = self.w.p
        cell = self.defense[(dfd, att)]
        cm = self.w.nations[att].cm
        env = self.env_of(dfd)
        doctrine = self.w.nations[dfd].doctrine
        # A pure function of these and the scenario: shared by the engines of one scenario.
        memo = _memo(self.w.scenario)
        mkey = ("kill", cm, env, doctrine, cell.delta, cell.q)
        shared = memo.get(mkey)
        if shared is not None:
            self._pk[key] = shared
            return shared  # type: ignore[no-any-return]
        rho = p.rho_base + p.rho_per_q * cell.q
        sls = doctrine == "sls" and cell.q >= p.sls_min_radar_q
        n = p.doctrine_shots
        out: dict[str, tuple[tuple[str, float, float], ...]] = {}
        for c in CLASS_ORDER:
            spec = self.classes[c]
            layers: list[tuple[str, float, float]] = []
            for t in ITYPE_ORDER:
                pe = f.p_eff(self.itypes[t].p0.get(c, 0.0), spec.kappa, cm, cell.delta, env)
                if pe > 0:
                    layers.append(
                        (t, f.pk_per_warhead(pe, n, rho), f.shots_per_warhead(pe, n, sls))
                    )
            layers.sort(key=lambda x: (-x[1], ITYPE_ORDER.index(x[0])))
            out[c] = tuple(layers)
        self._pk[key] = out
        memo[mkey] = out
        return out

    def arriving(self, att: str, dfd: str, counts: Counts) -> float:
        """Weighted arriving warheads A of ``att``'s reachable missiles on ``dfd`` (B5.2 6-7)."""
        key = (att, dfd)
        plan = self._arr.get(key)
        if plan is None:
            plan = self._arrival_plan(att, dfd)
        reach, dw, defended, order = plan
        if not reach:
            return 0.0
        if not defended:
            salvo = [n for c in reach if (n := counts.get(c, 0.0)) > 0]  # type: ignore[attr-defined]
            return dw * sum(salvo) if salvo else 0.0  # type: ignore[operator]
        if order is None:
            order = plan[3] = self._engagement_order(att, dfd, reach)  # type: ignore[arg-type]
        table = self.kill_table(att, dfd)
        inter = dict(self.defense[(dfd, att)].interceptors)
        leak_total = 0.0
        fired = False
        # B5.2.6: most damaging and most killable classes first; ties by class order.
        for c in order:  # type: ignore[attr-defined]
            remaining = counts.get(c, 0.0)
            if not remaining > 0:
                continue
            fired = True
            leak = 0.0
            for t, pk, e in table[c]:
                avail = inter[t]
                if remaining <= 0 or avail <= 0:
                    continue
                eng = min(remaining, float(math.floor(avail / e + 1e-12)))
                leak += eng * (1 - pk)
                remaining -= eng
                inter[t] = avail - eng * e
            leak_total += leak + remaining
        return dw * leak_total if fired else 0.0  # type: ignore[operator]

    def _arrival_plan(self, att: str, dfd: str) -> list[object]:
        reach = self.w.scenario.reach.get(att, {}).get(dfd, ())
        plan: list[object] = [reach, 0.0, False, None]
        if reach:
            plan[1] = self.w.p.dw_nuclear if self.w.nations[att].nuclear else self.w.p.dw_conventional
            plan[2] = not (sum(dict(self.defense[(dfd, att)].interceptors).values()) <= 0)
        self._arr[(att, dfd)] = plan
        return plan

    def _engagement_order(self, att: str, dfd: str, reach: tuple[str, ...]) -> tuple[str, ...]:
        """The reachable classes in engagement order: a stable sort of the salvo by this key
        gives the same order as sorting these classes once and keeping those fired."""
        table = self.kill_table(att, dfd)
        return tuple(
            sorted(
                reach,
                key=lambda c: (-(table[c][0][1] if table[c] else 0.0), CLASS_ORDER.index(c)),
            )
        )

    def damage(self, att: str, dfd: str, counts: Counts) -> float:
        """Damage fraction to ``dfd`` from ``att``'s salvo (B5.3), memoised like :meth:`dyad`
        (a dyad that misses often shares one side's salvo with one already computed)."""
        key = (self._token("damage", att, dfd), tuple(counts.items()))
        memo = _memo(self.w.scenario)
        hit = memo.get(key)
        if hit is None:
            hit = f.damage(self.arriving(att, dfd, counts), self.w.nations[dfd].l_half)
            memo[key] = hit
        return hit

    def survivors(
        self, first: str, victim: str, n_first: Counts, n_victim: Counts
    ) -> dict[str, float]:
        """Victim's missiles left after ``first``'s counterforce strike (B5.3)."""
        pcf = self._pcf.get((first, victim))
        if pcf is None:
            reach = self.w.scenario.reach.get(first, {}).get(victim, ())
            pcf = tuple((c, self.classes[c].pcf) for c in CLASS_ORDER if c in reach)
            self._pcf[(first, victim)] = pcf
        shots = sum(w * n_first.get(c, 0.0) for c, w in pcf)
        keys = [c for c in CLASS_ORDER if c in n_victim]
        vul = {c: self.classes[c].v * n_victim[c] for c in keys if n_victim[c] > 0}
        total_v = sum(vul[c] for c in keys if c in vul)
        killed = f.cf_killed(total_v, shots)
        if killed <= 0:
            return {c: float(n_victim[c]) for c in keys}
        return {c: n_victim[c] - killed * vul.get(c, 0.0) / total_v for c in keys}

    def _profile(self, sid: str) -> tuple[object, ...]:
        """Everything the exchange model reads of ``sid`` besides its counts and defense cells."""
        hit = self._prof.get(sid)
        if hit is None:
            nat = self.w.nations[sid]
            hit = (sid, nat.cm, nat.nuclear, nat.l_half, nat.doctrine, self.env_of(sid))
            self._prof[sid] = hit
        return hit

    def _token(self, kind: str, a: str, b: str) -> object:
        """An object standing for everything but the counts that a dyad of (a, b), or the damage
        of a's salvo on b, reads: the same token for the same content in every engine of the
        scenario (found once per engine and pair), so a memo key hashes no defense cells."""
        hit = self._tok.get((kind, a, b))
        if hit is None:
            pa, pb = self._profile(a), self._profile(b)
            shared = (kind, pa, pb)
            hit = self._toks.get(shared)
            if hit is not None:
                self._tok[(kind, a, b)] = hit
                return hit
            if kind == "dyad":
                content: tuple[object, ...] = (
                    kind, pa, pb, self.defense[(a, b)], self.defense[(b, a)],
                )
            else:
                content = (kind, pa, pb, self.defense[(b, a)])
            memo = _memo(self.w.scenario)
            hit = memo.get(content)
            if hit is None:
                hit = memo[content] = _Token()
            self._tok[(kind, a, b)] = hit
            self._toks[shared] = hit
        return hit

    def dyad(self, i: str, j: str, ni: Counts, nj: Counts) -> Dyad:
        """Full exchange analysis between i and j (B5.3), memoised by content.

        The result is a pure function of the scenario (classes, interceptor types, reach,
        parameters), the two defense cells, what :meth:`_profile` lists of each side and the
        two force views, so engines of different worlds (a bot's projections of one turn,
        which change treaties but not forces) share it through ``_DYADS``. The key compares
        counts by value (3 == 3.0), which the arithmetic below cannot tell apart either.
        """
        key = (self._token("dyad", i, j), tuple(ni.items()), tuple(nj.items()))
        memo = _memo(self.w.scenario)
        hit = memo.get(key)
        if hit is None:
            hit = self._dyad(i, j, ni, nj)
            if len(memo) >= _MEMO_MAX:
                memo.clear()
            memo[key] = hit
        return hit

    def _dyad(self, i: str, j: str, ni: Counts, nj: Counts) -> Dyad:
        f_ij = self.damage(j, i, nj)
        f_ji = self.damage(i, j, ni)
        surv_j = self.survivors(i, j, ni, nj)
        surv_i = self.survivors(j, i, nj, ni)
        r_ij = self.damage(j, i, surv_j)
        r_ji = self.damage(i, j, surv_i)
        ratio_i = f.clamp(r_ij / f_ij, 0.0, 1.0) if f_ij > 0 else 1.0
        ratio_j = f.clamp(r_ji / f_ji, 0.0, 1.0) if f_ji > 0 else 1.0
        return _new_dyad(f_ij, f_ji, r_ij, r_ji, ratio_i, ratio_j)


class _Token:
    """A memo key part: equal only to itself (see :meth:`Engine._token`)."""

    __slots__ = ()


_MEMO_MAX = 200_000
"""Entries kept per scenario before the dyad memo starts afresh (bounds a long run's memory)."""
_DYADS: list[tuple[Scenario, dict[tuple[object, ...], Any]]] = []


def _memo(sc: Scenario) -> dict[tuple[object, ...], Any]:
    """The dyad (and kill-table) memo of one scenario object, found by identity (a run plays
    one scenario object; the few most recent are kept)."""
    for held, memo in _DYADS:
        if held is sc:
            return memo
    if len(_DYADS) >= 4:
        _DYADS.pop()
    memo = {}
    _DYADS.insert(0, (sc, memo))
    return memo


def cached_dyad(
    eng: Engine, view: ForceView, cache: dict[tuple[str, str], Dyad], i: str, j: str
) -> Dyad:
    """``eng.dyad(i, j)`` under ``view``, reusing the mirrored (j, i) result if present."""
    hit = cache.get((i, j))
    if hit is None:
        other = cache.get((j, i))
        hit = other.mirror() if other is not None else eng.dyad(i, j, view[i], view[j])
        cache[(i, j)] = hit
    return hit


def x_off(classes: Mapping[str, ClassSpec], counts: Counts) -> float:
    """Effective offensive level ``sum w_c N_c`` (B5.1)."""
    return sum(classes[c].w * counts.get(c, 0) for c in CLASS_ORDER if c in counts)


def interceptor_total(w: World, sid: str) -> dict[str, int]:
    """All interceptors of a state (store + deployed), per type; public information."""
    out = dict.fromkeys(ITYPE_ORDER, 0)
    for t, n in w.nations[sid].store.items():
        out[t] = out.get(t, 0) + n
    for s in w.sites.values():
        if s.owner == sid:
            for t, n in s.interceptors.items():
                out[t] = out.get(t, 0) + n
    return out


def x_level(w: World, classes: Mapping[str, ClassSpec], sid: str, counts: Counts) -> float:
    """Arms level ``X_i = X_off + theta (0.3 I_T + 0.6 I_M)`` (B5.1)."""
    itypes = {t.name: t for t in w.scenario.interceptors}
    inter = interceptor_total(w, sid)
    return x_off(classes, counts) + w.p.theta_def * sum(
        itypes[t].x_weight * n for t, n in inter.items()
    )


def is_rival(w: World, i: str, j: str) -> bool:
    """``rival[i][j]``: scenario flag or threat at least the threshold (B2.3)."""
    pr = w.pairs[(i, j)]
    return pr.rival or pr.threat >= w.p.rival_threat_threshold


def rival_dyads(w: World) -> list[tuple[str, str]]:
    """Unordered pairs (scenario order) where either side counts the other as a rival."""
    ids = w.ids
    out: list[tuple[str, str]] = []
    for a in range(len(ids)):
        for b in range(a + 1, len(ids)):
            i, j = ids[a], ids[b]
            if is_rival(w, i, j) or is_rival(w, j, i):
                out.append((i, j))
    return out


@dataclass(slots=True)
class Security:
    """Security decomposition of one state (B5.3)."""

    sec: float
    det: dict[str, float]
    dl: float
    rel: float
    weights: dict[str, float]


def deterrence(
    eng: Engine,
    view: ForceView,
    i: str,
    j: str,
    dy: Dyad,
    cache: dict[tuple[str, str], Dyad] | None = None,
) -> float:
    """``det_i(j)``, with extended deterrence for non-nuclear clients (B5.3)."""
    w = eng.w
    own = min(1.0, dy.r_ji / w.nations[i].u)
    if w.nations[i].nuclear:
        return own
    best = own
    for k in w.ids:
        if k in (i, j):
            continue
        e = ed_eff(w, k, i)
        if e <= 0:
            continue
        dk = (
            eng.dyad(k, j, view[k], view[j])
            if cache is None
            else cached_dyad(eng, view, cache, k, j)
        )
        best = max(best, e * min(1.0, dk.r_ji / w.nations[k].u))
    return best


def security(eng: Engine, view: ForceView, i: str, dyads: dict[tuple[str, str], Dyad]) -> Security:
    """``Sec_i = 100 (0.5 sum w det + 0.3 DL + 0.2 Rel)`` under ``view`` (B5.3)."""
    w = eng.w
    p = w.p
    rivals = [j for j in w.ids if j != i and is_rival(w, i, j)]
    if not rivals:
        return Security(100 * (p.sec_w_det + p.sec_w_dl + p.sec_w_rel * 0.5), {}, 1.0, 0.5, {})
    tot = sum(w.pairs[(i, j)].threat for j in rivals)
    weights = {j: (w.pairs[(i, j)].threat / tot if tot > 0 else 1.0 / len(rivals)) for j in rivals}
    det: dict[str, float] = {}
    dl = 1.0
    for j in rivals:
        dy = cached_dyad(eng, view, dyads, i, j)
        det[j] = deterrence(eng, view, i, j, dy, dyads)
        dl -= weights[j] * dy.f_ij
    xi = x_off(eng.classes, view[i])
    xmax = max(x_off(eng.classes, view[j]) for j in rivals)
    rel = xi / (xi + xmax) if xi + xmax > 0 else 0.5
    sec = 100 * (
        p.sec_w_det * sum(weights[j] * det[j] for j in rivals) + p.sec_w_dl * dl + p.sec_w_rel * rel
    )
    return Security(f.clamp(sec, 0.0, 100.0), det, dl, rel, weights)


def relevant_sites(
    w: World, i: str, j: str, active: Sequence[Site] | None = None
) -> list[Site]:
    """Active sites of j (owned or hosted) or defending j that see i or cover anything against i.
    ``active``: the world's active sites in site order, if the caller has them already."""
    if active is None:
        active = [s for s in w.sites.values() if site_active(w, s)]
    return [
        s
        for s in active
        if defends(w, s, j)
        and (
            i in s.sees
            or any(c.defends == j and c.against == i and c.value > 0 for c in s.coverage)
        )
    ]


def clarity(
    w: World,
    i: str,
    j: str,
    cbm_recent: bool,
    observed_recent: bool,
    de: bool,
    active: Sequence[Site] | None = None,
) -> float:
    """Clarity ``chi_ij`` of j's defenses for i (B5.4).

    The terminal-mode and no-sharing credits need at least one relevant site (no site, nothing
    to clarify), and the no-sharing credit belongs to a pledge: a declared limit or a hosting
    consent that forbids sharing, not merely sharing being off today (issue 14).
    """
    p = w.p
    relevant = relevant_sites(w, i, j, active)
    parts: list[float] = []
    limited = [s for s in relevant if s.limits is not None]
    if relevant and len(limited) == len(relevant):
        parts.append(p.chi_limits_verified if observed_recent else p.chi_limits)
    if de:
        parts.append(p.chi_data_exchange)
    if cbm_recent:
        parts.append(p.chi_cbm)
    if p.rules < 2:  # the credits as they were before issue 14, for games begun under them
        if all(s.radar_mode == "terminal" for s in relevant):
            parts.append(p.chi_terminal)
        if relevant and all(
            (s.limits is not None and s.limits.no_sensor_sharing) or not s.sensor_sharing
            for s in relevant
        ):
            parts.append(p.chi_no_sharing)
    elif relevant and all(s.radar_mode == "terminal" for s in relevant):
        parts.append(p.chi_terminal)
    if p.rules >= 2 and relevant and all(sharing_pledged(w, s) for s in relevant):
        parts.append(p.chi_no_sharing)
    keep = 1.0
    for x in parts:
        keep *= 1 - x
    return min(p.chi_max, 1 - keep)


def sharing_pledged(w: World, s: Site) -> bool:
    """Site ``s`` is publicly bound not to share sensor data (declared limit or host consent)."""
    if s.sensor_sharing:
        return False
    if s.limits is not None and s.limits.no_sensor_sharing:
        return True
    if s.host == s.owner:
        return False
    return any(
        c.site == s.id
        and c.owner == s.owner
        and not c.sensor_sharing_allowed
        and (c.revoke_effective is None or c.revoke_effective > w.turn)
        for c in w.consents
    )


def posture_erosion(w: World, i: str, j: str, active_ids: Set[str] | None = None) -> float:
    """How much of i's deterrent i reads as eroded by j's defense posture (issue 14).

    The exchange model leaves a large arsenal's ``det`` at 1 whatever the defenses, yet rivals
    read forward radars, cueing and loaded interceptors within reach as aimed at them (B5.3,
    Jervis). Per active site of j (owned or hosted) that sees i or covers anything against i:
    ``e_s = 1 - (1 - er_load min(1, I_s / er_load_ref)) (1 - er_forward [forward, sees i])
    (1 - er_sharing [sharing])``, with TERMINAL interceptors weighted ``er_terminal_weight``;
    sites combine as independent channels, capped at ``er_max``. Clarity (declared limits,
    observers, data exchange, terminal mode, pledges) discounts it in the threat formula.
    """
    p = w.p
    if not is_rival(w, i, j):
        return 0.0
    keep = 1.0
    for sid in sorted(w.sites):
        s = w.sites[sid]
        if j not in (s.owner, s.host) or not (
            site_active(w, s) if active_ids is None else sid in active_ids
        ):
            continue
        sees = i in s.sees
        covers = any(c.against == i and c.value > 0 for c in s.coverage)
        if not (sees or covers):
            continue
        load = sum(
            n * (p.er_terminal_weight if t == "TERMINAL" else 1.0)
            for t, n in s.interceptors.items()
        )
        e_load = p.er_load * min(1.0, load / p.er_load_ref)
        e_fwd = p.er_forward if sees and s.radar_mode == "forward" else 0.0
        e_share = p.er_sharing if s.sensor_sharing else 0.0
        keep *= (1 - e_load) * (1 - e_fwd) * (1 - e_share)
    return min(p.er_max, 1 - keep)


def richardson_matrix(w: World) -> list[list[float]]:
    """``M = I - diag(a) + K`` with ``K_ij = k_i T_ij / 100`` (B5.5)."""
    ids = w.ids
    m: list[list[float]] = []
    for i in ids:
        row: list[float] = []
        for j in ids:
            if i == j:
                row.append(1 - w.nations[i].a)
            else:
                row.append(w.nations[i].k * w.pairs[(i, j)].threat / 100)
        m.append(row)
    return m
