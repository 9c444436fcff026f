"""What the checkers and the pipeline share about orders: costs (B3 cost column), the running
budget and inventory of one state while its orders are walked, and small treaty/consent facts."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import assert_never

from game_engine.orders.types import (
    Accept,
    AcceptImport,
    AgreeDataExchange,
    AgreeHotline,
    AgreeNotification,
    Build,
    BuildRadar,
    BuyInterceptors,
    ChallengeInspection,
    Command,
    ConsentHosting,
    Declare,
    DeclareLimits,
    Deploy,
    EconomicPressure,
    Export,
    Inspect,
    InvestNtm,
    InviteObservers,
    JointExercise,
    MissileTest,
    Payment,
    PublishEvidence,
    Reduce,
    Research,
    RevokeConsent,
    SetChallengePolicy,
    SetConcealment,
    SetRadarMode,
    SetSensorSharing,
    ShareEvidence,
    Sign,
    Withdraw,
    WithdrawDeployment,
)
from game_engine.state import Consent, GameState, Treaty


def ceil_int(x: float) -> int:
    """Integer cost rounded up (costs in points are integers, B1)."""
    return math.ceil(x - 1e-9)


def active_consent(state: GameState, site_id: str, owner: str | None = None) -> Consent | None:
    """The consent currently in force for a site (optionally for a given owner)."""
    for c in state.consents:
        if c.site != site_id or (owner is not None and c.owner != owner):
            continue
        if c.revoke_effective is None or c.revoke_effective > state.turn:
            return c
    return None


def is_party(t: Treaty, sid: str) -> bool:
    """``sid`` is a current party (listed and not withdrawn)."""
    return sid in t.parties and sid not in t.withdrawn


def in_force(t: Treaty) -> bool:
    """Treaty is in force (possibly with a withdrawal notice running)."""
    return t.status == "in_force"


def has_agreement(state: GameState, kind: str, x: str, y: str) -> bool:
    """A pairwise agreement of ``kind`` exists between x and y."""
    a, b = sorted((x, y))
    return any(g.kind == kind and g.a == a and g.b == b for g in state.agreements)


def order_cost(state: GameState, actor: str, o: Command) -> int:
    """Points the order costs if accepted (B3 cost column)."""
    p = state.scenario.params
    match o:
        case Build():
            cls = next(c for c in state.scenario.classes if c.name == o.cls)
            base = cls.cost * o.qty
            return ceil_int(base * p.covert_cost_mult) if o.covert else base
        case Reduce():
            return ceil_int(p.reduce_cost_per_unit * o.qty)
        case MissileTest():
            return p.test_cost
        case BuyInterceptors():
            it = next(i for i in state.scenario.interceptors if i.name == o.itype)
            return it.cost * o.qty
        case Deploy():
            return p.deploy_cost_per_unit * o.qty
        case BuildRadar():
            return p.radar_cost_per_level * o.levels
        case Payment():
            return o.amount
        case AgreeHotline() | AgreeNotification() | AgreeDataExchange():
            return p.agree_cost
        case JointExercise() | InviteObservers():
            return p.cbm_cost
        case Inspect():
            return p.inspect_cost_per_visit * o.visits
        case ChallengeInspection():
            return p.challenge_cost
        case InvestNtm():
            return o.points
        case SetConcealment():
            base = round(state.nations[actor].conceal_base * 10)
            return p.conceal_upkeep_per_tenth * max(0, o.level - base)
        case EconomicPressure():
            return ceil_int(p.pressure_cost_share * o.amount)
        case Research():
            if o.tech == "cm":
                return p.research_cost_cm
            if o.tech == "discrimination":
                return p.research_cost_discrimination
            if o.tech == "program":
                return p.research_cost_program
            return p.research_cost_class
        case (
            Export()
            | AcceptImport()
            | WithdrawDeployment()
            | SetRadarMode()
            | SetSensorSharing()
            | ConsentHosting()
            | RevokeConsent()
            | Declare()
            | DeclareLimits()
            | Accept()
            | SetChallengePolicy()
            | PublishEvidence()
            | ShareEvidence()
            | Sign()
            | Withdraw()
        ):
            return 0
        case _:
            assert_never(o)


@dataclass(slots=True)
class Running:
    """Running budget and inventories of one state while its orders are walked (B3 step 4)."""

    budget: int
    missiles: dict[str, int]
    store: dict[str, int]
    deployed: dict[str, dict[str, int]]
    built: dict[str, int] = field(default_factory=dict)
    tests: int = 0
    ntm: float = 0.0
    visits: dict[tuple[str, str], int] = field(default_factory=dict)
    published: set[str] = field(default_factory=set)
    radar: dict[str, float] = field(default_factory=dict)

    @classmethod
    def start(cls, state: GameState, actor: str) -> Running:
        """Start-of-turn values of ``actor``."""
        n = state.nations[actor]
        return cls(
            budget=n.budget,
            missiles=dict(n.missiles),
            store=dict(n.store),
            deployed={s.id: dict(s.interceptors) for s in state.sites},
            ntm=n.ntm,
            radar={s.id: s.radar_q for s in state.sites},
        )
