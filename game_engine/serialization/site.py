"""JSON codecs of a defense :class:`~game_engine.state.Site` (with its geography) and of a hosting
:class:`~game_engine.state.Consent`."""

from __future__ import annotations

from game_engine.errors import RuleCode, RuleViolation
from game_engine.jsontypes import JSON, JSONDict
from game_engine.params import ITYPE_ORDER
from game_engine.scenario import (
    Coverage,
    Geo,
)
from game_engine.serialization.reader import Fields, objects
from game_engine.state import (
    Consent,
    Limits,
    Site,
)


def geo_to_json(g: Geo) -> JSONDict:
    return {"x": g.x, "y": g.y, "polygon": [[a, b] for a, b in g.polygon]}


def site_to_json(s: Site) -> JSONDict:
    lim: JSON = None
    if s.limits is not None:
        lim = {
            "max_interceptors": s.limits.max_interceptors,
            "terminal_only": s.limits.terminal_only,
            "no_sensor_sharing": s.limits.no_sensor_sharing,
            "note": s.limits.note,
            "declared_by": s.limits.declared_by,
            "turn": s.limits.turn,
        }
    return {
        "id": s.id,
        "host": s.host,
        "owner": s.owner,
        "kind": s.kind,
        "capacity": s.capacity,
        "allowed": list(s.allowed),
        "interceptors": dict(s.interceptors),
        "radar_q": s.radar_q,
        "radar_max_q": s.radar_max_q,
        "radar_mode": s.radar_mode,
        "sensor_sharing": s.sensor_sharing,
        "ready_turn": s.ready_turn,
        "coverage": [
            {"defends": c.defends, "against": c.against, "value": c.value} for c in s.coverage
        ],
        "sees": list(s.sees),
        "ds_burden": s.ds_burden,
        "geo": geo_to_json(s.geo),
        "limits": lim,
        "outage_turn": s.outage_turn,
    }


def consent_to_json(c: Consent) -> JSONDict:
    return {
        "host": c.host,
        "owner": c.owner,
        "site": c.site,
        "max_interceptors": c.max_interceptors,
        "max_radar_q": c.max_radar_q,
        "forward_allowed": c.forward_allowed,
        "sensor_sharing_allowed": c.sensor_sharing_allowed,
        "compensation": c.compensation,
        "notice_turns": c.notice_turns,
        "granted_turn": c.granted_turn,
        "revoke_effective": c.revoke_effective,
    }


def geo_from_json(r: Fields) -> Geo:
    pts: list[tuple[float, float]] = []
    for pt in r.lst("polygon"):
        if not (
            isinstance(pt, list) and len(pt) == 2 and all(isinstance(c, (int, float)) for c in pt)
        ):
            raise RuleViolation(RuleCode.E_BAD_PARAM, f"invalid snapshot field {r.where}.polygon")
        pts.append((float(pt[0]), float(pt[1])))
    return Geo(x=r.f("x"), y=r.f("y"), polygon=tuple(pts))


def site_from_json(r: Fields) -> Site:
    lim = None
    if r.d.get("limits") is not None:
        q = r.sub("limits")
        lim = Limits(
            max_interceptors=q.oi("max_interceptors"),
            terminal_only=q.b("terminal_only"),
            no_sensor_sharing=q.b("no_sensor_sharing"),
            note=q.s("note"),
            declared_by=q.s("declared_by"),
            turn=q.i("turn"),
        )
    cov = tuple(
        Coverage(defends=c.s("defends"), against=c.s("against"), value=c.f("value"))
        for c in objects(r.lst("coverage"), f"{r.where}.coverage")
    )
    return Site(
        id=r.s("id"),
        host=r.s("host"),
        owner=r.s("owner"),
        kind=r.s("kind"),
        capacity=r.i("capacity"),
        allowed=r.strs("allowed"),
        interceptors=r.counts("interceptors", ITYPE_ORDER),
        radar_q=r.f("radar_q"),
        radar_max_q=r.f("radar_max_q"),
        radar_mode=r.s("radar_mode"),
        sensor_sharing=r.b("sensor_sharing"),
        ready_turn=r.i("ready_turn"),
        coverage=cov,
        sees=r.strs("sees"),
        ds_burden=r.f("ds_burden"),
        geo=geo_from_json(r.sub("geo")),
        limits=lim,
        outage_turn=r.i("outage_turn"),
    )


def consent_from_json(r: Fields) -> Consent:
    return Consent(
        host=r.s("host"),
        owner=r.s("owner"),
        site=r.s("site"),
        max_interceptors=r.i("max_interceptors"),
        max_radar_q=r.f("max_radar_q"),
        forward_allowed=r.b("forward_allowed"),
        sensor_sharing_allowed=r.b("sensor_sharing_allowed"),
        compensation=r.i("compensation"),
        notice_turns=r.i("notice_turns"),
        granted_turn=r.i("granted_turn"),
        revoke_effective=r.oi("revoke_effective"),
    )

