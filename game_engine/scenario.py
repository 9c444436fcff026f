"""Scenarios: typed setup data, the TOML schema and its validator (B2, B9).

A scenario file is TOML; :func:`parse_scenario` turns its table into a :class:`Scenario`
or raises :class:`~game_engine.errors.ScenarioError` listing every problem with its field
path, e.g. ``states[2].missiles.MRBM: must be an integer >= 0``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from game_engine.errors import ScenarioError
from game_engine.jsontypes import JSON, JSONDict
from game_engine.params import (
    CLASS_ORDER,
    DEFAULT_CLASSES,
    DEFAULT_INTERCEPTORS,
    ITYPE_ORDER,
    ClassSpec,
    InterceptorSpec,
    Params,
    params_from_mapping,
    params_to_json,
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


class _Reader:
    """Typed accessors over a TOML/JSON table that collect field-path errors."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def err(self, path: str, msg: str) -> None:
        self.errors.append(f"{path}: {msg}")

    def table(self, d: Mapping[str, object], key: str, path: str) -> Mapping[str, object]:
        v = d.get(key, {})
        if isinstance(v, Mapping):
            return {str(k): x for k, x in v.items()}
        self.err(f"{path}{key}", "must be a table")
        return {}

    def tables(self, d: Mapping[str, object], key: str, path: str) -> list[Mapping[str, object]]:
        v = d.get(key, [])
        if not isinstance(v, list):
            self.err(f"{path}{key}", "must be a list of tables")
            return []
        out: list[Mapping[str, object]] = []
        for n, item in enumerate(v):
            if isinstance(item, Mapping):
                out.append({str(k): x for k, x in item.items()})
            else:
                self.err(f"{path}{key}[{n}]", "must be a table")
                out.append({})
        return out

    def str_(self, d: Mapping[str, object], key: str, path: str, default: str | None = None) -> str:
        v = d.get(key, default)
        if isinstance(v, str):
            return v
        self.err(f"{path}{key}", "is required" if v is None else "must be a string")
        return default or ""

    def choice(
        self, d: Mapping[str, object], key: str, path: str, options: tuple[str, ...], default: str
    ) -> str:
        v = self.str_(d, key, path, default)
        if v not in options:
            self.err(f"{path}{key}", f"must be one of {', '.join(options)}")
            return default
        return v

    def int_(
        self,
        d: Mapping[str, object],
        key: str,
        path: str,
        default: int | None = None,
        lo: int = 0,
        hi: int | None = None,
    ) -> int:
        v = d.get(key, default)
        if v is None:
            self.err(f"{path}{key}", "is required")
            return lo
        if isinstance(v, bool) or not isinstance(v, int) or v < lo or (hi is not None and v > hi):
            rng = f">= {lo}" if hi is None else f"between {lo} and {hi}"
            self.err(f"{path}{key}", f"must be an integer {rng}")
            return default if default is not None else lo
        return v

    def float_(
        self,
        d: Mapping[str, object],
        key: str,
        path: str,
        default: float | None = None,
        lo: float = 0.0,
        hi: float = 1.0,
    ) -> float:
        v = d.get(key, default)
        if v is None:
            self.err(f"{path}{key}", "is required")
            return lo
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not lo <= v <= hi:
            self.err(f"{path}{key}", f"must be a number between {lo:g} and {hi:g}")
            return default if default is not None else lo
        return float(v)

    def bool_(self, d: Mapping[str, object], key: str, path: str, default: bool) -> bool:
        v = d.get(key, default)
        if isinstance(v, bool):
            return v
        self.err(f"{path}{key}", "must be true or false")
        return default

    def strs(
        self,
        d: Mapping[str, object],
        key: str,
        path: str,
        allowed: tuple[str, ...] | None = None,
    ) -> tuple[str, ...]:
        v = d.get(key, [])
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            self.err(f"{path}{key}", "must be a list of strings")
            return ()
        out: list[str] = []
        for n, x in enumerate(v):
            assert isinstance(x, str)
            if allowed is not None and x not in allowed:
                self.err(f"{path}{key}[{n}]", f"unknown value {x!r}")
            else:
                out.append(x)
        return tuple(out)

    def counts(
        self, d: Mapping[str, object], key: str, path: str, allowed: tuple[str, ...]
    ) -> dict[str, int]:
        tab = self.table(d, key, path)
        out: dict[str, int] = {}
        for k in sorted(tab):
            if k not in allowed:
                self.err(f"{path}{key}.{k}", f"unknown name (expected one of {', '.join(allowed)})")
                continue
            out[k] = self.int_(tab, k, f"{path}{key}.")
        return out


def _geo(r: _Reader, d: Mapping[str, object], path: str) -> Geo:
    tab = r.table(d, "geography", path)
    if not tab:
        return Geo()
    p = f"{path}geography."
    pts: list[tuple[float, float]] = []
    raw = tab.get("polygon", [])
    if not isinstance(raw, list):
        r.err(f"{p}polygon", "must be a list of [x, y] points")
    else:
        for n, pt in enumerate(raw):
            if (
                isinstance(pt, list)
                and len(pt) == 2
                and all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in pt)
                and all(0 <= c <= 1000 for c in pt)
            ):
                pts.append((float(pt[0]), float(pt[1])))
            else:
                r.err(f"{p}polygon[{n}]", "must be [x, y] with 0 <= x, y <= 1000")
    return Geo(
        x=r.float_(tab, "x", p, 500.0, 0.0, 1000.0),
        y=r.float_(tab, "y", p, 500.0, 0.0, 1000.0),
        polygon=tuple(pts),
    )


def _condition(
    r: _Reader, d: Mapping[str, object], path: str, classes: tuple[str, ...]
) -> Condition:
    kind = r.choice(d, "kind", path, OBJECTIVE_KINDS, "not_caught")
    cls = r.str_(d, "class", path, "")
    if cls and cls not in classes:
        r.err(f"{path}class", f"unknown missile class {cls!r}")
    return Condition(
        kind=kind,
        site=r.str_(d, "site", path, ""),
        cls=cls,
        state=r.str_(d, "state", path, ""),
        template=r.str_(d, "template", path, ""),
        value=r.float_(d, "value", path, 0.0, 0.0, 1000.0),
    )


def _objective(
    r: _Reader, d: Mapping[str, object], path: str, classes: tuple[str, ...]
) -> Objective:
    conds = tuple(
        _condition(r, c, f"{path}conditions[{n}].", classes)
        for n, c in enumerate(r.tables(d, "conditions", path))
    )
    if not conds:
        r.err(f"{path}conditions", "needs at least one condition")
    by_turn = d.get("by_turn")
    return Objective(
        id=r.str_(d, "id", path),
        text=r.str_(d, "text", path),
        points=r.float_(d, "points", path, 5.0, 0.0, 100.0),
        conditions=conds,
        any_of=r.bool_(d, "any_of", path, False),
        by_turn=r.int_(d, "by_turn", path, None, 1) if by_turn is not None else None,
    )


def parse_scenario(data: Mapping[str, object], source: str = "") -> Scenario:
    """Validate a scenario table (parsed TOML or JSON) and build a :class:`Scenario`.

    Raises ``ScenarioError`` listing every problem with its field path.
    """
    r = _Reader()
    version = data.get("schema_version", SCHEMA_VERSION)
    if version != SCHEMA_VERSION:
        r.err("schema_version", f"must be {SCHEMA_VERSION}")
    params, perrs = params_from_mapping(r.table(data, "params", ""))
    r.errors.extend(perrs)

    class_tab = r.table(data, "classes", "")
    classes: list[ClassSpec] = []
    for base in DEFAULT_CLASSES:
        over = class_tab.get(base.name, {})
        p = f"classes.{base.name}."
        if not isinstance(over, Mapping):
            r.err(p[:-1], "must be a table")
            over = {}
        o = {str(k): v for k, v in over.items()}
        classes.append(
            ClassSpec(
                name=base.name,
                w=r.float_(o, "w", p, base.w, 0.0, 10.0),
                cost=r.int_(o, "cost", p, base.cost, 0, 1000),
                v=r.float_(o, "v", p, base.v),
                pcf=r.float_(o, "pcf", p, base.pcf),
                kappa=r.float_(o, "kappa", p, base.kappa),
                eta_test=r.float_(o, "eta_test", p, base.eta_test, 0.0, 10.0),
                cat1=r.bool_(o, "cat1", p, base.cat1),
            )
        )
    for k in sorted(class_tab):
        if k not in CLASS_ORDER:
            r.err(f"classes.{k}", "unknown missile class")
    cls_names = CLASS_ORDER

    itab = r.table(data, "interceptors", "")
    itypes: list[InterceptorSpec] = []
    for base_i in DEFAULT_INTERCEPTORS:
        over = itab.get(base_i.name, {})
        p = f"interceptors.{base_i.name}."
        if not isinstance(over, Mapping):
            r.err(p[:-1], "must be a table")
            over = {}
        o = {str(k): v for k, v in over.items()}
        p0_over = r.table(o, "p0", p)
        p0 = {c: r.float_(p0_over, c, f"{p}p0.", base_i.p0[c]) for c in cls_names}
        for k in sorted(p0_over):
            if k not in cls_names:
                r.err(f"{p}p0.{k}", "unknown missile class")
        itypes.append(
            InterceptorSpec(
                name=base_i.name,
                cost=r.int_(o, "cost", p, base_i.cost, 0, 1000),
                p0=p0,
                x_weight=r.float_(o, "x_weight", p, base_i.x_weight, 0.0, 10.0),
            )
        )
    for k in sorted(itab):
        if k not in ITYPE_ORDER:
            r.err(f"interceptors.{k}", "unknown interceptor type")

    turns = r.int_(data, "turns", "", None, 1, 100)
    state_tabs = r.tables(data, "states", "")
    if len(state_tabs) < 2:
        r.err("states", "needs at least two states")
    ids: list[str] = []
    for n, st in enumerate(state_tabs):
        sid = r.str_(st, "id", f"states[{n}].")
        if (
            not sid
            or not sid.replace("_", "").isalnum()
            or sid != sid.lower()
            or sid.startswith("@")
        ):
            r.err(f"states[{n}].id", "must be a short lowercase slug")
        if sid in ids:
            r.err(f"states[{n}].id", f"duplicate id {sid!r}")
        if sid in RESERVED_IDS:
            r.err(f"states[{n}].id", f"{sid!r} is reserved")
        ids.append(sid)
    id_tuple = tuple(ids)

    states: list[StateSetup] = []
    for n, st in enumerate(state_tabs):
        p = f"states[{n}]."
        weights_raw = st.get("weights", [0.45, 0.20, 0.35])
        weights = (0.45, 0.20, 0.35)
        if (
            isinstance(weights_raw, list)
            and len(weights_raw) == 3
            and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in weights_raw)
            and all(0 <= x <= 1 for x in weights_raw)
        ):
            weights = (float(weights_raw[0]), float(weights_raw[1]), float(weights_raw[2]))
        else:
            r.err(f"{p}weights", "must be three numbers between 0 and 1 (w_sec, w_comp, w_reg)")
        missiles = r.counts(st, "missiles", p, cls_names)
        tech = r.strs(st, "tech", p, cls_names)
        tech = tuple(c for c in cls_names if c in tech)
        pub = r.counts(st, "public_missiles", p, cls_names) if "public_missiles" in st else None
        cards = tuple(
            _objective(r, o, f"{p}objective_cards[{m}].", cls_names)
            for m, o in enumerate(r.tables(st, "objective_cards", p))
        )
        npc = r.bool_(st, "npc", p, False)
        states.append(
            StateSetup(
                info=StateInfo(
                    id=ids[n],
                    name=r.str_(st, "name", p),
                    role=r.str_(st, "role", p, ""),
                    public_briefing=r.str_(st, "public_briefing", p, ""),
                    secret_briefing=r.str_(st, "secret_briefing", p, ""),
                    objectives=r.strs(st, "objectives", p),
                    color=r.str_(st, "color", p, "#777777"),
                    npc=npc,
                ),
                nuclear=r.bool_(st, "nuclear", p, False),
                missiles=missiles,
                public_missiles=pub,
                tech=tech,
                developing=r.counts(st, "developing", p, cls_names),
                prod_cap=r.counts(st, "prod_cap", p, cls_names),
                store=r.counts(st, "interceptors_store", p, ITYPE_ORDER),
                cm=r.float_(st, "cm", p, 0.0, 0.0, params.cm_max),
                ntm=r.float_(st, "ntm", p, 0.0, 0.0, params.ntm_max),
                conceal=r.float_(st, "conceal", p, 0.0, 0.0, params.conceal_max),
                program=r.int_(st, "program", p, 0, 0, 4),
                budget=r.int_(st, "budget", p, None, 0, 100000),
                income=r.int_(st, "income", p, None, 0, 100000),
                ds=r.float_(st, "ds", p, 50.0, 0.0, 100.0),
                n_sites=r.int_(st, "missile_sites", p, 4, 1, 1000),
                l_half=r.float_(st, "l_half", p, 8.0, 0.1, 1000.0),
                u=r.float_(st, "u", p, 0.5, 0.01, 1.0),
                weights=weights,
                k=r.float_(st, "k", p, params.k_default, 0.0, 0.5),
                a=r.float_(st, "a", p, params.a_default, 0.0, 1.0),
                s0=r.float_(st, "s0", p, 0.5, 0.0, 2.0),
                treaty_pref=r.float_(st, "treaty_pref", p, 0.0, -10.0, 10.0),
                shame=r.float_(st, "shame", p, 1.0, 0.0, 5.0),
                hawkish=r.float_(st, "hawkish", p, 0.0, 0.0, 5.0),
                allow_challenge=r.bool_(st, "allow_challenge", p, True),
                doctrine=r.choice(st, "doctrine", p, ("barrage", "sls"), "barrage"),
                objective_cards=cards,
                geo=_geo(r, st, p),
                npc=npc,
            )
        )

    rels: dict[tuple[str, str], RelationSetup] = {}
    for n, rt in enumerate(r.tables(data, "relations", "")):
        p = f"relations[{n}]."
        src = r.str_(rt, "from", p)
        dst = r.str_(rt, "to", p)
        both = r.bool_(rt, "mutual", p, False)
        for x, key in ((src, "from"), (dst, "to")):
            if x not in id_tuple:
                r.err(f"{p}{key}", f"unknown state {x!r}")
        trust = rt.get("trust", [2, 2])
        alpha, beta = 2.0, 2.0
        if (
            isinstance(trust, list)
            and len(trust) == 2
            and all(
                isinstance(x, (int, float)) and not isinstance(x, bool) and x > 0 for x in trust
            )
        ):
            alpha, beta = float(trust[0]), float(trust[1])
        else:
            r.err(f"{p}trust", "must be [alpha, beta] with both > 0")
        pairs = [(src, dst), (dst, src)] if both else [(src, dst)]
        for a_, b_ in pairs:
            if a_ == b_:
                r.err(p[:-1], "a relation needs two different states")
                continue
            rels[(a_, b_)] = RelationSetup(
                src=a_,
                dst=b_,
                h=r.float_(rt, "h", p, 0.0),
                alpha=alpha,
                beta=beta,
                ev=r.float_(rt, "ev", p, 0.0),
                ed=r.float_(rt, "ed", p, 0.0) if (a_, b_) == (src, dst) else 0.0,
                rival=r.bool_(rt, "rival", p, False),
            )
    relations: list[RelationSetup] = [
        rels.get(
            (a_, b_),
            RelationSetup(src=a_, dst=b_, h=0.0, alpha=2.0, beta=2.0, ev=0.0, ed=0.0, rival=False),
        )
        for a_ in id_tuple
        for b_ in id_tuple
        if a_ != b_
    ]

    reach_tab = r.table(data, "reach", "")
    reach: dict[str, dict[str, tuple[str, ...]]] = {}
    for att in sorted(reach_tab):
        if att not in id_tuple:
            r.err(f"reach.{att}", "unknown state")
            continue
        inner = r.table(reach_tab, att, "reach.")
        reach[att] = {}
        for tgt in sorted(inner):
            if tgt not in id_tuple or tgt == att:
                r.err(f"reach.{att}.{tgt}", "unknown target state")
                continue
            cl = r.strs(inner, tgt, f"reach.{att}.", cls_names)
            reach[att][tgt] = tuple(c for c in cls_names if c in cl)

    sites: list[SiteSetup] = []
    site_ids: list[str] = []
    for n, s in enumerate(r.tables(data, "sites", "")):
        p = f"sites[{n}]."
        sid = r.str_(s, "id", p)
        if sid in site_ids:
            r.err(f"{p}id", f"duplicate site id {sid!r}")
        site_ids.append(sid)
        host = r.str_(s, "host", p)
        owner = r.str_(s, "owner", p, "")
        if host not in id_tuple:
            r.err(f"{p}host", f"unknown state {host!r}")
        if owner and owner not in id_tuple:
            r.err(f"{p}owner", f"unknown state {owner!r}")
        covs: list[Coverage] = []
        for m, c in enumerate(r.tables(s, "coverage", p)):
            cp = f"{p}coverage[{m}]."
            defends = r.str_(c, "defends", cp)
            if defends not in id_tuple:
                r.err(f"{cp}defends", f"unknown state {defends!r}")
            against = r.strs(c, "against", cp, id_tuple)
            value = r.float_(c, "value", cp)
            covs.extend(Coverage(defends=defends, against=x, value=value) for x in against)
        radar_q = r.float_(s, "radar_q", p, 0.0)
        capacity = r.int_(s, "capacity", p, None, 0, 100000)
        inter = r.counts(s, "interceptors", p, ITYPE_ORDER)
        if sum(inter.values()) > capacity:
            r.err(f"{p}interceptors", f"total exceeds capacity {capacity}")
        sites.append(
            SiteSetup(
                id=sid,
                host=host,
                owner=owner,
                kind=r.choice(s, "kind", p, ("home", "hosted", "sea"), "home"),
                capacity=capacity,
                allowed=r.strs(s, "allowed", p, ITYPE_ORDER) or ITYPE_ORDER,
                interceptors=inter,
                radar_q=radar_q,
                radar_max_q=r.float_(s, "radar_max_q", p, 1.0),
                radar_mode=r.choice(s, "radar_mode", p, RADAR_MODES, "terminal"),
                sensor_sharing=r.bool_(s, "sensor_sharing", p, False),
                ready_turn=r.int_(s, "ready_turn", p, 1, 1, 100),
                coverage=tuple(covs),
                sees=r.strs(s, "sees", p, id_tuple),
                ds_burden=r.float_(s, "ds_burden", p, 1.0, 0.0, 10.0),
                geo=_geo(r, s, p),
            )
        )
    site_tuple = tuple(site_ids)

    consents: list[ConsentSetup] = []
    for n, c in enumerate(r.tables(data, "consents", "")):
        p = f"consents[{n}]."
        site = r.str_(c, "site", p)
        if site not in site_tuple:
            r.err(f"{p}site", f"unknown site {site!r}")
        host = r.str_(c, "host", p)
        owner = r.str_(c, "owner", p)
        for x, key in ((host, "host"), (owner, "owner")):
            if x not in id_tuple:
                r.err(f"{p}{key}", f"unknown state {x!r}")
        consents.append(
            ConsentSetup(
                host=host,
                owner=owner,
                site=site,
                max_interceptors=r.int_(c, "max_interceptors", p, None, 0, 100000),
                max_radar_q=r.float_(c, "max_radar_q", p, 1.0),
                forward_allowed=r.bool_(c, "forward_allowed", p, False),
                sensor_sharing_allowed=r.bool_(c, "sensor_sharing_allowed", p, False),
                compensation=r.int_(c, "compensation", p, 0, 0, 10000),
                notice_turns=r.int_(c, "notice_turns", p, 1, 0, 20),
            )
        )

    treaties: list[TreatySetup] = []
    for n, t in enumerate(r.tables(data, "treaties", "")):
        p = f"treaties[{n}]."
        parties = r.strs(t, "parties", p, id_tuple)
        if len(parties) < 2:
            r.err(f"{p}parties", "needs at least two parties")
        terms_raw = r.table(t, "terms", p)
        terms = _to_json_dict(terms_raw)
        treaties.append(
            TreatySetup(
                template=r.choice(t, "template", p, TREATY_TEMPLATES, "OFFENSE_CAP"),
                name=r.str_(t, "name", p, ""),
                parties=tuple(sorted(set(parties))),
                terms=terms,
            )
        )

    agreements: list[AgreementSetup] = []
    for n, a in enumerate(r.tables(data, "agreements", "")):
        p = f"agreements[{n}]."
        between = r.strs(a, "between", p, id_tuple)
        if len(between) != 2 or between[0] == between[1]:
            r.err(f"{p}between", "must name two different states")
            continue
        lo, hi = sorted(between)
        agreements.append(
            AgreementSetup(kind=r.choice(a, "kind", p, AGREEMENT_KINDS, "HOTLINE"), a=lo, b=hi)
        )

    injects: list[Inject] = []
    for n, inj in enumerate(r.tables(data, "injects", "")):
        p = f"injects[{n}]."
        targets = r.strs(inj, "targets", p, (*id_tuple, "all")) or ("all",)
        eff = r.table(inj, "effect", p)
        ep = f"{p}effect."
        outage = r.str_(eff, "radar_outage", ep, "")
        if outage and outage not in site_tuple:
            r.err(f"{ep}radar_outage", f"unknown site {outage!r}")
        ds_tab = r.table(eff, "ds_change", ep)
        ds_change = {
            k: r.float_(ds_tab, k, f"{ep}ds_change.", 0.0, -100.0, 100.0) for k in sorted(ds_tab)
        }
        budget_tab = r.table(eff, "budget_change", ep)
        budget_change: dict[str, int] = {}
        for k in sorted(budget_tab):
            v = budget_tab[k]
            if isinstance(v, bool) or not isinstance(v, int):
                r.err(f"{ep}budget_change.{k}", "must be an integer")
            else:
                budget_change[k] = v
        inc_tab = r.table(eff, "incident", ep)
        incident = {k: r.float_(inc_tab, k, f"{ep}incident.", 0.0) for k in sorted(inc_tab)}
        for k in (*ds_change, *budget_change):
            if k not in id_tuple:
                r.err(f"{ep}{k}", f"unknown state {k!r}")
        for k in incident:
            parts = k.split(">")
            if len(parts) != 2 or parts[0] not in id_tuple or parts[1] not in id_tuple:
                r.err(f"{ep}incident.{k}", "key must be 'from>to' with two state ids")
        injects.append(
            Inject(
                turn=r.int_(inj, "turn", p, None, 1, 100),
                targets=targets,
                title=r.str_(inj, "title", p),
                text=r.str_(inj, "text", p, ""),
                effect=InjectEffect(
                    radar_outage=outage,
                    ds_change=ds_change,
                    budget_change=budget_change,
                    incident=incident,
                ),
            )
        )

    prereq_tab = r.table(data, "research_prereq", "")
    prereq: dict[str, tuple[str, ...]] = dict(DEFAULT_PREREQ)
    for k in sorted(prereq_tab):
        if k not in cls_names:
            r.err(f"research_prereq.{k}", "unknown missile class")
            continue
        prereq[k] = r.strs(prereq_tab, k, "research_prereq.", cls_names)

    for n, st2 in enumerate(states):
        for m, card in enumerate(st2.objective_cards):
            for q, cond in enumerate(card.conditions):
                if cond.site and cond.site not in site_tuple:
                    r.err(f"states[{n}].objective_cards[{m}].conditions[{q}].site", "unknown site")
                if cond.state and cond.state not in id_tuple:
                    r.err(
                        f"states[{n}].objective_cards[{m}].conditions[{q}].state", "unknown state"
                    )

    i18n = _i18n(r, data, states, injects)

    info = ScenarioInfo(
        slug=r.str_(data, "slug", ""),
        title=r.str_(data, "title", ""),
        summary=r.str_(data, "summary", "", ""),
        turns=turns,
        states=tuple(s.info for s in states),
        background=r.str_(data, "background", "", ""),
        recommended_mode=r.choice(
            data, "recommended_mode", "", ("expected", "stochastic"), "expected"
        ),
    )
    if r.errors:
        raise ScenarioError(r.errors, source)
    return Scenario(
        info=info,
        params=params,
        classes=tuple(classes),
        interceptors=tuple(itypes),
        states=tuple(states),
        relations=tuple(relations),
        reach=reach,
        sites=tuple(sites),
        consents=tuple(consents),
        treaties=tuple(treaties),
        agreements=tuple(agreements),
        injects=tuple(injects),
        research_prereq=prereq,
        i18n=i18n,
    )


LANG_RE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")
_LANG_KEYS: tuple[str, ...] = ("title", "summary", "background", "states", "injects")
_STATE_TEXT_KEYS: tuple[str, ...] = (
    "name",
    "role",
    "public_briefing",
    "secret_briefing",
    "objectives",
    "objective_cards",
)
_INJECT_TEXT_KEYS: tuple[str, ...] = ("turn", "title", "text")


def _unknown_keys(r: _Reader, d: Mapping[str, object], path: str, allowed: tuple[str, ...]) -> None:
    for k in sorted(d):
        if k not in allowed:
            r.err(f"{path}{k}", f"unknown key (expected one of {', '.join(allowed)})")


def _i18n(
    r: _Reader,
    data: Mapping[str, object],
    states: Sequence[StateSetup],
    injects: Sequence[Inject],
) -> dict[str, Translation]:
    """The ``[i18n.<lang>]`` tables: translations of the player-facing texts (schema-checked)."""
    by_id = {s.info.id: s for s in states}
    out: dict[str, Translation] = {}
    tab = r.table(data, "i18n", "")
    for lang in sorted(tab):
        p = f"i18n.{lang}."
        if not LANG_RE.match(lang):
            r.err(p[:-1], "language code must be lowercase, like 'es' or 'pt-br'")
            continue
        if lang == "en":
            r.err(p[:-1], "English is the base text of the file; translate into other languages")
            continue
        lt = r.table(tab, lang, "i18n.")
        _unknown_keys(r, lt, p, _LANG_KEYS)
        texts: dict[str, StateText] = {}
        st_tab = r.table(lt, "states", p)
        for sid in sorted(st_tab):
            sp = f"{p}states.{sid}."
            if sid not in by_id:
                r.err(sp[:-1], f"unknown state {sid!r}")
                continue
            setup = by_id[sid]
            t = r.table(st_tab, sid, f"{p}states.")
            _unknown_keys(r, t, sp, _STATE_TEXT_KEYS)
            objectives = r.strs(t, "objectives", sp)
            if objectives and len(objectives) != len(setup.info.objectives):
                r.err(
                    f"{sp}objectives",
                    f"must have {len(setup.info.objectives)} item(s), like the English list",
                )
            cards_tab = r.table(t, "objective_cards", sp)
            card_ids = {c.id for c in setup.objective_cards}
            cards: dict[str, str] = {}
            for cid in sorted(cards_tab):
                if cid not in card_ids:
                    r.err(f"{sp}objective_cards.{cid}", f"unknown objective card {cid!r}")
                    continue
                cards[cid] = r.str_(cards_tab, cid, f"{sp}objective_cards.")
            texts[sid] = StateText(
                name=r.str_(t, "name", sp, ""),
                role=r.str_(t, "role", sp, ""),
                public_briefing=r.str_(t, "public_briefing", sp, ""),
                secret_briefing=r.str_(t, "secret_briefing", sp, ""),
                objectives=objectives,
                objective_cards=cards,
            )
        inj_texts: list[InjectText] = []
        inj_tabs = r.tables(lt, "injects", p)
        if len(inj_tabs) > len(injects):
            r.err(
                f"{p}injects",
                f"has {len(inj_tabs)} entries but the scenario has {len(injects)} injects",
            )
        for n, it in enumerate(inj_tabs[: len(injects)]):
            ip = f"{p}injects[{n}]."
            _unknown_keys(r, it, ip, _INJECT_TEXT_KEYS)
            turn = r.int_(it, "turn", ip, None, 1, 100)
            if "turn" in it and turn != injects[n].turn:
                r.err(
                    f"{ip}turn", f"must be {injects[n].turn}, the turn of injects[{n}] (same order)"
                )
            inj_texts.append(
                InjectText(
                    turn=turn, title=r.str_(it, "title", ip, ""), text=r.str_(it, "text", ip, "")
                )
            )
        out[lang] = Translation(
            title=r.str_(lt, "title", p, ""),
            summary=r.str_(lt, "summary", p, ""),
            background=r.str_(lt, "background", p, ""),
            states={sid: texts[sid] for sid in by_id if sid in texts},
            injects=tuple(inj_texts),
        )
    return out


def translation_to_json(t: Translation) -> JSONDict:
    """A translation in the file schema of an ``[i18n.<lang>]`` table."""
    states: JSONDict = {
        sid: {
            "name": x.name,
            "role": x.role,
            "public_briefing": x.public_briefing,
            "secret_briefing": x.secret_briefing,
            "objectives": list(x.objectives),
            "objective_cards": dict(x.objective_cards),
        }
        for sid, x in t.states.items()
    }
    return {
        "title": t.title,
        "summary": t.summary,
        "background": t.background,
        "states": states,
        "injects": [{"turn": i.turn, "title": i.title, "text": i.text} for i in t.injects],
    }


def _to_json(v: object) -> JSON:
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, Mapping):
        return {str(k): _to_json(x) for k, x in sorted(v.items())}
    if isinstance(v, (list, tuple)):
        return [_to_json(x) for x in v]
    return str(v)


def _to_json_dict(v: Mapping[str, object]) -> JSONDict:
    return {str(k): _to_json(x) for k, x in sorted(v.items())}


def _geo_json(g: Geo) -> JSONDict:
    return {"x": g.x, "y": g.y, "polygon": [[a, b] for a, b in g.polygon]}


def _cond_json(c: Condition) -> JSONDict:
    return {
        "kind": c.kind,
        "site": c.site,
        "class": c.cls,
        "state": c.state,
        "template": c.template,
        "value": c.value,
    }


def inject_to_json(inj: Inject) -> JSONDict:
    """JSON form of an inject (the scenario file's ``[[injects]]`` schema)."""
    return {
        "turn": inj.turn,
        "targets": list(inj.targets),
        "title": inj.title,
        "text": inj.text,
        "effect": {
            "radar_outage": inj.effect.radar_outage,
            "ds_change": dict(inj.effect.ds_change),
            "budget_change": dict(inj.effect.budget_change),
            "incident": dict(inj.effect.incident),
        },
    }


def scenario_to_json(s: Scenario) -> JSONDict:
    """The scenario in its file schema (JSON-safe); ``parse_scenario`` inverts it."""
    states: list[JSON] = []
    for st in s.states:
        d: JSONDict = {
            "id": st.info.id,
            "name": st.info.name,
            "role": st.info.role,
            "public_briefing": st.info.public_briefing,
            "secret_briefing": st.info.secret_briefing,
            "objectives": list(st.info.objectives),
            "color": st.info.color,
            "nuclear": st.nuclear,
            "missiles": dict(st.missiles),
            "tech": list(st.tech),
            "developing": dict(st.developing),
            "prod_cap": dict(st.prod_cap),
            "interceptors_store": dict(st.store),
            "cm": st.cm,
            "ntm": st.ntm,
            "conceal": st.conceal,
            "program": st.program,
            "budget": st.budget,
            "income": st.income,
            "ds": st.ds,
            "missile_sites": st.n_sites,
            "l_half": st.l_half,
            "u": st.u,
            "weights": list(st.weights),
            "k": st.k,
            "a": st.a,
            "s0": st.s0,
            "treaty_pref": st.treaty_pref,
            "shame": st.shame,
            "hawkish": st.hawkish,
            "allow_challenge": st.allow_challenge,
            "doctrine": st.doctrine,
            "npc": st.npc,
            "geography": _geo_json(st.geo),
            "objective_cards": [
                {
                    "id": o.id,
                    "text": o.text,
                    "points": o.points,
                    "any_of": o.any_of,
                    **({"by_turn": o.by_turn} if o.by_turn is not None else {}),
                    "conditions": [_cond_json(c) for c in o.conditions],
                }
                for o in st.objective_cards
            ],
        }
        if st.public_missiles is not None:
            d["public_missiles"] = dict(st.public_missiles)
        states.append(d)
    return {
        "schema_version": SCHEMA_VERSION,
        "slug": s.info.slug,
        "title": s.info.title,
        "summary": s.info.summary,
        "background": s.info.background,
        "recommended_mode": s.info.recommended_mode,
        "turns": s.info.turns,
        "params": dict(params_to_json(s.params)),
        "classes": {
            c.name: {
                "w": c.w,
                "cost": c.cost,
                "v": c.v,
                "pcf": c.pcf,
                "kappa": c.kappa,
                "eta_test": c.eta_test,
                "cat1": c.cat1,
            }
            for c in s.classes
        },
        "interceptors": {
            i.name: {"cost": i.cost, "p0": dict(i.p0), "x_weight": i.x_weight}
            for i in s.interceptors
        },
        "states": states,
        "relations": [
            {
                "from": r.src,
                "to": r.dst,
                "h": r.h,
                "trust": [r.alpha, r.beta],
                "ev": r.ev,
                "ed": r.ed,
                "rival": r.rival,
            }
            for r in s.relations
        ],
        "reach": {a: {t: list(c) for t, c in inner.items()} for a, inner in s.reach.items()},
        "sites": [
            {
                "id": x.id,
                "host": x.host,
                "owner": x.owner,
                "kind": x.kind,
                "capacity": x.capacity,
                "allowed": list(x.allowed),
                "interceptors": dict(x.interceptors),
                "radar_q": x.radar_q,
                "radar_max_q": x.radar_max_q,
                "radar_mode": x.radar_mode,
                "sensor_sharing": x.sensor_sharing,
                "ready_turn": x.ready_turn,
                "coverage": [
                    {"defends": c.defends, "against": [c.against], "value": c.value}
                    for c in x.coverage
                ],
                "sees": list(x.sees),
                "ds_burden": x.ds_burden,
                "geography": _geo_json(x.geo),
            }
            for x in s.sites
        ],
        "consents": [
            {
                "host": c.host,
                "owner": c.owner,
                "site": c.site,
                "max_interceptors": c.max_interceptors,
                "max_radar_q": c.max_radar_q,
                "forward_allowed": c.forward_allowed,
                "sensor_sharing_allowed": c.sensor_sharing_allowed,
                "compensation": c.compensation,
                "notice_turns": c.notice_turns,
            }
            for c in s.consents
        ],
        "treaties": [
            {"template": t.template, "name": t.name, "parties": list(t.parties), "terms": t.terms}
            for t in s.treaties
        ],
        "agreements": [{"kind": a.kind, "between": [a.a, a.b]} for a in s.agreements],
        "injects": [inject_to_json(i) for i in s.injects],
        "research_prereq": {k: list(v) for k, v in s.research_prereq.items()},
        "i18n": {lang: translation_to_json(t) for lang, t in s.i18n.items()},
    }


def _bundled_dir() -> Path:
    return Path(str(resources.files("game_engine") / "scenarios"))


def bundled_slugs() -> tuple[str, ...]:
    """Slugs of the scenario files shipped in ``game_engine/scenarios``."""
    return tuple(sorted(p.stem for p in _bundled_dir().glob("*.toml")))


def read_toml(path: str | Path) -> dict[str, object]:
    """Parse a TOML file; syntax errors become a ``ScenarioError``."""
    try:
        with open(path, "rb") as fh:
            return dict(tomllib.load(fh))
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError([f"(file): TOML syntax error: {exc}"], str(path)) from exc
    except OSError as exc:
        raise ScenarioError([f"(file): cannot read: {exc.strerror}"], str(path)) from exc


def load_scenario(slug_or_path: str) -> Scenario:
    """A bundled scenario by slug (``"meridian-sea"``) or any ``.toml`` file by path.

    Raises ``ScenarioError`` listing field-path errors.
    """
    if slug_or_path in bundled_slugs():
        path = _bundled_dir() / f"{slug_or_path}.toml"
    else:
        path = Path(slug_or_path)
        if not path.suffix == ".toml":
            raise ScenarioError(
                [f"(file): no bundled scenario {slug_or_path!r} and not a .toml path"], slug_or_path
            )
    return parse_scenario(read_toml(path), str(path))


def list_scenarios() -> tuple[ScenarioInfo, ...]:
    """Info of every bundled scenario, sorted by slug."""
    return tuple(load_scenario(slug).info for slug in bundled_slugs())
