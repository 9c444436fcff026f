"""Orders: form metadata, parsing of raw web-form dicts, costs and validation (B3).

A raw order is a JSON object such as ``{"type": "BUILD", "class": "MRBM", "qty": 2}``.
:func:`parse_order` turns it into a typed :class:`Order` (schema check, E_BAD_PARAM);
:func:`check_order` applies the B3 validation table against the start-of-turn state plus a
running budget/inventory (:class:`Running`). Validation only reads what the submitting
state may know (its own posture and public data), so an error never leaks hidden facts.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeAlias

from game_engine.errors import RuleCode, RuleViolation
from game_engine.params import CLASS_ORDER, ITYPE_ORDER
from game_engine.state import Consent, GameState, Site, Treaty

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


@dataclass(frozen=True, slots=True, kw_only=True)
class Order:
    """A typed order. ``params`` holds the spec'd fields, sorted by name."""

    type: str
    params: tuple[tuple[str, ParamValue], ...]
    priority: int = 0
    order_id: str = ""

    def get(self, name: str) -> ParamValue | None:
        """Raw parameter value or None."""
        for k, v in self.params:
            if k == name:
                return v
        return None

    def int_(self, name: str) -> int:
        """Integer parameter (0 if absent)."""
        v = self.get(name)
        return v if isinstance(v, int) and not isinstance(v, bool) else 0

    def bool_(self, name: str) -> bool:
        """Boolean parameter (False if absent)."""
        return self.get(name) is True

    def str_(self, name: str) -> str:
        """Text/id parameter ("" if absent)."""
        v = self.get(name)
        return v if isinstance(v, str) else ""

    def counts(self, name: str = "counts") -> dict[str, int]:
        """Counts parameter as a dict."""
        v = self.get(name)
        return dict(v) if isinstance(v, tuple) else {}

    def content_key(self) -> str:
        """Canonical JSON of type and params: the order's identity for sorting (B3 step 2)."""
        return json.dumps(
            [
                self.type,
                [[k, list(map(list, v)) if isinstance(v, tuple) else v] for k, v in self.params],
            ],
            sort_keys=True,
            separators=(",", ":"),
        )

    def sort_key(self) -> tuple[int, int, str]:
        """Canonical order within one state: (priority, TYPE_RANK, content)."""
        return (self.priority, TYPE_RANK.get(self.type, 99), self.content_key())


# ------------------------------------------------------------------------------ parsing


def _coerce_int(v: object) -> int | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str):
        s = v.strip()
        if s.lstrip("+-").isdigit() and len(s) <= 12:
            return int(s)
    return None


def _coerce_bool(v: object) -> bool | None:
    if isinstance(v, bool):
        return v
    if v is None or v == "":
        return False
    if isinstance(v, int) and v in (0, 1):
        return bool(v)
    if isinstance(v, str):
        s = v.strip().lower()
        if s in ("true", "on", "yes", "1"):
            return True
        if s in ("false", "off", "no", "0"):
            return False
    return None


def _bad(msg: str) -> RuleViolation:
    return RuleViolation(RuleCode.E_BAD_PARAM, msg)


def parse_order(raw: Mapping[str, object]) -> Order:
    """Schema-check one raw order dict and coerce its values (E_BAD_PARAM / E_UNKNOWN)."""
    if not isinstance(raw, Mapping):
        raise _bad("An order must be a JSON object.")
    otype = raw.get("type")
    if not isinstance(otype, str) or not otype.strip():
        raise _bad("The order has no 'type'.")
    otype = otype.strip().upper()
    spec = SPEC_BY_TYPE.get(otype)
    if spec is None:
        raise RuleViolation(RuleCode.E_UNKNOWN, f"Unknown order type {otype!r}.")
    values: list[tuple[str, ParamValue]] = []
    for ps in spec.params:
        v = raw.get(ps.name)
        missing = v is None or (isinstance(v, str) and v.strip() == "")
        if ps.kind == "bool":
            b = _coerce_bool(v)
            if b is None:
                raise _bad(f"{ps.label}: expected yes/no, got {v!r}.")
            values.append((ps.name, b))
            continue
        if missing:
            if ps.required:
                raise _bad(f"{spec.label}: '{ps.label}' is required.")
            if ps.kind == "int":
                values.append((ps.name, 0 if ps.min is None or ps.min <= 0 else ps.min))
            elif ps.kind == "counts":
                values.append((ps.name, ()))
            else:
                values.append((ps.name, ""))
            continue
        if ps.kind == "int":
            n = _coerce_int(v)
            if n is None:
                raise _bad(f"{ps.label}: expected a whole number, got {v!r}.")
            if ps.min is not None and n < ps.min:
                if n < 0:
                    raise RuleViolation(RuleCode.E_NEGATIVE, f"{ps.label} cannot be negative.")
                raise _bad(f"{ps.label} must be at least {ps.min}.")
            if ps.max is not None and n > ps.max:
                raise _bad(f"{ps.label} must be at most {ps.max}.")
            values.append((ps.name, n))
        elif ps.kind == "counts":
            if not isinstance(v, Mapping):
                raise _bad(f"{ps.label}: expected counts per class.")
            items: list[tuple[str, int]] = []
            for k in sorted(str(x) for x in v):
                if k not in CLASS_ORDER:
                    raise RuleViolation(RuleCode.E_UNKNOWN, f"Unknown missile class {k!r}.")
                n = _coerce_int(v[k])
                if n is None:
                    raise _bad(f"{k}: expected a whole number, got {v[k]!r}.")
                if n < 0:
                    raise RuleViolation(RuleCode.E_NEGATIVE, f"Declared {k} cannot be negative.")
                if n > 1_000_000:
                    raise _bad(f"Declared {k} is implausibly large.")
                items.append((k, n))
            values.append((ps.name, tuple(items)))
        else:
            if not isinstance(v, (str, int)) or isinstance(v, bool):
                raise _bad(f"{ps.label}: expected text, got {v!r}.")
            s = str(v).strip()
            if len(s) > 500:
                raise _bad(f"{ps.label} is too long.")
            if ps.kind == "missile_class":
                s = s.upper()
                if s not in CLASS_ORDER:
                    raise RuleViolation(RuleCode.E_UNKNOWN, f"Unknown missile class {s!r}.")
            elif ps.kind == "interceptor_type":
                s = s.upper()
                if s not in ITYPE_ORDER:
                    raise RuleViolation(RuleCode.E_UNKNOWN, f"Unknown interceptor type {s!r}.")
            elif ps.choices and s not in ps.choices:
                alt = s.upper() if s.upper() in ps.choices else s.lower()
                if alt not in ps.choices:
                    raise _bad(f"{ps.label} must be one of {', '.join(ps.choices)}.")
                s = alt
            values.append((ps.name, s))
    prio = _coerce_int(raw.get("priority", 0) if raw.get("priority") not in (None, "") else 0)
    if prio is None or not -1000 <= prio <= 1000:
        raise _bad("Priority must be a whole number between -1000 and 1000.")
    oid = raw.get("order_id", "")
    if not isinstance(oid, (str, int)) or isinstance(oid, bool):
        raise _bad("order_id must be text.")
    return Order(type=otype, params=tuple(sorted(values)), priority=prio, order_id=str(oid)[:80])


# ------------------------------------------------------------------------------ helpers


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


def _site_deployed(site: Site) -> int:
    return sum(site.interceptors.values())


def order_cost(state: GameState, actor: str, o: Order) -> int:
    """Points the order costs if accepted (B3 cost column)."""
    p = state.scenario.params
    t = o.type
    if t == "BUILD":
        cls = next(c for c in state.scenario.classes if c.name == o.str_("class"))
        base = cls.cost * o.int_("qty")
        return ceil_int(base * p.covert_cost_mult) if o.bool_("covert") else base
    if t == "REDUCE":
        return ceil_int(p.reduce_cost_per_unit * o.int_("qty"))
    if t == "TEST":
        return p.test_cost
    if t == "BUY_INTERCEPTORS":
        it = next(i for i in state.scenario.interceptors if i.name == o.str_("itype"))
        return it.cost * o.int_("qty")
    if t == "DEPLOY":
        return p.deploy_cost_per_unit * o.int_("qty")
    if t == "BUILD_RADAR":
        return p.radar_cost_per_level * o.int_("levels")
    if t == "PAYMENT":
        return o.int_("amount")
    if t in AGREE_KIND:
        return p.agree_cost
    if t in ("JOINT_EXERCISE", "INVITE_OBSERVERS"):
        return p.cbm_cost
    if t == "INSPECT":
        return p.inspect_cost_per_visit * o.int_("visits")
    if t == "CHALLENGE_INSPECTION":
        return p.challenge_cost
    if t == "INVEST_NTM":
        return o.int_("points")
    if t == "SET_CONCEALMENT":
        base = round(state.nations[actor].conceal_base * 10)
        return p.conceal_upkeep_per_tenth * max(0, o.int_("level") - base)
    if t == "ECONOMIC_PRESSURE":
        return ceil_int(p.pressure_cost_share * o.int_("amount"))
    if t == "RESEARCH":
        tech = o.str_("tech")
        if tech == "cm":
            return p.research_cost_cm
        if tech == "discrimination":
            return p.research_cost_discrimination
        if tech == "program":
            return p.research_cost_program
        return p.research_cost_class
    return 0


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


def _fmt_counts(n: int, what: str) -> str:
    return f"{n} {what}"


def check_order(state: GameState, actor: str, o: Order, run: Running) -> int:
    """Validate ``o`` for ``actor`` against the start-of-turn state and ``run``; apply it to ``run``.

    Returns the cost. Raises ``RuleViolation`` with a plain-English message (B3 table).
    """
    sc = state.scenario
    p = sc.params
    nat = state.nations[actor]
    me = state.name_of(actor)
    t = o.type
    ids = state.state_ids

    def other(name: str) -> str:
        sid = o.str_(name)
        if sid not in ids:
            raise RuleViolation(RuleCode.E_UNKNOWN, f"Unknown state {sid!r}.")
        if sid == actor:
            raise _bad(f"{me} cannot do this with itself.")
        return sid

    def site_of() -> Site:
        sid = o.str_("site")
        site = state.site(sid)
        if site is None:
            raise RuleViolation(RuleCode.E_UNKNOWN, f"Unknown site {sid!r}.")
        return site

    def treaty_of() -> Treaty:
        tid = o.str_("treaty")
        tr = state.treaty(tid)
        if tr is None:
            raise RuleViolation(RuleCode.E_UNKNOWN, f"Unknown treaty {tid!r}.")
        return tr

    cost = order_cost(state, actor, o) if t not in ("BUILD", "BUY_INTERCEPTORS") else 0
    if t == "BUILD":
        c = o.str_("class")
        q = o.int_("qty")
        if c not in nat.tech:
            raise RuleViolation(RuleCode.E_NO_TECH, f"{me} has no production technology for {c}.")
        cap = nat.prod_cap.get(c, 0)
        if run.built.get(c, 0) + q > cap:
            left = cap - run.built.get(c, 0)
            raise RuleViolation(
                RuleCode.E_CAPACITY,
                f"{me} can build at most {cap} {c} per turn ({max(0, left)} left this turn).",
            )
        cost = order_cost(state, actor, o)
        if cost > run.budget:
            raise RuleViolation(
                RuleCode.E_BUDGET,
                f"{me} cannot afford {q} {c}: costs {cost}, budget left {run.budget}.",
            )
        run.built[c] = run.built.get(c, 0) + q
        run.missiles[c] = run.missiles.get(c, 0) + q
    elif t == "REDUCE":
        c, q = o.str_("class"), o.int_("qty")
        if q > run.missiles.get(c, 0):
            raise RuleViolation(
                RuleCode.E_NEGATIVE,
                f"{me} has only {run.missiles.get(c, 0)} {c}; cannot eliminate {q}.",
            )
        run.missiles[c] -= q
    elif t == "TEST":
        c = o.str_("class")
        if c not in nat.tech and c not in nat.developing and nat.missiles.get(c, 0) <= 0:
            raise RuleViolation(
                RuleCode.E_NO_TECH, f"{me} neither owns {c} nor has a {c} programme to test."
            )
        if run.tests + 1 > p.max_tests_per_turn:
            raise RuleViolation(
                RuleCode.E_TOO_MANY_TESTS, f"At most {p.max_tests_per_turn} tests per turn."
            )
        run.tests += 1
    elif t == "EXPORT":
        other("to")
        c, q = o.str_("class"), o.int_("qty")
        if o.bool_("tech"):
            if c not in nat.tech:
                raise RuleViolation(RuleCode.E_NO_TECH, f"{me} has no {c} technology to export.")
        else:
            if q <= 0:
                raise _bad("Export at least one missile (or tick 'technology').")
            if q > run.missiles.get(c, 0):
                raise RuleViolation(
                    RuleCode.E_NEGATIVE, f"{me} has only {run.missiles.get(c, 0)} {c} to export."
                )
            run.missiles[c] -= q
    elif t == "ACCEPT_IMPORT":
        other("from")
        if not o.bool_("tech") and o.int_("qty") <= 0:
            raise _bad("Accept at least one missile (or tick 'technology').")
    elif t == "BUY_INTERCEPTORS":
        it, q = o.str_("itype"), o.int_("qty")
        cost = order_cost(state, actor, o)
        if cost > run.budget:
            raise RuleViolation(
                RuleCode.E_BUDGET,
                f"{me} cannot afford {q} {it} interceptors: costs {cost}, budget left {run.budget}.",
            )
        run.store[it] = run.store.get(it, 0) + q
    elif t == "DEPLOY":
        site = site_of()
        it, q = o.str_("itype"), o.int_("qty")
        if it not in site.allowed:
            raise _bad(f"{site.id} takes only {', '.join(site.allowed)} interceptors.")
        consent = None
        if site.owner == actor or site.owner == "":
            if site.host != actor:
                consent = active_consent(state, site.id, actor)
        else:
            raise RuleViolation(
                RuleCode.E_NO_CONSENT, f"{site.id} belongs to {state.name_of(site.owner)}."
            )
        if q > run.store.get(it, 0):
            raise RuleViolation(
                RuleCode.E_NEGATIVE,
                f"{me} has only {run.store.get(it, 0)} {it} interceptors in store; cannot deploy {q}.",
            )
        now = sum(run.deployed[site.id].values())
        if now + q > site.capacity:
            raise RuleViolation(
                RuleCode.E_SITE_CAPACITY,
                f"{site.id} holds at most {site.capacity} interceptors ({now} there now).",
            )
        if consent is not None and now + q > consent.max_interceptors:
            raise RuleViolation(
                RuleCode.E_SITE_CAPACITY,
                f"{state.name_of(site.host)}'s consent allows at most {consent.max_interceptors} "
                f"interceptors at {site.id} ({now} there now).",
            )
        run.store[it] -= q
        run.deployed[site.id][it] = run.deployed[site.id].get(it, 0) + q
    elif t == "WITHDRAW_DEPLOYMENT":
        site = site_of()
        it, q = o.str_("itype"), o.int_("qty")
        if site.owner != actor:
            raise RuleViolation(
                RuleCode.E_NOT_OWNER, f"Only the owner can withdraw from {site.id}."
            )
        have = run.deployed[site.id].get(it, 0)
        if q > have:
            raise RuleViolation(
                RuleCode.E_NEGATIVE, f"{site.id} has only {have} {it} interceptors to withdraw."
            )
        run.deployed[site.id][it] = have - q
        run.store[it] = run.store.get(it, 0) + q
    elif t == "BUILD_RADAR":
        site = site_of()
        if site.owner not in (actor, "") or (site.owner == "" and site.host != actor):
            raise RuleViolation(RuleCode.E_NOT_OWNER, f"{me} does not operate {site.id}.")
        new_q = run.radar[site.id] + p.radar_level_step * o.int_("levels")
        limit = site.radar_max_q
        if site.host != actor:
            cons = active_consent(state, site.id, actor)
            limit = min(limit, cons.max_radar_q if cons else site.radar_q)
        if new_q > limit + 1e-9:
            raise RuleViolation(
                RuleCode.E_CAPACITY, f"The radar at {site.id} cannot exceed quality {limit:g}."
            )
        run.radar[site.id] = new_q
    elif t in ("SET_RADAR_MODE", "SET_SENSOR_SHARING"):
        site = site_of()
        # a candidate site may be consented to the actor this very turn: resolution checks
        # the consent and its terms after matching, as for DEPLOY (B3 step 3)
        pending = site.owner == "" and site.host != actor
        if site.owner != actor and not pending:
            raise RuleViolation(RuleCode.E_NOT_OWNER, f"{me} does not operate {site.id}.")
        if site.host != actor and not pending:
            cons = active_consent(state, site.id, actor)
            forward = t == "SET_RADAR_MODE" and o.str_("mode") == "forward"
            if forward and (cons is None or not cons.forward_allowed):
                raise RuleViolation(
                    RuleCode.E_NO_CONSENT,
                    f"{state.name_of(site.host)} has not allowed forward mode at {site.id}.",
                )
            sharing = t == "SET_SENSOR_SHARING" and o.bool_("sharing")
            if sharing and (cons is None or not cons.sensor_sharing_allowed):
                raise RuleViolation(
                    RuleCode.E_NO_CONSENT,
                    f"{state.name_of(site.host)} has not allowed sensor sharing at {site.id}.",
                )
    elif t == "CONSENT_HOSTING":
        owner = other("owner")
        site = site_of()
        if site.host != actor:
            raise RuleViolation(
                RuleCode.E_NOT_OWNER, f"Only {state.name_of(site.host)} can consent for {site.id}."
            )
        if site.owner not in ("", owner):
            raise _bad(f"{site.id} is operated by {state.name_of(site.owner)}.")
        existing = active_consent(state, site.id)
        if existing is not None and existing.owner != owner:
            raise _bad(f"{site.id} already hosts {state.name_of(existing.owner)}.")
        if nat.ds < p.theta_consent:
            raise RuleViolation(
                RuleCode.E_DS_TOO_LOW,
                f"{me}'s domestic support ({nat.ds:.0f}) is below {p.theta_consent:.0f}, "
                "needed to consent to a foreign site.",
            )
        if o.int_("max_interceptors") > site.capacity:
            raise RuleViolation(
                RuleCode.E_SITE_CAPACITY, f"{site.id} holds at most {site.capacity} interceptors."
            )
    elif t == "REVOKE_CONSENT":
        owner = other("owner")
        site = site_of()
        if site.host != actor:
            raise RuleViolation(
                RuleCode.E_NOT_OWNER, f"Only the host can revoke consent for {site.id}."
            )
        cons = active_consent(state, site.id, owner)
        if cons is None:
            raise RuleViolation(RuleCode.E_UNKNOWN, f"There is no consent for {site.id} to revoke.")
        if cons.revoke_effective is not None:
            raise RuleViolation(
                RuleCode.E_NOTICE, f"Consent for {site.id} is already being revoked."
            )
    elif t == "PAYMENT":
        other("to")
    elif t == "DECLARE":
        pass
    elif t in AGREE_KIND:
        w = other("with")
        if has_agreement(state, AGREE_KIND[t], actor, w):
            raise _bad(f"{me} already has this agreement with {state.name_of(w)}.")
    elif t == "DECLARE_LIMITS":
        site = site_of()
        if actor not in (site.owner, site.host) and site.owner != "":
            raise RuleViolation(
                RuleCode.E_NOT_OWNER, f"Only the owner or host can limit {site.id}."
            )
        cap = o.int_("max_interceptors")
        if cap and cap < sum(run.deployed[site.id].values()):
            raise _bad(f"{site.id} already holds more than {cap} interceptors.")
    elif t in ("JOINT_EXERCISE", "INVITE_OBSERVERS"):
        other("with")
        if o.str_("site"):
            site = site_of()
            if actor not in (site.owner, site.host) and site.owner != "":
                raise RuleViolation(
                    RuleCode.E_NOT_OWNER, f"{me} cannot open {site.id} to visitors."
                )
    elif t == "ACCEPT":
        other("with")
    elif t == "SET_CHALLENGE_POLICY":
        pass
    elif t in ("INSPECT", "CHALLENGE_INSPECTION"):
        target = other("target")
        tr = treaty_of()
        if not in_force(tr):
            raise _bad(f"{tr.name or tr.id} is not in force.")
        if not is_party(tr, actor) or not is_party(tr, target):
            raise RuleViolation(
                RuleCode.E_NOT_PARTY,
                f"Both {me} and {state.name_of(target)} must be parties to {tr.name or tr.id}.",
            )
        if t == "INSPECT":
            quota = _term_int(tr, "inspection_quota", 0)
            key = (target, tr.id)
            used = run.visits.get(key, 0) + o.int_("visits")
            if used > quota:
                raise RuleViolation(
                    RuleCode.E_QUOTA,
                    f"{tr.name or tr.id} allows {quota} visits per turn to each party ({used} asked).",
                )
            run.visits[key] = used
        else:
            if not _term_bool(tr, "challenge", False):
                raise _bad(f"{tr.name or tr.id} has no challenge-inspection clause.")
            if o.str_("site") and state.site(o.str_("site")) is None:
                raise RuleViolation(RuleCode.E_UNKNOWN, f"Unknown site {o.str_('site')!r}.")
    elif t == "INVEST_NTM":
        pts = o.int_("points")
        if pts % p.ntm_cost_per_tenth:
            raise _bad(f"Invest in multiples of {p.ntm_cost_per_tenth} points.")
        new = run.ntm + 0.1 * pts / p.ntm_cost_per_tenth
        if new > p.ntm_max + 1e-9:
            raise RuleViolation(RuleCode.E_CAPACITY, f"NTM cannot exceed {p.ntm_max:g}.")
        run.ntm = new
    elif t == "SET_CONCEALMENT":
        if o.int_("level") / 10 > p.conceal_max + 1e-9:
            raise RuleViolation(
                RuleCode.E_CAPACITY, f"Concealment cannot exceed {p.conceal_max:g}."
            )
    elif t in ("PUBLISH_EVIDENCE", "SHARE_EVIDENCE"):
        eid = o.str_("evidence")
        ev = next((e for e in state.evidence if e.id == eid and e.holder == actor), None)
        if ev is None:
            raise RuleViolation(RuleCode.E_UNKNOWN, f"{me} holds no evidence {eid!r}.")
        if t == "SHARE_EVIDENCE":
            other("to")
        else:
            if ev.published or eid in run.published:
                raise _bad(f"Evidence {eid} is already public.")
            run.published.add(eid)
    elif t == "SIGN":
        h = o.str_("terms_hash")
        tr2 = next(
            (x for x in state.treaties if x.terms_hash == h and x.status != "terminated"), None
        )
        if tr2 is None:
            raise RuleViolation(RuleCode.E_UNKNOWN, "No tabled treaty has these terms.")
        if actor not in tr2.parties or actor in tr2.withdrawn:
            raise RuleViolation(
                RuleCode.E_NOT_PARTY, f"{me} is not listed in {tr2.name or tr2.id}."
            )
        if tr2.status == "in_force" and _term_int(tr2, "expires_turn", 0) == 0:
            raise _bad(f"{tr2.name or tr2.id} is already in force.")
        if nat.ds < p.theta_ratify:
            raise RuleViolation(
                RuleCode.E_DS_TOO_LOW,
                f"{me}'s domestic support ({nat.ds:.0f}) is below {p.theta_ratify:.0f}, "
                "needed to ratify a treaty.",
            )
    elif t == "WITHDRAW":
        tr = treaty_of()
        if not in_force(tr) or not is_party(tr, actor):
            raise RuleViolation(RuleCode.E_NOT_PARTY, f"{me} is not a party to {tr.name or tr.id}.")
        if actor in tr.withdrawing:
            raise RuleViolation(
                RuleCode.E_NOTICE, f"{me} has already given notice to leave {tr.name or tr.id}."
            )
    elif t == "ECONOMIC_PRESSURE":
        if not p.economic_pressure_enabled:
            raise RuleViolation(
                RuleCode.E_DISABLED, "Economic pressure is not used in this scenario."
            )
        other("target")
    elif t == "RESEARCH":
        tech = o.str_("tech")
        if tech in CLASS_ORDER:
            if tech in nat.tech or tech in nat.developing:
                raise _bad(f"{me} already has {tech} technology or a programme for it.")
            need = sc.research_prereq.get(tech, ())
            if need and not any(x in nat.tech for x in need):
                raise RuleViolation(
                    RuleCode.E_NO_TECH,
                    f"{tech} research needs {' or '.join(need)} technology first.",
                )
        elif tech == "cm" and nat.cm >= p.cm_max - 1e-9:
            raise RuleViolation(RuleCode.E_CAPACITY, "Countermeasures are already at the maximum.")
        elif tech == "discrimination" and nat.disc >= 1.0 - 1e-9:
            raise RuleViolation(RuleCode.E_CAPACITY, "Discrimination is already at the maximum.")
        elif tech == "program" and (nat.nuclear or nat.program >= 4):
            raise _bad(f"{me} has no nuclear programme step left to take.")
    else:  # pragma: no cover - parse_order rejects unknown types
        raise RuleViolation(RuleCode.E_UNKNOWN, f"Unknown order type {t!r}.")

    if t not in ("BUILD", "BUY_INTERCEPTORS") and cost > run.budget:
        raise RuleViolation(
            RuleCode.E_BUDGET,
            f"{me} cannot afford {SPEC_BY_TYPE[t].label.lower()}: costs {cost}, "
            f"budget left {run.budget}.",
        )
    run.budget -= cost
    return cost


def _term_int(t: Treaty, key: str, default: int) -> int:
    v = t.terms.get(key, default)
    return v if isinstance(v, int) and not isinstance(v, bool) else default


def _term_bool(t: Treaty, key: str, default: bool) -> bool:
    v = t.terms.get(key, default)
    return v if isinstance(v, bool) else default


def order_to_json(order: Order) -> dict[str, object]:
    """The raw dict form of an order (what the web form sends); inverse of order_from_json."""
    out: dict[str, object] = {"type": order.type}
    for k, v in order.params:
        out[k] = dict(v) if isinstance(v, tuple) else v
    if order.priority:
        out["priority"] = order.priority
    if order.order_id:
        out["order_id"] = order.order_id
    return out


def order_from_json(data: Mapping[str, object]) -> Order:
    """Typed order from its JSON form (schema-checked; raises RuleViolation on garbage)."""
    return parse_order(data)
