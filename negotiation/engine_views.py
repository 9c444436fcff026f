"""The engine's views for the shell: typed (``typed_view``: a ``game_engine.View`` of frozen
dataclasses, read by attribute) or as JSON-safe dicts (``view``, for readers not yet typed)."""

from __future__ import annotations

from typing import Any, cast

from django.utils.translation import get_language

import game_engine
from negotiation import engine_texts
from negotiation.engine_texts import EngineTexts
from negotiation.models import Game


def state(game: Game) -> game_engine.GameState:
    """The game's engine state, parsed once per model instance (again if .state is replaced).
    Parsing the snapshot (it embeds the scenario) costs about a millisecond; a page needs it in
    several places."""
    cached = game.__dict__.get("_engine_state")
    if cached is not None and cached[0] is game.state:
        return cast(game_engine.GameState, cached[1])
    parsed = game_engine.state_from_json(game.state)
    game.__dict__["_engine_state"] = (game.state, parsed)
    return parsed


def typed_view(game: Game, viewer: str | None) -> game_engine.View:
    """game_engine.view_for on the game's current state: what `viewer` may know right now, with the
    scenario's texts in the active interface language where the scenario translates them."""
    return typed_view_of(state(game), viewer)


def typed_view_of(state: game_engine.GameState, viewer: str | None) -> game_engine.View:
    return game_engine.view_for(state, viewer, lang=get_language())


def view(game: Game, viewer: str | None) -> dict[str, Any]:
    """The same view as a JSON-safe dict (``View.to_json()``)."""
    return view_of(state(game), viewer)


def view_of(state: game_engine.GameState, viewer: str | None) -> dict[str, Any]:
    return cast(dict[str, Any], typed_view_of(state, viewer).to_json())


def texts(game: Game) -> EngineTexts:
    """The engine's messages (events, score explanations, rule errors) in the active interface
    language, with the scenario's state names (negotiation/engine_texts.py)."""
    return texts_for(state(game).scenario)


def texts_for(scenario: game_engine.Scenario | None) -> EngineTexts:
    return engine_texts.texts_for(scenario)
