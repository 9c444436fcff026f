"""The facilitator's side: dashboard, console and every console action. Each action is a
CSRF-protected POST into a service, logged with who, when and why, and answered with the
console-controls partial (the socket updates everything else)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import segno
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

import game_engine
from negotiation import engine_views, remote, rendering, scenarios, selectors, services, views_planner
from negotiation.errors import InvalidInput, RateLimited, StaleVersion, UserError
from negotiation.models import Game, Member, MissedOrders
from negotiation.publicurl import absolute_url
from negotiation.viewer import Viewer

# (label, negotiation, orders, report) seconds; None = the facilitator advances by hand.
TIMING_PRESETS: dict[str, tuple[str | Promise, int | None, int | None, int | None]] = {
    "manual": (gettext_lazy("No deadlines: I advance every phase"), None, None, None),
    "class": (gettext_lazy("Classroom: 3 min talks, 2 min orders, 1 min report"), 180, 120, 60),
    "relaxed": (gettext_lazy("Relaxed class: 6 min talks, 3 min orders, 2 min report"), 360, 180, 120),
    "remote": (gettext_lazy("Remote: 1 day talks, 12 h orders, 2 h report"), 86400, 43200, 7200),
}


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def _actor(request: HttpRequest) -> str:
    return f"facilitator:{_user(request).get_username()}"


def _status(exc: UserError) -> int:
    if isinstance(exc, StaleVersion):
        return 409
    return 429 if isinstance(exc, RateLimited) else 422


def _facilitated_game(request: HttpRequest, game_id: int) -> Game:
    game = get_object_or_404(Game, pk=game_id)
    if not selectors.is_facilitator(request.user, game):
        raise Http404("No such game among yours.")
    return game


def _join_url(request: HttpRequest, game: Game) -> str:
    return absolute_url(request, reverse("negotiation:join", kwargs={"code": game.code}))


def _projector_url(request: HttpRequest, game: Game) -> str:
    path = reverse("negotiation:projector", kwargs={"code": game.code})
    return absolute_url(request, f"{path}?key={game.observer_key}")


def qr_svg(url: str, *, scalable: bool = False) -> str:
    """A QR code of `url` as inline SVG (no script, no external image; CSP-safe). A scalable one
    has a viewBox and no fixed size: its stylesheet sizes it (the projector's fills the wall)."""
    if scalable:
        return str(segno.make(url, error="m").svg_inline(border=2, omitsize=True))
    return str(segno.make(url, error="m").svg_inline(scale=5, border=2))


def _require_role(request: HttpRequest) -> None:
    """The dashboard and game creation are for accounts with the facilitator role."""
    if not selectors.can_facilitate(request.user):
        raise PermissionDenied


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    _require_role(request)
    return render(request, "negotiation/dashboard.html", _dashboard_context(request, None))


def _dashboard_context(request: HttpRequest, error: str | None) -> dict[str, Any]:
    return {
        "games": selectors.games_for_facilitator(_user(request)),
        "scenarios": [scenarios.info(s.slug) for s in game_engine.list_scenarios()],
        "presets": TIMING_PRESETS,
        "reminder_choices": remote.REMINDER_CHOICES,
        "phase_fields": (("negotiation", gettext_lazy("Negotiation")), ("orders", gettext_lazy("Orders")),
                         ("report", gettext_lazy("Turn report"))),
        "missed_choices": MissedOrders.choices,
        "bot_policies": services.BOT_POLICIES,
        "error": error,
    }


@login_required
@require_POST
def game_new(request: HttpRequest) -> HttpResponse:
    _require_role(request)
    timing = str(request.POST.get("timing", "manual"))
    preset = TIMING_PRESETS.get(timing, TIMING_PRESETS["manual"])
    try:
        plan = views_planner.plan_for(request)  # a class length: the turns and lengths that fit
        if timing == "planned" and plan is not None:
            preset = ("", plan.negotiation_seconds, plan.orders_seconds, plan.report_seconds)
        elif timing == "planned":
            raise InvalidInput(gettext("Type the length of your class to fit the game to it."))
        if timing == "custom":  # lengths in minutes, hours or days (empty: advanced by hand)
            preset = ("", *(remote.phase_length(_text(request, f"{p}_amount", 12), _text(request, f"{p}_unit", 12))
                            for p in ("negotiation", "orders", "report")))  # type: ignore[assignment]
        game = services.game_create(
            facilitator=_user(request),
            scenario_slug=str(request.POST.get("scenario", "")),
            title=str(request.POST.get("title", ""))[:120],
            mode=str(request.POST.get("mode", "expected")),
            negotiation_seconds=preset[1],
            orders_seconds=preset[2],
            report_seconds=preset[3],
            missed_orders=str(request.POST.get("missed_orders", MissedOrders.HOLD)),
            bot_policy=str(request.POST.get("bot_policy", "reciprocator")),
            turns=plan.turns if plan is not None and timing == "planned" else views_planner.turns_field(request),
        )
    except UserError as exc:
        return render(request, "negotiation/dashboard.html", _dashboard_context(request, exc.message), status=422)
    if request.POST.get("allow_teams") == "on":
        Game.objects.filter(pk=game.pk).update(allow_teams=True)
    Game.objects.filter(pk=game.pk).update(reminder_hours=remote.reminder_hours(_text(request, "reminder_hours", 4)))
    return redirect("negotiation:console", game_id=game.pk)


@never_cache
@login_required
@require_GET
def console(request: HttpRequest, game_id: int) -> HttpResponse:
    game = _facilitated_game(request, game_id)
    viewer = selectors.viewer_for_request(request, game)
    assert viewer is not None
    context = rendering.console_context(game, viewer, selectors.open_channel_key(request.session, game))
    join_url = _join_url(request, game)
    context |= {
        "join_url": join_url,
        "join_qr": qr_svg(join_url),
        "projector_url": _projector_url(request, game),
        "inject_sites": sorted({site["id"] for s in engine_views.view(game, None).get("states", [])
                                for site in s.get("sites", [])}),
        "co_facilitators": selectors.co_facilitators(game),
        "is_owner": game.facilitator_id == request.user.pk,
        "page": True,  # the full page places the status bar and seat table itself (no oob copies)
    }
    return render(request, "negotiation/console.html", context)


def _observed_game(request: HttpRequest, code: str) -> tuple[Game, Viewer] | HttpResponse:
    """The game of a projector link (the observer key, or a facilitator of the game). A wrong code
    or key counts against the join-code guess limit, as a room page does (see views._guess_limited):
    the answer is a 404, or the 429 page once the limit is reached."""
    game = Game.objects.filter(code=code.strip().upper()).first()
    viewer = None if game is None else selectors.viewer_for_request(request, game)
    if game is not None and viewer is not None:
        return game, viewer
    try:
        services.join_attempt_check(str(request.META.get("REMOTE_ADDR", "unknown")))
    except RateLimited as exc:
        return render(request, "negotiation/home.html", {"error": exc.message, "code": ""}, status=429)
    raise Http404("This view needs the observer link from the facilitator.")


@never_cache
@require_GET
def projector(request: HttpRequest, code: str) -> HttpResponse:
    """The wall of the classroom (and observers): public data only. Lobby: the join address, code,
    QR code and who has joined; during play the stability index, countdown, map and news; after a
    turn resolves, its results for everyone to read together."""
    found = _observed_game(request, code)
    if isinstance(found, HttpResponse):
        return found
    game, viewer = found
    join_url = _join_url(request, game)
    context = rendering.public_context(game) | {
        "game": game, "viewer": viewer, "observer_key": game.observer_key,
        "join_url": join_url, "join_qr": qr_svg(join_url, scalable=True),
        "site_url": absolute_url(request, "/").rstrip("/"),
    }
    return render(request, "negotiation/projector.html", context)


@never_cache
@require_GET
def projector_stage(request: HttpRequest, code: str) -> HttpResponse:
    """The projector's big screen alone: the page asks for it again whenever its socket
    (re)connects, so a wall that missed pushes while offline catches up."""
    found = _observed_game(request, code)
    if isinstance(found, HttpResponse):
        return found
    return rendering.render_partial(request, "projector-stage", rendering.public_context(found[0]),
                                    template=PROJECTOR_STAGE)


PROJECTOR_STAGE = "negotiation/projector.html"


@never_cache
@login_required
@require_GET
def join_sheet(request: HttpRequest, game_id: int) -> HttpResponse:
    """A printable page with the join code, link and QR code."""
    game = _facilitated_game(request, game_id)
    join_url = _join_url(request, game)
    return render(request, "negotiation/join_sheet.html", {"game": game, "join_url": join_url, "join_qr": qr_svg(join_url)})


def _console_reply(request: HttpRequest, game: Game, error: str | None = None, status: int = 200,
                   notice: str | None = None) -> HttpResponse:
    game.refresh_from_db()
    viewer = selectors.viewer_for_request(request, game)
    assert viewer is not None
    context = rendering.console_context(game, viewer) | {"console_error": error, "console_notice": notice,
                                                          "reply": True}
    return rendering.render_partial(request, "console-controls", context, status=status,
                                    template="negotiation/console.html")


def _action(request: HttpRequest, game_id: int, run: Callable[[Game, str], str | None]) -> HttpResponse:
    game = _facilitated_game(request, game_id)
    try:
        notice = run(game, _actor(request))
    except UserError as exc:
        return _console_reply(request, game, exc.message, _status(exc))
    return _console_reply(request, game, notice=notice)


def _text(request: HttpRequest, name: str, limit: int = 500) -> str:
    return str(request.POST.get(name, "")).strip()[:limit]


def _int(request: HttpRequest, name: str) -> int:
    try:
        return int(str(request.POST.get(name, "")))
    except ValueError as exc:
        raise InvalidInput(gettext("%(field)s must be a whole number.") % {
            "field": name.replace("_", " ").capitalize()}) from exc


@login_required
@require_POST
def game_start(request: HttpRequest, game_id: int) -> HttpResponse:
    def run(game: Game, actor: str) -> str:
        services.game_start(game_id=game.pk, actor=actor)
        return gettext("The game has started.")
    return _action(request, game_id, run)


@login_required
@require_POST
def phase_advance(request: HttpRequest, game_id: int) -> HttpResponse:
    def run(game: Game, actor: str) -> str | None:
        if not services.phase_advance(game_id=game.pk, expected_phase=_text(request, "phase"),
                                      expected_turn=_int(request, "turn"), actor=actor,
                                      reason=_text(request, "reason") or "facilitator"):
            raise StaleVersion(gettext("The game had already moved on; the console is up to date now."))
        return None
    return _action(request, game_id, run)


@login_required
@require_POST
def game_pause(request: HttpRequest, game_id: int) -> HttpResponse:
    def run(game: Game, actor: str) -> str:
        if request.POST.get("resume") == "1":
            services.game_resume(game_id=game.pk, actor=actor)
            return gettext("Resumed: the countdown runs again.")
        services.game_pause(game_id=game.pk, actor=actor, reason=_text(request, "reason"))
        return gettext("Paused: the countdown is frozen.")
    return _action(request, game_id, run)


@login_required
@require_POST
def deadline_extend(request: HttpRequest, game_id: int) -> HttpResponse:
    def run(game: Game, actor: str) -> str:
        minutes = _int(request, "minutes")
        services.deadline_extend(game_id=game.pk, actor=actor, minutes=minutes, reason=_text(request, "reason"))
        return gettext("Extended by %(n)s minute(s).") % {"n": minutes}
    return _action(request, game_id, run)


@login_required
@require_POST
def phase_rollback(request: HttpRequest, game_id: int) -> HttpResponse:
    def run(game: Game, actor: str) -> str:
        services.phase_rollback(game_id=game.pk, actor=actor, reason=_text(request, "reason"))
        return gettext("Back to negotiation; orders given so far are kept.")
    return _action(request, game_id, run)


@login_required
@require_POST
def game_end(request: HttpRequest, game_id: int) -> HttpResponse:
    def run(game: Game, actor: str) -> str:
        services.game_end(game_id=game.pk, actor=actor, reason=_text(request, "reason"))
        return gettext("The game has ended.")
    return _action(request, game_id, run)


@login_required
@require_POST
def seat_action(request: HttpRequest, game_id: int) -> HttpResponse:
    """Assign, kick, make captain, let a bot play, hand back."""
    action = _text(request, "action")

    def run(game: Game, actor: str) -> str:
        state_id = _text(request, "state_id")
        if action == "assign":
            member = services.seat_assign(game_id=game.pk, state_id=state_id, name=_text(request, "name"), actor=actor)
            link = absolute_url(request, reverse("negotiation:seat-link", kwargs={"token": member.token}))
            return gettext("Personal link for %(name)s: %(link)s") % {"name": member.name, "link": link}
        if action == "kick":
            member = get_object_or_404(Member, pk=_int(request, "member_id"), seat__game=game)
            services.member_remove(game_id=game.pk, member_id=member.pk, actor=actor, reason=_text(request, "reason"))
            return gettext("%(name)s was removed from the game.") % {"name": member.name}
        if action == "captain":
            member = services.member_make_captain(game_id=game.pk, member_id=_int(request, "member_id"), actor=actor)
            return gettext("%(name)s now gives the orders.") % {"name": member.name}
        if action == "bot":
            policy = _text(request, "policy") or game.bot_policy
            services.seat_set_bot(game_id=game.pk, state_id=state_id, policy=policy, actor=actor)
            return gettext("A %(policy)s bot plays %(state)s until you hand it back.") % {
                "policy": policy, "state": state_id_name(game, state_id)}
        if action == "merge":
            member = services.seat_merge(game_id=game.pk, member_id=_int(request, "member_id"),
                                         state_id=_text(request, "merge_state"), actor=actor)
            return gettext("%(name)s now also plays %(state)s; they switch states from their page.") % {
                "name": member.name, "state": state_id_name(game, member.seat.state_id)}
        if action == "handback":
            services.seat_set_bot(game_id=game.pk, state_id=state_id, policy="", actor=actor)
            return gettext("%(state)s is played by its players again.") % {"state": state_id_name(game, state_id)}
        raise InvalidInput(gettext("Unknown seat action."))
    return _action(request, game_id, run)


def state_id_name(game: Game, state_id: str) -> str:
    return selectors.state_names(game).get(state_id, state_id)


def _targets(request: HttpRequest) -> list[str] | None:
    targets = [str(t) for t in request.POST.getlist("targets") if str(t).strip()]
    return None if not targets or "all" in targets else targets


def _inject_trigger(request: HttpRequest) -> dict[str, Any] | None:
    """When the inject goes out: now (None), at the start of a turn, or on a condition."""
    when = _text(request, "when")
    if when in ("", "now"):
        return None
    if when == "turn":
        return {"turn": _int(request, "when_turn")}
    trigger: dict[str, Any] = {"condition": when, "state": _text(request, "when_state") or None}
    if when == "rsi_below":
        try:
            trigger["threshold"] = float(_text(request, "when_threshold"))
        except ValueError as exc:
            raise InvalidInput(gettext("Give the stability level (0 to 100).")) from exc
    return trigger


@login_required
@require_POST
def inject_cancel(request: HttpRequest, game_id: int) -> HttpResponse:
    def run(game: Game, actor: str) -> str:
        services.inject_cancel(game_id=game.pk, actor=actor, inject_id=_int(request, "inject_id"))
        return gettext("The held-back inject was cancelled.")
    return _action(request, game_id, run)


def _inject_effect(request: HttpRequest) -> dict[str, Any] | None:
    """The engine effect chosen on the inject form (None: news only). The engine validates it."""
    kind = _text(request, "effect")
    state, amount = _text(request, "effect_state"), _text(request, "effect_amount")
    if not kind:
        return None
    if kind == "radar_outage":
        if not _text(request, "effect_site"):
            raise InvalidInput(gettext("Choose the site whose radar goes down."))
        return {"radar_outage": _text(request, "effect_site")}
    if not state:
        raise InvalidInput(gettext("Choose the state the effect applies to."))
    try:
        number = float(amount)
    except ValueError as exc:
        raise InvalidInput(gettext("The effect needs an amount (a number).")) from exc
    if not math.isfinite(number):  # "nan", "inf": float() takes them, the engine and int() do not
        raise InvalidInput(gettext("The effect needs an amount (a number)."))
    if kind == "ds_change":
        return {"ds_change": {state: number}}
    if kind == "budget_change":
        return {"budget_change": {state: int(number)}}
    if kind == "incident":
        return {"incident": {f"{state}>{_text(request, 'effect_other')}": number}}
    raise InvalidInput(gettext("Unknown kind of effect."))


@login_required
@require_POST
def inject_preview(request: HttpRequest, game_id: int) -> HttpResponse:
    game = _facilitated_game(request, game_id)
    targets = _targets(request)
    names = selectors.state_names(game)
    audience = "everyone" if targets is None else ", ".join(names.get(t, t) for t in targets)
    return rendering.render_partial(request, "inject-preview", {
        "title": _text(request, "title", 120), "text": _text(request, "text", 4000), "audience": audience,
    }, template="negotiation/console.html")


@login_required
@require_POST
def inject_send(request: HttpRequest, game_id: int) -> HttpResponse:
    def run(game: Game, actor: str) -> str:
        inject = services.inject_send(game_id=game.pk, actor=actor, title=_text(request, "title", 120),
                                      text=_text(request, "text", 4000), targets=_targets(request),
                                      effect=_inject_effect(request), trigger=_inject_trigger(request))
        if inject.pending:
            return gettext("Held back “%(title)s” until its moment.") % {"title": inject.title}
        return gettext("Sent “%(title)s”.") % {"title": inject.title}
    return _action(request, game_id, run)
