"""Orders (B3): from a raw JSON object to a typed, checked command.

==========  ==========================================================================
module      what it holds
==========  ==========================================================================
specs       form metadata of each order type (labels, fields, ranges), type ranks
types       one frozen dataclass per order type; the ``Command`` union
parse       ``parse_order``: raw JSON -> ``Command`` or ``MalformedOrder``; the JSON codec
checks      one checker per order type; ``check_order`` -> cost or ``RuleViolation``
rules       costs, the running budget/inventory, consent and treaty facts
==========  ==========================================================================

A raw order is a JSON object such as ``{"type": "BUILD", "class": "MRBM", "qty": 2}``.
``parse_order`` turns it into ``Build(cls="MRBM", qty=2, covert=False)``; ``check_order`` applies
the B3 validation table against the start-of-turn state plus a running budget/inventory.
"""

from __future__ import annotations

from typing import TypeAlias

from game_engine.errors import MalformedOrder, OrderError, RuleViolation
from game_engine.orders.checks import check_order
from game_engine.orders.parse import order_from_json, order_to_json, parse_order
from game_engine.orders.rules import (
    Running,
    active_consent,
    ceil_int,
    has_agreement,
    in_force,
    is_party,
    order_cost,
)
from game_engine.orders.specs import (
    ACCEPT_WHAT,
    AGREE_KIND,
    ORDER_SPECS,
    RESEARCH_TECHS,
    SPEC_BY_TYPE,
    TYPE_RANK,
    OrderSpec,
    ParamSpec,
)
from game_engine.orders.types import (
    ORDER_CLASSES,
    ORDER_TYPES,
    Accept,
    AcceptImport,
    Agree,
    AgreeDataExchange,
    AgreeHotline,
    AgreeNotification,
    Build,
    BuildRadar,
    BuyInterceptors,
    ChallengeInspection,
    Command,
    ConsentHosting,
    Counts,
    Declare,
    DeclareLimits,
    Deploy,
    EconomicPressure,
    Export,
    Inspect,
    InvestNtm,
    Invite,
    InviteObservers,
    JointExercise,
    MissileTest,
    NotAnOrder,
    OrderBase,
    ParamValue,
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
    canonical_positions,
    is_command,
)

Order: TypeAlias = Command
"""The shell's name for a well-formed order (any member of :data:`Command`)."""

__all__ = [
    "ACCEPT_WHAT",
    "AGREE_KIND",
    "ORDER_CLASSES",
    "ORDER_SPECS",
    "ORDER_TYPES",
    "RESEARCH_TECHS",
    "SPEC_BY_TYPE",
    "TYPE_RANK",
    "Accept",
    "AcceptImport",
    "Agree",
    "AgreeDataExchange",
    "AgreeHotline",
    "AgreeNotification",
    "Build",
    "BuildRadar",
    "BuyInterceptors",
    "ChallengeInspection",
    "Command",
    "ConsentHosting",
    "Counts",
    "Declare",
    "DeclareLimits",
    "Deploy",
    "EconomicPressure",
    "Export",
    "Inspect",
    "InvestNtm",
    "Invite",
    "InviteObservers",
    "JointExercise",
    "MalformedOrder",
    "MissileTest",
    "NotAnOrder",
    "Order",
    "OrderBase",
    "OrderError",
    "OrderSpec",
    "ParamSpec",
    "ParamValue",
    "Payment",
    "PublishEvidence",
    "Reduce",
    "Research",
    "RevokeConsent",
    "RuleViolation",
    "Running",
    "SetChallengePolicy",
    "SetConcealment",
    "SetRadarMode",
    "SetSensorSharing",
    "ShareEvidence",
    "Sign",
    "Withdraw",
    "WithdrawDeployment",
    "active_consent",
    "canonical_positions",
    "ceil_int",
    "check_order",
    "has_agreement",
    "in_force",
    "is_command",
    "is_party",
    "order_cost",
    "order_from_json",
    "order_to_json",
    "parse_order",
]
