"""The JSON codec of scenarios (``scenario_to_json``; ``parse_scenario`` reads it back): one
function per type, the inverse of the parser."""

from __future__ import annotations

from collections.abc import Mapping

from game_engine.jsontypes import JSON, JSONDict
from game_engine.params import (
    params_to_json,
)
from game_engine.scenario.types import SCHEMA_VERSION, Condition, Geo, Inject, Scenario, Translation


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
    out: JSONDict = {
        "title": t.title,
        "summary": t.summary,
        "background": t.background,
        "states": states,
        "injects": [{"turn": i.turn, "title": i.title, "text": i.text} for i in t.injects],
    }
    if t.treaties:  # absent when untranslated: snapshots written before it read the same
        out["treaties"] = list(t.treaties)
    return out


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


