"""The region map: the strategic situation drawn as SVG, built for one viewer.

Everything a map shows about the current state comes from the engine's view_for(state, viewer):
a player's map carries their own true forces and their *estimates* of the others (never the
others' true counts), the public map carries the public record only, and the facilitator's map
carries the ground truth. The scenario's static geography (which missile classes can reach whom,
what each defense site is meant to cover) is public scenario data, read from the scenario the game
was created with (embedded in its engine state), not from today's scenario file.

Colour never carries a reading alone: every fill category has a colour-blind-safe colour *and* its
own pattern, drawn from FILLS below (tests/negotiation/test_map_palette.py checks the colours under
simulated colour-vision deficiencies and every contrast the map relies on).
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

import game_engine
from negotiation import engine_views
from negotiation.models import Game
from negotiation.viewer import Role, Viewer

PAD = 40.0


# --- Palette: what colour encodes, always with a pattern as well -----------------------------------


@dataclass(frozen=True, slots=True)
class Fill:
    """One fill category: a background colour, the colour of its pattern marks (at least 3:1
    against the background, so the pattern shows without colour vision) and the pattern."""

    key: str
    colour: str
    ink: str
    pattern: str


# Threat to the viewer (player map) and true insecurity (facilitator map): Paul Tol's YlOrBr
# sequential scheme (light to dark, so the order survives greyscale and every colour-vision
# deficiency) after plain white for "none"; the pattern grows denser with the level. The
# viewer's own state is Tol's light blue with dots, outside the ramp.
THREAT_LEVELS = ("none", "low", "medium", "high")
THREAT_FILLS = (
    Fill("self", "#77aadd", "#1b1f24", "dots"),
    Fill("none", "#ffffff", "#1b1f24", "plain"),
    Fill("low", "#fee391", "#6b4a00", "hatch"),
    Fill("medium", "#fb9a29", "#4a2500", "hatch-dense"),
    Fill("high", "#cc4c02", "#ffffff", "cross"),
)

# One identity per state (public map): Okabe & Ito (2008) in the order the review charts give the
# states (negotiation/review/charts.py PALETTE), so a state has the same colour on the map, in the
# charts and in the scenario's swatches. The charts' seventh and eighth colours (black, mid grey)
# are swapped for Okabe-Ito yellow and a light grey: a black region would hide its outline and
# labels, and mid grey is too close to the green under deuteranopia. Every identity has its own
# pattern.
IDENTITY_FILLS = (
    Fill("id0", "#0072b2", "#ffffff", "horizontal"),
    Fill("id1", "#d55e00", "#1b1f24", "dots"),
    Fill("id2", "#009e73", "#1b1f24", "hatch"),
    Fill("id3", "#cc79a7", "#1b1f24", "backhatch"),
    Fill("id4", "#e69f00", "#1b1f24", "cross"),
    Fill("id5", "#56b4e9", "#1b1f24", "vertical"),
    Fill("id6", "#f0e442", "#1b1f24", "rings"),
    Fill("id7", "#dddddd", "#1b1f24", "grid"),
)
IDENTITY_KEYS = tuple(f.key for f in IDENTITY_FILLS)
FILLS = {f.key: f for f in THREAT_FILLS + IDENTITY_FILLS}


@dataclass(frozen=True, slots=True)
class Ink:
    """Every other colour the map draws with. Lines that cross the map (reach arrows, coverage
    rings, treaty zones, hosting links) are drawn over a white casing, so they keep their contrast
    over any fill; labels have a white halo for the same reason."""

    sea: str = "#e3eef7"
    outline: str = "#1b1f24"  # state borders, site markers, reach arrows
    casing: str = "#ffffff"
    coverage: str = "#0072b2"
    treaty: str = "#0b5cad"
    label: str = "#111111"
    halo: str = "#ffffff"


INK = Ink()

_TILE = 12
# Patterns are drawn in map units, so they shrink with the map: at 1.5 map units per tile unit a
# tile is about 18 px on a desktop map and still about 6 px on a 375 px phone.
_PATTERN_SCALE = 1.5


def _pattern_marks(pattern: str, ink: str) -> tuple[str, str]:
    """(rotation, marks) for a pattern on a _TILE-unit tile. Lines run through the tile's middle:
    a tile clips its content, so a line on its edge would lose half its width."""
    m, t = _TILE / 2, _TILE
    line = f'stroke="{ink}" stroke-width="2"'
    match pattern:
        case "plain":
            return "", ""
        case "dots":
            return "", f'<circle cx="{m:g}" cy="{m:g}" r="2.5" fill="{ink}"/>'
        case "rings":
            return "", f'<circle cx="{m:g}" cy="{m:g}" r="3.5" fill="none" {line}/>'
        case "hatch":
            return " rotate(45)", f'<path d="M{m:g},0 V{t}" {line}/>'
        case "backhatch":
            return " rotate(-45)", f'<path d="M{m:g},0 V{t}" {line}/>'
        case "hatch-dense":
            return " rotate(45)", f'<path d="M{m / 2:g},0 V{t} M{m * 1.5:g},0 V{t}" stroke="{ink}" stroke-width="1.5"/>'
        case "cross":
            return " rotate(45)", f'<path d="M{m:g},0 V{t} M0,{m:g} H{t}" {line}/>'
        case "grid":
            return "", f'<path d="M{m:g},0 V{t} M0,{m:g} H{t}" stroke="{ink}" stroke-width="1.5"/>'
        case "horizontal":
            return "", f'<path d="M0,{m:g} H{t}" {line}/>'
        case "vertical":
            return "", f'<path d="M{m:g},0 V{t}" {line}/>'
    raise ValueError(f"unknown pattern {pattern!r}")


def pattern_svg(prefix: str, fill: Fill) -> str:
    """The SVG <pattern> for `fill`, referenced as url(#<prefix>-<key>)."""
    rotation, marks = _pattern_marks(fill.pattern, fill.ink)
    return (f'<pattern id="{prefix}-{fill.key}" patternUnits="userSpaceOnUse" width="{_TILE}" height="{_TILE}" '
            f'patternTransform="scale({_PATTERN_SCALE:g}){rotation}">'
            f'<rect width="{_TILE}" height="{_TILE}" fill="{fill.colour}"/>{marks}</pattern>')


@dataclass(frozen=True, slots=True)
class MapShape:
    id: str
    name: str
    fill: str
    is_me: bool
    points: str
    cx: float
    cy: float
    r: float
    summary: str
    facts: list[tuple[str, str]]
    label_y: float = 0.0  # the name's baseline: above the centre when a site marker sits there


@dataclass(frozen=True, slots=True)
class MapSite:
    id: str
    x: float
    y: float
    hosted: bool
    ring: float
    link: str
    summary: str


@dataclass(frozen=True, slots=True)
class MapReach:
    attacker: str
    target: str
    classes: tuple[str, ...]
    path: str
    summary: str

    @property
    def class_list(self) -> str:
        return " ".join(self.classes)


@dataclass(frozen=True, slots=True)
class MapZone:
    id: str
    points: str
    closed: bool
    lx: float
    ly: float
    label: str
    summary: str


@dataclass(slots=True)
class RegionMap:
    kind: str  # "player", "truth" or "public"
    prefix: str
    turn: int
    viewbox: str
    box: tuple[float, float, float, float]
    title: str
    counts_label: str
    colour_key: str
    legend: list[tuple[str, str]]
    shapes: list[MapShape] = field(default_factory=list)
    sites: list[MapSite] = field(default_factory=list)
    reach: list[MapReach] = field(default_factory=list)
    zones: list[MapZone] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)
    fills: tuple[Fill, ...] = ()
    ink: Ink = INK

    @property
    def sea(self) -> dict[str, float]:
        x, y, w, h = self.box
        return {"x": x, "y": y, "w": w, "h": h}

    @property
    def patterns(self) -> SafeString:
        """The <pattern> definitions of this map's fill categories (ids and palette colours only)."""
        return mark_safe("".join(pattern_svg(self.prefix, f) for f in self.fills))  # noqa: S308


def region_map(game: Game, viewer: Viewer) -> RegionMap:
    """The map `viewer` is entitled to: their own estimates (player), the ground truth
    (facilitator) or the public record (observer)."""
    state = engine_views.state(game)
    view = engine_views.typed_view_of(state, viewer.engine_viewer)
    if viewer.role is Role.PLAYER and viewer.state_id:
        return build(game, view, kind="player", me=viewer.state_id)
    if viewer.role is Role.FACILITATOR:
        return build(game, view, kind="truth")
    return build(game, view, kind="public")


def public_map(game: Game, view: game_engine.View | None = None) -> RegionMap:
    """The public version (projector, observers): built from the public view only."""
    if view is None:
        view = engine_views.typed_view_of(engine_views.state(game), None)
    return build(game, view, kind="public")


# --- Rendered maps, reused until the engine state changes ---------------------------------------

_CACHE: OrderedDict[tuple[Any, ...], str] = OrderedDict()
_CACHE_LOCK = threading.Lock()
CACHE_SIZE = 256


def state_digest(game: Game) -> str:
    if "state" not in game.__dict__ and engine_views.STATE_DIGEST in game.__dict__:
        # read by engine_views.game_for_render: the database's digest of the snapshot
        return "md5:" + str(game.__dict__[engine_views.STATE_DIGEST])
    return hashlib.blake2b(json.dumps(game.state, separators=(",", ":")).encode(), digest_size=16).hexdigest()


def cached_html(game: Game, engine_viewer: str | None, name: str, render: Callable[[], str]) -> str:
    """The HTML of map `name` as `engine_viewer` sees it, rendered once per engine state, viewer,
    language and scenario (the map is a pure function of those)."""
    key = (name, game.pk, game.scenario_slug, engine_viewer, get_language(), state_digest(game))
    with _CACHE_LOCK:
        html = _CACHE.get(key)
        if html is not None:
            _CACHE.move_to_end(key)
            return html
    html = render()
    with _CACHE_LOCK:
        _CACHE[key] = html
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    return html


# --- Building --------------------------------------------------------------------------------------


def _counts_text(counts: Mapping[str, int], classes: list[str]) -> str:
    parts = [f"{counts[c]} {c}" for c in classes if counts.get(c, 0) > 0]
    return ", ".join(parts) or _("none")


def _level(value: float | None) -> str:
    if value is None or value < 1:
        return "none"
    if value < 25:
        return "low"
    if value < 50:
        return "medium"
    return "high"


def _insecurity(security: float | None) -> str:
    if security is None:
        return "none"
    if security >= 70:
        return "none"
    if security >= 55:
        return "low"
    if security >= 40:
        return "medium"
    return "high"


def _level_word(level: str) -> str:
    return {"none": _("none"), "low": _("low"), "medium": _("medium"), "high": _("high")}[level]


def _geometry(states: Sequence[game_engine.StateView]) -> dict[str, tuple[float, float, list[tuple[float, float]]]]:
    """Centre and outline of each state. States without an outline become circles; when the
    scenario has no geography at all, the states stand on a ring."""
    geo: dict[str, tuple[float, float, list[tuple[float, float]]]] = {}
    has_geo = any(s.polygon for s in states) or len({(s.x, s.y) for s in states}) > 1
    n = max(1, len(states))
    for i, s in enumerate(states):
        sid = s.id
        if has_geo:
            x, y = s.x, s.y
        else:
            angle = 2 * math.pi * i / n - math.pi / 2
            x, y = 500 + 300 * math.cos(angle), 500 + 300 * math.sin(angle)
        points = list(s.polygon)
        geo[sid] = (x, y, points if len(points) >= 3 else [])
    return geo


def _box(geo: dict[str, tuple[float, float, list[tuple[float, float]]]],
         sites: list[tuple[float, float]]) -> tuple[float, float, float, float]:
    xs: list[float] = []
    ys: list[float] = []
    for x, y, pts in geo.values():
        if pts:
            xs += [p[0] for p in pts]
            ys += [p[1] for p in pts]
        else:
            xs += [x - 80, x + 80]
            ys += [y - 80, y + 80]
    xs += [s[0] for s in sites]
    ys += [s[1] for s in sites]
    if not xs:
        return (0.0, 0.0, 1000.0, 1000.0)
    x0, y0 = max(0.0, min(xs) - PAD), max(0.0, min(ys) - PAD)
    return (x0, y0, max(xs) + PAD - x0, max(ys) + PAD - y0)


def _curve(x1: float, y1: float, x2: float, y2: float, shrink: float = 45.0) -> str:
    """A gently bent path from one centre towards another (bent to the right, so A->B and
    B->A do not overlap), stopping short of both ends."""
    dx, dy = x2 - x1, y2 - y1
    length = math.hypot(dx, dy) or 1.0
    ux, uy = dx / length, dy / length
    sx, sy = x1 + ux * shrink, y1 + uy * shrink
    ex, ey = x2 - ux * shrink, y2 - uy * shrink
    bend = min(60.0, length * 0.15)
    mx, my = (sx + ex) / 2 - uy * bend, (sy + ey) / 2 + ux * bend
    return f"M{sx:.0f},{sy:.0f} Q{mx:.0f},{my:.0f} {ex:.0f},{ey:.0f}"


def _hull(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Convex hull (monotone chain)."""
    pts = sorted(set(points))
    if len(pts) <= 2:
        return pts

    def cross(o: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[tuple[float, float]] = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list[tuple[float, float]] = []
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def build(game: Game, view: game_engine.View, *, kind: str, me: str | None = None) -> RegionMap:
    classes = list(view.classes)
    states = view.states
    by_id = {s.id: s for s in states}
    names = {s.id: s.name for s in states}
    mine = view.me if kind == "player" else None
    truth = view.truth if kind == "truth" else None
    estimates = mine.estimates if mine is not None else {}
    threat = mine.threat if mine is not None else {}
    geo = _geometry(states)
    index = {sid: i for i, sid in enumerate(names)}

    def believed(sid: str) -> Mapping[str, int]:
        """The missile counts this map's viewer holds for `sid`."""
        if kind == "player":
            if sid == me and mine is not None:
                return mine.missiles
            return estimates.get(sid, {})
        if kind == "truth" and truth is not None:
            own = truth.states.get(sid)
            return own.missiles if own is not None else {}
        entry = by_id.get(sid)
        return entry.public_ledger if entry is not None else {}

    # Sites: deduplicated (a hosted site is listed under its host and its owner).
    true_sites: dict[str, game_engine.OwnSite] = {}
    if kind == "player" and mine is not None:
        true_sites = {s.id: s for s in mine.sites}
    elif truth is not None:
        for own in truth.states.values():
            for own_site in own.sites:
                true_sites[own_site.id] = own_site
    seen: dict[str, game_engine.PublicSite] = {}
    for s in states:
        for site in s.sites:
            seen.setdefault(site.id, site)
    consents = {c.site: c for c in view.consents}
    # Static geography from the game's own scenario: what each class can reach and what each site
    # is meant to cover. Which classes a state holds comes from `believed` (the viewer's view).
    setting = engine_views.state(game).scenario
    setups = {s.id: s for s in setting.sites}
    reach_table = setting.reach

    site_rows: list[MapSite] = []
    site_points: list[tuple[float, float]] = []
    sites_by_state: dict[str, list[str]] = {sid: [] for sid in names}
    for site_id, site in sorted(seen.items()):
        host, owner = site.host, site.owner
        x, y = site.x, site.y
        site_points.append((x, y))
        exact = true_sites.get(site_id)
        if exact is not None:
            count = sum(exact.interceptors.values())
            count_text = _("%(n)s interceptors (true count)") % {"n": count}
        else:
            count = site.interceptors_public
            count_text = _("%(n)s interceptors (public record)") % {"n": count}
        hosted = bool(owner) and owner != host
        ring = 0.0 if count <= 0 else 28 + 9 * math.sqrt(count)
        parts = [_("Site %(site)s in %(host)s") % {"site": site_id, "host": names.get(host, host)}]
        if hosted:
            parts.append(_("operated by %(owner)s (hosted deployment)") % {"owner": names.get(owner, owner)})
        elif not owner:
            parts.append(_("no operator yet"))
        parts.append(count_text)
        parts.append(_("radar %(mode)s") % {"mode": site.radar_mode})
        consent = consents.get(site_id)
        if consent:
            terms = [_("at most %(n)s interceptors") % {"n": consent.max_interceptors}]
            if not consent.forward_allowed:
                terms.append(_("no forward radar"))
            if not consent.sensor_sharing_allowed:
                terms.append(_("no sensor sharing"))
            if consent.compensation:
                terms.append(_("compensation %(n)s per turn") % {"n": consent.compensation})
            parts.append(_("host consent: %(terms)s") % {"terms": ", ".join(terms)})
        setup = setups.get(site_id)
        defends: dict[str, list[str]] = {}
        for cov in getattr(setup, "coverage", ()) or ():
            against = [cov.against] if isinstance(cov.against, str) else list(cov.against)
            defends.setdefault(str(cov.defends), []).extend(names.get(a, a) for a in against)
        for defended, against_names in defends.items():
            parts.append(_("meant to defend %(defends)s against %(against)s") % {
                "defends": names.get(defended, defended), "against": ", ".join(against_names)})
        link = ""
        if hosted and owner in geo:
            ox, oy, _p = geo[owner]
            link = f"M{ox:.0f},{oy:.0f} L{x:.0f},{y:.0f}"
        site_rows.append(MapSite(id=site_id, x=x, y=y, hosted=hosted, ring=ring, link=link,
                                 summary="; ".join(parts) + "."))
        sites_by_state.setdefault(host, []).append(site_id)

    shapes: list[MapShape] = []
    for sid, name in names.items():
        x, y, pts = geo[sid]
        entry = by_id[sid]
        counts = _counts_text(believed(sid), classes)
        facts: list[tuple[str, str]] = []
        if kind == "player":
            if sid == me:
                fill = "self"
                summary = _("%(name)s (you). Your forces: %(counts)s.") % {"name": name, "counts": counts}
                facts.append((_("Your forces (true)"), counts))
            else:
                level = _level(threat.get(sid))
                fill = level
                summary = _("%(name)s. Threat to you: %(level)s. Your estimate of its missiles: %(counts)s.") % {
                    "name": name, "level": _level_word(level), "counts": counts}
                facts.append((_("Threat to you"), _level_word(level)))
                facts.append((_("Your estimate of its missiles"), counts))
        elif kind == "truth":
            own_truth = truth.states.get(sid) if truth is not None else None
            security = own_truth.security if own_truth is not None else None
            level = _insecurity(security)
            fill = level
            summary = _("%(name)s. True security %(security)s. True missiles: %(counts)s.") % {
                "name": name, "security": f"{float(security or 0):.0f}", "counts": counts}
            facts.append((_("True security"), f"{float(security or 0):.0f}"))
            facts.append((_("True missiles"), counts))
        else:
            fill = IDENTITY_KEYS[index[sid] % len(IDENTITY_KEYS)]
            summary = _("%(name)s. Public record of its missiles: %(counts)s.") % {"name": name, "counts": counts}
            facts.append((_("Public record of its missiles"), counts))
        total = sum(entry.public_interceptors.values())
        facts.append((_("Interceptors (public record)"), str(total)))
        if sites_by_state.get(sid):
            facts.append((_("Defense sites"), ", ".join(sites_by_state[sid])))
        crowded = any(abs(site.x - x) < 120 and -50 < site.y - y < 45 for site in site_rows)
        shapes.append(MapShape(
            id=sid, name=name, fill=fill, is_me=sid == me,
            points=" ".join(f"{px:.0f},{py:.0f}" for px, py in pts), cx=x, cy=y,
            r=0.0 if pts else 70.0, summary=summary, facts=facts, label_y=y - 60 if crowded else y + 10,
        ))

    reach_rows: list[MapReach] = []
    for att in names:
        held = believed(att)
        for tgt, reach_classes in sorted((reach_table.get(att) or {}).items()):
            if tgt not in names:
                continue
            known = tuple(c for c in reach_classes if held.get(c, 0) > 0)
            if not known:
                continue
            ax, ay, _a = geo[att]
            tx, ty, _t = geo[tgt]
            summary = _("%(att)s can reach %(tgt)s with %(classes)s.") % {
                "att": names[att], "tgt": names[tgt], "classes": ", ".join(known)}
            reach_rows.append(MapReach(attacker=att, target=tgt, classes=known,
                                       path=_curve(ax, ay, tx, ty), summary=summary))

    zones: list[MapZone] = []
    for t in view.treaties:
        if t.status not in ("in_force", "withdrawing"):
            continue
        parties = [p for p in t.parties if p in geo]
        if len(parties) < 2:
            continue
        hull = _hull([(geo[p][0], geo[p][1]) for p in parties])
        lx = sum(p[0] for p in hull) / len(hull)
        ly = sum(p[1] for p in hull) / len(hull)
        label = t.name or t.id
        zones.append(MapZone(
            id=t.id, points=" ".join(f"{px:.0f},{py:.0f}" for px, py in hull), closed=len(hull) >= 3,
            lx=lx, ly=ly, label=label,
            summary=_("Treaty in force: %(name)s, between %(parties)s.") % {
                "name": label, "parties": ", ".join(names[p] for p in parties)},
        ))

    box = _box(geo, site_points)
    fills: tuple[Fill, ...]
    if kind == "player":
        fills = THREAT_FILLS
        title = _("Your map of the region")
        counts_label = _("Other states' forces are your estimates, not the truth.")
        colour_key = _("Colour and hatching: the threat each state poses to you.")
        legend = [("self", _("your state"))] + [(lv, _("threat: %(level)s") % {"level": _level_word(lv)})
                                                for lv in THREAT_LEVELS]
    elif kind == "truth":
        fills = THREAT_FILLS[1:]
        title = _("Ground-truth map (facilitator only)")
        counts_label = _("True forces of every state.")
        colour_key = _("Colour and hatching: how insecure each state really is.")
        legend = [(lv, _("insecurity: %(level)s") % {"level": _level_word(lv)}) for lv in THREAT_LEVELS]
    else:
        fills = tuple(FILLS[k] for k in dict.fromkeys(s.fill for s in shapes))
        title = _("Public map of the region")
        counts_label = _("Forces as publicly recorded (declared or observed).")
        colour_key = _("Each state has its own colour and hatching.")
        legend = [(s.fill, s.name) for s in shapes]
    return RegionMap(
        kind=kind, prefix={"player": "rm", "truth": "tm", "public": "pm"}[kind], turn=view.turn,
        viewbox=" ".join(f"{v:.0f}" for v in box), box=box, title=title, counts_label=counts_label,
        colour_key=colour_key, legend=legend, shapes=shapes, sites=site_rows, reach=reach_rows, zones=zones,
        fills=fills,
        classes=sorted({c for r in reach_rows for c in r.classes}, key=lambda c: classes.index(c) if c in classes else 99),
    )

