"""Orders as types: one frozen dataclass per order type and the :data:`Command` union (B3).

Every field is typed and always present (the parser fills the form's defaults), so rules read
``order.qty``, never a lookup that falls back to 0. A field whose JSON name is a Python keyword
keeps it in its metadata (``cls`` is ``"class"``, ``supplier`` is ``"from"``, ``partner`` is
``"with"``). :meth:`OrderBase.params` gives the JSON field names and values sorted by name,
which is both the stored form (:func:`game_engine.orders.order_to_json`) and the order's
identity for sorting (B3 step 2), so stored games replay byte-identical.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import ClassVar, Literal, TypeAlias, TypeGuard

from game_engine.orders.specs import TYPE_RANK

Counts: TypeAlias = tuple[tuple[str, int], ...]
ParamValue: TypeAlias = int | bool | str | Counts
RadarMode: TypeAlias = Literal["terminal", "forward"]
Invitation: TypeAlias = Literal["JOINT_EXERCISE", "INVITE_OBSERVERS"]


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderBase:
    """What every order has besides its fields: a priority (lower first) and a client id."""

    TYPE: ClassVar[str] = ""
    priority: int = 0
    order_id: str = ""

    @property
    def type(self) -> str:
        """The order type as stored and shown (``"BUILD"``)."""
        return self.TYPE

    def params(self) -> tuple[tuple[str, ParamValue], ...]:
        """``(json name, value)`` of the order's fields, sorted by JSON name."""
        return tuple(sorted((key, getattr(self, attr)) for attr, key in json_names(type(self))))

    def content_key(self) -> str:
        """Canonical JSON of type and params: the order's identity for sorting (B3 step 2)."""
        return json.dumps(
            [
                self.TYPE,
                [[k, list(map(list, v)) if isinstance(v, tuple) else v] for k, v in self.params()],
            ],
            sort_keys=True,
            separators=(",", ":"),
        )

    def sort_key(self) -> tuple[int, int, str]:
        """Canonical order within one state: (priority, TYPE_RANK, content)."""
        return (self.priority, TYPE_RANK.get(self.TYPE, 99), self.content_key())


def canonical_positions(orders: Sequence[OrderBase]) -> list[int]:
    """Positions of ``orders`` in canonical order: sorted by ``(o.sort_key(), position)``.

    The content key (canonical JSON, the dear part of ``sort_key``) is computed only for orders
    that share their priority and type rank with another: for an order alone in its (priority,
    rank) group it cannot change its place, so an empty key stands in for it."""
    heads = [(o.priority, TYPE_RANK.get(o.TYPE, 99)) for o in orders]
    if len(heads) < 2:
        return list(range(len(heads)))
    seen: set[tuple[int, int]] = set()
    tied: set[tuple[int, int]] = set()
    for h in heads:
        if h in seen:
            tied.add(h)
        seen.add(h)
    keys = [(h, orders[i].content_key() if h in tied else "", i) for i, h in enumerate(heads)]
    return sorted(range(len(keys)), key=keys.__getitem__)


_JSON_NAMES: dict[str, tuple[tuple[str, str], ...]] = {}


def json_names(cls: type[OrderBase]) -> tuple[tuple[str, str], ...]:
    """``(attribute, JSON name)`` of an order class's own fields."""
    names = _JSON_NAMES.get(cls.TYPE)
    if names is None:
        names = _JSON_NAMES[cls.TYPE] = tuple(
            (f.name, str(f.metadata.get("json", f.name)))
            for f in fields(cls)
            if f.name not in ("priority", "order_id")
        )
    return names


@dataclass(frozen=True, slots=True, kw_only=True)
class Build(OrderBase):
    """Build missiles."""

    TYPE: ClassVar[str] = "BUILD"
    cls: str = field(metadata={"json": "class"})
    qty: int
    covert: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Reduce(OrderBase):
    """Eliminate missiles."""

    TYPE: ClassVar[str] = "REDUCE"
    cls: str = field(metadata={"json": "class"})
    qty: int
    verified: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class MissileTest(OrderBase):
    """Test a missile."""

    TYPE: ClassVar[str] = "TEST"
    cls: str = field(metadata={"json": "class"})
    notify: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Export(OrderBase):
    """Export missiles or technology."""

    TYPE: ClassVar[str] = "EXPORT"
    to: str
    cls: str = field(metadata={"json": "class"})
    qty: int
    tech: bool = False
    covert: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class AcceptImport(OrderBase):
    """Accept an import."""

    TYPE: ClassVar[str] = "ACCEPT_IMPORT"
    supplier: str = field(metadata={"json": "from"})
    cls: str = field(metadata={"json": "class"})
    qty: int
    tech: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class BuyInterceptors(OrderBase):
    """Buy interceptors."""

    TYPE: ClassVar[str] = "BUY_INTERCEPTORS"
    itype: str
    qty: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Deploy(OrderBase):
    """Deploy interceptors."""

    TYPE: ClassVar[str] = "DEPLOY"
    site: str
    itype: str
    qty: int


@dataclass(frozen=True, slots=True, kw_only=True)
class WithdrawDeployment(OrderBase):
    """Withdraw interceptors."""

    TYPE: ClassVar[str] = "WITHDRAW_DEPLOYMENT"
    site: str
    itype: str
    qty: int


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildRadar(OrderBase):
    """Upgrade a radar."""

    TYPE: ClassVar[str] = "BUILD_RADAR"
    site: str
    levels: int


@dataclass(frozen=True, slots=True, kw_only=True)
class SetRadarMode(OrderBase):
    """Set radar mode."""

    TYPE: ClassVar[str] = "SET_RADAR_MODE"
    site: str
    mode: RadarMode


@dataclass(frozen=True, slots=True, kw_only=True)
class SetSensorSharing(OrderBase):
    """Set sensor sharing."""

    TYPE: ClassVar[str] = "SET_SENSOR_SHARING"
    site: str
    sharing: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class ConsentHosting(OrderBase):
    """Consent to host a site."""

    TYPE: ClassVar[str] = "CONSENT_HOSTING"
    owner: str
    site: str
    max_interceptors: int
    max_radar_level: int = 0
    forward_allowed: bool = False
    sensor_sharing_allowed: bool = False
    compensation: int = 0
    notice_turns: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class RevokeConsent(OrderBase):
    """Revoke hosting consent."""

    TYPE: ClassVar[str] = "REVOKE_CONSENT"
    owner: str
    site: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Payment(OrderBase):
    """Pay another state."""

    TYPE: ClassVar[str] = "PAYMENT"
    to: str
    amount: int
    memo: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Declare(OrderBase):
    """Declare missile counts."""

    TYPE: ClassVar[str] = "DECLARE"
    counts: Counts


@dataclass(frozen=True, slots=True, kw_only=True)
class AgreeHotline(OrderBase):
    """Agree a hotline."""

    TYPE: ClassVar[str] = "AGREE_HOTLINE"
    partner: str = field(metadata={"json": "with"})


@dataclass(frozen=True, slots=True, kw_only=True)
class AgreeNotification(OrderBase):
    """Agree launch notification."""

    TYPE: ClassVar[str] = "AGREE_NOTIFICATION"
    partner: str = field(metadata={"json": "with"})


@dataclass(frozen=True, slots=True, kw_only=True)
class AgreeDataExchange(OrderBase):
    """Agree data exchange."""

    TYPE: ClassVar[str] = "AGREE_DATA_EXCHANGE"
    partner: str = field(metadata={"json": "with"})


@dataclass(frozen=True, slots=True, kw_only=True)
class DeclareLimits(OrderBase):
    """Declare operational limits."""

    TYPE: ClassVar[str] = "DECLARE_LIMITS"
    site: str
    max_interceptors: int = 0
    terminal_only: bool = False
    no_sensor_sharing: bool = False
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class JointExercise(OrderBase):
    """Propose a joint exercise."""

    TYPE: ClassVar[str] = "JOINT_EXERCISE"
    partner: str = field(metadata={"json": "with"})
    site: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class InviteObservers(OrderBase):
    """Invite observers."""

    TYPE: ClassVar[str] = "INVITE_OBSERVERS"
    partner: str = field(metadata={"json": "with"})
    site: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Accept(OrderBase):
    """Accept an invitation."""

    TYPE: ClassVar[str] = "ACCEPT"
    partner: str = field(metadata={"json": "with"})
    what: Invitation


@dataclass(frozen=True, slots=True, kw_only=True)
class SetChallengePolicy(OrderBase):
    """Challenge-inspection policy."""

    TYPE: ClassVar[str] = "SET_CHALLENGE_POLICY"
    allow: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Inspect(OrderBase):
    """Inspect (treaty visits)."""

    TYPE: ClassVar[str] = "INSPECT"
    target: str
    treaty: str
    visits: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ChallengeInspection(OrderBase):
    """Challenge inspection."""

    TYPE: ClassVar[str] = "CHALLENGE_INSPECTION"
    target: str
    treaty: str
    site: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class InvestNtm(OrderBase):
    """Invest in intelligence (NTM)."""

    TYPE: ClassVar[str] = "INVEST_NTM"
    points: int


@dataclass(frozen=True, slots=True, kw_only=True)
class SetConcealment(OrderBase):
    """Set concealment."""

    TYPE: ClassVar[str] = "SET_CONCEALMENT"
    level: int


@dataclass(frozen=True, slots=True, kw_only=True)
class PublishEvidence(OrderBase):
    """Publish evidence."""

    TYPE: ClassVar[str] = "PUBLISH_EVIDENCE"
    evidence: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ShareEvidence(OrderBase):
    """Share evidence."""

    TYPE: ClassVar[str] = "SHARE_EVIDENCE"
    evidence: str
    to: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Sign(OrderBase):
    """Sign a treaty."""

    TYPE: ClassVar[str] = "SIGN"
    terms_hash: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Withdraw(OrderBase):
    """Withdraw from a treaty."""

    TYPE: ClassVar[str] = "WITHDRAW"
    treaty: str
    immediate: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class EconomicPressure(OrderBase):
    """Economic pressure."""

    TYPE: ClassVar[str] = "ECONOMIC_PRESSURE"
    target: str
    amount: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Research(OrderBase):
    """Research."""

    TYPE: ClassVar[str] = "RESEARCH"
    tech: str


@dataclass(frozen=True, slots=True, kw_only=True)
class NotAnOrder(OrderBase):
    """Stands for an item of an order list that was not an order at all (it is rejected)."""

    TYPE: ClassVar[str] = "?"


Command: TypeAlias = (
    Build
    | Reduce
    | MissileTest
    | Export
    | AcceptImport
    | BuyInterceptors
    | Deploy
    | WithdrawDeployment
    | BuildRadar
    | SetRadarMode
    | SetSensorSharing
    | ConsentHosting
    | RevokeConsent
    | Payment
    | Declare
    | AgreeHotline
    | AgreeNotification
    | AgreeDataExchange
    | DeclareLimits
    | JointExercise
    | InviteObservers
    | Accept
    | SetChallengePolicy
    | Inspect
    | ChallengeInspection
    | InvestNtm
    | SetConcealment
    | PublishEvidence
    | ShareEvidence
    | Sign
    | Withdraw
    | EconomicPressure
    | Research
)
"""Any well-formed order."""

Agree: TypeAlias = AgreeHotline | AgreeNotification | AgreeDataExchange
Invite: TypeAlias = JointExercise | InviteObservers

ORDER_CLASSES: dict[str, type[Command]] = {
    c.TYPE: c
    for c in (
        Build,
        Reduce,
        MissileTest,
        Export,
        AcceptImport,
        BuyInterceptors,
        Deploy,
        WithdrawDeployment,
        BuildRadar,
        SetRadarMode,
        SetSensorSharing,
        ConsentHosting,
        RevokeConsent,
        Payment,
        Declare,
        AgreeHotline,
        AgreeNotification,
        AgreeDataExchange,
        DeclareLimits,
        JointExercise,
        InviteObservers,
        Accept,
        SetChallengePolicy,
        Inspect,
        ChallengeInspection,
        InvestNtm,
        SetConcealment,
        PublishEvidence,
        ShareEvidence,
        Sign,
        Withdraw,
        EconomicPressure,
        Research,
    )
}
ORDER_TYPES: tuple[type[Command], ...] = tuple(ORDER_CLASSES.values())
"""Every order class, for ``isinstance`` checks."""


def is_command(x: object) -> TypeGuard[Command]:
    """Whether ``x`` is a well-formed order object (of one of the :data:`Command` classes)."""
    return isinstance(x, ORDER_TYPES)
