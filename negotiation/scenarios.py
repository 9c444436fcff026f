"""Cached access to the bundled scenarios (read-only data from game_engine)."""

from __future__ import annotations

from functools import lru_cache

from django.utils.translation import get_language

import game_engine


@lru_cache(maxsize=32)
def scenario(slug: str) -> game_engine.Scenario:
    return game_engine.load_scenario(slug)


@lru_cache(maxsize=64)
def _localized(slug: str, lang: str) -> game_engine.ScenarioInfo:
    return game_engine.localized_info(scenario(slug), lang)


def info(slug: str) -> game_engine.ScenarioInfo:
    """The scenario's title, summary, background and states, in the active interface language
    (English where the scenario has no translation)."""
    return _localized(slug, get_language() or "en")


def state_infos(slug: str) -> dict[str, game_engine.StateInfo]:
    return {i.id: i for i in info(slug).states}


def state_name(slug: str, state_id: str) -> str:
    info = state_infos(slug).get(state_id)
    return info.name if info else state_id.title()
