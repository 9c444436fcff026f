"""Fragment names -> HTML. One partial per fragment; the partial's name is its root element's id.

The same partial renders the full page, the HTTP reply and the WebSocket push. Public partials
(templates/negotiation/_public.html) get only a PublicView; private partials
(templates/negotiation/_private.html) get the PrivateView of one viewer.
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.html import escape

from negotiation import selectors
from negotiation.models import Game, Message
from negotiation.viewer import Role, Viewer

PUBLIC_TEMPLATE = "negotiation/_public.html"
PRIVATE_TEMPLATE = "negotiation/_private.html"
PUBLIC_FRAGMENTS = ("game-status", "seat-list", "public-results", "scoreboard", "news")
PLAYER_FRAGMENTS = ("my-forces", "order-panel", "private-report", "news-private")
PRIVATE_FRAGMENTS = (*PLAYER_FRAGMENTS, "truth-panel")
OTHER_FRAGMENTS = ("chat-form", "chat-log", "chat-older", "console-controls")


def _template_for(name: str) -> str:
    if name in PUBLIC_FRAGMENTS:
        return PUBLIC_TEMPLATE
    if name in PRIVATE_FRAGMENTS or name in ("chat-form", "chat-log", "chat-older"):
        return PRIVATE_TEMPLATE
    raise KeyError(name)


def public_context(game: Game) -> dict[str, Any]:
    return {"pub": selectors.public_view(game), "game": game}


def private_context(game: Game, viewer: Viewer) -> dict[str, Any]:
    context: dict[str, Any] = {
        "game": game,
        "priv": selectors.private_view(game, viewer),
        "viewer": viewer,
        "client_token": _token(),
        "order_error": None,
    }
    return context


def _token() -> str:
    return secrets.token_urlsafe(12)


def room_context(game: Game, viewer: Viewer) -> dict[str, Any]:
    context = public_context(game) | private_context(game, viewer)
    context["chat"] = selectors.chat_rows(game, viewer)
    context["chat_error"] = None
    context["chat_body"] = ""
    return context


def console_context(game: Game, viewer: Viewer) -> dict[str, Any]:
    context = room_context(game, viewer)
    context |= _console_extras(game)
    return context


def _console_extras(game: Game) -> dict[str, Any]:
    from negotiation.services import BOT_POLICIES

    return {"fac_seats": selectors.facilitator_seat_rows(game), "console_error": None, "console_notice": None,
            "bot_policies": BOT_POLICIES}


def partial_html(name: str, context: dict[str, Any], request: HttpRequest | None = None,
                 template: str | None = None) -> str:
    return render_to_string(f"{template or _template_for(name)}#{name}", context, request=request)


def render_partial(request: HttpRequest, name: str, context: dict[str, Any], status: int = 200,
                   template: str | None = None) -> HttpResponse:
    response = HttpResponse(partial_html(name, context, request, template), status=status)
    response["Cache-Control"] = "no-store"
    return response


def public_fragments_html(game_id: int, names: tuple[str, ...]) -> str:
    game = Game.objects.get(pk=game_id)
    context = public_context(game)
    return "".join(partial_html(name, context) for name in names if name in PUBLIC_FRAGMENTS)


def private_fragments_html(game_id: int, viewer: Viewer, names: list[str] | tuple[str, ...]) -> str:
    """Private fragments for one viewer. A player gets the named fragments of their own seat;
    the facilitator's console (seat table, controls, ground truth) is re-rendered on any bell."""
    game = Game.objects.get(pk=game_id)
    context = private_context(game, viewer)
    if viewer.role is Role.PLAYER:
        return "".join(partial_html(n, context) for n in names if n in PLAYER_FRAGMENTS)
    if viewer.role is Role.FACILITATOR:
        context |= public_context(game)
        context |= _console_extras(game)
        return partial_html("truth-panel", context) + partial_html(
            "console-controls", context, template="negotiation/console.html")
    return ""


def resync_html(game_id: int, viewer: Viewer) -> str:
    """Everything a (re)connecting socket needs to be current: the database is the truth."""
    game = Game.objects.get(pk=game_id)
    context = room_context(game, viewer)
    parts = [partial_html(name, context) for name in PUBLIC_FRAGMENTS]
    parts.append(partial_html("chat-log", context))
    html = "".join(parts)
    return html + private_fragments_html(game_id, viewer, PRIVATE_FRAGMENTS)


def chat_message_push_html(message_id: int) -> str:
    message = Message.objects.get(pk=message_id)
    row = selectors.chat_row(message)
    return render_to_string(f"{PRIVATE_TEMPLATE}#chat-push", {"m": row})


def catch_up_html(summary: dict[str, Any]) -> str:
    return render_to_string(f"{PRIVATE_TEMPLATE}#catch-up", {"summary": summary})


def notice_html(text: str, level: str = "error") -> str:
    return render_to_string(f"{PUBLIC_TEMPLATE}#live-notice", {"text": text, "level": level})


@lru_cache(maxsize=1)
def rules_html() -> str:
    """docs/rules.md as HTML (headings get ids so every order and score can link to its section)."""
    path = Path(settings.BASE_DIR) / "docs" / "rules.md"
    if not path.exists():
        return "<p>The rulebook is missing from this installation.</p>"
    return markdown_to_html(path.read_text(encoding="utf-8"))


def markdown_to_html(text: str) -> str:
    import markdown

    return str(markdown.markdown(escape_raw_html(text), extensions=["tables", "toc", "fenced_code"]))


def escape_raw_html(text: str) -> str:
    """The rulebook is trusted, but escape raw angle brackets outside code anyway."""
    return text.replace("<script", escape("<script"))
