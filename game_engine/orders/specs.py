"""What the order form needs to know about each order type (B3): labels, help, the fields
with their kinds and ranges, the canonical rank of each type, and the agreement kinds.

The parser (:mod:`game_engine.orders.parse`) checks raw orders against these specs, so a
field's range is stated once, here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from game_engine.params import CLASS_ORDER

ParamValue: TypeAlias = int | bool | str | tuple[tuple[str, int], ...]

RESEARCH_TECHS: tuple[str, ...] = (*CLASS_ORDER, "cm", "discrimination", "program")
ACCEPT_WHAT: tuple[str, ...] = ("JOINT_EXERCISE", "INVITE_OBSERVERS")


@dataclass(frozen=True, slots=True)
class ParamSpec:
    """One field of an order form."""

    name: str
    kind: (
        str  # int | bool | missile_class | interceptor_type | state | site | treaty | text | counts
    )
    label: str
    required: bool = True
    min: int | None = None
    max: int | None = None
    choices: tuple[str, ...] = ()
    help: str = ""


@dataclass(frozen=True, slots=True)
class OrderSpec:
    """Metadata for one order type (what the web form needs)."""

    type: str
    label: str
    group: str
    help: str
    params: tuple[ParamSpec, ...]


def _cls(required: bool = True) -> ParamSpec:
    return ParamSpec("class", "missile_class", "Missile class", required)


def _qty(lo: int = 1, hi: int = 500, label: str = "Quantity") -> ParamSpec:
    return ParamSpec("qty", "int", label, True, lo, hi)


def _state(name: str, label: str) -> ParamSpec:
    return ParamSpec(name, "state", label)


def _site(required: bool = True) -> ParamSpec:
    return ParamSpec("site", "site", "Site", required)


_COVERT = ParamSpec("covert", "bool", "Covert (hidden, costs 25% more if building)", False)

ORDER_SPECS: tuple[OrderSpec, ...] = (
    OrderSpec(
        "BUILD",
        "Build missiles",
        "Offense",
        "Build missiles of a class you have the technology for. Cost: unit cost x quantity "
        "(x1.25 if covert). Covert builds stay off the public ledger.",
        (_cls(), _qty(), _COVERT),
    ),
    OrderSpec(
        "REDUCE",
        "Eliminate missiles",
        "Offense",
        "Eliminate missiles (0.5 points each). 'Verified' needs an accepted observer "
        "invitation the same turn and builds trust.",
        (_cls(), _qty(), ParamSpec("verified", "bool", "Verified by observers", False)),
    ),
    OrderSpec(
        "TEST",
        "Test a missile",
        "Offense",
        "Flight test (1 point, max 3 per turn): improves countermeasures or completes a "
        "research step. Unnotified tests alarm neighbours.",
        (_cls(), ParamSpec("notify", "bool", "Notify in advance", False)),
    ),
    OrderSpec(
        "EXPORT",
        "Export missiles or technology",
        "Offense",
        "Transfer missiles or production technology. Needs a matching ACCEPT_IMPORT from "
        "the recipient the same turn.",
        (
            _state("to", "Recipient"),
            _cls(),
            _qty(0, 500),
            ParamSpec("tech", "bool", "Export production technology", False),
            _COVERT,
        ),
    ),
    OrderSpec(
        "ACCEPT_IMPORT",
        "Accept an import",
        "Offense",
        "Accept a matching EXPORT (same class, quantity and technology flag).",
        (
            _state("from", "Supplier"),
            _cls(),
            _qty(0, 500),
            ParamSpec("tech", "bool", "Production technology", False),
        ),
    ),
    OrderSpec(
        "BUY_INTERCEPTORS",
        "Buy interceptors",
        "Defense",
        "Buy interceptors into storage (TERMINAL 3, MIDCOURSE 8 points each).",
        (ParamSpec("itype", "interceptor_type", "Interceptor type"), _qty()),
    ),
    OrderSpec(
        "DEPLOY",
        "Deploy interceptors",
        "Defense",
        "Move interceptors from storage to a site (1 point each). Sites abroad need the "
        "host's consent.",
        (_site(), ParamSpec("itype", "interceptor_type", "Interceptor type"), _qty()),
    ),
    OrderSpec(
        "WITHDRAW_DEPLOYMENT",
        "Withdraw interceptors",
        "Defense",
        "Move interceptors from one of your sites back to storage (free).",
        (_site(), ParamSpec("itype", "interceptor_type", "Interceptor type"), _qty()),
    ),
    OrderSpec(
        "BUILD_RADAR",
        "Upgrade a radar",
        "Defense",
        "Raise a site's radar quality by 0.25 per level (10 points per level).",
        (_site(), ParamSpec("levels", "int", "Levels", True, 1, 4)),
    ),
    OrderSpec(
        "SET_RADAR_MODE",
        "Set radar mode",
        "Defense",
        "terminal (defensive, reassuring) or forward (sees the rival's launch area).",
        (_site(), ParamSpec("mode", "text", "Mode", True, choices=("terminal", "forward"))),
    ),
    OrderSpec(
        "SET_SENSOR_SHARING",
        "Set sensor sharing",
        "Defense",
        "Share a forward radar's tracks with allies' defenses.",
        (_site(), ParamSpec("sharing", "bool", "Share sensor data", False)),
    ),
    OrderSpec(
        "CONSENT_HOSTING",
        "Consent to host a site",
        "Sovereignty",
        "As host, allow another state's defense site on your territory, with caps and "
        "compensation. Needs domestic support of at least 40.",
        (
            _state("owner", "Owner of the site"),
            _site(),
            ParamSpec("max_interceptors", "int", "Maximum interceptors", True, 0, 10000),
            ParamSpec("max_radar_level", "int", "Maximum radar level (0-4)", False, 0, 4),
            ParamSpec("forward_allowed", "bool", "Forward radar mode allowed", False),
            ParamSpec("sensor_sharing_allowed", "bool", "Sensor sharing allowed", False),
            ParamSpec("compensation", "int", "Compensation per turn", False, 0, 1000),
            ParamSpec("notice_turns", "int", "Revocation notice (turns)", False, 0, 5),
        ),
    ),
    OrderSpec(
        "REVOKE_CONSENT",
        "Revoke hosting consent",
        "Sovereignty",
        "As host, end a consent after its notice period; the site then goes inert.",
        (_state("owner", "Owner of the site"), _site()),
    ),
    OrderSpec(
        "PAYMENT",
        "Pay another state",
        "Sovereignty",
        "Transfer budget points to another state.",
        (
            _state("to", "Recipient"),
            ParamSpec("amount", "int", "Amount", True, 1, 100000),
            ParamSpec("memo", "text", "Memo", False),
        ),
    ),
    OrderSpec(
        "DECLARE",
        "Declare missile counts",
        "Transparency",
        "Publish your missile counts per class (they may be false; misdeclaration under a "
        "data-exchange treaty is a violation).",
        (ParamSpec("counts", "counts", "Declared counts per class"),),
    ),
    OrderSpec(
        "AGREE_HOTLINE",
        "Agree a hotline",
        "Transparency",
        "Needs the same order from the other state this turn (1 point).",
        (_state("with", "With"),),
    ),
    OrderSpec(
        "AGREE_NOTIFICATION",
        "Agree launch notification",
        "Transparency",
        "Both sides must notify missile tests; needs the mirror order (1 point).",
        (_state("with", "With"),),
    ),
    OrderSpec(
        "AGREE_DATA_EXCHANGE",
        "Agree data exchange",
        "Transparency",
        "Regular exchange of force data; needs the mirror order (1 point).",
        (_state("with", "With"),),
    ),
    OrderSpec(
        "DECLARE_LIMITS",
        "Declare operational limits",
        "Transparency",
        "A public pledge on a site: interceptor ceiling, terminal-only radar, no sensor "
        "sharing. Owner or host may declare.",
        (
            _site(),
            ParamSpec("max_interceptors", "int", "Interceptor ceiling", False, 0, 10000),
            ParamSpec("terminal_only", "bool", "Radar in terminal mode only", False),
            ParamSpec("no_sensor_sharing", "bool", "No sensor sharing", False),
            ParamSpec("note", "text", "Note", False),
        ),
    ),
    OrderSpec(
        "JOINT_EXERCISE",
        "Propose a joint exercise",
        "Transparency",
        "A confidence-building exercise (2 points); the partner must ACCEPT this turn.",
        (_state("with", "With"), _site(False)),
    ),
    OrderSpec(
        "INVITE_OBSERVERS",
        "Invite observers",
        "Transparency",
        "Let the other state observe a site or an elimination (2 points); it must ACCEPT.",
        (_state("with", "Observer"), _site(False)),
    ),
    OrderSpec(
        "ACCEPT",
        "Accept an invitation",
        "Transparency",
        "Accept a joint exercise or observer invitation from another state.",
        (
            _state("with", "Inviting state"),
            ParamSpec("what", "text", "Invitation", True, choices=ACCEPT_WHAT),
        ),
    ),
    OrderSpec(
        "SET_CHALLENGE_POLICY",
        "Challenge-inspection policy",
        "Transparency",
        "Your standing answer to challenge inspections (refusing is a public incident).",
        (ParamSpec("allow", "bool", "Allow challenge inspections", False),),
    ),
    OrderSpec(
        "INSPECT",
        "Inspect (treaty visits)",
        "Verification",
        "Routine on-site visits under a treaty with an inspection quota (1 point per visit).",
        (
            _state("target", "Inspected state"),
            ParamSpec("treaty", "treaty", "Treaty"),
            ParamSpec("visits", "int", "Visits", True, 1, 20),
        ),
    ),
    OrderSpec(
        "CHALLENGE_INSPECTION",
        "Challenge inspection",
        "Verification",
        "Demand access to a suspect facility (2 points). The target may refuse, publicly.",
        (
            _state("target", "Inspected state"),
            ParamSpec("treaty", "treaty", "Treaty"),
            _site(False),
        ),
    ),
    OrderSpec(
        "INVEST_NTM",
        "Invest in intelligence (NTM)",
        "Verification",
        "5 points per +0.1 of national technical means (max 1.0).",
        (ParamSpec("points", "int", "Points (multiple of 5)", True, 5, 50),),
    ),
    OrderSpec(
        "SET_CONCEALMENT",
        "Set concealment",
        "Verification",
        "Concealment level in tenths (0-9). Levels above your starting level cost 5 "
        "points per tenth every turn.",
        (ParamSpec("level", "int", "Level (tenths)", True, 0, 9),),
    ),
    OrderSpec(
        "PUBLISH_EVIDENCE",
        "Publish evidence",
        "Verification",
        "Make one of your evidence items public: an accusation everyone sees.",
        (ParamSpec("evidence", "text", "Evidence id"),),
    ),
    OrderSpec(
        "SHARE_EVIDENCE",
        "Share evidence",
        "Verification",
        "Give a copy of one evidence item to another state privately.",
        (ParamSpec("evidence", "text", "Evidence id"), _state("to", "Recipient")),
    ),
    OrderSpec(
        "SIGN",
        "Sign a treaty",
        "Treaties",
        "Sign a tabled draft (by its terms hash). It enters into force when every party "
        "signs the identical text in the same turn. Needs domestic support of 35.",
        (ParamSpec("terms_hash", "text", "Terms hash"),),
    ),
    OrderSpec(
        "WITHDRAW",
        "Withdraw from a treaty",
        "Treaties",
        "Leave after the notice period; 'immediate' is an abrupt withdrawal (a violation).",
        (
            ParamSpec("treaty", "treaty", "Treaty"),
            ParamSpec("immediate", "bool", "Immediately (abrupt)", False),
        ),
    ),
    OrderSpec(
        "ECONOMIC_PRESSURE",
        "Economic pressure",
        "Economic",
        "The target loses 'amount' points; you lose 30% of it (scenario option).",
        (_state("target", "Target"), ParamSpec("amount", "int", "Amount", True, 1, 1000)),
    ),
    OrderSpec(
        "RESEARCH",
        "Research",
        "Economic",
        "Start a missile class programme (then test it), improve countermeasures (cm), "
        "radar discrimination, or a nuclear programme step.",
        (ParamSpec("tech", "text", "Technology", True, choices=RESEARCH_TECHS),),
    ),
)

SPEC_BY_TYPE: dict[str, OrderSpec] = {s.type: s for s in ORDER_SPECS}

# B3 TYPE_RANK: diplomacy < economy < force < tests < transparency < verification < evidence.
TYPE_RANK: dict[str, int] = {
    t: n
    for n, t in enumerate(
        (
            "SIGN",
            "WITHDRAW",
            "CONSENT_HOSTING",
            "REVOKE_CONSENT",
            "AGREE_HOTLINE",
            "AGREE_NOTIFICATION",
            "AGREE_DATA_EXCHANGE",
            "PAYMENT",
            "ECONOMIC_PRESSURE",
            "RESEARCH",
            "INVEST_NTM",
            "SET_CONCEALMENT",
            "REDUCE",
            "BUILD",
            "BUY_INTERCEPTORS",
            "EXPORT",
            "ACCEPT_IMPORT",
            "WITHDRAW_DEPLOYMENT",
            "DEPLOY",
            "BUILD_RADAR",
            "SET_RADAR_MODE",
            "SET_SENSOR_SHARING",
            "TEST",
            "DECLARE",
            "DECLARE_LIMITS",
            "JOINT_EXERCISE",
            "INVITE_OBSERVERS",
            "ACCEPT",
            "SET_CHALLENGE_POLICY",
            "INSPECT",
            "CHALLENGE_INSPECTION",
            "PUBLISH_EVIDENCE",
            "SHARE_EVIDENCE",
        )
    )
}
AGREE_KIND: dict[str, str] = {
    "AGREE_HOTLINE": "HOTLINE",
    "AGREE_NOTIFICATION": "NOTIFICATION",
    "AGREE_DATA_EXCHANGE": "DATA_EXCHANGE",
}
