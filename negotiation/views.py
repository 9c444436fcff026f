"""Thin HTTP views: parse input, call a service, render the partial that changed.

Commands are POSTs from htmx (CSRF-protected). Errors come back as the same partial with the
message shown in place and status 422 (429 for rate limits), so nothing the user typed is lost.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

import game_engine
from negotiation import rendering, selectors, services
from negotiation.errors import RateLimited, UserError
from negotiation.models import Game, Phase
from negotiation.scenarios import state_infos
from negotiation.viewer import Role, Viewer


def _user(request: HttpRequest) -> User:
    """The logged-in user of a @login_required view."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def _client_key(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", "unknown"))


def _status(exc: UserError) -> int:
    return 429 if isinstance(exc, RateLimited) else 422


def _token() -> str:
    return secrets.token_urlsafe(12)


def _game_by_code(code: str) -> Game | None:
    return Game.objects.filter(code=code.strip().upper()).first()


def _require_viewer(request: HttpRequest, game: Game) -> Viewer:
    viewer = selectors.viewer_for_request(request, game)
    if viewer is None:
        raise Http404("You have no seat in this game.")
    return viewer


# --- Public pages --------------------------------------------------------------------------------


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "negotiation/home.html", {"error": None, "code": ""})


@require_POST
def join_lookup(request: HttpRequest) -> HttpResponse:
    code = str(request.POST.get("code", "")).strip().upper()
    try:
        services.join_attempt_check(_client_key(request))
    except RateLimited as exc:
        return render(request, "negotiation/home.html", {"error": exc.message, "code": code}, status=429)
    game = _game_by_code(code) if code else None
    if game is None:
        return render(
            request, "negotiation/home.html",
            {"error": "No game has that code. Check the code your facilitator gave you.", "code": code},
            status=404,
        )
    return redirect("negotiation:join", code=game.code)


@never_cache
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, code: str) -> HttpResponse:
    try:
        services.join_attempt_check(_client_key(request))
    except RateLimited as exc:
        return render(request, "negotiation/home.html", {"error": exc.message, "code": code}, status=429)
    game = _game_by_code(code)
    if game is None:
        return render(
            request, "negotiation/home.html",
            {"error": "No game has that code. Check the code your facilitator gave you.", "code": code},
            status=404,
        )
    if selectors.seat_for_session(request.session, game) is not None:
        return redirect("negotiation:room", code=game.code)
    error = None
    name = ""
    if request.method == "POST":
        name = str(request.POST.get("display_name", ""))
        state_id = str(request.POST.get("state_id", ""))
        try:
            seat = services.seat_claim(game_id=game.pk, state_id=state_id, display_name=name)
        except UserError as exc:
            error = exc.message
        else:
            seats = dict(request.session.get(selectors.SESSION_SEATS) or {})
            seats[str(game.pk)] = {"seat": seat.pk, "token": seat.token}
            request.session[selectors.SESSION_SEATS] = seats
            return redirect("negotiation:room", code=game.code)
    taken = set(game.seats.values_list("state_id", flat=True))
    states = [(info, info.id in taken) for info in state_infos(game.scenario_slug).values()]
    return render(
        request, "negotiation/join.html",
        {"game": game, "states": states, "error": error, "name": name},
        status=422 if error else 200,
    )


@never_cache
@require_GET
def room(request: HttpRequest, code: str) -> HttpResponse:
    game = _game_by_code(code)
    if game is None:
        raise Http404("No such game.")
    viewer = selectors.viewer_for_request(request, game)
    if viewer is None:
        return redirect("negotiation:join", code=game.code)
    if viewer.role is Role.FACILITATOR:
        return redirect("negotiation:console", game_id=game.pk)
    return render(request, "negotiation/room.html", rendering.room_context(game, viewer))


@require_GET
def rules(request: HttpRequest) -> HttpResponse:
    return render(request, "negotiation/rules.html", {"rules_html": rendering.rules_html()})


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"ok": True, "database": connection.vendor})


# --- Commands from a seat or the facilitator -----------------------------------------------------


@require_POST
def chat_post(request: HttpRequest, game_id: int) -> HttpResponse:
    game = get_object_or_404(Game, pk=game_id)
    viewer = _require_viewer(request, game)
    body = str(request.POST.get("body", ""))
    try:
        message = services.message_post(
            game_id=game.pk, viewer=viewer, body=body, client_token=str(request.POST.get("client_token", ""))
        )
    except UserError as exc:
        return rendering.render_partial(
            request, "chat-form", {"game": game, "chat_error": exc.message, "chat_body": body,
                                   "client_token": _token()}, status=_status(exc))
    # The poster sees the message at once even if the push is slow; the page drops the duplicate.
    html = rendering.partial_html("chat-form", {"game": game, "chat_error": None, "chat_body": "",
                                                "client_token": _token()}, request)
    html += rendering.chat_message_push_html(message.pk)
    return HttpResponse(html)


@require_GET
def chat_history(request: HttpRequest, game_id: int) -> HttpResponse:
    game = get_object_or_404(Game, pk=game_id)
    viewer = _require_viewer(request, game)
    try:
        before = int(request.GET.get("before", ""))
    except ValueError:
        before = None
    rows = selectors.chat_rows(game, viewer, before_seq=before)
    return rendering.render_partial(request, "chat-older", {"game": game, "chat": rows})


def _order_raw(request: HttpRequest) -> dict[str, Any]:
    kind = str(request.POST.get("type", "")).strip().upper()
    raw: dict[str, Any] = {"type": kind}
    for name in ("class", "itype", "site", "qty"):
        if name in request.POST:
            raw[name] = str(request.POST.get(name, "")).strip()
    if kind == "BUILD":
        raw["covert"] = request.POST.get("covert") == "on"
    if kind == "TEST":
        raw["notify"] = request.POST.get("notify") == "on"
    if kind == "DECLARE":
        raw["counts"] = {
            key.removeprefix("count_"): str(value).strip()
            for key, value in request.POST.items()
            if key.startswith("count_") and str(value).strip() != ""
        }
    return raw


def _seat_viewer(request: HttpRequest, game_id: int) -> tuple[Game, Viewer]:
    game = get_object_or_404(Game, pk=game_id)
    viewer = _require_viewer(request, game)
    if viewer.role is not Role.PLAYER or viewer.seat_id is None:
        raise Http404("Only a seated player gives orders.")
    return game, viewer


def _order_panel(request: HttpRequest, game: Game, viewer: Viewer, error: str | None, status: int = 200) -> HttpResponse:
    game.refresh_from_db()
    context = rendering.private_context(game, viewer)
    context["order_error"] = error
    return rendering.render_partial(request, "order-panel", context, status=status)


@require_POST
def order_add(request: HttpRequest, game_id: int) -> HttpResponse:
    game, viewer = _seat_viewer(request, game_id)
    assert viewer.seat_id is not None
    try:
        services.order_add(game_id=game.pk, seat_id=viewer.seat_id, raw=_order_raw(request),
                           client_token=str(request.POST.get("client_token", "")))
    except UserError as exc:
        return _order_panel(request, game, viewer, exc.message, _status(exc))
    return _order_panel(request, game, viewer, None)


@require_POST
def order_remove(request: HttpRequest, game_id: int) -> HttpResponse:
    game, viewer = _seat_viewer(request, game_id)
    assert viewer.seat_id is not None
    try:
        index = int(request.POST.get("index", "-1"))
        revision = int(request.POST.get("revision", "-1"))
    except ValueError:
        return _order_panel(request, game, viewer, "That request was malformed; nothing changed.", 422)
    try:
        services.order_remove(game_id=game.pk, seat_id=viewer.seat_id, index=index, revision=revision,
                              client_token=str(request.POST.get("client_token", "")))
    except UserError as exc:
        return _order_panel(request, game, viewer, exc.message, _status(exc))
    return _order_panel(request, game, viewer, None)


@require_POST
def ready(request: HttpRequest, game_id: int) -> HttpResponse:
    game, viewer = _seat_viewer(request, game_id)
    assert viewer.seat_id is not None
    try:
        services.seat_set_ready(game_id=game.pk, seat_id=viewer.seat_id,
                                ready=request.POST.get("ready") == "1")
    except UserError as exc:
        return _order_panel(request, game, viewer, exc.message, _status(exc))
    return _order_panel(request, game, viewer, None)


# --- Facilitator ---------------------------------------------------------------------------------


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "negotiation/dashboard.html", {
        "games": selectors.games_for_facilitator(_user(request)),
        "scenarios": game_engine.list_scenarios(),
        "error": None,
    })


@login_required
@require_POST
def game_new(request: HttpRequest) -> HttpResponse:
    try:
        game = services.game_create(
            facilitator=_user(request),
            scenario_slug=str(request.POST.get("scenario", "")),
            title=str(request.POST.get("title", ""))[:120],
            mode=str(request.POST.get("mode", "expected")),
            turn_minutes=_int_or_none(request.POST.get("turn_minutes")),
        )
    except UserError as exc:
        return render(request, "negotiation/dashboard.html", {
            "games": selectors.games_for_facilitator(_user(request)),
            "scenarios": game_engine.list_scenarios(),
            "error": exc.message,
        }, status=422)
    return redirect("negotiation:console", game_id=game.pk)


def _int_or_none(value: object) -> int | None:
    try:
        return int(str(value)) if str(value or "").strip() else None
    except ValueError:
        return None


def _facilitated_game(request: HttpRequest, game_id: int) -> Game:
    game = get_object_or_404(Game, pk=game_id)
    if not selectors.is_facilitator(request.user, game):
        raise Http404("No such game among yours.")
    return game


@never_cache
@login_required
@require_GET
def console(request: HttpRequest, game_id: int) -> HttpResponse:
    game = _facilitated_game(request, game_id)
    viewer = services.viewer_for_facilitator(game, _user(request))
    context = rendering.console_context(game, viewer)
    context["join_url"] = request.build_absolute_uri(reverse("negotiation:join", kwargs={"code": game.code}))
    return render(request, "negotiation/console.html", context)


def _console_reply(request: HttpRequest, game: Game, error: str | None, status: int = 200) -> HttpResponse:
    game.refresh_from_db()
    viewer = services.viewer_for_facilitator(game, _user(request))
    context = rendering.console_context(game, viewer)
    context["console_error"] = error
    return rendering.render_partial(request, "console-controls", context, status=status,
                                    template="negotiation/console.html")


@login_required
@require_POST
def game_start(request: HttpRequest, game_id: int) -> HttpResponse:
    game = _facilitated_game(request, game_id)
    try:
        services.game_start(game_id=game.pk, actor=f"facilitator:{request.user.get_username()}")
    except UserError as exc:
        return _console_reply(request, game, exc.message, _status(exc))
    return _console_reply(request, game, None)


@login_required
@require_POST
def turn_resolve(request: HttpRequest, game_id: int) -> HttpResponse:
    game = _facilitated_game(request, game_id)
    try:
        expected = int(request.POST.get("turn", "0"))
    except ValueError:
        expected = 0
    if game.phase != Phase.ORDERS:
        return _console_reply(request, game, "There is no open turn to resolve.", 422)
    record = services.turn_resolve(game_id=game.pk, expected_turn=expected,
                                   actor=f"facilitator:{request.user.get_username()}")
    if record is None:
        return _console_reply(request, game, "That turn was already resolved; the page is up to date now.", 409)
    return _console_reply(request, game, None)
