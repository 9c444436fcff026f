"""Cached access to the bundled scenarios (read-only data from game_engine)."""

from __future__ import annotations

from functools import lru_cache

import game_engine


@lru_cache(maxsize=32)
def scenario(slug: str) -> game_engine.Scenario:
    return game_engine.load_scenario(slug)


def state_infos(slug: str) -> dict[str, game_engine.StateInfo]:
    return {info.id: info for info in scenario(slug).info.states}


def state_name(slug: str, state_id: str) -> str:
    info = state_infos(slug).get(state_id)
    return info.name if info else state_id.title()
