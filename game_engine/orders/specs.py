"""What the order form needs to know about each order type (B3): labels, help, the fields
with their kinds and ranges, the canonical rank of each type, and the agreement kinds.

The parser (:mod:`game_engine.orders.parse`) checks raw orders against these specs, so a
field's range is stated once, here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from game_engine.catalogue import N_
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
    return ParamSpec("class", "missile_class", N_("Missile class"), required)


def _qty(lo: int = 1, hi: int = 500, label: str = N_("Quantity")) -> ParamSpec:
    return ParamSpec("qty", "int", label, True, lo, hi)


def _state(name: str, label: str) -> ParamSpec:
    return ParamSpec(name, "state", label)


def _site(required: bool = True) -> ParamSpec:
    return ParamSpec("site", "site", N_("Site"), required)


_COVERT = ParamSpec("covert", "bool", N_("Covert (hidden, costs 25% more if building)"), False)

ORDER_SPECS: tuple[OrderSpec, ...] = (
    OrderSpec(
        "BUILD",
        N_("Build missiles"),
        N_("Offense"),
        N_("Build missiles of a class you have the technology for. Cost: unit cost x quantity "
        "(x1.25 if covert). Covert builds stay off the public ledger."),
        (_cls(), _qty(), _COVERT),
    ),
    OrderSpec(
        "REDUCE",
        N_("Eliminate missiles"),
        N_("Offense"),
        N_("Eliminate missiles (0.5 points each). 'Verified' needs an accepted observer "
        "invitation the same turn and builds trust."),
        (_cls(), _qty(), ParamSpec("verified", "bool", N_("Verified by observers"), False)),
    ),
    OrderSpec(
        "TEST",
        N_("Test a missile"),
        N_("Offense"),
        N_("Flight test (1 point, max 3 per turn): improves countermeasures or completes a "
        "research step. Unnotified tests alarm neighbours."),
        (_cls(), ParamSpec("notify", "bool", N_("Notify in advance"), False)),
    ),
    OrderSpec(
        "EXPORT",
        N_("Export missiles or technology"),
        N_("Offense"),
        N_("Transfer missiles or production technology. Needs a matching ACCEPT_IMPORT from "
        "the recipient the same turn."),
        (
            _state("to", N_("Recipient")),
            _cls(),
            _qty(0, 500),
            ParamSpec("tech", "bool", N_("Export production technology"), False),
            _COVERT,
        ),
    ),
    OrderSpec(
        "ACCEPT_IMPORT",
        N_("Accept an import"),
        N_("Offense"),
        N_("Accept a matching EXPORT (same class, quantity and technology flag)."),
        (
            _state("from", N_("Supplier")),
            _cls(),
            _qty(0, 500),
            ParamSpec("tech", "bool", N_("Production technology"), False),
        ),
    ),
    OrderSpec(
        "BUY_INTERCEPTORS",
        N_("Buy interceptors"),
        N_("Defense"),
        N_("Buy interceptors into storage (TERMINAL 3, MIDCOURSE 8 points each)."),
        (ParamSpec("itype", "interceptor_type", N_("Interceptor type")), _qty()),
    ),
    OrderSpec(
        "DEPLOY",
        N_("Deploy interceptors"),
        N_("Defense"),
        N_("Move interceptors from storage to a site (1 point each). Sites abroad need the "
        "host's consent."),
        (_site(), ParamSpec("itype", "interceptor_type", N_("Interceptor type")), _qty()),
    ),
    OrderSpec(
        "WITHDRAW_DEPLOYMENT",
        N_("Withdraw interceptors"),
        N_("Defense"),
        N_("Move interceptors from one of your sites back to storage (free)."),
        (_site(), ParamSpec("itype", "interceptor_type", N_("Interceptor type")), _qty()),
    ),
    OrderSpec(
        "BUILD_RADAR",
        N_("Upgrade a radar"),
        N_("Defense"),
        N_("Raise a site's radar quality by 0.25 per level (10 points per level)."),
        (_site(), ParamSpec("levels", "int", N_("Levels"), True, 1, 4)),
    ),
    OrderSpec(
        "SET_RADAR_MODE",
        N_("Set radar mode"),
        N_("Defense"),
        N_("terminal (defensive, reassuring) or forward (sees the rival's launch area)."),
        (_site(), ParamSpec("mode", "text", N_("Mode"), True, choices=("terminal", "forward"))),
    ),
    OrderSpec(
        "SET_SENSOR_SHARING",
        N_("Set sensor sharing"),
        N_("Defense"),
        N_("Share a forward radar's tracks with allies' defenses."),
        (_site(), ParamSpec("sharing", "bool", N_("Share sensor data"), False)),
    ),
    OrderSpec(
        "CONSENT_HOSTING",
        N_("Consent to host a site"),
        N_("Sovereignty"),
        N_("As host, allow another state's defense site on your territory, with caps and "
        "compensation. Needs domestic support of at least 40."),
        (
            _state("owner", N_("Owner of the site")),
            _site(),
            ParamSpec("max_interceptors", "int", N_("Maximum interceptors"), True, 0, 10000),
            ParamSpec("max_radar_level", "int", N_("Maximum radar level (0-4)"), False, 0, 4),
            ParamSpec("forward_allowed", "bool", N_("Forward radar mode allowed"), False),
            ParamSpec("sensor_sharing_allowed", "bool", N_("Sensor sharing allowed"), False),
            ParamSpec("compensation", "int", N_("Compensation per turn"), False, 0, 1000),
            ParamSpec("notice_turns", "int", N_("Revocation notice (turns)"), False, 0, 5),
        ),
    ),
    OrderSpec(
        "REVOKE_CONSENT",
        N_("Revoke hosting consent"),
        N_("Sovereignty"),
        N_("As host, end a consent after its notice period; the site then goes inert."),
        (_state("owner", N_("Owner of the site")), _site()),
    ),
    OrderSpec(
        "PAYMENT",
        N_("Pay another state"),
        N_("Sovereignty"),
        N_("Transfer budget points to another state."),
        (
            _state("to", N_("Recipient")),
            ParamSpec("amount", "int", N_("Amount"), True, 1, 100000),
            ParamSpec("memo", "text", N_("Memo"), False),
        ),
    ),
    OrderSpec(
        "DECLARE",
        N_("Declare missile counts"),
        N_("Transparency"),
        N_("Publish your missile counts per class (they may be false; misdeclaration under a "
        "data-exchange treaty is a violation)."),
        (ParamSpec("counts", "counts", N_("Declared counts per class")),),
    ),
    OrderSpec(
        "AGREE_HOTLINE",
        N_("Agree a hotline"),
        N_("Transparency"),
        N_("Needs the same order from the other state this turn (1 point)."),
        (_state("with", N_("With")),),
    ),
    OrderSpec(
        "AGREE_NOTIFICATION",
        N_("Agree launch notification"),
        N_("Transparency"),
        N_("Both sides must notify missile tests; needs the mirror order (1 point)."),
        (_state("with", N_("With")),),
    ),
    OrderSpec(
        "AGREE_DATA_EXCHANGE",
        N_("Agree data exchange"),
        N_("Transparency"),
        N_("Regular exchange of force data; needs the mirror order (1 point)."),
        (_state("with", N_("With")),),
    ),
    OrderSpec(
        "DECLARE_LIMITS",
        N_("Declare operational limits"),
        N_("Transparency"),
        N_("A public pledge on a site: interceptor ceiling, terminal-only radar, no sensor "
        "sharing. Owner or host may declare."),
        (
            _site(),
            ParamSpec("max_interceptors", "int", N_("Interceptor ceiling"), False, 0, 10000),
            ParamSpec("terminal_only", "bool", N_("Radar in terminal mode only"), False),
            ParamSpec("no_sensor_sharing", "bool", N_("No sensor sharing"), False),
            ParamSpec("note", "text", N_("Note"), False),
        ),
    ),
    OrderSpec(
        "JOINT_EXERCISE",
        N_("Propose a joint exercise"),
        N_("Transparency"),
        N_("A confidence-building exercise (2 points); the partner must ACCEPT this turn."),
        (_state("with", N_("With")), _site(False)),
    ),
    OrderSpec(
        "INVITE_OBSERVERS",
        N_("Invite observers"),
        N_("Transparency"),
        N_("Let the other state observe a site or an elimination (2 points); it must ACCEPT."),
        (_state("with", N_("Observer")), _site(False)),
    ),
    OrderSpec(
        "ACCEPT",
        N_("Accept an invitation"),
        N_("Transparency"),
        N_("Accept a joint exercise or observer invitation from another state."),
        (
            _state("with", N_("Inviting state")),
            ParamSpec("what", "text", N_("Invitation"), True, choices=ACCEPT_WHAT),
        ),
    ),
    OrderSpec(
        "SET_CHALLENGE_POLICY",
        N_("Challenge-inspection policy"),
        N_("Transparency"),
        N_("Your standing answer to challenge inspections (refusing is a public incident)."),
        (ParamSpec("allow", "bool", N_("Allow challenge inspections"), False),),
    ),
    OrderSpec(
        "INSPECT",
        N_("Inspect (treaty visits)"),
        N_("Verification"),
        N_("Routine on-site visits under a treaty with an inspection quota (1 point per visit)."),
        (
            _state("target", N_("Inspected state")),
            ParamSpec("treaty", "treaty", N_("Treaty")),
            ParamSpec("visits", "int", N_("Visits"), True, 1, 20),
        ),
    ),
    OrderSpec(
        "CHALLENGE_INSPECTION",
        N_("Challenge inspection"),
        N_("Verification"),
        N_("Demand access to a suspect facility (2 points). The target may refuse, publicly."),
        (
            _state("target", N_("Inspected state")),
            ParamSpec("treaty", "treaty", N_("Treaty")),
            _site(False),
        ),
    ),
    OrderSpec(
        "INVEST_NTM",
        N_("Invest in intelligence (NTM)"),
        N_("Verification"),
        N_("5 points per +0.1 of national technical means (max 1.0)."),
        (ParamSpec("points", "int", N_("Points (multiple of 5)"), True, 5, 50),),
    ),
    OrderSpec(
        "SET_CONCEALMENT",
        N_("Set concealment"),
        N_("Verification"),
        N_("Concealment level in tenths (0-9). Levels above your starting level cost 5 "
        "points per tenth every turn."),
        (ParamSpec("level", "int", N_("Level (tenths)"), True, 0, 9),),
    ),
    OrderSpec(
        "PUBLISH_EVIDENCE",
        N_("Publish evidence"),
        N_("Verification"),
        N_("Make one of your evidence items public: an accusation everyone sees."),
        (ParamSpec("evidence", "text", N_("Evidence id")),),
    ),
    OrderSpec(
        "SHARE_EVIDENCE",
        N_("Share evidence"),
        N_("Verification"),
        N_("Give a copy of one evidence item to another state privately."),
        (ParamSpec("evidence", "text", N_("Evidence id")), _state("to", N_("Recipient"))),
    ),
    OrderSpec(
        "SIGN",
        N_("Sign a treaty"),
        N_("Treaties"),
        N_("Sign a tabled draft, or a treaty in force again to renew it where it expires. A "
        "draft enters into force when every party signs the identical text in the same turn. "
        "Needs domestic support of 35."),
        (ParamSpec("terms_hash", "text", N_("Terms hash")),),
    ),
    OrderSpec(
        "WITHDRAW",
        N_("Withdraw from a treaty"),
        N_("Treaties"),
        N_("Leave after the notice period; 'immediate' is an abrupt withdrawal (a violation)."),
        (
            ParamSpec("treaty", "treaty", N_("Treaty")),
            ParamSpec("immediate", "bool", N_("Immediately (abrupt)"), False),
        ),
    ),
    OrderSpec(
        "ECONOMIC_PRESSURE",
        N_("Economic pressure"),
        N_("Economic"),
        N_("The target loses 'amount' points; you lose 30% of it (scenario option)."),
        (_state("target", N_("Target")), ParamSpec("amount", "int", N_("Amount"), True, 1, 1000)),
    ),
    OrderSpec(
        "RESEARCH",
        N_("Research"),
        N_("Economic"),
        N_("Start a missile class programme (then test it), improve countermeasures (cm), "
        "radar discrimination, or a nuclear programme step."),
        (ParamSpec("tech", "text", N_("Technology"), True, choices=RESEARCH_TECHS),),
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
