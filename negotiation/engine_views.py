"""The engine's views for the shell: typed (``typed_view``: a ``game_engine.View`` of frozen
dataclasses, read by attribute) or as JSON-safe dicts (``view``, for readers not yet typed)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from functools import lru_cache
from typing import Any, cast

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils.translation import get_language

import game_engine
from negotiation import engine_texts, jsonrows
from negotiation.engine_texts import EngineTexts
from negotiation.models import Game

# --- The parsed snapshot, shared between renders ---------------------------------------------------
# A page, a resync or a push reads the game row; its snapshot (tens of kilobytes of JSON that embed
# the scenario) changes only when a service writes it, yet decoding and parsing it cost a few
# milliseconds per render. `game_for_render` reads the row with the snapshot's digest computed by the
# database, and the snapshot itself only when this process has not parsed that digest for the game
# yet (one statement either way). The parsed state is keyed by (game, digest of its content): an
# entry can never be stale, whoever wrote the row and however. It is the whole truth of the game,
# never shown as such: every reader takes its viewer's view of it (``typed_view_of``).

STATE_DIGEST = "state_digest"  # the annotation holding md5(state) on a row read by game_for_render
_DEFERRED = object()  # stands for "the snapshot was not loaded" in an instance's parse memo
_PARSED: OrderedDict[tuple[int, str], game_engine.GameState] = OrderedDict()
_LATEST: dict[tuple[Any, ...], str] = {}  # a lookup -> the digest this process parsed last for it
_PARSED_LOCK = threading.Lock()
PARSED_CACHE_SIZE = 256


def game_for_render(**lookup: Any) -> Game | None:
    """The game whose ``pk`` or ``code`` is given (or None), with its facilitator, its snapshot
    parsed once per process and content. The row comes without its snapshot when this process has
    already parsed the snapshot's digest for this lookup; ``state(game)`` then answers from the
    shared parse. Assigning ``game.state`` (a service) or reading it (Django loads the deferred
    column) makes ``state`` parse what is there instead. One plain statement, built once: compiling
    the ORM's version of it cost a page more than the database's answer."""
    ((field, value),) = lookup.items()
    lk = (field, value)
    with _PARSED_LOCK:
        known = _LATEST.get(lk, "")
    with connection.cursor() as cursor:
        cursor.execute(_game_sql(field, connection.vendor == "sqlite"), [known, value])
        row = cursor.fetchone()
    if row is None:
        return None
    game_row, digest, raw, user_row = row
    game = cast(Game, _game_columns().build(jsonrows.loads(game_row)))
    _FACILITATOR.set_cached_value(game, _user_columns().build(jsonrows.loads(user_row)))
    game.__dict__[STATE_DIGEST] = digest
    key = (game.pk, str(digest))
    with _PARSED_LOCK:
        parsed = _PARSED.get(key)
        if parsed is not None:
            _PARSED.move_to_end(key)
            _LATEST[lk] = key[1]
        elif raw is None:  # the digest it knew was evicted meanwhile: read the row with its snapshot
            _LATEST.pop(lk, None)
    if parsed is None:
        if raw is None:
            return game_for_render(**lookup)
        parsed = game_engine.state_from_json(jsonrows.loads(raw))
        with _PARSED_LOCK:
            _PARSED[key] = parsed
            _LATEST[lk] = key[1]
            _VIEWS[id(parsed)] = (parsed, {})
            while len(_PARSED) > PARSED_CACHE_SIZE:
                _VIEWS.pop(id(_PARSED.popitem(last=False)[1]), None)
            while len(_LATEST) > 4 * PARSED_CACHE_SIZE:
                del _LATEST[next(iter(_LATEST))]
    game.__dict__["_engine_state"] = (_DEFERRED, parsed)
    return game


_FACILITATOR = Game._meta.get_field("facilitator")


def _game_columns() -> jsonrows.Columns:
    return jsonrows.columns("game", Game, skip=("state",))


def _user_columns() -> jsonrows.Columns:
    return jsonrows.columns("facilitator", get_user_model())


@lru_cache(maxsize=4)
def _game_sql(field: str, sqlite: bool) -> str:
    """The game row (as a JSON array, without its snapshot), the database's md5 of the snapshot,
    the snapshot itself unless its digest is the one given, and the facilitator's row."""
    column = {"pk": Game._meta.pk.column, "code": Game._meta.get_field("code").column}[field]
    digest = 'MD5(CAST(g."state" AS TEXT))'
    user_table = get_user_model()._meta.db_table
    return (f"SELECT {_game_columns().array('g', sqlite)}, {digest}, "  # noqa: S608
            f'CASE WHEN {digest} = %s THEN NULL ELSE g."state" END, {_user_columns().array("u", sqlite)} '
            f"FROM {Game._meta.db_table} g JOIN {user_table} u ON u.id = g.facilitator_id "
            f'WHERE g."{column}" = %s')


def state(game: Game) -> game_engine.GameState:
    """The game's engine state, parsed once per model instance (again if .state is replaced), or
    shared between renders when the row was read by ``game_for_render``.
    Parsing the snapshot (it embeds the scenario) costs about a millisecond; a page needs it in
    several places."""
    cached = game.__dict__.get("_engine_state")
    if cached is not None and cached[0] is game.__dict__.get("state", _DEFERRED):
        return cast(game_engine.GameState, cached[1])
    parsed = game_engine.state_from_json(game.state)
    game.__dict__["_engine_state"] = (game.state, parsed)
    return parsed


def typed_view(game: Game, viewer: str | None) -> game_engine.View:
    """game_engine.view_for on the game's current state: what `viewer` may know right now, with the
    scenario's texts in the active interface language where the scenario translates them."""
    return typed_view_of(state(game), viewer)


# The views of a shared parsed state (above), per viewer and language: a view is a pure function of
# the three, and frozen. The viewer is in the key: each state id, the public (None) and the
# facilitator get their own. The entry holds its state, so an id() is never reused while it lives.
_VIEWS: dict[int, tuple[game_engine.GameState, dict[tuple[str | None, str], game_engine.View]]] = {}


def typed_view_of(state: game_engine.GameState, viewer: str | None) -> game_engine.View:
    lang = get_language()
    with _PARSED_LOCK:
        entry = _VIEWS.get(id(state))
        views = entry[1] if entry is not None and entry[0] is state else None
        view = views.get((viewer, lang)) if views is not None else None
    if view is None:
        view = game_engine.view_for(state, viewer, lang=lang)
        if views is not None:
            with _PARSED_LOCK:
                views[(viewer, lang)] = view
    return view


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
