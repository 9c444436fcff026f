"""Typed views: what :func:`game_engine.view_for` returns (B1 information sets).

Frozen dataclasses, one per kind of thing a viewer sees: the public :class:`View` of the game,
each state's public :class:`StateView`, the viewer's own :class:`OwnView` (``View.me``, players
only) and the facilitator's :class:`Truth` (``View.truth``, and everyone's after the game).
Each type has one JSON codec, :meth:`ViewBase.to_json`, which gives the JSON-safe dict the engine
returned before views were typed (same keys, same order), for bots and the review pages.
Counts and tables are read-only mappings keyed by ids; lists are tuples.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

from game_engine.jsontypes import JSON, JSONDict

_SCALARS = frozenset({str, int, float, bool, type(None)})
"""Exact types returned as they are (subclasses, e.g. enums, take the general path)."""


def _json(x: object) -> JSON:
    # Exact-type fast paths first (bots turn a view into JSON every turn: this is hot); they
    # give what the general isinstance chain below gives for those types.
    t = type(x)
    if t in _SCALARS:
        return x  # type: ignore[return-value]
    if t is dict:
        return {
            k if type(k) is str else str(k): v if type(v) in _SCALARS else _json(v)
            for k, v in x.items()  # type: ignore[attr-defined]
        }
    if t is tuple or t is list:
        return [v if type(v) in _SCALARS else _json(v) for v in x]  # type: ignore[attr-defined]
    if isinstance(x, ViewBase):
        return x.to_json()
    if isinstance(x, Mapping):
        return {str(k): _json(v) for k, v in x.items()}
    if isinstance(x, (tuple, list)):
        return [_json(v) for v in x]
    if x is None or isinstance(x, (str, int, float, bool)):
        return x
    raise TypeError(f"not JSON: {type(x).__name__}")


_NAMES: dict[type, tuple[str, ...]] = {}
"""Field names of each view type, in declaration order (``fields()`` is slow to call per value)."""


def _names(cls: type) -> tuple[str, ...]:
    names = _NAMES.get(cls)
    if names is None:
        names = _NAMES[cls] = tuple(f.name for f in fields(cls))
    return names


@dataclass(frozen=True, slots=True)
class ViewBase:
    """A view type: its JSON is its fields, in declaration order."""

    def to_json(self) -> JSONDict:
        out: JSONDict = {}
        for name in _names(type(self)):
            v = getattr(self, name)
            out[name] = v if type(v) in _SCALARS else _json(v)
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class LimitsView(ViewBase):
    """Declared operational limits on a site."""

    max_interceptors: int | None
    terminal_only: bool
    no_sensor_sharing: bool
    note: str
    declared_by: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PublicSite(ViewBase):
    """A defense site as everyone sees it."""

    id: str
    host: str
    owner: str
    kind: str
    capacity: int
    interceptors_public: int
    interceptors_by_type: Mapping[str, int]
    radar_q: float
    radar_mode: str
    sensor_sharing: bool
    limits: LimitsView | None
    ready_turn: int
    x: float
    y: float


@dataclass(frozen=True, slots=True, kw_only=True)
class OwnSite(ViewBase):
    """A site the viewer operates or hosts, as its operator knows it."""

    id: str
    host: str
    owner: str
    capacity: int
    interceptors: Mapping[str, int]
    radar_q: float
    radar_mode: str
    sensor_sharing: bool
    allowed: tuple[str, ...]
    limits: LimitsView | None
    ready_turn: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ObjectiveCardView(ViewBase):
    """One of the viewer's secret objective cards."""

    id: str
    text: str
    points: float
    by_turn: int | None
    met_turn: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class OwnView(ViewBase):
    """A state's own true posture and private knowledge (``View.me``; ``Truth.states``)."""

    id: str
    name: str
    missiles: Mapping[str, int]
    interceptors_store: Mapping[str, int]
    sites: tuple[OwnSite, ...]
    budget: int
    income: int
    ds: float
    tech: tuple[str, ...]
    developing: Mapping[str, int]
    prod_cap: Mapping[str, int]
    cm: float
    ntm: float
    conceal: float
    program: int
    allow_challenge: bool
    security: float
    arms_pressure: float
    threat: Mapping[str, float]
    trust: Mapping[str, float]
    clarity: Mapping[str, float]
    coverage: Mapping[str, float]
    estimates: Mapping[str, Mapping[str, int]]
    evidence: tuple[JSONDict, ...]
    vp_history: tuple[float, ...]
    objectives: tuple[str, ...]
    objective_cards: tuple[ObjectiveCardView, ...]
    secret_briefing: str
    deterrence_threshold: Mapping[str, JSONDict]


@dataclass(frozen=True, slots=True, kw_only=True)
class StateView(ViewBase):
    """Public facts about one state."""

    id: str
    name: str
    role: str
    color: str
    public_briefing: str
    npc: bool
    nuclear: bool
    public_ledger: Mapping[str, int]
    declared: Mapping[str, int] | None
    declared_turn: int | None
    compliance: float | None
    reputation: float
    ds: int
    public_interceptors: Mapping[str, int]
    sites: tuple[PublicSite, ...]
    x: float
    y: float
    polygon: tuple[tuple[float, float], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class TreatyView(ViewBase):
    """A treaty the viewer may see (drafts only to their parties and the facilitator)."""

    id: str
    template: str
    name: str
    parties: tuple[str, ...]
    status: str
    terms: Mapping[str, JSON]
    terms_hash: str
    entry_turn: int | None
    withdrawing: Mapping[str, int]
    withdrawn: tuple[str, ...]
    compliance: Mapping[str, float]


@dataclass(frozen=True, slots=True, kw_only=True)
class AgreementView(ViewBase):
    kind: str
    a: str
    b: str
    since: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ConsentView(ViewBase):
    host: str
    owner: str
    site: str
    max_interceptors: int
    max_radar_q: float
    forward_allowed: bool
    sensor_sharing_allowed: bool
    compensation: int
    revoke_effective: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ViolationView(ViewBase):
    id: str
    state: str
    treaty: str
    kind: str
    clause: str
    magnitude: float
    severity: float
    first_turn: int
    last_turn: int
    ongoing: bool
    covert: bool
    published: bool
    detected_by: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Truth(ViewBase):
    """Ground truth: the facilitator's, and everyone's once the game is over."""

    states: Mapping[str, OwnView]
    violations: tuple[ViolationView, ...]
    rsi_true: float
    rsi_true_history: tuple[float, ...]
    rsi_components_true: Mapping[str, float]
    evidence: tuple[JSONDict, ...]

    def to_json(self) -> JSONDict:
        """Each state's entry under its id, then the other fields (the engine's JSON layout)."""
        out: JSONDict = {sid: v.to_json() for sid, v in self.states.items()}
        for f in fields(self):
            if f.name != "states":
                out[f.name] = _json(getattr(self, f.name))
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class ScenarioRef(ViewBase):
    slug: str
    title: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ClassRow(ViewBase):
    cost: int
    w: float
    kappa: float
    cat1: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class InterceptorRow(ViewBase):
    cost: int
    p0: Mapping[str, float]


@dataclass(frozen=True, slots=True, kw_only=True)
class View(ViewBase):
    """What one viewer may know of a game right now."""

    turn: int
    max_turns: int
    game_over: bool
    game_over_reason: str
    mode: str
    seed_commit: str
    scenario: ScenarioRef
    rsi_pub: float
    rsi_components: Mapping[str, float]
    rsi_history: tuple[float, ...]
    classes: tuple[str, ...]
    class_table: Mapping[str, ClassRow]
    interceptor_table: Mapping[str, InterceptorRow]
    interceptor_types: tuple[str, ...]
    states: tuple[StateView, ...]
    treaties: tuple[TreatyView, ...]
    agreements: tuple[AgreementView, ...]
    consents: tuple[ConsentView, ...]
    public_evidence: tuple[JSONDict, ...]
    crises: tuple[JSONDict, ...]
    in_force: tuple[str, ...]
    parties: Mapping[str, tuple[str, ...]]
    me: OwnView | None
    truth: Truth | None
    pending_injects: tuple[JSONDict, ...] | None
    final_scores: Mapping[str, float] | None
    seed: str | None

    def state(self, sid: str) -> StateView | None:
        """The public entry of state ``sid``."""
        return next((s for s in self.states if s.id == sid), None)
