"""Shared helpers for the engine tests (no Django, no database)."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence

from hypothesis import settings

import game_engine as ge
from game_engine.scenario import parse_scenario, read_toml, scenario_to_json

# Applied per test (never loaded globally, so other suites keep their own Hypothesis profile).
ENGINE_SETTINGS = settings(max_examples=25, deadline=None, derandomize=True)

SLUG = "meridian-sea"


def said(state: ge.GameState, what: object) -> str:
    """A message (an Event, or a message's JSON form) in English with the scenario's names."""
    from game_engine.messages import english, message_from_json

    m = what.msg if isinstance(what, ge.Event) else message_from_json(what)  # type: ignore[arg-type]
    return english(m, {i.id: i.name for i in state.scenario.info.states})


def canon(obj: object) -> str:
    """Canonical JSON text."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), allow_nan=False)


def fresh(mode: str = "expected", seed: str = "seed-1", slug: str = SLUG) -> ge.GameState:
    return ge.new_game(ge.load_scenario(slug), game_id="g-test", seed=seed, mode=mode)


def orders_for(
    state: ge.GameState, raw: Mapping[str, Sequence[Mapping[str, object]]]
) -> dict[str, tuple[ge.Order, ...]]:
    return {sid: ge.validate_orders(state, sid, lst) for sid, lst in raw.items()}


def play(state: ge.GameState, raw: Mapping[str, Sequence[Mapping[str, object]]], seed: str = "seed-1") -> ge.Resolution:
    return ge.resolve(state, orders_for(state, raw), seed)


def scenario_dict(slug: str = SLUG) -> dict[str, object]:
    """The bundled scenario as a mutable dict (for building variants)."""
    return copy.deepcopy(dict(scenario_to_json(ge.load_scenario(slug))))


def scenario_from(data: Mapping[str, object]) -> ge.Scenario:
    return parse_scenario(data, "test")


def toml_dict(slug: str = SLUG) -> dict[str, object]:
    from importlib import resources

    return read_toml(str(resources.files("game_engine") / "scenarios" / f"{slug}.toml"))


def two_state_scenario(
    *,
    att_missiles: Mapping[str, int],
    def_interceptors: Mapping[str, int],
    radar_q: float,
    cm: float,
    env: float = 1.0,
    doctrine: str = "barrage",
    coverage: float = 1.0,
    l_half: float = 6.0,
    u: float = 0.5,
    def_missiles: Mapping[str, int] | None = None,
    extra_params: Mapping[str, object] | None = None,
) -> ge.Scenario:
    """A minimal duel: 'atk' attacks 'dfd', which has one home site (for B8 examples)."""
    params: dict[str, object] = {"env_expected": env, "crisis_enabled": False}
    params.update(extra_params or {})
    data: dict[str, object] = {
        "schema_version": 1,
        "slug": "duel",
        "title": "Duel",
        "turns": 3,
        "params": params,
        "states": [
            {
                "id": "atk",
                "name": "Attacker",
                "nuclear": True,
                "missiles": dict(att_missiles),
                "tech": sorted(att_missiles),
                "cm": cm,
                "budget": 100,
                "income": 50,
                "l_half": l_half,
                "u": u,
            },
            {
                "id": "dfd",
                "name": "Defender",
                "nuclear": True,
                "missiles": dict(def_missiles or {}),
                "tech": sorted(def_missiles or {}),
                "cm": cm,
                "budget": 100,
                "income": 50,
                "l_half": l_half,
                "u": u,
                "doctrine": doctrine,
            },
        ],
        "relations": [{"from": "atk", "to": "dfd", "mutual": True, "h": 0.2, "trust": [2, 2], "rival": True}],
        "reach": {
            "atk": {"dfd": ["SRBM", "MRBM", "IRBM", "ICBM", "HGV"]},
            "dfd": {"atk": ["SRBM", "MRBM", "IRBM", "ICBM", "HGV"]},
        },
        "sites": [
            {
                "id": "D-1",
                "host": "dfd",
                "owner": "dfd",
                "capacity": 1000,
                "interceptors": dict(def_interceptors),
                "radar_q": radar_q,
                "coverage": [{"defends": "dfd", "against": ["atk"], "value": coverage}],
            },
        ],
    }
    return scenario_from(data)
