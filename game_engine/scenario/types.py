"""Scenario types: the setup of a game as frozen dataclasses, and the closed vocabularies of the
scenario schema (treaty templates, agreement kinds, radar modes, objective kinds)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from game_engine.jsontypes import JSONDict
from game_engine.params import (
    ClassSpec,
    InterceptorSpec,
    Params,
)

SCHEMA_VERSION = 1
TREATY_TEMPLATES: tuple[str, ...] = (
    "EXPORT_CONTROL",
    "OFFENSE_CAP",
    "CLASS_BAN",
    "DEFENSE_LIMIT",
    "NONPROLIFERATION",
)
AGREEMENT_KINDS: tuple[str, ...] = ("HOTLINE", "NOTIFICATION", "DATA_EXCHANGE")
RADAR_MODES: tuple[str, ...] = ("terminal", "forward")
# Keys used next to state ids in views (``truth``) and ids used for the public/facilitator.
RESERVED_IDS: tuple[str, ...] = (
    "violations",
    "rsi_true",
    "rsi_true_history",
    "rsi_components_true",
    "evidence",
    "all",
    "public",
    "facilitator",
)
OBJECTIVE_KINDS: tuple[str, ...] = (
    "site_interceptors",
    "missiles_at_least",
    "no_foreign_interceptors_near",
    "ds_at_least",
    "ed_at_least",
    "has_tech",
    "not_caught",
    "rsi_at_least",
    "treaty_in_force",
    "security_at_least",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class StateInfo:
    """Public and secret descriptive data of one playable state."""

    id: str
    name: str
    role: str
    public_briefing: str
    secret_briefing: str
    objectives: tuple[str, ...]
    color: str
    npc: bool = False
    """A non-player character by default (B9): the app seats the hawk bot here unless a
    person takes the seat."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ScenarioInfo:
    """What the lobby shows about a bundled scenario."""

    slug: str
    title: str
    summary: str
    turns: int
    states: tuple[StateInfo, ...]
    background: str = ""
    recommended_mode: str = "expected"


@dataclass(frozen=True, slots=True, kw_only=True)
class Condition:
    """One machine-checkable objective condition (see docs/rules.md#objectives)."""

    kind: str
    site: str = ""
    cls: str = ""
    state: str = ""
    template: str = ""
    value: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Objective:
    """A secret objective card: ``points`` if all (or any) conditions hold."""

    id: str
    text: str
    points: float
    conditions: tuple[Condition, ...]
    any_of: bool = False
    by_turn: int | None = None  # None: checked at game end


@dataclass(frozen=True, slots=True, kw_only=True)
class Geo:
    """Map position in 0..1000 units and an optional outline."""

    x: float = 500.0
    y: float = 500.0
    polygon: tuple[tuple[float, float], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class StateSetup:
    """Starting values of one state (B2.2, B9)."""

    info: StateInfo
    nuclear: bool
    missiles: Mapping[str, int]
    public_missiles: Mapping[str, int] | None
    tech: tuple[str, ...]
    developing: Mapping[str, int]  # class -> tests still needed to finish R&D
    prod_cap: Mapping[str, int]
    store: Mapping[str, int]
    cm: float
    ntm: float
    conceal: float
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
    s0: float
    treaty_pref: float
    shame: float
    hawkish: float
    allow_challenge: bool
    doctrine: str
    objective_cards: tuple[Objective, ...]
    geo: Geo
    npc: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class RelationSetup:
    """Directed relation i -> j (B2.3)."""

    src: str
    dst: str
    h: float
    alpha: float
    beta: float
    ev: float
    ed: float
    rival: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Coverage:
    """``cov[site][defends][against] = value``."""

    defends: str
    against: str
    value: float


@dataclass(frozen=True, slots=True, kw_only=True)
class SiteSetup:
    """A defense site (B2.5); ``owner == ""`` marks a candidate host site."""

    id: str
    host: str
    owner: str
    kind: str
    capacity: int
    allowed: tuple[str, ...]
    interceptors: Mapping[str, int]
    radar_q: float
    radar_max_q: float
    radar_mode: str
    sensor_sharing: bool
    ready_turn: int
    coverage: tuple[Coverage, ...]
    sees: tuple[str, ...]
    ds_burden: float
    geo: Geo


@dataclass(frozen=True, slots=True, kw_only=True)
class ConsentSetup:
    """Host's consent for a foreign owner's site (B2.5)."""

    host: str
    owner: str
    site: str
    max_interceptors: int
    max_radar_q: float
    forward_allowed: bool
    sensor_sharing_allowed: bool
    compensation: int
    notice_turns: int


@dataclass(frozen=True, slots=True, kw_only=True)
class TreatySetup:
    """A treaty in force at game start (B2.6)."""

    template: str
    name: str
    parties: tuple[str, ...]
    terms: JSONDict


@dataclass(frozen=True, slots=True, kw_only=True)
class AgreementSetup:
    """A pairwise CBM in force at game start."""

    kind: str
    a: str
    b: str


@dataclass(frozen=True, slots=True, kw_only=True)
class InjectEffect:
    """Engine effect of a scheduled inject."""

    radar_outage: str = ""
    ds_change: Mapping[str, float] = field(default_factory=dict)
    budget_change: Mapping[str, int] = field(default_factory=dict)
    incident: Mapping[str, float] = field(default_factory=dict)  # "from>to" -> weight


@dataclass(frozen=True, slots=True, kw_only=True)
class Inject:
    """A scheduled scenario event shown to ``targets`` ("all" = everyone)."""

    turn: int
    targets: tuple[str, ...]
    title: str
    text: str
    effect: InjectEffect


@dataclass(frozen=True, slots=True, kw_only=True)
class StateText:
    """Translated texts of one state; an empty field falls back to English."""

    name: str = ""
    role: str = ""
    public_briefing: str = ""
    secret_briefing: str = ""
    objectives: tuple[str, ...] = ()
    """Empty, or exactly as many items as the English list."""
    objective_cards: Mapping[str, str] = field(default_factory=dict)
    """Objective card id -> translated card text."""


@dataclass(frozen=True, slots=True, kw_only=True)
class InjectText:
    """Translated title and text of the scheduled inject at the same position."""

    turn: int
    title: str = ""
    text: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Translation:
    """Player-facing texts of a scenario in one language (``[i18n.<lang>]`` in the file)."""

    title: str = ""
    summary: str = ""
    background: str = ""
    states: Mapping[str, StateText] = field(default_factory=dict)
    injects: tuple[InjectText, ...] = ()
    # The names of the treaties in force at the start, in the order of ``[[treaties]]``.
    treaties: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Scenario:
    """A complete, validated scenario: info, parameters, tables and starting posture."""

    info: ScenarioInfo
    params: Params
    classes: tuple[ClassSpec, ...]
    interceptors: tuple[InterceptorSpec, ...]
    states: tuple[StateSetup, ...]
    relations: tuple[RelationSetup, ...]
    reach: Mapping[str, Mapping[str, tuple[str, ...]]]
    sites: tuple[SiteSetup, ...]
    consents: tuple[ConsentSetup, ...]
    treaties: tuple[TreatySetup, ...]
    agreements: tuple[AgreementSetup, ...]
    injects: tuple[Inject, ...]
    research_prereq: Mapping[str, tuple[str, ...]]
    map_size: int = 1000
    i18n: Mapping[str, Translation] = field(default_factory=dict)
    """Language code (lowercase, e.g. ``"es"``) -> translation of the player-facing texts."""

    @property
    def state_ids(self) -> tuple[str, ...]:
        """Playable state ids in scenario order."""
        return tuple(s.info.id for s in self.states)

    @property
    def languages(self) -> tuple[str, ...]:
        """``"en"`` (the base text) followed by the translated languages, sorted."""
        return ("en", *sorted(self.i18n))


DEFAULT_PREREQ: Mapping[str, tuple[str, ...]] = {
    "SRBM": (),
    "MRBM": ("SRBM",),
    "IRBM": ("MRBM",),
    "ICBM": ("IRBM",),
    "HGV": ("IRBM",),
    "GLCM": (),
}


