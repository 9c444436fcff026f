"""The mutable working copy of one turn (``Ctx``) that every phase reads and writes, and ``thaw``
which makes it from a ``GameState``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from game_engine import formulas as f
from game_engine import metrics as m
from game_engine.events import Event
from game_engine.jsontypes import JSON, JSONDict
from game_engine.messages import Message
from game_engine.orders import Command, NotAnOrder, OrderBase, in_force, is_party
from game_engine.params import CLASS_ORDER, Params
from game_engine.pipeline.terms import obligations_started, t_bool
from game_engine.rng import u01
from game_engine.scenario import Scenario
from game_engine.state import (
    EXPECTED,
    Agreement,
    Consent,
    Evidence,
    GameState,
    Nation,
    Pair,
    Site,
    Treaty,
    Violation,
    replace,
)

OrderT = TypeVar("OrderT", bound=OrderBase)


def canon(d: Mapping[str, int], order: tuple[str, ...] = CLASS_ORDER) -> dict[str, int]:
    """Counts in canonical key order (so in-memory and reloaded states iterate alike)."""
    return {k: d[k] for k in order if k in d}


def half_up(x: float) -> int:
    """Round half away from zero for non-negative values (B5.4 ``round``)."""
    return math.floor(x + 0.5)


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
    accepted: dict[str, list[tuple[int, Command, int]]] = field(default_factory=dict)
    rejected: dict[str, list[tuple[int, Command | NotAnOrder, str, Message]]] = field(
        default_factory=dict
    )
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
    digits: int = 0

    def __post_init__(self) -> None:
        self.id_cache = self.state.scenario.state_ids
        self.digits = self.state.scenario.params.float_digits

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
        return round(x, self.digits)

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

    def emit(self, kind: str, audience: Sequence[str] | None, what: Message, /, **data: JSON) -> None:
        aud = None if audience is None else tuple(sorted(set(audience), key=self.ids.index))
        event = Event(kind=kind, audience=aud, msg=what, data=dict(data))
        self.events.append(event)
        if aud is None:
            self.public_actions.append({"kind": kind, "text": event.text})

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
        self.n[sid] = replace(self.n[sid], **changes)

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

    def accepted_of(self, kind: type[OrderT]) -> list[tuple[str, OrderT, int]]:
        """Accepted orders of a type, in canonical order (states in scenario order)."""
        out: list[tuple[str, OrderT, int]] = []
        for sid in self.ids:
            for _, o, cost in self.accepted.get(sid, []):
                if isinstance(o, kind):
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

    def data_exchange_pairs(self) -> set[tuple[str, str]]:
        """Every ordered pair (i, j) for which :meth:`data_exchange` holds, in one pass: for a
        phase that asks it of every pair while treaties and agreements stay as they are."""
        de_treaties = [
            t for t in self.treaties.values() if in_force(t) and t_bool(t, "data_exchange", False)
        ]
        ids = self.ids
        out: set[tuple[str, str]] = set()
        # has_agreement(kind, i, j) looks for (a, b) = sorted((i, j)) among the agreements
        # (stored with a < b): both orders of such a pair of states.
        for g in self.agreements:
            if g.kind == "DATA_EXCHANGE" and g.a < g.b and g.a in ids and g.b in ids:
                out.add((g.a, g.b))
                out.add((g.b, g.a))
        # A treaty binds every ordered pair of its current parties (a set: only membership is
        # asked of it, and the same pairs whatever the order they are found in).
        for t in de_treaties:
            members = [x for x in ids if is_party(t, x)]
            for i in members:
                for j in members:
                    if i != j:
                        out.add((i, j))
        return out

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
