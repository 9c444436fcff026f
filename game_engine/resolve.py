"""The turn pipeline (B4): intake, diplomacy, economy, forces, tests, transparency,
verification, compliance, perception, metrics, stability, crisis, domestic support, VP.

``resolve_turn`` is pure: it copies what it changes and returns a new ``GameState``.
Random events use :mod:`game_engine.rng` keyed by event identity; in expected mode every
draw is replaced by its probability (``Ctx.chance`` returns a weight in [0, 1]).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from game_engine import formulas as f
from game_engine import metrics as m
from game_engine.errors import RuleCode, RuleViolation
from game_engine.events import Event
from game_engine.jsontypes import JSON, JSONDict
from game_engine.orders import (
    AGREE_KIND,
    Order,
    Running,
    active_consent,
    check_order,
    in_force,
    is_party,
    order_to_json,
    parse_order,
)
from game_engine.params import CLASS_ORDER, ITYPE_ORDER, Params
from game_engine.rng import normal, u01
from game_engine.scenario import Objective, Scenario
from game_engine.state import (
    EXPECTED,
    Agreement,
    Consent,
    Evidence,
    GameState,
    Limits,
    Nation,
    Pair,
    Site,
    Treaty,
    Violation,
)

COMPONENTS: tuple[str, ...] = ("S_crisis", "S_race", "S_trust", "S_regime", "S_transp", "S_percep")
COMPONENT_LABEL: dict[str, str] = {
    "S_crisis": "First-strike stability",
    "S_race": "Arms-race restraint",
    "S_trust": "Mutual trust",
    "S_regime": "Treaty regime",
    "S_transp": "Transparency",
    "S_percep": "Verification coverage",
    "P_inc": "Incident penalty",
}
OFFENSE_TEMPLATES = ("OFFENSE_CAP", "CLASS_BAN")


def canon(d: Mapping[str, int], order: tuple[str, ...] = CLASS_ORDER) -> dict[str, int]:
    """Counts in canonical key order (so in-memory and reloaded states iterate alike)."""
    return {k: d[k] for k in order if k in d}


def half_up(x: float) -> int:
    """Round half away from zero for non-negative values (B5.4 ``round``)."""
    return math.floor(x + 0.5)


def terms_hash(template: str, parties: Sequence[str], terms: Mapping[str, JSON]) -> str:
    """SHA-256 of the canonical JSON of a treaty text."""
    text = json.dumps(
        {"template": template, "parties": sorted(parties), "terms": dict(terms)},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(text.encode()).hexdigest()


def t_int(t: Treaty, key: str, default: int) -> int:
    """Integer term of a treaty."""
    v = t.terms.get(key, default)
    return v if isinstance(v, int) and not isinstance(v, bool) else default


def t_float(t: Treaty, key: str, default: float) -> float:
    """Numeric term of a treaty."""
    v = t.terms.get(key, default)
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else default


def t_bool(t: Treaty, key: str, default: bool) -> bool:
    """Boolean term of a treaty."""
    v = t.terms.get(key, default)
    return v if isinstance(v, bool) else default


def t_caps(t: Treaty) -> dict[str, int]:
    """Per-class caps of an offense treaty (CLASS_BAN: 0 for each listed class)."""
    out: dict[str, int] = {}
    if t.template == "CLASS_BAN":
        raw = t.terms.get("classes", [])
        if isinstance(raw, list):
            for c in raw:
                if isinstance(c, str) and c in CLASS_ORDER:
                    out[c] = 0
        return out
    raw_caps = t.terms.get("caps", {})
    if isinstance(raw_caps, dict):
        out.update(
            {
                c: v
                for c, v in raw_caps.items()
                if c in CLASS_ORDER and isinstance(v, int) and not isinstance(v, bool)
            }
        )
    return out


def obligations_started(t: Treaty, turn: int) -> bool:
    """Obligations apply from ``entry_turn + grace_turns`` (B4 phase 1c)."""
    if t.status != "in_force" or t.entry_turn is None:
        return False
    return turn >= t.entry_turn + t_int(t, "grace_turns", 0)


@dataclass(slots=True)
class Ctx:
    """Mutable working copy of one turn's resolution."""

    state: GameState
    seed: str
    n: dict[str, Nation]
    pr: dict[tuple[str, str], Pair]
    sites: dict[str, Site]
    consents: list[Consent]
    treaties: dict[str, Treaty]
    agreements: list[Agreement]
    violations: dict[str, Violation]
    evidence: dict[str, Evidence]
    counters: dict[str, int]
    turn: int
    init: bool = False
    events: list[Event] = field(default_factory=list)
    draws: list[JSONDict] = field(default_factory=list)
    incidents: dict[tuple[str, str], float] = field(default_factory=dict)
    pinc: dict[str, float] = field(default_factory=dict)
    pinc_true: dict[str, float] = field(default_factory=dict)
    accepted: dict[str, list[tuple[int, Order, int]]] = field(default_factory=dict)
    rejected: dict[str, list[tuple[int, Order, str, str]]] = field(default_factory=dict)
    ledger: dict[str, dict[str, int]] = field(default_factory=dict)
    visits: dict[tuple[str, str], int] = field(default_factory=dict)
    new_public: dict[tuple[str, str], float] = field(default_factory=dict)
    redetected: dict[tuple[str, str], float] = field(default_factory=dict)
    new_true: dict[tuple[str, str], float] = field(default_factory=dict)
    joined: dict[str, int] = field(default_factory=dict)
    left: dict[str, int] = field(default_factory=dict)
    shamed: dict[str, float] = field(default_factory=dict)
    rally: dict[str, float] = field(default_factory=dict)
    built: set[str] = field(default_factory=set)
    public_actions: list[JSONDict] = field(default_factory=list)
    detections: dict[str, list[JSONDict]] = field(default_factory=dict)
    matched_observers: dict[str, list[str]] = field(default_factory=dict)
    challenge_ok: list[tuple[str, str, str, str]] = field(default_factory=list)
    survival: float = 1.0
    catastrophe: list[str] = field(default_factory=list)
    env: dict[str, float] = field(default_factory=dict)
    fsi_true: dict[tuple[str, str], float] = field(default_factory=dict)
    fsi_pub: dict[tuple[str, str], float] = field(default_factory=dict)
    id_cache: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.id_cache = self.state.scenario.state_ids

    @property
    def sc(self) -> Scenario:
        return self.state.scenario

    @property
    def p(self) -> Params:
        return self.state.scenario.params

    @property
    def ids(self) -> tuple[str, ...]:
        return self.id_cache

    @property
    def expected(self) -> bool:
        return self.state.mode == EXPECTED

    def name(self, sid: str) -> str:
        return self.state.name_of(sid)

    def rf(self, x: float) -> float:
        return round(x, self.p.float_digits)

    def chance(self, p: float, *key: object) -> float:
        """Weight of a random event: its probability (expected mode) or a 0/1 draw."""
        p = f.clamp(p, 0.0, 1.0)
        if self.expected:
            return p
        u = u01(self.seed, self.state.game_id, self.turn, *key)
        hit = 1.0 if u < round(p, 12) else 0.0
        self.draws.append(
            {"key": "|".join(map(str, key)), "p": round(p, 9), "u": round(u, 9), "hit": hit > 0}
        )
        return hit

    def emit(self, kind: str, audience: Sequence[str] | None, text: str, /, **data: JSON) -> None:
        aud = None if audience is None else tuple(sorted(set(audience), key=self.ids.index))
        self.events.append(Event(kind=kind, audience=aud, text=text, data=dict(data)))
        if aud is None:
            self.public_actions.append({"kind": kind, "text": text})

    def incident(self, i: str, j: str, x: float) -> None:
        """Incident felt by i about j this turn (B5.4)."""
        if i != j and x > 0:
            self.incidents[(i, j)] = self.incidents.get((i, j), 0.0) + x

    def trust(self, i: str, j: str, da: float = 0.0, db: float = 0.0) -> None:
        """Beta update of i's belief about j (B5.7)."""
        if i == j or (da == 0 and db == 0):
            return
        pr = self.pr[(i, j)]
        self.pr[(i, j)] = replace(pr, alpha=self.rf(pr.alpha + da), beta=self.rf(pr.beta + db))

    def setn(self, sid: str, **changes: object) -> None:
        """Replace fields of a nation (callers pass values of the declared field types)."""
        self.n[sid] = replace(self.n[sid], **changes)  # type: ignore[arg-type]

    def add_missiles(self, sid: str, cls: str, q: int, public: bool) -> None:
        nat = self.n[sid]
        mis = dict(nat.missiles)
        mis[cls] = max(0, mis.get(cls, 0) + q)
        led = dict(nat.public_ledger)
        if public:
            led[cls] = max(0, led.get(cls, 0) + q)
        self.n[sid] = replace(nat, missiles=canon(mis), public_ledger=canon(led))

    def new_id(self, kind: str, prefix: str) -> str:
        self.counters[kind] = self.counters.get(kind, 0) + 1
        return f"{prefix}{self.counters[kind]}"

    def ledger_add(self, sid: str, key: str, amount: int) -> None:
        led = self.ledger.setdefault(sid, {})
        led[key] = led.get(key, 0) + amount

    def accepted_of(self, otype: str) -> list[tuple[str, Order, int]]:
        """Accepted orders of a type, in canonical order (states in scenario order)."""
        out: list[tuple[str, Order, int]] = []
        for sid in self.ids:
            for _, o, cost in self.accepted.get(sid, []):
                if o.type == otype:
                    out.append((sid, o, cost))
        return out

    def world(self) -> m.World:
        return m.World(
            scenario=self.sc,
            turn=self.turn,
            nations=self.n,
            pairs=self.pr,
            sites=self.sites,
            consents=tuple(self.consents),
            treaties=self.treaties,
            agreements=tuple(self.agreements),
            env=self.env,
            ids=self.id_cache,
        )

    def has_agreement(self, kind: str, x: str, y: str) -> bool:
        a, b = sorted((x, y))
        return any(g.kind == kind and g.a == a and g.b == b for g in self.agreements)

    def data_exchange(self, i: str, j: str) -> bool:
        """A data-exchange obligation is in force between i and j (B5.4 DE_ij)."""
        if self.has_agreement("DATA_EXCHANGE", i, j):
            return True
        return any(
            in_force(t) and t_bool(t, "data_exchange", False) and is_party(t, i) and is_party(t, j)
            for t in self.treaties.values()
        )

    def notification(self, i: str, j: str) -> str:
        """Id of an agreement/treaty obliging i to notify j of tests, or ""."""
        a, b = sorted((i, j))
        for g in self.agreements:
            if g.kind == "NOTIFICATION" and g.a == a and g.b == b:
                return f"AGR-NOTIFICATION-{a}-{b}"
        for t in self.treaties.values():
            if (
                t_bool(t, "notification", False)
                and obligations_started(t, self.turn)
                and is_party(t, i)
                and is_party(t, j)
            ):
                return t.id
        return ""


# ====================================================================== phase 0: intake


def _provisional(state: GameState, consents: list[tuple[str, Order]]) -> GameState:
    """Start-of-turn state plus this turn's consents (matching tokens, B3 step 3)."""
    if not consents:
        return state
    new = list(state.consents)
    sites = list(state.sites)
    taken: set[str] = set()
    for host, o in consents:
        sid = o.str_("site")
        if sid in taken or active_consent(state, sid) is not None:
            continue
        taken.add(sid)
        new.append(_consent_from_order(state, host, o))
        sites = [replace(s, owner=o.str_("owner")) if s.id == sid else s for s in sites]
    return replace(state, consents=tuple(new), sites=tuple(sites))


def _consent_from_order(state: GameState, host: str, o: Order) -> Consent:
    p = state.scenario.params
    site = state.site(o.str_("site"))
    max_q = p.radar_level_step * o.int_("max_radar_level")
    if site is not None and not o.get("max_radar_level"):
        max_q = site.radar_q
    return Consent(
        host=host,
        owner=o.str_("owner"),
        site=o.str_("site"),
        max_interceptors=o.int_("max_interceptors"),
        max_radar_q=max_q,
        forward_allowed=o.bool_("forward_allowed"),
        sensor_sharing_allowed=o.bool_("sensor_sharing_allowed"),
        compensation=o.int_("compensation"),
        notice_turns=o.int_("notice_turns") if o.get("notice_turns") else p.default_notice_turns,
        granted_turn=state.turn,
    )


def _walk(
    st: GameState,
    actor: str,
    items: list[tuple[int, Order]],
    excluded: Mapping[int, tuple[str, str]],
) -> tuple[list[tuple[int, Order, int]], list[tuple[int, Order, str, str]]]:
    run = Running.start(st, actor)
    acc: list[tuple[int, Order, int]] = []
    rej: list[tuple[int, Order, str, str]] = []
    for idx, o in items:
        if idx in excluded:
            code, msg = excluded[idx]
            rej.append((idx, o, code, msg))
            continue
        try:
            acc.append((idx, o, check_order(st, actor, o, run)))
        except RuleViolation as exc:
            rej.append((idx, o, str(exc.code), exc.message))
    return acc, rej


def _match(
    st: GameState, acc: Mapping[str, list[tuple[int, Order, int]]]
) -> dict[tuple[str, int], tuple[str, str]]:
    """Two-sided matching (B3 step 3). Returns new exclusions ``(actor, idx) -> (code, msg)``."""
    out: dict[tuple[str, int], tuple[str, str]] = {}
    nc = str(RuleCode.E_NO_COUNTERPART)
    ids = st.state_ids
    flat = [(sid, idx, o) for sid in ids for idx, o, _ in acc.get(sid, [])]

    # SIGN: every listed party signs the identical terms hash this turn.
    signers: dict[str, set[str]] = {}
    for sid, _, o in flat:
        if o.type == "SIGN":
            signers.setdefault(o.str_("terms_hash"), set()).add(sid)
    for sid, idx, o in flat:
        if o.type != "SIGN":
            continue
        h = o.str_("terms_hash")
        tr = next((t for t in st.treaties if t.terms_hash == h and t.status != "terminated"), None)
        if tr is None:
            continue
        need = [x for x in tr.parties if x not in tr.withdrawn]
        missing = [x for x in need if x not in signers.get(h, set())]
        if missing:
            names = ", ".join(st.name_of(x) for x in missing)
            out[(sid, idx)] = (
                nc,
                f"{tr.name or tr.id} needs every party's signature this turn (missing: {names}).",
            )

    # Limits on a candidate site: only its host or the owner it is consented to this turn.
    for sid, idx, o in flat:
        if o.type == "DECLARE_LIMITS" or (
            o.type in ("JOINT_EXERCISE", "INVITE_OBSERVERS") and o.str_("site")
        ):
            site = st.site(o.str_("site"))
            if site is not None and sid not in (site.owner, site.host):
                out[(sid, idx)] = (
                    str(RuleCode.E_NOT_OWNER),
                    f"Only the owner or host can declare limits for {site.id}.",
                )

    # DEPLOY on a foreign site needs the host's consent (existing or given this turn).
    for sid, idx, o in flat:
        if o.type in ("DEPLOY", "BUILD_RADAR"):
            site = st.site(o.str_("site"))
            if site is not None and site.host != sid and active_consent(st, site.id, sid) is None:
                out[(sid, idx)] = (
                    str(RuleCode.E_NO_CONSENT),
                    f"{st.name_of(site.host)} has not consented to {st.name_of(sid)}'s site {site.id}.",
                )

    def pairup(
        left: Sequence[tuple[str, int, tuple[object, ...]]],
        right: Sequence[tuple[str, int, tuple[object, ...]]],
        msg: str,
    ) -> None:
        pool: dict[tuple[object, ...], list[tuple[str, int]]] = {}
        for sid, idx, key in right:
            pool.setdefault(key, []).append((sid, idx))
        used: set[tuple[str, int]] = set()
        for sid, idx, key in left:
            cands = [c for c in pool.get(key, []) if c not in used]
            if cands:
                used.add(cands[0])
            else:
                out[(sid, idx)] = (nc, msg)
        for sid, idx, _ in right:
            if (sid, idx) not in used:
                out[(sid, idx)] = (nc, msg)

    exports = [
        (sid, idx, (sid, o.str_("to"), o.str_("class"), o.int_("qty"), o.bool_("tech")))
        for sid, idx, o in flat
        if o.type == "EXPORT"
    ]
    imports = [
        (sid, idx, (o.str_("from"), sid, o.str_("class"), o.int_("qty"), o.bool_("tech")))
        for sid, idx, o in flat
        if o.type == "ACCEPT_IMPORT"
    ]
    pairup(exports, imports, "The export and the import must match (same states, class, quantity).")
    for t, kind in AGREE_KIND.items():
        agrees = [(sid, idx, o.str_("with")) for sid, idx, o in flat if o.type == t]
        have = {(sid, w) for sid, _, w in agrees}
        for sid, idx, w in agrees:
            if (w, sid) not in have:
                label = kind.lower().replace("_", " ")
                out[(sid, idx)] = (nc, f"{st.name_of(w)} did not agree the {label} this turn.")
    invites = [
        (sid, idx, (sid, o.str_("with"), o.type))
        for sid, idx, o in flat
        if o.type in ("JOINT_EXERCISE", "INVITE_OBSERVERS")
    ]
    accepts = [
        (sid, idx, (o.str_("with"), sid, o.str_("what")))
        for sid, idx, o in flat
        if o.type == "ACCEPT"
    ]
    pairup(invites, accepts, "An invitation needs the partner's ACCEPT in the same turn.")
    observers = {
        sid for sid, idx, o in flat if o.type == "INVITE_OBSERVERS" and (sid, idx) not in out
    }
    for sid, idx, o in flat:
        if o.type == "REDUCE" and o.bool_("verified") and sid not in observers:
            out[(sid, idx)] = (
                nc,
                "A verified elimination needs an accepted observer invitation this turn.",
            )
    return out


def intake(ctx: Ctx, orders: Mapping[str, Sequence[Order]]) -> None:
    """Validate and canonicalise all orders (B3 steps 1-5)."""
    st = ctx.state
    items: dict[str, list[tuple[int, Order]]] = {}
    bad: dict[str, dict[int, tuple[str, str]]] = {}
    for actor in sorted(orders):
        if actor not in ctx.ids:
            ctx.draws.append({"ignored_orders_for": str(actor)})
            continue
        lst: list[tuple[int, Order]] = []
        raw_list: Sequence[object] = orders[actor]
        for idx, o in enumerate(raw_list):
            placeholder = o if isinstance(o, Order) else Order(type="?", params=())
            try:
                if not isinstance(o, Order):
                    raise RuleViolation(RuleCode.E_BAD_PARAM, "Not an order.")
                lst.append((idx, parse_order(order_to_json(o))))
            except RuleViolation as exc:
                bad.setdefault(actor, {})[idx] = (str(exc.code), exc.message)
                lst.append((idx, placeholder))
        lst.sort(key=lambda io: (io[1].sort_key(), io[0]))
        items[actor] = lst
    excluded: dict[tuple[str, int], tuple[str, str]] = {
        (a, i): v for a, d in bad.items() for i, v in d.items()
    }
    for _ in range(100):
        consents = [
            (a, o)
            for a in ctx.ids
            for idx, o in items.get(a, [])
            if o.type == "CONSENT_HOSTING" and (a, idx) not in excluded
        ]
        walk_state = _provisional(st, consents)
        acc: dict[str, list[tuple[int, Order, int]]] = {}
        rej: dict[str, list[tuple[int, Order, str, str]]] = {}
        for a in ctx.ids:
            if a not in items:
                continue
            ex = {i: v for (b, i), v in excluded.items() if b == a}
            acc[a], rej[a] = _walk(walk_state, a, items[a], ex)
        new = {k: v for k, v in _match(walk_state, acc).items() if k not in excluded}
        if not new:
            break
        excluded.update(new)
    ctx.accepted = acc
    ctx.rejected = rej
    for a in ctx.ids:
        for idx, o, code, msg in rej.get(a, []):
            ctx.emit(
                "order_rejected",
                [a],
                f"Order {idx + 1} ({o.type}) was rejected: {msg}",
                index=idx,
                code=code,
                order=order_json(o),
            )


def order_json(o: Order) -> JSONDict:
    out: JSONDict = {}
    for k, v in order_to_json(o).items():
        if isinstance(v, dict):
            out[k] = {str(a): b for a, b in v.items() if isinstance(b, int)}
        elif isinstance(v, (str, int, bool)):
            out[k] = v
    return out


# ====================================================================== phase 1: diplomacy


def phase_injects(ctx: Ctx) -> None:
    """Scheduled scenario injects for this turn, then the facilitator's pending ad-hoc injects
    (``add_inject``) in the order they were added; each is shown to its targets."""
    scheduled = [inj for inj in ctx.sc.injects if inj.turn == ctx.turn]
    for inj in (*scheduled, *ctx.state.pending_injects):
        aud = None if "all" in inj.targets else list(inj.targets)
        ctx.emit("inject", aud, f"{inj.title}: {inj.text}".strip(": "), title=inj.title)
        eff = inj.effect
        if eff.radar_outage and eff.radar_outage in ctx.sites:
            ctx.sites[eff.radar_outage] = replace(ctx.sites[eff.radar_outage], outage_turn=ctx.turn)
        for sid, d in eff.ds_change.items():
            ctx.setn(sid, ds=ctx.rf(f.clamp(ctx.n[sid].ds + d, 0.0, 100.0)))
        for sid, b in eff.budget_change.items():
            delta = max(-ctx.n[sid].budget, b)
            ctx.ledger_add(sid, "inject", delta)
            ctx.setn(sid, budget=ctx.n[sid].budget + delta)
        for key, x in eff.incident.items():
            a, b2 = key.split(">")
            ctx.incident(a, b2, x)


def _return_site(ctx: Ctx, site: Site, reason: str) -> None:
    """An inert hosted site: interceptors go back to the owner's store (B2.5)."""
    owner = site.owner
    if owner and sum(site.interceptors.values()) > 0:
        store = dict(ctx.n[owner].store)
        for t, q in site.interceptors.items():
            store[t] = store.get(t, 0) + q
        ctx.setn(owner, store=canon(store, ITYPE_ORDER))
    ctx.sites[site.id] = replace(
        site,
        owner="" if site.host != owner else owner,
        interceptors={},
        radar_mode="terminal",
        sensor_sharing=False,
    )
    ctx.emit(
        "site_inert",
        None,
        f"{site.id} is no longer operated by {ctx.name(owner)}: {reason}.",
        site=site.id,
    )


def phase_diplomacy(ctx: Ctx) -> None:
    """Phase 1: expiries, withdrawals, signatures, consents, agreements (B4.1)."""
    p = ctx.p
    turn = ctx.turn
    # (a) notices that expire now; consent revocations; treaty expiry.
    for tid in list(ctx.treaties):
        t = ctx.treaties[tid]
        if t.status != "in_force":
            continue
        exp = t_int(t, "expires_turn", 0)
        if exp and turn > exp:
            ctx.treaties[tid] = replace(t, status="terminated")
            ctx.emit("treaty_expired", None, f"{t.name or t.id} expired.", treaty=tid)
            continue
        due = [x for x, eff in sorted(t.withdrawing.items()) if eff <= turn]
        if due:
            wd = {x: e for x, e in t.withdrawing.items() if x not in due}
            gone = tuple(sorted({*t.withdrawn, *due}, key=ctx.ids.index))
            remaining = [x for x in t.parties if x not in gone]
            status = "terminated" if len(remaining) < 2 else "in_force"
            ctx.treaties[tid] = replace(t, withdrawing=wd, withdrawn=gone, status=status)
            for x in due:
                ctx.left[x] = ctx.left.get(x, 0) + 1
                ctx.emit(
                    "treaty_withdrawal",
                    None,
                    f"{ctx.name(x)}'s withdrawal from {t.name or t.id} took effect.",
                    treaty=tid,
                    state=x,
                )
    keep: list[Consent] = []
    for c in ctx.consents:
        if c.revoke_effective is not None and c.revoke_effective <= turn:
            site = ctx.sites.get(c.site)
            if site is not None and site.owner == c.owner:
                _return_site(ctx, site, f"{ctx.name(c.host)} revoked its consent")
            continue
        keep.append(c)
    ctx.consents = keep
    for sid, site in list(ctx.sites.items()):
        if site.owner and site.owner != site.host and not any(c.site == sid for c in ctx.consents):
            _return_site(ctx, site, "no active consent")

    # (b) new withdrawal notices.
    for sid, o, _ in ctx.accepted_of("WITHDRAW"):
        t = ctx.treaties[o.str_("treaty")]
        notice = t_int(t, "notice_turns", p.default_notice_turns)
        others = [x for x in ctx.ids if x != sid]
        if o.bool_("immediate") or notice == 0:
            gone = tuple(sorted({*t.withdrawn, sid}, key=ctx.ids.index))
            remaining = [x for x in t.parties if x not in gone]
            ctx.treaties[t.id] = replace(
                t, withdrawn=gone, status="terminated" if len(remaining) < 2 else "in_force"
            )
            ctx.left[sid] = ctx.left.get(sid, 0) + 1
            if o.bool_("immediate") and notice > 0:
                _violation(
                    ctx,
                    sid,
                    t.id,
                    "withdrawal",
                    "abrupt",
                    1.0,
                    p.sev_abrupt_withdrawal,
                    covert=False,
                    public=True,
                )
                for k in others:
                    ctx.trust(k, sid, db=p.trust_withdraw_abrupt)
                ctx.emit(
                    "treaty_withdrawal",
                    None,
                    f"{ctx.name(sid)} abruptly left {t.name or t.id}.",
                    treaty=t.id,
                    state=sid,
                )
            else:
                ctx.emit(
                    "treaty_withdrawal",
                    None,
                    f"{ctx.name(sid)} left {t.name or t.id}.",
                    treaty=t.id,
                    state=sid,
                )
        else:
            wd = dict(t.withdrawing)
            wd[sid] = turn + notice
            ctx.treaties[t.id] = replace(t, withdrawing=wd)
            for k in others:
                if is_party(t, k):
                    ctx.trust(k, sid, db=p.trust_withdraw_notice)
            ctx.emit(
                "withdrawal_notice",
                None,
                f"{ctx.name(sid)} gave notice to leave {t.name or t.id}; effective turn {turn + notice}.",
                treaty=t.id,
                state=sid,
                effective_turn=turn + notice,
            )

    # (c) signatures.
    done: set[str] = set()
    for _sid, o, _ in ctx.accepted_of("SIGN"):
        h = o.str_("terms_hash")
        if h in done:
            continue
        t2 = next(
            (t for t in ctx.treaties.values() if t.terms_hash == h and t.status != "terminated"),
            None,
        )
        if t2 is None:
            continue
        done.add(h)
        if t2.status == "in_force":
            exp = t_int(t2, "expires_turn", 0)
            renew = t_int(t2, "renew_turns", 5)
            terms = dict(t2.terms)
            terms["expires_turn"] = max(exp, turn) + renew
            ctx.treaties[t2.id] = replace(t2, terms=terms)
            ctx.emit(
                "treaty_renewed",
                None,
                f"{t2.name or t2.id} was renewed until turn {max(exp, turn) + renew}.",
                treaty=t2.id,
            )
            continue
        parties = [x for x in t2.parties if x not in t2.withdrawn]
        ctx.treaties[t2.id] = replace(
            t2,
            status="in_force",
            entry_turn=turn,
            cs=dict.fromkeys(parties, 100.0),
            cs_true=dict.fromkeys(parties, 100.0),
        )
        for x in parties:
            ctx.joined[x] = ctx.joined.get(x, 0) + 1
        names = ", ".join(ctx.name(x) for x in parties)
        title = t2.name or t2.template
        ctx.emit(
            "treaty_in_force",
            None,
            f"{title} entered into force."
            if "(" in title
            else f"{title} entered into force ({names}).",
            treaty=t2.id,
        )

    # (d) consents.
    for sid, o, _ in ctx.accepted_of("CONSENT_HOSTING"):
        site = ctx.sites[o.str_("site")]
        if any(c.site == site.id and c.revoke_effective is None for c in ctx.consents):
            existing = next(c for c in ctx.consents if c.site == site.id)
            if existing.owner != o.str_("owner"):
                continue
            ctx.consents = [c for c in ctx.consents if c.site != site.id]
        c_new = _consent_from_order(ctx.state, sid, o)
        ctx.consents.append(c_new)
        owner = c_new.owner
        first = site.owner != owner
        ctx.sites[site.id] = replace(site, owner=owner)
        ctx.emit(
            "consent",
            None,
            f"{ctx.name(sid)} consented to {ctx.name(owner)}'s site {site.id} "
            f"(up to {c_new.max_interceptors} interceptors, compensation {c_new.compensation}/turn).",
            site=site.id,
            host=sid,
            owner=owner,
        )
        if first:
            for k in ctx.ids:
                if k in (sid, owner):
                    continue
                if k in site.sees or any(cv.against == k for cv in site.coverage):
                    ctx.incident(k, owner, p.inc_hosted_site)
    for sid, o, _ in ctx.accepted_of("REVOKE_CONSENT"):
        for n_, c in enumerate(ctx.consents):
            if (
                c.site == o.str_("site")
                and c.owner == o.str_("owner")
                and c.revoke_effective is None
            ):
                eff = turn + c.notice_turns
                ctx.consents[n_] = replace(c, revoke_effective=eff)
                ctx.emit(
                    "consent_revoked",
                    None,
                    f"{ctx.name(sid)} revoked consent for {c.site}; the site goes inert on turn {eff}.",
                    site=c.site,
                    effective_turn=eff,
                )
                if c.notice_turns == 0:
                    site = ctx.sites[c.site]
                    if site.owner == c.owner:
                        _return_site(ctx, site, f"{ctx.name(sid)} revoked its consent")
                    ctx.consents = [x for x in ctx.consents if x is not ctx.consents[n_]]
                break

    # (e) pairwise agreements.
    for t_, kind in AGREE_KIND.items():
        for sid, o, _ in ctx.accepted_of(t_):
            w = o.str_("with")
            a, b = sorted((sid, w))
            if sid != a or ctx.has_agreement(kind, a, b):
                continue
            ctx.agreements.append(Agreement(kind=kind, a=a, b=b, since=turn))
            label = {
                "HOTLINE": "a hotline",
                "NOTIFICATION": "a launch-notification agreement",
                "DATA_EXCHANGE": "a data-exchange agreement",
            }[kind]
            ctx.emit(
                "agreement",
                None,
                f"{ctx.name(a)} and {ctx.name(b)} set up {label}.",
                kind=kind,
                a=a,
                b=b,
            )
            if kind == "HOTLINE":
                ctx.trust(a, b, da=ctx.p.trust_hotline)
                ctx.trust(b, a, da=ctx.p.trust_hotline)


# ====================================================================== phase 2: economy


def stock_value(ctx: Ctx, sid: str) -> int:
    """Value of missiles and interceptors (for maintenance, B4.2)."""
    cls = {c.name: c for c in ctx.sc.classes}
    its = {t.name: t for t in ctx.sc.interceptors}
    nat = ctx.n[sid]
    v = sum(cls[c].cost * q for c, q in nat.missiles.items())
    v += sum(its[t].cost * q for t, q in nat.store.items())
    for s in ctx.sites.values():
        if s.owner == sid:
            v += sum(its[t].cost * q for t, q in s.interceptors.items())
    return v


def phase_economy(ctx: Ctx) -> None:
    """Phase 2: income, payments, pressure, maintenance, order costs; research (B4.2)."""
    p = ctx.p
    for sid in ctx.ids:
        nat = ctx.n[sid]
        inc = half_up(nat.income * (p.income_base_factor + p.income_ds_factor * nat.ds / 100))
        cost = sum(c for _, _, c in ctx.accepted.get(sid, []))
        ctx.ledger_add(sid, "income", inc)
        ctx.ledger_add(sid, "order_costs", -cost)
        ctx.setn(sid, budget=nat.budget + inc - cost, last_spend=cost)
    for sid, o, _ in ctx.accepted_of("PAYMENT"):
        to = o.str_("to")
        amt = o.int_("amount")
        ctx.ledger_add(to, "payments_in", amt)
        ctx.setn(to, budget=ctx.n[to].budget + amt)
        memo = o.str_("memo")
        ctx.emit(
            "payment",
            [sid, to],
            f"{ctx.name(sid)} paid {amt} points to {ctx.name(to)}"
            + (f" ({memo})." if memo else "."),
            amount=amt,
        )
    for c in ctx.consents:
        if c.compensation <= 0:
            continue
        site = ctx.sites.get(c.site)
        if site is None or site.owner != c.owner:
            continue
        paid = min(c.compensation, ctx.n[c.owner].budget)
        ctx.setn(c.owner, budget=ctx.n[c.owner].budget - paid)
        ctx.setn(c.host, budget=ctx.n[c.host].budget + paid)
        ctx.ledger_add(c.owner, "compensation_out", -paid)
        ctx.ledger_add(c.host, "compensation_in", paid)
    for sid, o, _ in ctx.accepted_of("ECONOMIC_PRESSURE"):
        tgt = o.str_("target")
        loss = min(o.int_("amount"), ctx.n[tgt].budget)
        ctx.setn(tgt, budget=ctx.n[tgt].budget - loss)
        ctx.ledger_add(tgt, "pressure_loss", -loss)
        ctx.incident(tgt, sid, p.inc_pressure)
        ctx.emit(
            "economic_pressure",
            None,
            f"{ctx.name(sid)} put economic pressure on {ctx.name(tgt)} ({loss} points).",
            target=tgt,
            amount=loss,
        )
    conceal_set = {sid for sid, _, _ in ctx.accepted_of("SET_CONCEALMENT")}
    for sid in ctx.ids:
        nat = ctx.n[sid]
        due = half_up(p.maintenance_rate * stock_value(ctx, sid))
        paid = min(due, nat.budget)
        ctx.ledger_add(sid, "maintenance", -paid)
        budget = nat.budget - paid
        if sid not in conceal_set:
            tenths = max(0, half_up(nat.conceal * 10) - half_up(nat.conceal_base * 10))
            upkeep = p.conceal_upkeep_per_tenth * tenths
            if upkeep > budget:
                ctx.setn(sid, conceal=nat.conceal_base)
                ctx.emit(
                    "concealment_lapsed",
                    [sid],
                    f"{ctx.name(sid)} could not pay concealment upkeep; concealment fell back.",
                )
            elif upkeep:
                budget -= upkeep
                ctx.ledger_add(sid, "concealment_upkeep", -upkeep)
        ctx.setn(sid, budget=budget)
    for sid, o, _ in ctx.accepted_of("SET_CONCEALMENT"):
        ctx.setn(sid, conceal=ctx.rf(o.int_("level") / 10))
        ctx.emit(
            "concealment", [sid], f"{ctx.name(sid)} set concealment to {o.int_('level') / 10:.1f}."
        )
    for sid, o, _ in ctx.accepted_of("INVEST_NTM"):
        nat = ctx.n[sid]
        new = min(p.ntm_max, nat.ntm + 0.1 * o.int_("points") / p.ntm_cost_per_tenth)
        ctx.setn(sid, ntm=ctx.rf(new))
        ctx.emit("ntm", [sid], f"{ctx.name(sid)} raised its intelligence capability to {new:.1f}.")
    for sid, o, _ in ctx.accepted_of("RESEARCH"):
        nat = ctx.n[sid]
        tech = o.str_("tech")
        if tech in CLASS_ORDER:
            dev = dict(nat.developing)
            dev[tech] = max(1, p.rd_tests_required)
            ctx.setn(sid, developing=canon(dev))
            ctx.emit(
                "research",
                [sid],
                f"{ctx.name(sid)} started a {tech} programme ({dev[tech]} tests needed).",
            )
        elif tech == "cm":
            ctx.setn(sid, cm=ctx.rf(min(p.cm_max, nat.cm + p.research_cm_step)))
            ctx.emit("research", [sid], f"{ctx.name(sid)} improved its countermeasures.")
        elif tech == "discrimination":
            ctx.setn(sid, disc=ctx.rf(min(1.0, nat.disc + p.research_disc_step)))
            ctx.emit("research", [sid], f"{ctx.name(sid)} improved its radar discrimination.")
        elif tech == "program":
            step = nat.program + 1
            ctx.setn(sid, program=step, nuclear=step >= 4)
            ctx.emit(
                "research",
                [sid],
                f"{ctx.name(sid)} advanced its nuclear programme to stage {step}.",
            )
            for t in ctx.treaties.values():
                if (
                    t.template == "NONPROLIFERATION"
                    and is_party(t, sid)
                    and obligations_started(t, ctx.turn)
                ):
                    _violation(
                        ctx,
                        sid,
                        t.id,
                        "program",
                        f"step{step}",
                        1.0,
                        p.sev_program,
                        covert=True,
                        public=False,
                    )
            if step >= 4:
                ctx.emit(
                    "nuclear_test",
                    None,
                    f"{ctx.name(sid)} has become a nuclear-armed state.",
                    state=sid,
                )


# ====================================================================== phase 3: forces


def _break_limits(ctx: Ctx, site: Site, why: str) -> Site:
    if site.limits is None:
        return site
    for k in ctx.ids:
        if any(c.against == k for c in site.coverage):
            ctx.incident(k, site.owner, ctx.p.inc_broken_limits)
    ctx.emit(
        "limits_broken", None, f"The declared limits at {site.id} lapsed: {why}.", site=site.id
    )
    return replace(site, limits=None)


def phase_forces(ctx: Ctx) -> None:
    """Phase 3: REDUCE, BUILD, BUY, EXPORT/IMPORT, DEPLOY/WITHDRAW, radars (B4.3)."""
    p = ctx.p
    for sid, o, _ in ctx.accepted_of("REDUCE"):
        c, q = o.str_("class"), o.int_("qty")
        ctx.add_missiles(sid, c, -q, public=True)
        obs = ctx.matched_observers.get(sid, [])
        if o.bool_("verified") and obs:
            for k in obs:
                ctx.trust(k, sid, da=p.trust_verified_elimination)
            who = ", ".join(ctx.name(k) for k in obs)
            ctx.emit(
                "reduce",
                None,
                f"{ctx.name(sid)} eliminated {q} {c} (verified by {who}).",
                state=sid,
                cls=c,
                qty=q,
            )
        else:
            ctx.emit(
                "reduce", None, f"{ctx.name(sid)} eliminated {q} {c}.", state=sid, cls=c, qty=q
            )
    for sid, o, _ in ctx.accepted_of("BUILD"):
        c, q = o.str_("class"), o.int_("qty")
        covert = o.bool_("covert")
        ctx.add_missiles(sid, c, q, public=not covert)
        ctx.built.add(sid)
        if covert:
            ctx.emit(
                "build_covert",
                [sid],
                f"{ctx.name(sid)} secretly built {q} {c}.",
                state=sid,
                cls=c,
                qty=q,
            )
        else:
            ctx.emit("build", None, f"{ctx.name(sid)} built {q} {c}.", state=sid, cls=c, qty=q)
    for sid, o, _ in ctx.accepted_of("BUY_INTERCEPTORS"):
        t, q = o.str_("itype"), o.int_("qty")
        store = dict(ctx.n[sid].store)
        store[t] = store.get(t, 0) + q
        ctx.setn(sid, store=canon(store, ITYPE_ORDER))
        ctx.emit(
            "buy_interceptors",
            None,
            f"{ctx.name(sid)} bought {q} {t} interceptors.",
            state=sid,
            itype=t,
            qty=q,
        )
    for sid, o, _ in ctx.accepted_of("EXPORT"):
        _export(ctx, sid, o)
    for otype in ("WITHDRAW_DEPLOYMENT", "DEPLOY"):
        for sid, o, _ in ctx.accepted_of(otype):
            site = ctx.sites[o.str_("site")]
            t, q = o.str_("itype"), o.int_("qty")
            store = dict(ctx.n[sid].store)
            inter = dict(site.interceptors)
            sign = 1 if otype == "DEPLOY" else -1
            store[t] = store.get(t, 0) - sign * q
            inter[t] = inter.get(t, 0) + sign * q
            inter = {k: inter[k] for k in ITYPE_ORDER if inter.get(k, 0) > 0}
            ctx.setn(sid, store=canon(store, ITYPE_ORDER))
            site = replace(site, interceptors=inter, owner=sid)
            if otype == "DEPLOY":
                lim = site.limits
                if (
                    lim is not None
                    and lim.max_interceptors is not None
                    and sum(inter.values()) > lim.max_interceptors
                ):
                    site = _break_limits(
                        ctx,
                        site,
                        f"{sum(inter.values())} interceptors exceed the pledge of {lim.max_interceptors}",
                    )
                tail = "" if site.limits is not None else " without declared limits"
                ctx.emit(
                    "deploy",
                    None,
                    f"{ctx.name(sid)} deployed {q} {t} interceptors at {site.id}{tail}.",
                    state=sid,
                    site=site.id,
                    itype=t,
                    qty=q,
                    limits=site.limits is not None,
                )
            else:
                ctx.emit(
                    "withdraw_deployment",
                    None,
                    f"{ctx.name(sid)} withdrew {q} {t} interceptors from {site.id}.",
                    state=sid,
                    site=site.id,
                    itype=t,
                    qty=q,
                )
            ctx.sites[site.id] = site
    for sid, o, _ in ctx.accepted_of("BUILD_RADAR"):
        site = ctx.sites[o.str_("site")]
        rq = min(site.radar_max_q, site.radar_q + p.radar_level_step * o.int_("levels"))
        ctx.sites[site.id] = replace(site, radar_q=ctx.rf(rq), owner=sid)
        ctx.emit(
            "radar",
            None,
            f"{ctx.name(sid)} upgraded the radar at {site.id} to quality {rq:.2f}.",
            site=site.id,
        )
    for sid, o, _ in ctx.accepted_of("SET_RADAR_MODE"):
        site = ctx.sites[o.str_("site")]
        mode = o.str_("mode")
        if site.radar_mode == mode:
            continue
        site = replace(site, radar_mode=mode)
        if mode == "forward" and site.limits is not None and site.limits.terminal_only:
            site = _break_limits(ctx, site, "the radar was switched to forward mode")
        ctx.sites[site.id] = site
        ctx.emit(
            "radar_mode",
            None,
            f"{ctx.name(sid)} switched the radar at {site.id} to {mode} mode.",
            site=site.id,
            mode=mode,
        )
    for sid, o, _ in ctx.accepted_of("SET_SENSOR_SHARING"):
        site = ctx.sites[o.str_("site")]
        share = o.bool_("sharing")
        if site.sensor_sharing == share:
            continue
        site = replace(site, sensor_sharing=share)
        if share and site.limits is not None and site.limits.no_sensor_sharing:
            site = _break_limits(ctx, site, "sensor sharing was switched on")
        ctx.sites[site.id] = site
        ctx.emit(
            "sensor_sharing",
            None,
            f"{ctx.name(sid)} turned sensor sharing {'on' if share else 'off'} at {site.id}.",
            site=site.id,
            sharing=share,
        )


def _export(ctx: Ctx, sid: str, o: Order) -> None:
    p = ctx.p
    to, c, q = o.str_("to"), o.str_("class"), o.int_("qty")
    covert = o.bool_("covert")
    tech = o.bool_("tech")
    what = f"{c} production technology" if tech else f"{q} {c}"
    if tech:
        nat = ctx.n[to]
        if c not in nat.tech:
            cap = dict(nat.prod_cap)
            cap[c] = max(cap.get(c, 0), p.new_tech_prod_cap)
            dev = {k: v for k, v in nat.developing.items() if k != c}
            ctx.setn(
                to,
                tech=tuple(x for x in CLASS_ORDER if x in nat.tech or x == c),
                prod_cap=canon(cap),
                developing=dev,
            )
    else:
        ctx.add_missiles(sid, c, -q, public=not covert)
        ctx.add_missiles(to, c, q, public=not covert)
    if covert:
        ctx.emit(
            "export_covert",
            [sid, to],
            f"{ctx.name(sid)} secretly transferred {what} to {ctx.name(to)}.",
            cls=c,
            qty=q,
        )
    else:
        ctx.emit(
            "export",
            None,
            f"{ctx.name(sid)} transferred {what} to {ctx.name(to)}.",
            cls=c,
            qty=q,
            to=to,
        )
        for k in ctx.ids:
            if k not in (sid, to) and m.is_rival(ctx.world(), k, to):
                ctx.incident(k, sid, p.inc_export)
    spec = next(x for x in ctx.sc.classes if x.name == c)
    if not spec.cat1:
        return
    for t in ctx.treaties.values():
        if (
            t.template != "EXPORT_CONTROL"
            or not is_party(t, sid)
            or not obligations_started(t, ctx.turn)
        ):
            continue
        if t_bool(t, "members_only", True) and is_party(t, to):
            continue
        _violation(
            ctx,
            sid,
            t.id,
            "export",
            f"export:{to}:{c}",
            float(max(1, q)),
            p.sev_export,
            covert=covert,
            public=not covert,
        )


def _violation(
    ctx: Ctx,
    sid: str,
    treaty: str,
    kind: str,
    clause: str,
    magnitude: float,
    severity: float,
    *,
    covert: bool,
    public: bool,
) -> Violation:
    """Record a breach (B2.7). Public ones are charged as newly public at once."""
    vid = ctx.new_id("violation", "V")
    hidden = covert and ctx.n[sid].conceal >= ctx.p.covert_hidden_conceal
    v = Violation(
        id=vid,
        state=sid,
        treaty=treaty,
        clause=clause,
        kind=kind,
        magnitude=magnitude,
        severity=severity,
        first_turn=ctx.turn,
        last_turn=ctx.turn,
        ongoing=False,
        covert=covert,
        hidden_site=hidden,
        published=public,
        public_weight=1.0 if public else 0.0,
    )
    ctx.violations[vid] = v
    key = (sid, treaty)
    ctx.new_true[key] = ctx.new_true.get(key, 0.0) + severity
    ctx.pinc_true["violation"] = ctx.pinc_true.get("violation", 0.0) + 1
    if public:
        _made_public(ctx, v, 1.0)
    return v


def _made_public(ctx: Ctx, v: Violation, weight: float, redetected: bool = False) -> None:
    """A violation became public (inspection report or publication): CS, trust, incidents."""
    p = ctx.p
    key = (v.state, v.treaty)
    if redetected:
        ctx.redetected[key] = ctx.redetected.get(key, 0.0) + v.severity * weight
        return
    ctx.new_public[key] = ctx.new_public.get(key, 0.0) + v.severity * weight
    ctx.pinc["violation"] = ctx.pinc.get("violation", 0.0) + weight
    ctx.shamed[v.state] = ctx.shamed.get(v.state, 0.0) + weight
    penalty = p.trust_unnotified_test if v.kind == "test" else p.trust_violation
    for k in ctx.ids:
        if k != v.state:
            ctx.trust(k, v.state, db=penalty * weight)
            ctx.incident(k, v.state, p.inc_public_violation * weight)
    if v.treaty in ctx.treaties:
        tname = ctx.treaties[v.treaty].name
    elif v.treaty.startswith("AGR-NOTIFICATION-"):
        tname = "its launch-notification agreement"
    else:
        tname = v.treaty
    ctx.emit(
        "violation_public",
        None,
        f"{ctx.name(v.state)} was found in breach of {tname or 'an agreement'} ({_describe(v)}).",
        state=v.state,
        treaty=v.treaty,
        kind=v.kind,
        weight=round(weight, 6),
    )


def _describe(v: Violation) -> str:
    if v.kind == "cap":
        return f"{v.clause} above the cap by {v.magnitude:g}"
    if v.kind == "defense":
        return f"defense limit exceeded ({v.clause})"
    if v.kind == "test":
        return "unnotified missile test"
    if v.kind == "export":
        return "controlled missile export"
    if v.kind == "misdeclare":
        return "false declaration"
    if v.kind == "program":
        return "nuclear programme step"
    if v.kind == "withdrawal":
        return "abrupt withdrawal"
    return v.kind


# ====================================================================== phase 4: tests


def phase_tests(ctx: Ctx) -> None:
    """Phase 4: R&D steps, countermeasure gains, notification and incidents (B4.4)."""
    p = ctx.p
    eta = {c.name: c.eta_test for c in ctx.sc.classes}
    for n_, (sid, o, _) in enumerate(ctx.accepted_of("TEST")):
        c = o.str_("class")
        nat = ctx.n[sid]
        notify = o.bool_("notify")
        if c in nat.developing:
            dev = dict(nat.developing)
            dev[c] -= 1
            if dev[c] <= 0:
                del dev[c]
                cap = dict(nat.prod_cap)
                cap[c] = max(cap.get(c, 0), p.new_tech_prod_cap)
                ctx.setn(
                    sid,
                    developing=dev,
                    tech=tuple(x for x in CLASS_ORDER if x in nat.tech or x == c),
                    prod_cap=canon(cap),
                )
                ctx.emit(
                    "research",
                    [sid],
                    f"{ctx.name(sid)} completed its {c} programme and can now build {c}.",
                )
            else:
                ctx.setn(sid, developing=dev)
        else:
            ctx.setn(sid, cm=ctx.rf(min(p.cm_max, nat.cm + p.test_cm_step)))
        ctx.emit(
            "test",
            None,
            f"{ctx.name(sid)} tested a {c} missile ({'notified' if notify else 'not notified'}).",
            state=sid,
            cls=c,
            notified=notify,
        )
        if not notify:
            ctx.pinc["unnotified"] = ctx.pinc.get("unnotified", 0.0) + 1
            ctx.pinc_true["unnotified"] = ctx.pinc_true.get("unnotified", 0.0) + 1
        for k in ctx.ids:
            if k == sid:
                continue
            p_obs = f.p_ntm(eta[c], ctx.n[k].ntm, nat.conceal, 1.0, p.gamma)
            w = ctx.chance(p_obs, "test-obs", k, sid, c, n_)
            if notify:
                ctx.trust(k, sid, da=p.trust_notified_test * w)
                continue
            if c in ctx.sc.reach.get(sid, {}).get(k, ()):
                ctx.incident(k, sid, p.inc_unnotified_test * max(w, 0.0))
            ref = ctx.notification(sid, k)
            if ref:
                _violation(
                    ctx,
                    sid,
                    ref,
                    "test",
                    f"test:{c}:{k}",
                    1.0,
                    p.sev_test,
                    covert=False,
                    public=True,
                )


# ====================================================================== phase 5: transparency


def phase_transparency(ctx: Ctx) -> None:
    """Phase 5: declarations, CBMs, observer visits, declared limits, challenge policy (B4.5)."""
    p = ctx.p
    for sid, o, _ in ctx.accepted_of("DECLARE"):
        counts = dict.fromkeys(CLASS_ORDER, 0)
        counts.update(o.counts())
        decl = {c: n for c, n in counts.items() if n or ctx.n[sid].public_ledger.get(c, 0)}
        ctx.setn(sid, declared=decl, declared_turn=ctx.turn, public_ledger=dict(decl))
        shown = ", ".join(f"{n} {c}" for c, n in decl.items() if n) or "no missiles"
        ctx.emit(
            "declare",
            None,
            f"{ctx.name(sid)} declared {shown}.",
            state=sid,
            counts=dict(decl.items()),
        )
    for otype in ("JOINT_EXERCISE", "INVITE_OBSERVERS"):
        for sid, o, _ in ctx.accepted_of(otype):
            w = o.str_("with")
            for a, b in ((sid, w), (w, sid)):
                pr = ctx.pr[(a, b)]
                ctx.pr[(a, b)] = replace(pr, last_cbm_turn=ctx.turn)
                ctx.trust(a, b, da=p.trust_cbm)
            if otype == "INVITE_OBSERVERS":
                pr = ctx.pr[(w, sid)]
                ctx.pr[(w, sid)] = replace(pr, last_observed_turn=ctx.turn)
                where = f" at {o.str_('site')}" if o.str_("site") else ""
                ctx.emit(
                    "observers",
                    None,
                    f"{ctx.name(sid)} hosted observers from {ctx.name(w)}{where}.",
                    a=sid,
                    b=w,
                )
            else:
                ctx.emit(
                    "exercise",
                    None,
                    f"{ctx.name(sid)} and {ctx.name(w)} held a joint exercise.",
                    a=sid,
                    b=w,
                )
                world = ctx.world()
                for k in ctx.ids:
                    if k in (sid, w):
                        continue
                    if m.is_rival(world, k, w):
                        ctx.incident(k, sid, p.inc_exercise)
                    if m.is_rival(world, k, sid):
                        ctx.incident(k, w, p.inc_exercise)
    for sid, o, _ in ctx.accepted_of("DECLARE_LIMITS"):
        site = ctx.sites[o.str_("site")]
        cap = o.int_("max_interceptors") if o.get("max_interceptors") else None
        lim = Limits(
            max_interceptors=cap,
            terminal_only=o.bool_("terminal_only"),
            no_sensor_sharing=o.bool_("no_sensor_sharing"),
            note=o.str_("note"),
            declared_by=sid,
            turn=ctx.turn,
        )
        ctx.sites[site.id] = replace(site, limits=lim)
        bits = [
            f"at most {cap} interceptors" if cap is not None else "",
            "terminal-mode radar only" if lim.terminal_only else "",
            "no sensor sharing" if lim.no_sensor_sharing else "",
        ]
        ctx.emit(
            "limits",
            None,
            f"{ctx.name(sid)} declared limits at {site.id}: {', '.join(b for b in bits if b) or 'see note'}.",
            site=site.id,
        )
    for sid, o, _ in ctx.accepted_of("SET_CHALLENGE_POLICY"):
        ctx.setn(sid, allow_challenge=o.bool_("allow"))
        ctx.emit(
            "policy",
            [sid],
            f"{ctx.name(sid)} will {'accept' if o.bool_('allow') else 'refuse'} challenge inspections.",
        )


# ====================================================================== phases 6-7


def accounting(ctx: Ctx) -> None:
    """Compare the true state with in-force terms; open/update/close ongoing violations (B4.7)."""
    p = ctx.p
    turn = ctx.turn
    open_by_key = {(v.state, v.treaty, v.clause): v for v in ctx.violations.values() if v.ongoing}
    seen: set[tuple[str, str, str]] = set()

    def breach(
        sid: str, t: Treaty, kind: str, clause: str, mag: float, sev: float, covert: bool
    ) -> None:
        key = (sid, t.id, clause)
        seen.add(key)
        old = open_by_key.get(key)
        if old is not None:
            ctx.violations[old.id] = replace(
                old, magnitude=mag, severity=sev, last_turn=turn, covert=covert
            )
            return
        v = _violation(ctx, sid, t.id, kind, clause, mag, sev, covert=covert, public=not covert)
        ctx.violations[v.id] = replace(v, ongoing=True)

    for t in ctx.treaties.values():
        if not obligations_started(t, turn):
            continue
        parties = [x for x in t.parties if is_party(t, x)]
        if t.template in OFFENSE_TEMPLATES:
            caps = t_caps(t)
            for sid in parties:
                nat = ctx.n[sid]
                for c, cap in caps.items():
                    excess = nat.missiles.get(c, 0) - cap
                    if excess > 0:
                        covert = nat.public_ledger.get(c, 0) <= cap
                        breach(
                            sid, t, "cap", c, float(excess), min(1.0, excess / max(1, cap)), covert
                        )
                wcap = t_float(t, "weighted_cap", 0.0)
                if wcap > 0:
                    cls = {c.name: c for c in ctx.sc.classes}
                    x = m.x_off(cls, nat.missiles)
                    if x > wcap:
                        covert = m.x_off(cls, nat.public_ledger) <= wcap
                        breach(
                            sid,
                            t,
                            "cap",
                            "weighted",
                            float(math.ceil(x - wcap)),
                            min(1.0, (x - wcap) / max(1.0, wcap)),
                            covert,
                        )
                if (
                    t_bool(t, "data_exchange", False)
                    and nat.declared is not None
                    and nat.declared_turn == turn
                ):
                    covered = list(caps) or list(CLASS_ORDER)
                    diff = sum(
                        abs(nat.declared.get(c, 0) - nat.missiles.get(c, 0)) for c in covered
                    )
                    true_total = sum(nat.missiles.get(c, 0) for c in covered)
                    if diff > 0:
                        sev = p.sev_misdeclare * min(1.0, diff / max(1, true_total))
                        breach(sid, t, "misdeclare", "declaration", float(diff), sev, True)
        elif t.template == "DEFENSE_LIMIT":
            for sid in parties:
                owned = [s for s in ctx.sites.values() if s.owner == sid]
                total = sum(ctx.n[sid].store.values()) + sum(
                    sum(s.interceptors.values()) for s in owned
                )
                cap = t_int(t, "max_interceptors", -1)
                if cap >= 0 and total > cap:
                    breach(
                        sid,
                        t,
                        "defense",
                        "total",
                        float(total - cap),
                        min(1.0, (total - cap) / max(1, cap)),
                        False,
                    )
                per = t_int(t, "max_per_site", -1)
                for s in owned:
                    here = sum(s.interceptors.values())
                    if per >= 0 and here > per:
                        breach(
                            sid,
                            t,
                            "defense",
                            f"site:{s.id}",
                            float(here - per),
                            min(1.0, (here - per) / max(1, per)),
                            False,
                        )
                max_sites = t_int(t, "max_sites", -1)
                used = [s for s in owned if sum(s.interceptors.values()) > 0]
                if max_sites >= 0 and len(used) > max_sites:
                    breach(
                        sid,
                        t,
                        "defense",
                        "sites",
                        float(len(used) - max_sites),
                        min(1.0, (len(used) - max_sites) / max(1, max_sites)),
                        False,
                    )
                if t_bool(t, "no_foreign_basing", False):
                    abroad = [s for s in used if s.host != sid]
                    if abroad:
                        breach(sid, t, "defense", "foreign_basing", float(len(abroad)), 1.0, False)
                if t_bool(t, "terminal_only", False):
                    fwd = [s for s in owned if s.radar_mode == "forward"]
                    if fwd:
                        breach(sid, t, "defense", "radar_mode", float(len(fwd)), 0.5, False)
    for key, v in open_by_key.items():
        if key not in seen:
            ctx.violations[v.id] = replace(v, ongoing=False)


def _open_violations(ctx: Ctx) -> list[Violation]:
    win = ctx.p.event_violation_window
    return [
        v
        for v in ctx.violations.values()
        if v.ongoing or (ctx.turn - v.first_turn < win and not v.published)
    ]


def phase_verification(ctx: Ctx) -> None:
    """Phase 6: NTM, routine inspections, challenges, false alarms -> evidence (B5.6)."""
    p = ctx.p
    world = ctx.world()
    eta_kind = {
        "cap": p.eta_build,
        "defense": p.eta_deploy,
        "export": p.eta_export,
        "program": p.eta_program,
        "misdeclare": p.eta_misdeclare,
    }
    inspections: dict[tuple[str, str, str], int] = {}
    for sid, o, _ in ctx.accepted_of("INSPECT"):
        key = (sid, o.str_("target"), o.str_("treaty"))
        inspections[key] = inspections.get(key, 0) + o.int_("visits")
        vk = (sid, o.str_("target"))
        ctx.visits[vk] = ctx.visits.get(vk, 0) + o.int_("visits")
    challenges: list[tuple[str, str, str]] = []
    for sid, o, _ in ctx.accepted_of("CHALLENGE_INSPECTION"):
        tgt = o.str_("target")
        t = ctx.treaties[o.str_("treaty")]
        if ctx.n[tgt].allow_challenge:
            challenges.append((sid, tgt, t.id))
            ctx.visits[(sid, tgt)] = ctx.visits.get((sid, tgt), 0) + 1
            ctx.emit(
                "challenge",
                None,
                f"{ctx.name(sid)} carried out a challenge inspection in {ctx.name(tgt)}.",
                a=sid,
                b=tgt,
                treaty=t.id,
            )
        else:
            ctx.pinc["refused"] = ctx.pinc.get("refused", 0.0) + 1
            ctx.pinc_true["refused"] = ctx.pinc_true.get("refused", 0.0) + 1
            for k in ctx.ids:
                if k != tgt:
                    ctx.trust(k, tgt, db=p.trust_refused_challenge)
            ctx.incident(sid, tgt, p.inc_refused_challenge)
            ctx.emit(
                "challenge_refused",
                None,
                f"{ctx.name(tgt)} refused a challenge inspection requested by {ctx.name(sid)}.",
                a=sid,
                b=tgt,
                treaty=t.id,
            )
    open_v = _open_violations(ctx)
    found_osi: dict[tuple[str, str, str], float] = {}
    for v in open_v:
        j = v.state
        vt = ctx.treaties.get(v.treaty)
        nat_j = ctx.n[j]
        for i in ctx.ids:
            if i == j:
                continue
            interested = (vt is not None and is_party(vt, i)) or m.is_rival(world, i, j)
            if not interested:
                continue
            nat_i = ctx.n[i]
            # NTM (private evidence)
            ntm = nat_i.ntm
            if any(
                s.owner == i
                and s.radar_mode == "forward"
                and j in s.sees
                and m.site_active(world, s)
                for s in ctx.sites.values()
            ):
                ntm += p.forward_radar_ntm_bonus
            de = 1.0 if ctx.data_exchange(i, j) else 0.0
            pn = 0.0
            if not v.published:
                pn = f.p_ntm(
                    eta_kind.get(v.kind, 0.0),
                    min(1.0, ntm * (1 + p.ntm_de_bonus * de)),
                    nat_j.conceal,
                    v.magnitude,
                    p.gamma,
                )
            # routine inspection / challenge (reported to all parties)
            po = 0.0
            k_vis = inspections.get((i, j, v.treaty), 0)
            if k_vis and v.kind in ("cap", "misdeclare", "defense") and not v.hidden_site:
                r_bad = min(nat_j.n_sites, math.ceil(v.magnitude / p.units_per_site))
                q = p.osi_q * (1 - p.osi_conceal_factor * nat_j.conceal)
                po = f.p_osi(nat_j.n_sites, r_bad, k_vis, q)
            pc = 0.0
            if (i, j, v.treaty) in challenges and v.kind not in ("test", "withdrawal"):
                pc = p.challenge_q
            p_insp = f.combine([po, pc])
            w_insp = ctx.chance(p_insp, "osi", i, j, v.id) if p_insp > 0 else 0.0
            if w_insp > 0:
                found_osi[(i, j, v.treaty)] = found_osi.get((i, j, v.treaty), 0.0) + w_insp
                _inspection_evidence(ctx, i, v, p_insp, w_insp, k_vis)
            if pn > 0:
                remaining = 1.0 - w_insp
                w_ntm = ctx.chance(pn, "ntm", i, j, v.id) * remaining if remaining > 0 else 0.0
                if w_ntm > 0:
                    _ntm_evidence(ctx, i, v, pn, w_ntm)
    # clean inspections and false alarms
    for (i, j, tid), k_vis in sorted(inspections.items()):
        found = min(1.0, found_osi.get((i, j, tid), 0.0))
        clean = 1.0 - found
        if clean <= 0:
            continue
        t = ctx.treaties[tid]
        innocent = not any(v.state == j and v.treaty == tid for v in open_v)
        alpha = 1 - (1 - p.alpha_osi) ** k_vis
        if innocent and not ctx.expected:
            fa = ctx.chance(alpha, "fa-osi", i, j, tid)
            if fa > 0:
                _false_alarm(ctx, i, j, tid, "osi", alpha)
                continue
        for k in ctx.ids:
            if k != j and is_party(t, k):
                ctx.trust(k, j, da=p.trust_clean_inspection * clean)
        ctx.emit(
            "inspection_clean",
            None,
            f"{ctx.name(i)}'s {k_vis} inspection visit(s) in {ctx.name(j)} found no violation.",
            a=i,
            b=j,
            treaty=tid,
            weight=round(clean, 6),
        )
        if clean >= 0.5:
            _refute(ctx, j, tid)
    for ci, cj, tid in challenges:
        if found_osi.get((ci, cj, tid), 0.0) < 0.5:
            _refute(ctx, cj, tid)
    if not ctx.expected:
        for i in ctx.ids:
            if ctx.n[i].ntm <= 0:
                continue
            for j in ctx.ids:
                if i == j or not m.is_rival(world, i, j):
                    continue
                if any(v.state == j for v in open_v):
                    continue
                if ctx.chance(p.alpha_ntm, "fa-ntm", i, j) > 0:
                    _false_alarm(ctx, i, j, "", "ntm", p.alpha_ntm)


def _evidence(
    ctx: Ctx,
    holder: str,
    target: str,
    treaty: str,
    kind: str,
    channel: str,
    mag: float,
    pch: float,
    alpha: float,
    is_true: bool,
    vid: str,
    weight: float,
    published: bool,
) -> Evidence:
    # One evidence item per holder and violation: in expected mode weights accumulate.
    for e in ctx.evidence.values():
        if (
            e.holder == holder
            and vid
            and e.violation == vid
            and e.channel == channel
            and not e.shared_from
        ):
            w = 1 - (1 - e.weight) * (1 - weight)
            new = replace(e, weight=ctx.rf(w), turn=ctx.turn, magnitude=mag)
            ctx.evidence[e.id] = new
            return new
    eid = ctx.new_id("evidence", "E")
    e = Evidence(
        id=eid,
        holder=holder,
        target=target,
        treaty=treaty,
        kind=kind,
        channel=channel,
        magnitude=mag,
        quality=ctx.rf(f.evidence_quality(pch, alpha)),
        p_channel=ctx.rf(pch),
        alpha_channel=alpha,
        is_true=is_true,
        violation=vid,
        turn=ctx.turn,
        weight=ctx.rf(weight),
        published=published,
        published_turn=ctx.turn if published else 0,
    )
    ctx.evidence[eid] = e
    return e


def _inspection_evidence(ctx: Ctx, i: str, v: Violation, pch: float, w: float, k_vis: int) -> None:
    alpha = 1 - (1 - ctx.p.alpha_osi) ** max(1, k_vis)
    e = _evidence(
        ctx, i, v.state, v.treaty, v.kind, "osi", v.magnitude, pch, alpha, True, v.id, w, True
    )
    was_public = v.published
    ctx.violations[v.id] = replace(
        v,
        detected_by=tuple(sorted({*v.detected_by, i}, key=ctx.ids.index)),
        published=True,
        public_weight=ctx.rf(min(1.0, v.public_weight + w)),
    )
    _made_public(ctx, v, w, redetected=was_public)
    ctx.detections.setdefault(i, []).append(
        {"evidence": e.id, "target": v.state, "channel": "inspection", "weight": round(w, 6)}
    )


def _ntm_evidence(ctx: Ctx, i: str, v: Violation, pch: float, w: float) -> None:
    p = ctx.p
    e = _evidence(
        ctx,
        i,
        v.state,
        v.treaty,
        v.kind,
        "ntm",
        v.magnitude,
        pch,
        p.alpha_ntm,
        True,
        v.id,
        w,
        False,
    )
    ctx.violations[v.id] = replace(
        v, detected_by=tuple(sorted({*v.detected_by, i}, key=ctx.ids.index))
    )
    _ambiguous_update(ctx, i, v.state, pch, p.alpha_ntm, w)
    ctx.detections.setdefault(i, []).append(
        {"evidence": e.id, "target": v.state, "channel": "ntm", "weight": round(w, 6)}
    )
    ctx.emit(
        "evidence",
        [i],
        f"Your intelligence services suspect {ctx.name(v.state)} of a {v.kind} violation (evidence {e.id}, quality {e.quality:.2f}).",
        evidence=e.id,
        target=v.state,
    )


def _false_alarm(ctx: Ctx, i: str, j: str, tid: str, channel: str, alpha: float) -> None:
    p = ctx.p
    eta = p.eta_build
    pch = (
        f.p_ntm(eta, ctx.n[i].ntm, ctx.n[j].conceal, float(p.units_per_site), p.gamma)
        if channel == "ntm"
        else p.osi_q
    )
    e = _evidence(
        ctx, i, j, tid, "cap", channel, float(p.units_per_site), pch, alpha, False, "", 1.0, False
    )
    _ambiguous_update(ctx, i, j, pch, alpha, 1.0)
    ctx.detections.setdefault(i, []).append(
        {"evidence": e.id, "target": j, "channel": channel, "weight": 1.0}
    )
    ctx.emit(
        "evidence",
        [i],
        f"Your {'inspectors' if channel == 'osi' else 'intelligence services'} suspect {ctx.name(j)} of a violation (evidence {e.id}, quality {e.quality:.2f}).",
        evidence=e.id,
        target=j,
    )


def _ambiguous_update(ctx: Ctx, i: str, j: str, pd: float, alpha: float, w: float) -> None:
    """Fractional Beta update from an alarm i cannot confirm (B5.7)."""
    prior = 1 - ctx.pr[(i, j)].tau
    post = f.posterior_violation(prior, pd, alpha)
    wt = ctx.p.trust_ambiguous_weight * w
    ctx.trust(i, j, da=wt * (1 - post), db=wt * post)


def _refute(ctx: Ctx, target: str, tid: str) -> None:
    """A clean inspection refutes published, unconfirmed accusations against ``target``."""
    p = ctx.p
    for e in list(ctx.evidence.values()):
        if (
            e.target == target
            and e.treaty == tid
            and e.published
            and not e.refuted
            and e.channel != "osi"
        ):
            ctx.evidence[e.id] = replace(e, refuted=True)
            if not e.is_true:
                ctx.trust(e.holder, target, da=p.trust_unfounded)
                for k in ctx.ids:
                    if k not in (e.holder, target):
                        ctx.trust(k, e.holder, db=p.trust_accuser_penalty)
            ctx.emit(
                "accusation_refuted",
                None,
                f"An inspection did not confirm {ctx.name(e.holder)}'s accusation against {ctx.name(target)}.",
                evidence=e.id,
            )


def phase_compliance(ctx: Ctx) -> None:
    """Phase 7: publications, compliance scores, data-exchange trust (B5.7, B5.8)."""
    p = ctx.p
    for sid, o, _ in ctx.accepted_of("SHARE_EVIDENCE"):
        e = ctx.evidence[o.str_("evidence")]
        to = o.str_("to")
        eid = ctx.new_id("evidence", "E")
        ctx.evidence[eid] = replace(
            e, id=eid, holder=to, shared_from=sid, published=False, turn=ctx.turn
        )
        _ambiguous_update(ctx, to, e.target, e.p_channel, e.alpha_channel, e.weight)
        ctx.emit(
            "evidence_shared",
            [sid, to],
            f"{ctx.name(sid)} shared evidence about {ctx.name(e.target)} with {ctx.name(to)} (now {eid}).",
            evidence=eid,
        )
    alarms: dict[tuple[str, str], float] = {}
    for sid, o, _ in ctx.accepted_of("PUBLISH_EVIDENCE"):
        e = ctx.evidence[o.str_("evidence")]
        ctx.evidence[e.id] = replace(e, published=True, published_turn=ctx.turn)
        ctx.emit(
            "accusation",
            None,
            f"{ctx.name(sid)} published evidence that {ctx.name(e.target)} breached {ctx.treaties[e.treaty].name if e.treaty in ctx.treaties else 'its commitments'} (quality {e.quality:.2f}).",
            holder=sid,
            target=e.target,
            evidence=e.id,
            quality=e.quality,
        )
        v = ctx.violations.get(e.violation)
        if e.quality >= p.evidence_confirm_quality and e.treaty:
            if v is not None:
                was = v.published
                ctx.violations[v.id] = replace(
                    v, published=True, public_weight=ctx.rf(min(1.0, v.public_weight + e.weight))
                )
                if not was:
                    _made_public(ctx, v, e.weight)
            else:
                fake = Violation(
                    id="",
                    state=e.target,
                    treaty=e.treaty,
                    clause="alleged",
                    kind=e.kind,
                    magnitude=e.magnitude,
                    severity=min(1.0, e.magnitude / max(1.0, p.units_per_site * 5)),
                    first_turn=ctx.turn,
                    last_turn=ctx.turn,
                    ongoing=False,
                    covert=True,
                    hidden_site=False,
                )
                _made_public(ctx, fake, e.weight)
        else:
            for k in ctx.ids:
                if k not in (sid, e.target):
                    _ambiguous_update(ctx, k, e.target, e.p_channel, e.alpha_channel, e.weight)
    for e in ctx.evidence.values():
        if (
            e.published
            and not e.refuted
            and e.quality < p.evidence_confirm_quality
            and e.treaty
            and not e.shared_from
        ):
            key = (e.target, e.treaty)
            alarms[key] = alarms.get(key, 0.0) + e.weight
    for tid in list(ctx.treaties):
        t = ctx.treaties[tid]
        if not obligations_started(t, ctx.turn):
            continue
        cs = dict(t.cs)
        cst = dict(t.cs_true)
        for sid in t.parties:
            if not is_party(t, sid) or sid in t.withdrawing:
                continue
            key = (sid, tid)
            old = cs.get(sid, 100.0)
            new = old + p.cs_recovery * (100 - old) - p.cs_new_public * ctx.new_public.get(key, 0.0)
            new -= p.cs_redetected * ctx.redetected.get(key, 0.0) + p.cs_alarm * alarms.get(
                key, 0.0
            )
            cs[sid] = ctx.rf(f.clamp(new, 0.0, 100.0))
            oldt = cst.get(sid, 100.0)
            ongoing = sum(
                v.severity
                for v in ctx.violations.values()
                if v.state == sid and v.treaty == tid and v.ongoing and v.first_turn < ctx.turn
            )
            newt = (
                oldt
                + p.cs_recovery * (100 - oldt)
                - p.cs_new_public * ctx.new_true.get(key, 0.0)
                - p.cs_redetected * ongoing
            )
            cst[sid] = ctx.rf(f.clamp(newt, 0.0, 100.0))
        ctx.treaties[tid] = replace(t, cs=cs, cs_true=cst)
    for i in ctx.ids:
        for j in ctx.ids:
            if i != j and ctx.n[j].declared is not None and ctx.data_exchange(i, j):
                bad = any(
                    e.holder == i
                    and e.target == j
                    and e.kind == "misdeclare"
                    and e.turn == ctx.turn
                    for e in ctx.evidence.values()
                )
                if not bad:
                    ctx.trust(i, j, da=p.trust_data_exchange)


# ====================================================================== phases 8-10


def phase_perception(ctx: Ctx, inertia: float) -> None:
    """Phase 8: coverage, estimates, clarity, incident decay, threat (B5.4)."""
    p = ctx.p
    world = ctx.world()
    eng = m.Engine.build(world)
    public = {s: ctx.n[s].public_ledger for s in ctx.ids}
    truth = {s: ctx.n[s].missiles for s in ctx.ids}
    for i in ctx.ids:
        for j in ctx.ids:
            if i == j:
                continue
            pr = ctx.pr[(i, j)]
            nat_i, nat_j = ctx.n[i], ctx.n[j]
            de = ctx.data_exchange(i, j)
            visits = ctx.visits.get((i, j), 0) + pr.visits_prev
            vcov = 1 - (1 - p.vcov_ntm * nat_i.ntm * (1 - nat_j.conceal)) * (
                1 - p.vcov_de * (1.0 if de else 0.0)
            ) * (1 - p.vcov_visits * min(1.0, visits / max(1, nat_j.n_sites)))
            vcov = f.clamp(vcov, 0.0, 1.0)
            tau = pr.tau
            bias = p.est_bias * (1 - tau)
            sigma = p.est_sigma * (1 - vcov)
            est: dict[str, int] = {}
            for c in CLASS_ORDER:
                pub_c = nat_j.public_ledger.get(c, 0)
                true_c = nat_j.missiles.get(c, 0)
                if pub_c == 0 and true_c == 0:
                    continue
                eps = (
                    0.0
                    if ctx.expected or sigma <= 0
                    else sigma * normal(ctx.seed, ctx.state.game_id, ctx.turn, "est", i, j, c)
                )
                val = (pub_c + vcov * (true_c - pub_c)) * (1 + eps) * (1 + bias)
                est[c] = max(0, half_up(val))
            ev = (
                min(1.0, p.ev_decay * pr.ev + ctx.incidents.get((i, j), 0.0))
                if not ctx.init
                else pr.ev
            )
            cbm = pr.last_cbm_turn > 0 and ctx.turn - pr.last_cbm_turn <= 1
            observed = pr.last_observed_turn > 0 and ctx.turn - pr.last_observed_turn <= 1
            chi = m.clarity(world, i, j, cbm, observed, de)
            ctx.pr[(i, j)] = replace(
                pr,
                vcov=ctx.rf(vcov),
                est=est,
                ev=ctx.rf(ev),
                chi=ctx.rf(chi),
                visits_prev=ctx.visits.get((i, j), 0),
            )
    world = ctx.world()
    eng = m.Engine.build(world)
    new_t: dict[tuple[str, str], float] = {}
    for i in ctx.ids:
        for j in ctx.ids:
            if i == j:
                continue
            pr = ctx.pr[(i, j)]
            view = dict(public)
            view[i] = truth[i]
            view[j] = pr.est
            dy = eng.dyad(i, j, view[i], view[j])
            h_hat = dy.f_ij
            e_hat = 0.0
            if ctx.sc.reach.get(j, {}).get(i):
                e_hat = 1 - m.deterrence(eng, view, i, j, dy)
            t_star = f.threat_target(h_hat, e_hat, pr.chi, pr.h, pr.tau, pr.ev)
            new_t[(i, j)] = inertia * pr.threat + (1 - inertia) * t_star
    for key, t in new_t.items():
        ctx.pr[key] = replace(ctx.pr[key], threat=ctx.rf(f.clamp(t, 0.0, 100.0)))


@dataclass(slots=True)
class Metrics:
    """Phase 9 results."""

    sec: dict[str, m.Security]
    sec_pub: dict[str, m.Security]
    fsi_true: dict[tuple[str, str], float]
    fsi_pub: dict[tuple[str, str], float]
    rho: float
    x_true: dict[str, float]
    x_pub: dict[str, float]
    pressure: dict[str, float]


def phase_metrics(ctx: Ctx) -> Metrics:
    """Phase 9: exchange model, security, FSI, Richardson on truth and public data (B5.3, B5.5)."""
    world = ctx.world()
    eng = m.Engine.build(world)
    truth: dict[str, Mapping[str, float]] = {s: ctx.n[s].missiles for s in ctx.ids}
    public: dict[str, Mapping[str, float]] = {s: ctx.n[s].public_ledger for s in ctx.ids}
    dy_true: dict[tuple[str, str], m.Dyad] = {}
    dy_pub: dict[tuple[str, str], m.Dyad] = {}
    sec = {i: m.security(eng, truth, i, dy_true) for i in ctx.ids}
    sec_pub = {i: m.security(eng, public, i, dy_pub) for i in ctx.ids}
    fsi_true: dict[tuple[str, str], float] = {}
    fsi_pub: dict[tuple[str, str], float] = {}
    for i, j in m.rival_dyads(world):
        d1 = m.cached_dyad(eng, truth, dy_true, i, j)
        d2 = m.cached_dyad(eng, public, dy_pub, i, j)
        fsi_true[(i, j)] = d1.fsi
        fsi_pub[(i, j)] = d2.fsi
    cls = eng.classes
    x_true = {s: m.x_level(world, cls, s, truth[s]) for s in ctx.ids}
    x_pub = {s: m.x_level(world, cls, s, public[s]) for s in ctx.ids}
    pressure: dict[str, float] = {}
    for i in ctx.ids:
        nat = ctx.n[i]
        tot = 0.0
        for j in ctx.ids:
            if i != j:
                pr = ctx.pr[(i, j)]
                tot += nat.k * pr.threat / 100 * m.x_level(world, cls, j, pr.est)
        pressure[i] = tot - nat.a * x_true[i] + nat.g
    rho = f.spectral_radius(m.richardson_matrix(world), ctx.p.power_iterations)
    return Metrics(sec, sec_pub, fsi_true, fsi_pub, rho, x_true, x_pub, pressure)


def rsi_components(ctx: Ctx, met: Metrics, public: bool) -> dict[str, float]:
    """The six RSI components, public or true version (B5.9)."""
    p = ctx.p
    world = ctx.world()
    dyads = m.rival_dyads(world)
    fsi = met.fsi_pub if public else met.fsi_true
    if dyads:
        wts = [(ctx.pr[(i, j)].threat + ctx.pr[(j, i)].threat) / 200 + 0.01 for i, j in dyads]
        s_crisis = sum(w * fsi[d] for w, d in zip(wts, dyads, strict=True)) / sum(wts)
    else:
        s_crisis = 1.0
    x_now = sum((met.x_pub if public else met.x_true).values())
    x_prev = ctx.state.x_pub_total if public else ctx.state.x_true_total
    growth = max(0.0, x_now - x_prev) / max(1.0, x_prev) if not ctx.init else 0.0
    s_race = f.s_race(met.rho, growth, p.race_slope, p.race_growth_scale)
    ordered = [(i, j) for i in ctx.ids for j in ctx.ids if i != j and m.is_rival(world, i, j)]
    s_trust = sum(ctx.pr[k].tau for k in ordered) / len(ordered) if ordered else 1.0
    regime: list[float] = []
    transp: list[float] = []
    for i, j in dyads:
        covering = [
            t for t in ctx.treaties.values() if in_force(t) and is_party(t, i) and is_party(t, j)
        ]
        off = any(t.template in OFFENSE_TEMPLATES for t in covering)
        dfn = any(t.template == "DEFENSE_LIMIT" for t in covering)
        cov = 1.0 if off and dfn else 0.5 if off or dfn else 0.0
        scores = [
            (t.cs if public else t.cs_true).get(x, 100.0)
            for t in covering
            if t.template in (*OFFENSE_TEMPLATES, "DEFENSE_LIMIT")
            for x in (i, j)
        ]
        cs_bar = sum(scores) / len(scores) if scores else 0.0
        regime.append(cov * cs_bar / 100)
        recent = max(ctx.pr[(i, j)].last_cbm_turn, ctx.pr[(j, i)].last_cbm_turn)
        cbm = 1.0 if recent > 0 and ctx.turn - recent <= 1 else 0.0
        transp.append(
            (
                float(ctx.has_agreement("HOTLINE", i, j))
                + float(ctx.has_agreement("NOTIFICATION", i, j) or bool(ctx.notification(i, j)))
                + float(ctx.data_exchange(i, j))
                + cbm
            )
            / 4
        )
    s_regime = p.regime_base + (1 - p.regime_base) * (sum(regime) / len(regime) if regime else 0.0)
    s_transp = p.transp_base + (1 - p.transp_base) * (sum(transp) / len(transp) if transp else 0.0)
    if public:
        s_percep = sum(ctx.pr[k].vcov for k in ordered) / len(ordered) if ordered else 1.0
    else:
        cls = {c.name: c for c in ctx.sc.classes}
        errs = []
        for i, j in ordered:
            xj = met.x_true[j]
            xhat = m.x_level(world, cls, j, ctx.pr[(i, j)].est)
            errs.append(abs(xhat - xj) / max(1.0, xj))
        s_percep = 1 - (sum(errs) / len(errs) if errs else 0.0)
    raw = [s_crisis, s_race, s_trust, s_regime, s_transp, s_percep]
    return {k: f.clamp(v, p.rsi_floor, 1.0) for k, v in zip(COMPONENTS, raw, strict=True)}


def rsi_value(
    ctx: Ctx, comps: Mapping[str, float], pinc: Mapping[str, float]
) -> tuple[float, float]:
    """(RSI, incident penalty) from components (B5.9)."""
    p = ctx.p
    weights = (
        p.rsi_w_crisis,
        p.rsi_w_race,
        p.rsi_w_trust,
        p.rsi_w_regime,
        p.rsi_w_transp,
        p.rsi_w_percep,
    )
    g = f.rsi_geometric([comps[k] for k in COMPONENTS], weights, p.rsi_floor)
    pen = min(
        p.pinc_max,
        p.pinc_unnotified * pinc.get("unnotified", 0.0)
        + p.pinc_violation * pinc.get("violation", 0.0)
        + p.pinc_refused * pinc.get("refused", 0.0)
        + p.pinc_crisis * pinc.get("crisis", 0.0),
    )
    return f.clamp(g - pen, 0.0, 100.0), pen


# ====================================================================== phases 11-13


def phase_crisis(ctx: Ctx, met: Metrics) -> None:
    """Phase 11: crises and escalation on true values (B5.11)."""
    p = ctx.p
    if not p.crisis_enabled or ctx.init:
        return
    world = ctx.world()
    for i, j in m.rival_dyads(world):
        t_bar = (ctx.pr[(i, j)].threat + ctx.pr[(j, i)].threat) / 2
        inc = ctx.incidents.get((i, j), 0.0) + ctx.incidents.get((j, i), 0.0)
        p_cr = (
            min(p.cr_max, p.cr_base + p.cr_threat * (t_bar / 100) ** 2 + p.cr_incident * inc)
            * p.crisis_strength
        )
        p_cr = f.clamp(p_cr, 0.0, 1.0)
        hot = 1.0 if ctx.has_agreement("HOTLINE", i, j) else 0.0
        chi_bar = (ctx.pr[(i, j)].chi + ctx.pr[(j, i)].chi) / 2
        p_esc = (
            p.esc_base
            * (1 - met.fsi_true.get((i, j), 1.0))
            * (1 - p.esc_hotline * hot)
            * (1 - p.esc_clarity * chi_bar)
        )
        p_esc = f.clamp(p_esc, 0.0, 1.0)
        ctx.draws.append(
            {"crisis_dyad": f"{i}-{j}", "p_cr": round(p_cr, 9), "p_esc": round(p_esc, 9)}
        )
        if ctx.expected:
            ctx.survival *= 1 - p_cr * p_esc
            w = p_cr * (1 - p_esc)
        else:
            if ctx.chance(p_cr, "crisis", f"{i}-{j}") <= 0:
                continue
            if ctx.chance(p_esc, "escalation", f"{i}-{j}") > 0:
                ctx.catastrophe.extend(x for x in (i, j) if x not in ctx.catastrophe)
                ctx.emit(
                    "catastrophe",
                    None,
                    f"A crisis between {ctx.name(i)} and {ctx.name(j)} escalated into a strategic catastrophe. The game is over.",
                    a=i,
                    b=j,
                )
                continue
            w = 1.0
            ctx.emit(
                "crisis",
                None,
                f"A crisis broke out between {ctx.name(i)} and {ctx.name(j)}; it was contained.",
                a=i,
                b=j,
            )
        if w <= 0:
            continue
        for a, b in ((i, j), (j, i)):
            pr = ctx.pr[(a, b)]
            ctx.pr[(a, b)] = replace(
                pr, threat=ctx.rf(min(100.0, pr.threat + p.crisis_threat_jump * w))
            )
        for x in (i, j):
            ctx.rally[x] = ctx.rally.get(x, 0.0) + p.ds_rally * w
        ctx.pinc["crisis"] = ctx.pinc.get("crisis", 0.0) + w
        ctx.pinc_true["crisis"] = ctx.pinc_true.get("crisis", 0.0) + w


def phase_domestic(ctx: Ctx, met: Metrics) -> None:
    """Phase 12: domestic support (B5.10), automatic revocation below the threshold."""
    p = ctx.p
    world = ctx.world()
    for sid in ctx.ids:
        nat = ctx.n[sid]
        d = p.ds_sec * (met.sec[sid].sec - nat.sec)
        inc = max(1, ctx.ledger.get(sid, {}).get("income", nat.income))
        d -= p.ds_spend * max(0.0, nat.last_spend / inc - nat.s0)
        d += nat.treaty_pref * (ctx.joined.get(sid, 0) - ctx.left.get(sid, 0))
        for s in ctx.sites.values():
            if s.host == sid and s.owner and s.owner != sid and m.site_active(world, s):
                comp = next((c.compensation for c in ctx.consents if c.site == s.id), 0)
                d -= p.ds_hosting * s.ds_burden * (1 - min(1.0, comp / p.ds_hosting_comp_full))
        d -= nat.shame * p.ds_shame * min(1.0, ctx.shamed.get(sid, 0.0))
        d += ctx.rally.get(sid, 0.0)
        arp = met.pressure[sid] / max(1.0, met.x_true[sid])
        if arp > p.ds_arp_threshold and sid not in ctx.built:
            d -= p.ds_hawk * nat.hawkish * min(1.0, arp)
        ctx.setn(sid, ds=ctx.rf(f.clamp(nat.ds + d, 0.0, 100.0)))
    for sid in ctx.ids:
        if ctx.n[sid].ds >= p.ds_revoke:
            continue
        mine = [
            (c.compensation, c.site, n_)
            for n_, c in enumerate(ctx.consents)
            if c.host == sid and c.revoke_effective is None
        ]
        if not mine:
            continue
        if ctx.expected:
            _, site_id, idx = sorted(mine)[0]
        else:
            idx = mine[int(u01(ctx.seed, ctx.state.game_id, ctx.turn, "revoke", sid) * len(mine))][
                2
            ]
            site_id = ctx.consents[idx].site
        c = ctx.consents[idx]
        eff = ctx.turn + max(1, c.notice_turns)
        ctx.consents[idx] = replace(c, revoke_effective=eff)
        ctx.emit(
            "consent_revoked",
            None,
            f"Public opposition forced {ctx.name(sid)} to revoke consent for {site_id} (inert from turn {eff}).",
            site=site_id,
            effective_turn=eff,
        )


def comp_score(ctx: Ctx, sid: str) -> float:
    """Compliance component ``0.7 mean CS (or 40) + 0.3 * 100 Rep`` (B5.8)."""
    p = ctx.p
    scores = [
        t.cs[sid]
        for t in ctx.treaties.values()
        if sid in t.parties and sid in t.cs and t.status != "draft"
    ]
    base = sum(scores) / len(scores) if scores else p.comp_nonparty
    rep = sum(ctx.pr[(k, sid)].tau for k in ctx.ids if k != sid) / max(1, len(ctx.ids) - 1)
    return f.clamp(p.comp_w_cs * base + p.comp_w_rep * 100 * rep, 0.0, 100.0)


def check_objective(ctx: Ctx, sid: str, obj: Objective, rsi_pub: float) -> bool:
    """Whether an objective card's conditions hold now (docs/rules.md#objectives)."""
    world = ctx.world()
    results: list[bool] = []
    for c in obj.conditions:
        ok = False
        if c.kind == "site_interceptors":
            s = ctx.sites.get(c.site)
            ok = (
                s is not None
                and s.owner == (c.state or sid)
                and m.site_active(world, s)
                and sum(s.interceptors.values()) >= c.value
            )
        elif c.kind == "missiles_at_least":
            ok = ctx.n[c.state or sid].missiles.get(c.cls, 0) >= c.value
        elif c.kind == "no_foreign_interceptors_near":
            me = c.state or sid
            ok = not any(
                s.owner not in ("", me)
                and sum(s.interceptors.values()) > 0
                and any(cv.against == me for cv in s.coverage)
                for s in ctx.sites.values()
            )
        elif c.kind == "ds_at_least":
            ok = ctx.n[c.state or sid].ds >= c.value
        elif c.kind == "ed_at_least":
            ok = m.ed_eff(world, c.state, sid) >= c.value if c.state else False
        elif c.kind == "has_tech":
            ok = c.cls in ctx.n[c.state or sid].tech
        elif c.kind == "not_caught":
            ok = not any(
                v.state == (c.state or sid) and v.published for v in ctx.violations.values()
            )
        elif c.kind == "rsi_at_least":
            ok = rsi_pub >= c.value
        elif c.kind == "treaty_in_force":
            ok = any(
                t.template == c.template and in_force(t) and is_party(t, c.state or sid)
                for t in ctx.treaties.values()
            )
        elif c.kind == "security_at_least":
            ok = ctx.n[c.state or sid].sec >= c.value
        results.append(ok)
    return any(results) if obj.any_of else all(results)


# ====================================================================== driver


def thaw(state: GameState, seed: str, turn: int) -> Ctx:
    """A working copy of ``state``."""
    return Ctx(
        state=state,
        seed=seed,
        n=dict(state.nations),
        pr=dict(state.pairs),
        sites={s.id: s for s in state.sites},
        consents=list(state.consents),
        treaties={t.id: t for t in state.treaties},
        agreements=list(state.agreements),
        violations={v.id: v for v in state.violations},
        evidence={e.id: e for e in state.evidence},
        counters=dict(state.counters),
        turn=turn,
    )


def draw_env(ctx: Ctx) -> None:
    """Weather/clutter per defended region (B5.2): a draw, or its mean in expected mode."""
    p = ctx.p
    for j in ctx.ids:
        if ctx.expected:
            ctx.env[j] = p.env_expected
        else:
            u = u01(ctx.seed, ctx.state.game_id, ctx.turn, "env", f"region={j}")
            ctx.env[j] = p.env_lo + (p.env_hi - p.env_lo) * u


def forget(ctx: Ctx) -> None:
    """Trust drifts back toward the prior each turn (B5.7 forgetting)."""
    fgt = ctx.p.trust_forgetting
    for key, pr in ctx.pr.items():
        ctx.pr[key] = replace(
            pr,
            alpha=ctx.rf(pr.alpha0 + fgt * (pr.alpha - pr.alpha0)),
            beta=ctx.rf(pr.beta0 + fgt * (pr.beta - pr.beta0)),
        )


@dataclass(slots=True)
class Outcome:
    """Everything phases 9-13 produced, for reports."""

    met: Metrics
    comps_pub: dict[str, float]
    comps_true: dict[str, float]
    rsi_pub: float
    rsi_true: float
    pen_pub: float
    pen_true: float
    vp: dict[str, float] = field(default_factory=dict)
    comp: dict[str, float] = field(default_factory=dict)


def evaluate(ctx: Ctx, inertia: float) -> Outcome:
    """Phases 8-10 (used by both ``new_game`` and ``resolve``)."""
    phase_perception(ctx, inertia)
    met = phase_metrics(ctx)
    comps_pub = rsi_components(ctx, met, True)
    comps_true = rsi_components(ctx, met, False)
    rsi_pub, pen_pub = rsi_value(ctx, comps_pub, ctx.pinc)
    rsi_true, pen_true = rsi_value(ctx, comps_true, ctx.pinc_true)
    return Outcome(met, comps_pub, comps_true, rsi_pub, rsi_true, pen_pub, pen_true)
