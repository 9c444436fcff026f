"""Frozen game state (B2): global fields, per-state, per-pair, sites, treaties, evidence.

Every container inside a frozen dataclass is treated as immutable: the engine always builds
a new dict/tuple instead of changing one. ``resolve`` never mutates its input.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from game_engine.jsontypes import JSONDict
from game_engine.scenario import ConsentSetup, Inject, Scenario, SiteSetup

T = TypeVar("T")

_REPLACERS: dict[type, Callable[[Any, dict[str, Any]], Any]] = {}


def replace(obj: T, /, **changes: Any) -> T:
    """``dataclasses.replace`` with the same result, several times cheaper for the frozen slotted
    dataclasses of the state (a turn replaces nations and pairs ~100 000 times in a balance run):
    the copy is made slot by slot, without ``__init__``'s per-field checks (for a class with
    all its slots of its own, by plain stores into a twin of the same layout). Classes with a
    ``__post_init__``, a field left out of ``__init__`` or no ``__slots__`` take
    ``dataclasses.replace`` itself."""
    fn = _REPLACERS.get(type(obj))
    if fn is None:
        fn = _replacer(type(obj))
        _REPLACERS[type(obj)] = fn
    return fn(obj, changes)  # type: ignore[no-any-return]


def _slow(obj: Any, changes: dict[str, Any]) -> Any:
    return dataclasses.replace(obj, **changes)


def _replacer(cls: type) -> Callable[[Any, dict[str, Any]], Any]:
    if not dataclasses.is_dataclass(cls) or hasattr(cls, "__post_init__"):
        return _slow
    fs = dataclasses.fields(cls)
    names = tuple(f.name for f in fs)
    slots: set[str] = set()
    for k in cls.__mro__:
        slots.update(getattr(k, "__slots__", ()))
    if any(not f.init for f in fs) or not set(names) <= slots or "__dict__" in slots:
        return _slow
    if cls.__bases__ == (object,) and cls.__dict__.get("__slots__") == names:
        # The copy is filled in as an instance of a plain twin class with the same slots, whose
        # attributes are set by ordinary (fast, slot) stores, and then given its real class:
        # the two layouts are the same, so the object is exactly a ``cls`` built by ``__init__``.
        twin = type(f"_{cls.__name__}Copy", (), {"__slots__": names})
        body = "\n".join(f"    n.{x} = o.{x}" for x in names)
        src = (
            "def rep(o, ch):\n"
            "    n = new(T)\n"
            f"{body}\n"
            "    for k, v in ch.items():\n"
            "        if k not in NAMES:\n"
            "            raise TypeError(f'{C.__name__}.__init__() got an unexpected keyword argument {k!r}')\n"
            "        put(n, k, v)\n"
            "    n.__class__ = C\n"
            "    return n\n"
        )
        scope: dict[str, Any] = {"new": object.__new__, "put": object.__setattr__, "C": cls,
                                 "T": twin, "NAMES": frozenset(names)}
        exec(src, scope)  # noqa: S102 - generated from the class's own field names
        return scope["rep"]  # type: ignore[no-any-return]
    body = "\n".join(f"    put(n, {x!r}, o.{x})" for x in names)
    src = (
        "def rep(o, ch):\n"
        "    n = new(C)\n"
        f"{body}\n"
        "    for k, v in ch.items():\n"
        "        if k not in NAMES:\n"
        "            raise TypeError(f'{C.__name__}.__init__() got an unexpected keyword argument {k!r}')\n"
        "        put(n, k, v)\n"
        "    return n\n"
    )
    scope = {"new": object.__new__, "put": object.__setattr__, "C": cls, "NAMES": frozenset(names)}
    exec(src, scope)  # noqa: S102 - generated from the class's own field names
    return scope["rep"]  # type: ignore[no-any-return]


def builder(cls: Callable[..., T]) -> Callable[..., T]:
    """A constructor equivalent to ``cls`` (the same arguments, defaults and errors for missing
    or unknown ones) for a frozen slotted dataclass whose slots are all its own and which has
    no ``__post_init__``: the object is filled in as an instance of a plain twin class with the
    same slots (ordinary slot stores, where the frozen ``__init__`` calls ``object.__setattr__``
    once per field) and then given its real class, as :func:`replace` does, so it is exactly the
    object ``__init__`` builds. Any other class is returned as it is. For the hot records of a
    resolution (a violation found by accounting, a piece of evidence, a dyad)."""
    if not isinstance(cls, type) or not dataclasses.is_dataclass(cls):
        return cls
    params = getattr(cls, "__dataclass_params__", None)
    fs = dataclasses.fields(cls)
    names = tuple(f.name for f in fs)
    if (
        params is None
        or not params.frozen
        or hasattr(cls, "__post_init__")
        or any(not f.init for f in fs)
        or cls.__bases__ != (object,)
        or cls.__dict__.get("__slots__") != names
    ):
        return cls  # type: ignore[return-value]
    twin = type(f"_{cls.__name__}New", (), {"__slots__": names})
    scope: dict[str, Any] = {"new": object.__new__, "C": cls, "T": twin}
    pos: list[str] = []
    kw: list[str] = []
    fill: list[str] = []
    for k, f in enumerate(fs):
        if f.default is not dataclasses.MISSING:
            scope[f"_d{k}"] = f.default
            arg = f"{f.name}=_d{k}"
            fill.append(f"    n.{f.name} = {f.name}")
        elif f.default_factory is not dataclasses.MISSING:
            scope[f"_f{k}"] = f.default_factory
            scope["_MISSING"] = dataclasses.MISSING
            arg = f"{f.name}=_MISSING"
            fill.append(f"    n.{f.name} = _f{k}() if {f.name} is _MISSING else {f.name}")
        else:
            arg = f.name
            fill.append(f"    n.{f.name} = {f.name}")
        (kw if f.kw_only else pos).append(arg)
    sig = ", ".join([*pos, *(["*", *kw] if kw else [])])
    body = "\n".join(fill)
    src = f"def make({sig}):\n    n = new(T)\n{body}\n    n.__class__ = C\n    return n\n"
    exec(src, scope)  # noqa: S102 - generated from the class's own field names
    make = scope["make"]
    make.__name__ = make.__qualname__ = cls.__name__
    return make  # type: ignore[no-any-return]


FACILITATOR = "@facilitator"
EXPECTED = "expected"
STOCHASTIC = "stochastic"
MODES: tuple[str, ...] = (EXPECTED, STOCHASTIC)


@dataclass(frozen=True, slots=True, kw_only=True)
class Nation:
    """True posture and private bookkeeping of one state (B2.2)."""

    id: str
    nuclear: bool
    missiles: Mapping[str, int]
    tech: tuple[str, ...]
    developing: Mapping[str, int]
    """Classes under development -> tests still needed."""
    prod_cap: Mapping[str, int]
    store: Mapping[str, int]
    """Interceptors not deployed, per type."""
    cm: float
    ntm: float
    conceal: float
    conceal_base: float
    """Scenario concealment level; only levels above it cost upkeep."""
    disc: float
    """Discrimination research bonus added to radar quality delta (B5.2)."""
    program: int
    budget: int
    income: int
    ds: float
    n_sites: int
    l_half: float
    u: float
    weights: tuple[float, float, float]
    k: float
    a: float
    g: float
    """Richardson grievance set at initialisation (B5.5)."""
    s0: float
    treaty_pref: float
    shame: float
    hawkish: float
    allow_challenge: bool
    doctrine: str
    public_ledger: Mapping[str, int]
    declared: Mapping[str, int] | None
    declared_turn: int | None
    sec: float
    """Security on true values (B5.3), last resolution."""
    sec_pub: float
    arp: float
    """Relative arms-race pressure Pi_i / max(1, X_i) (B5.5)."""
    vp_history: tuple[float, ...]
    objectives_met: Mapping[str, int]
    """Objective card id -> first turn its conditions held."""
    audit_charge: float
    catastrophe_penalty: float
    last_spend: int
    npc: bool = False
    verified_cut: float = 0.0
    """Strategic weight eliminated under accepted observation (rules >= 4, B5.12)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Pair:
    """What ``src`` believes and feels about ``dst`` (B2.3)."""

    src: str
    dst: str
    alpha: float
    beta: float
    alpha0: float
    beta0: float
    threat: float
    h: float
    ev: float
    chi: float
    est: Mapping[str, int]
    vcov: float
    ed: float
    rival: bool
    visits_prev: int
    last_cbm_turn: int
    last_observed_turn: int

    @property
    def tau(self) -> float:
        """Beta-mean trust ``alpha / (alpha + beta)``."""
        return self.alpha / (self.alpha + self.beta)


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    """Declared operational limits on a site (B2.6)."""

    max_interceptors: int | None
    terminal_only: bool
    no_sensor_sharing: bool
    note: str
    declared_by: str
    turn: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Site(SiteSetup):
    """A defense site in play (B2.5): the scenario's setup as play changes it, plus what only play
    adds. ``owner == ""`` is an unclaimed candidate host site."""

    limits: Limits | None = None
    outage_turn: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Consent(ConsentSetup):
    """Sovereign consent of ``host`` for ``owner``'s site (B2.5): the setup's terms, the turn it
    was granted and, once revoked, the turn the revocation takes effect."""

    granted_turn: int
    revoke_effective: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Treaty:
    """A treaty or draft (B2.6). CS values are the public compliance scores (B5.8)."""

    id: str
    template: str
    name: str
    parties: tuple[str, ...]
    terms: JSONDict
    terms_hash: str
    status: str
    """draft | in_force | terminated ("withdrawing" is shown while a notice runs)."""
    entry_turn: int | None
    created_turn: int
    withdrawing: Mapping[str, int] = field(default_factory=dict)
    """Party -> turn its withdrawal takes effect."""
    withdrawn: tuple[str, ...] = ()
    cs: Mapping[str, float] = field(default_factory=dict)
    cs_true: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class Agreement:
    """Pairwise CBM between ``a < b`` (HOTLINE, NOTIFICATION, DATA_EXCHANGE)."""

    kind: str
    a: str
    b: str
    since: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Violation:
    """Hidden record of a breach (B2.7); visible only in the audit and the facilitator view."""

    id: str
    state: str
    treaty: str
    clause: str
    kind: str
    magnitude: float
    severity: float
    first_turn: int
    last_turn: int
    ongoing: bool
    covert: bool
    hidden_site: bool
    detected_by: tuple[str, ...] = ()
    published: bool = False
    public_weight: float = 0.0
    audit_weight: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Evidence:
    """Private evidence held by ``holder`` about ``target`` (B2.7)."""

    id: str
    holder: str
    target: str
    treaty: str
    kind: str
    channel: str
    magnitude: float
    quality: float
    p_channel: float
    alpha_channel: float
    is_true: bool
    violation: str
    turn: int
    weight: float
    """1 in stochastic mode; the detection probability in expected mode."""
    published: bool = False
    published_turn: int = 0
    refuted: bool = False
    shared_from: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class GameState:
    """Complete state of one game between turns (B2.1)."""

    game_id: str
    turn: int
    max_turns: int
    mode: str
    seed: str
    seed_commit: str
    scenario: Scenario
    nations: Mapping[str, Nation]
    pairs: Mapping[tuple[str, str], Pair]
    sites: tuple[Site, ...]
    consents: tuple[Consent, ...]
    treaties: tuple[Treaty, ...]
    agreements: tuple[Agreement, ...]
    violations: tuple[Violation, ...]
    evidence: tuple[Evidence, ...]
    rsi_pub: float
    rsi_true: float
    rsi_components: Mapping[str, float]
    rsi_components_true: Mapping[str, float]
    rsi_history: tuple[float, ...]
    rsi_true_history: tuple[float, ...]
    x_pub_total: float
    x_true_total: float
    rho_pub: float
    rho_true: float
    counters: Mapping[str, int]
    crises: tuple[JSONDict, ...] = ()
    game_over: bool = False
    game_over_reason: str = ""
    pending_injects: tuple[Inject, ...] = ()
    """Ad-hoc injects added by the facilitator (``add_inject``), applied at the next resolution
    like a scheduled inject and then cleared. Seen only by the facilitator until then."""

    @property
    def state_ids(self) -> tuple[str, ...]:
        """Playable state ids in scenario order."""
        return self.scenario.state_ids

    def nation(self, sid: str) -> Nation:
        """The nation with id ``sid`` (KeyError if unknown)."""
        return self.nations[sid]

    def pair(self, src: str, dst: str) -> Pair:
        """Beliefs of ``src`` about ``dst``."""
        return self.pairs[(src, dst)]

    def site(self, site_id: str) -> Site | None:
        """The site with this id, or None."""
        for s in self.sites:
            if s.id == site_id:
                return s
        return None

    def treaty(self, treaty_id: str) -> Treaty | None:
        """The treaty (or draft) with this id, or None."""
        for t in self.treaties:
            if t.id == treaty_id:
                return t
        return None

    def name_of(self, sid: str) -> str:
        """Display name of a state id (the id itself if unknown)."""
        for info in self.scenario.info.states:
            if info.id == sid:
                return info.name
        return sid
