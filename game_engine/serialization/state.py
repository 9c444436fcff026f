"""Explicit JSON snapshots of the game state (P8, B6). No pickle, no reflection.

``state_from_json(state_to_json(s)) == s`` for every state; JSON keys are sorted by
:func:`canonical_json`, and counts are rebuilt in the canonical class order so that a
reloaded state resolves byte-identically. Each part of the state has its own codec module.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from game_engine.errors import RuleCode, RuleViolation
from game_engine.injects import effect_from_json
from game_engine.jsontypes import JSONDict
from game_engine.params import with_legacy_values
from game_engine.scenario import (
    Inject,
    inject_to_json,
    parse_scenario,
    scenario_to_json,
)
from game_engine.serialization.evidence import (
    evidence_from_json,
    evidence_to_json,
    violation_from_json,
    violation_to_json,
)
from game_engine.serialization.nation import nation_from_json, nation_to_json
from game_engine.serialization.pair import pair_from_json, pair_to_json
from game_engine.serialization.reader import SCHEMA_VERSION, Fields, json_value, objects
from game_engine.serialization.site import (
    consent_from_json,
    consent_to_json,
    site_from_json,
    site_to_json,
)
from game_engine.serialization.treaty import treaty_from_json, treaty_to_json
from game_engine.state import (
    Agreement,
    GameState,
)


def state_to_json(state: GameState) -> dict[str, object]:
    """The complete state as a JSON-safe dict (server-side snapshot; includes the seed)."""
    ids = state.state_ids
    out: JSONDict = {
        "schema_version": SCHEMA_VERSION,
        "game_id": state.game_id,
        "turn": state.turn,
        "max_turns": state.max_turns,
        "mode": state.mode,
        "seed": state.seed,
        "seed_commit": state.seed_commit,
        "scenario": scenario_to_json(state.scenario),
        "nations": [nation_to_json(state.nations[s]) for s in ids],
        "pairs": [pair_to_json(state.pairs[(i, j)]) for i in ids for j in ids if i != j],
        "sites": [site_to_json(s) for s in state.sites],
        "consents": [consent_to_json(c) for c in state.consents],
        "treaties": [treaty_to_json(t) for t in state.treaties],
        "agreements": [
            {"kind": a.kind, "a": a.a, "b": a.b, "since": a.since} for a in state.agreements
        ],
        "violations": [violation_to_json(v) for v in state.violations],
        "evidence": [evidence_to_json(e) for e in state.evidence],
        "rsi_pub": state.rsi_pub,
        "rsi_true": state.rsi_true,
        "rsi_components": dict(state.rsi_components),
        "rsi_components_true": dict(state.rsi_components_true),
        "rsi_history": list(state.rsi_history),
        "rsi_true_history": list(state.rsi_true_history),
        "x_pub_total": state.x_pub_total,
        "x_true_total": state.x_true_total,
        "rho_pub": state.rho_pub,
        "rho_true": state.rho_true,
        "counters": dict(state.counters),
        "crises": [dict(c) for c in state.crises],
        "game_over": state.game_over,
        "game_over_reason": state.game_over_reason,
        "pending_injects": [inject_to_json(i) for i in state.pending_injects],
    }
    return dict(out)


def state_from_json(data: Mapping[str, object]) -> GameState:
    """Inverse of :func:`state_to_json`. Raises ``RuleViolation(E_BAD_PARAM)`` on a bad snapshot."""
    r = Fields({str(k): v for k, v in data.items()}, "state")
    if r.d.get("schema_version") != SCHEMA_VERSION:
        raise RuleViolation(
            RuleCode.E_BAD_PARAM, f"unsupported snapshot schema_version (need {SCHEMA_VERSION})"
        )
    stored = r.obj("scenario")
    params = stored.get("params")
    if isinstance(params, Mapping):  # a game keeps the rules it began under (params.LEGACY_VALUES)
        stored = {**stored, "params": with_legacy_values(params)}
    scenario = parse_scenario(stored, "snapshot")
    ids = scenario.state_ids
    nations_l = [nation_from_json(x) for x in objects(r.lst("nations"), "nations")]
    nations = {n.id: n for n in sorted(nations_l, key=lambda n: ids.index(n.id))}
    pairs_l = [pair_from_json(x) for x in objects(r.lst("pairs"), "pairs")]
    pairs = {
        (p.src, p.dst): p
        for p in sorted(pairs_l, key=lambda p: (ids.index(p.src), ids.index(p.dst)))
    }
    crises: list[JSONDict] = []
    for c in r.lst("crises"):
        cj = json_value(c)
        if not isinstance(cj, dict):
            raise RuleViolation(RuleCode.E_BAD_PARAM, "invalid snapshot field state.crises")
        crises.append(cj)
    counters: dict[str, int] = {}
    for k, v in r.obj("counters").items():
        if not isinstance(v, int) or isinstance(v, bool):
            raise RuleViolation(RuleCode.E_BAD_PARAM, "invalid snapshot field state.counters")
        counters[k] = v
    comp_keys = ("S_crisis", "S_race", "S_trust", "S_regime", "S_transp", "S_percep")

    def floats_list(key: str) -> tuple[float, ...]:
        out = []
        for x in r.lst(key):
            if isinstance(x, bool) or not isinstance(x, (int, float)):
                raise RuleViolation(RuleCode.E_BAD_PARAM, f"invalid snapshot field state.{key}")
            out.append(float(x))
        return tuple(out)

    state = GameState(
        game_id=r.s("game_id"),
        turn=r.i("turn"),
        max_turns=r.i("max_turns"),
        mode=r.s("mode"),
        seed=r.s("seed"),
        seed_commit=r.s("seed_commit"),
        scenario=scenario,
        nations=nations,
        pairs=pairs,
        sites=tuple(site_from_json(x) for x in objects(r.lst("sites"), "sites")),
        consents=tuple(consent_from_json(x) for x in objects(r.lst("consents"), "consents")),
        treaties=tuple(treaty_from_json(x, ids) for x in objects(r.lst("treaties"), "treaties")),
        agreements=tuple(
            Agreement(kind=x.s("kind"), a=x.s("a"), b=x.s("b"), since=x.i("since"))
            for x in objects(r.lst("agreements"), "agreements")
        ),
        violations=tuple(violation_from_json(x) for x in objects(r.lst("violations"), "violations")),
        evidence=tuple(evidence_from_json(x) for x in objects(r.lst("evidence"), "evidence")),
        rsi_pub=r.f("rsi_pub"),
        rsi_true=r.f("rsi_true"),
        rsi_components=r.floats("rsi_components", comp_keys),
        rsi_components_true=r.floats("rsi_components_true", comp_keys),
        rsi_history=floats_list("rsi_history"),
        rsi_true_history=floats_list("rsi_true_history"),
        x_pub_total=r.f("x_pub_total"),
        x_true_total=r.f("x_true_total"),
        rho_pub=r.f("rho_pub"),
        rho_true=r.f("rho_true"),
        counters=counters,
        crises=tuple(crises),
        game_over=r.b("game_over"),
        game_over_reason=r.s("game_over_reason"),
    )
    if "pending_injects" not in r.d:  # snapshots written before ad-hoc injects existed
        return state
    pending = tuple(
        inject_from_json(state, x) for x in objects(r.lst("pending_injects"), "pending_injects")
    )
    return replace(state, pending_injects=pending)


def inject_from_json(state: GameState, r: Fields) -> Inject:
    effect = json_value(r.obj("effect"))
    assert isinstance(effect, dict)
    return Inject(
        turn=r.i("turn"),
        targets=r.strs("targets"),
        title=r.s("title"),
        text=r.s("text"),
        effect=effect_from_json(state, effect),
    )

