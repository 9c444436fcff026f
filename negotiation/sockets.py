"""Sync helpers the consumer calls through one database_sync_to_async hop each."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.utils import translation
from django.utils.translation import get_supported_language_variant, gettext
from django.utils.translation.trans_real import parse_accept_lang_header

from negotiation import broadcasts, rendering, selectors, services
from negotiation.errors import UserError
from negotiation.models import Game, Member
from negotiation.viewer import Role, Viewer

T = TypeVar("T")


def identify(scope: Any, game_id: int) -> tuple[Viewer | None, str]:
    """The viewer a socket acts as, and the channel its page had open (from the session)."""
    # The check reads the game's facilitator and observer key, never its engine state (~33 KB)
    game = Game.objects.defer("state").filter(pk=game_id).first()
    session = scope.get("session")
    user = scope.get("user")
    if game is None or session is None or user is None:
        return None, "plenary"
    key = ""
    for part in scope.get("query_string", b"").decode("latin1").split("&"):
        if part.startswith("key="):
            key = part[4:]
    if key and secrets.compare_digest(key, game.observer_key):
        # The projector page: a public screen, an observer's socket whoever is logged in (a
        # facilitator's socket would get console fragments the projector has no place for).
        return Viewer(role=Role.OBSERVER, game_id=game.pk, label=gettext("Observer")), "plenary"
    viewer = selectors.viewer_for(user=user, session=session, game=game, observer_key=key)
    return viewer, selectors.open_channel_key(session, game)


def language_for(scope: Any) -> str:
    """The interface language of a socket's page: the language cookie (set by the language menu),
    else the browser's Accept-Language, else the default (as LocaleMiddleware decides for HTTP)."""
    candidates = []
    cookie = (scope.get("cookies") or {}).get(settings.LANGUAGE_COOKIE_NAME)
    if cookie:
        candidates.append(str(cookie))
    headers = dict(scope.get("headers") or [])
    accept = headers.get(b"accept-language", b"").decode("latin1")
    candidates += [code for code, _quality in parse_accept_lang_header(accept) if code != "*"]
    for code in candidates:
        try:
            return get_supported_language_variant(code)
        except LookupError:
            continue
    return str(settings.LANGUAGE_CODE)


def in_language(language: str, fn: Callable[..., T]) -> Callable[..., T]:
    """`fn` run with `language` active (translation is per thread: wrap what the sync hop runs)."""
    def call(*args: Any, **kwargs: Any) -> T:
        with translation.override(language):
            return fn(*args, **kwargs)
    return call


def concurrent_writes() -> bool:
    """Whether the database lets several threads write at once (PostgreSQL; SQLite has one
    writer, and a second would only wait for the lock)."""
    return "postgresql" in str(settings.DATABASES["default"]["ENGINE"])


def notice_html(language: str, message: str, level: str = "error") -> str:
    """A live notice from the socket itself, in the socket's language (`message` is an English
    msgid marked with gettext_noop). Renders a template without touching the database, so the
    consumer may call it without a thread hop."""
    with translation.override(language):
        return rendering.notice_html(translation.gettext(message), level=level)


def groups_for(viewer: Viewer) -> tuple[str, ...]:
    groups = [broadcasts.public_group(viewer.game_id)]
    if viewer.role is Role.PLAYER and viewer.seat_id is not None and viewer.member_id is not None:
        groups += [broadcasts.players_group(viewer.game_id), broadcasts.seat_group(viewer.seat_id),
                   broadcasts.member_group(viewer.member_id)]
    elif viewer.role is Role.FACILITATOR:
        groups.append(broadcasts.facilitator_group(viewer.game_id))
        if viewer.user_id is not None:
            groups.append(broadcasts.user_group(viewer.user_id))
    elif viewer.role is Role.OBSERVER:
        groups.append(broadcasts.observers_group(viewer.game_id))
    return tuple(groups)


def on_connect(viewer: Viewer, open_key: str = "plenary") -> str:
    """Resync the page from the database, with a catch-up note for a returning player. Runs in the
    socket's language (``in_language``), which the game's pushes are rendered in from now on."""
    broadcasts.language_listening(viewer.game_id, translation.get_language())
    away_since = None
    if viewer.member_id is not None:
        away_since = Member.objects.filter(pk=viewer.member_id).values_list("last_seen_at", flat=True).first()
    if viewer.seat_id is not None:
        services.seat_presence(seat_id=viewer.seat_id, member_id=viewer.member_id, delta=+1)
    try:
        services.channel_open(game_id=viewer.game_id, viewer=viewer, key=open_key)
    except UserError:
        open_key = "plenary"
    html = rendering.resync_html(viewer.game_id, viewer, open_key)
    if away_since is not None:  # a returning player (the catch-up names the game by its id only)
        summary = selectors.catch_up(Game(pk=viewer.game_id), viewer, away_since)
        if summary:
            html += rendering.catch_up_html(summary)
    return html


def on_disconnect(viewer: Viewer) -> None:
    if viewer.seat_id is not None:
        services.seat_presence(seat_id=viewer.seat_id, member_id=viewer.member_id, delta=-1)


def chat_post(viewer: Viewer, frame: dict[str, Any]) -> str:
    """A chat frame from the game socket (static/js/chat-socket.js): the same service as
    ``POST /g/<id>/chat/`` with the viewer the socket identified when it opened (its origin
    checked, its member's removal closing it). Answers one JSON frame for the page's script: an
    acknowledgement with the message's sequence number, or an error with the reason in the
    socket's language. The message itself reaches every reader, the poster included, as a push.

    Frame: ``{"type": "chat", "body": str, "channel": str, "client_token": str}``; the token makes
    a retry (or the page falling back to HTTP with the same token) store the message once."""
    body, key, token = frame.get("body"), frame.get("channel", "plenary"), frame.get("client_token", "")
    if not isinstance(token, str):
        token = ""
    token = token[:64]
    if not isinstance(body, str) or not isinstance(key, str):
        return json.dumps({"type": "chat.error", "token": token, "status": 400,
                           "message": gettext("The server did not understand that message; nothing was changed.")})
    try:
        message = services.message_post(game_id=viewer.game_id, viewer=viewer, body=body, channel=key[:100],
                                        client_token=token)
    except UserError as exc:
        return json.dumps({"type": "chat.error", "token": token, "message": exc.message, "status": exc.status})
    return json.dumps({"type": "chat.ack", "token": token, "seq": message.seq, "channel": message.channel})
