"""Thin HTTP views: parse input, call a service, render the partial that changed.

Commands are POSTs from htmx (CSRF-protected). Errors come back as the same partial with the
message shown in place and status 422 (429 for rate limits), so nothing the user typed is lost.
"""

from __future__ import annotations

import secrets
from functools import partial
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext, pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.middleware import HtmxDetails

from negotiation import engine_views, notifications, orderforms, proposalforms, rendering, selectors, services
from negotiation.errors import InvalidInput, RateLimited, UserError
from negotiation.models import Game, Member, Proposal
from negotiation.seat_session import remember_member, remember_viewer
from negotiation.services.tutorial import tutorial_start
from negotiation.viewer import Role, Viewer


def _client_key(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", "unknown"))


def _token() -> str:
    return secrets.token_urlsafe(12)


def _valid_email(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def _game_by_code(code: str) -> Game | None:
    # with its facilitator: the room's tutorial check reads it
    return engine_views.game_for_render(code=code.strip().upper())


def _require_viewer(request: HttpRequest, game: Game) -> Viewer:
    viewer = selectors.viewer_for_request(request, game)
    if viewer is None:
        raise Http404("You have no seat in this game.")
    return viewer


# --- Public pages --------------------------------------------------------------------------------


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "negotiation/home.html",
                  {"error": None, "code": "", "my_games": selectors.games_for_session(request.session)})


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
            {"error": gettext("No game has that code. Check the code your facilitator gave you."), "code": code},
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
            {"error": gettext("No game has that code. Check the code your facilitator gave you."), "code": code},
            status=404,
        )
    if selectors.member_for_session(request.session, game) is not None:
        return redirect("negotiation:room", code=game.code)
    error = None
    name = ""
    if request.method == "POST":
        name = str(request.POST.get("display_name", ""))
        choice = str(request.POST.get("state_id", ""))
        as_team = choice.startswith("team:")
        email = str(request.POST.get("email", "")).strip()[:254]
        if email and not _valid_email(email):
            return render(request, "negotiation/join.html", {
                "game": game, "states": selectors.join_choices(game), "name": name, "email": email,
                "error": gettext("That is not an e-mail address; leave it empty if you prefer.")}, status=422)
        try:
            member = services.seat_claim(game_id=game.pk, state_id=choice.removeprefix("team:"),
                                         display_name=name, as_team_member=as_team)
        except UserError as exc:
            error = exc.message
        else:
            remember_member(request.session, member)
            notifications.contact_set(member, email)
            return redirect("negotiation:room", code=game.code)
    return render(
        request, "negotiation/join.html",
        {"game": game, "states": selectors.join_choices(game), "error": error, "name": name},
        status=422 if error else 200,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def seat_link(request: HttpRequest, token: str) -> HttpResponse:
    """A personal link the facilitator handed out. Opening it shows whose seat it is; taking the
    seat (a POST, since it writes the session) puts this browser in it."""
    member = Member.objects.select_related("seat__game").filter(token=token, removed_at=None).first()
    if member is None:
        raise Http404("This link is no longer valid; ask your facilitator for a new one.")
    if request.method == "POST":
        remember_member(request.session, member)
        return redirect("negotiation:room", code=member.seat.game.code)
    return render(request, "negotiation/seat_link.html", {
        "member": member, "game": member.seat.game,
        "state_name": selectors.state_names(member.seat.game).get(member.seat.state_id, member.seat.state_id),
    })


def _guess_limited(request: HttpRequest) -> HttpResponse | None:
    """A game page asked for by someone who is not in that game (or for a code that does not exist)
    counts against the join-code guess limit of their address: the answer (404, or a redirect to
    the join page) would otherwise tell a guesser which codes exist, at any rate. Returns the 429
    page once the limit is reached."""
    try:
        services.join_attempt_check(_client_key(request))
    except RateLimited as exc:
        return render(request, "negotiation/home.html", {"error": exc.message, "code": ""}, status=429)
    return None


@never_cache
@require_GET
def room(request: HttpRequest, code: str) -> HttpResponse:
    game = _game_by_code(code)
    if game is not None:
        selectors.share_reads(game)  # a read-only page: the viewer's member comes from the members it shows
        if (member_id := selectors.session_member_id(request.session, game.pk)) is not None:
            # the page's rows in one statement, the orders of the claimed member's seat among them
            selectors.read_together(game, selectors.ROOM_SETS, member_id=member_id)
    viewer = None if game is None else selectors.viewer_for_request(request, game)
    if viewer is None and (limited := _guess_limited(request)) is not None:
        return limited
    if game is None:
        raise Http404("No such game.")
    if viewer is None:
        return redirect("negotiation:join", code=game.code)
    if viewer.role is Role.FACILITATOR:
        return redirect("negotiation:console", game_id=game.pk)
    if viewer.role is Role.OBSERVER:
        return redirect(f"{reverse('negotiation:projector', kwargs={'code': game.code})}?key={game.observer_key}")
    context = rendering.room_context(game, viewer, selectors.open_channel_key(request.session, game), reads_shared=True)
    return render(request, "negotiation/room.html", context | {"panels": _room_panels(), "front_panel": front_panel(game.phase)})


# The room's panels, in tab order, and the one each phase puts in front (what the phase asks for).
FRONT_PANEL = {"lobby": "situation", "negotiation": "talks", "orders": "orders", "report": "reports",
               "finished": "reports"}


def front_panel(phase: str) -> str:
    return FRONT_PANEL.get(str(phase), "situation")


def _room_panels() -> list[tuple[str, str, str]]:
    """(key, label, short label for a phone's bottom bar)."""
    # The short labels share a 375 px bar five ways: a word of about eight letters in every language.
    return [("situation", gettext("Situation & map"), pgettext("phone tab", "Map")),
            ("talks", gettext("Talks"), pgettext("phone tab", "Talks")),
            ("orders", gettext("Orders"), pgettext("phone tab", "Orders")),
            ("treaties", gettext("Treaties"), pgettext("phone tab", "Treaties")),
            ("reports", gettext("Results & reports"), pgettext("phone tab", "Results"))]


@never_cache
@require_GET
def projector(request: HttpRequest, code: str) -> HttpResponse:
    """The public-only view for the front of a classroom (and for observers)."""
    game = _game_by_code(code)
    viewer = None if game is None else selectors.viewer_for_request(request, game)
    if viewer is None and (limited := _guess_limited(request)) is not None:
        return limited
    if game is None:
        raise Http404("No such game.")
    if viewer is None:
        raise Http404("This view needs the observer link from the facilitator.")
    context = rendering.public_context(game) | {"game": game, "viewer": viewer, "observer_key": game.observer_key}
    return render(request, "negotiation/projector.html", context)


@require_GET
def rules(request: HttpRequest) -> HttpResponse:
    return render(request, "negotiation/rules.html", {"rules_html": rendering.rules_html()})


@require_POST
def tutorial_new(request: HttpRequest) -> HttpResponse:
    """“Try a 5-minute tutorial”: a private practice game against bots, then the normal room."""
    try:
        member = tutorial_start(client_key=_client_key(request), display_name=str(request.POST.get("name", "")))
    except UserError as exc:
        return render(request, "negotiation/home.html",
                      {"error": exc.message, "code": "", "my_games": selectors.games_for_session(request.session)},
                      status=exc.status)
    remember_member(request.session, member)
    return redirect("negotiation:room", code=member.seat.game.code)


@never_cache
@require_GET
def guide(request: HttpRequest, code: str) -> HttpResponse:
    """“How to play this turn”: one page, with the phase the game is in marked."""
    game = _game_by_code(code)
    viewer = None if game is None else selectors.viewer_for_request(request, game)
    if viewer is None and (limited := _guess_limited(request)) is not None:
        return limited
    if game is None or viewer is None:
        raise Http404("No such game." if game is None else "You have no seat in this game.")
    return render(request, "negotiation/guide.html",
                  {"game": game, "viewer": viewer, "priv": selectors.private_view(game, viewer)})


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"ok": True, "database": connection.vendor})


# --- Commands from a seat or the facilitator -----------------------------------------------------
#
# One idiom: parse, call a service, and answer with `_fragments`: the fragment the asking element
# swaps (morphed in place, so focus and scroll survive) plus any other changed fragments as
# out-of-band swaps (their partial's `oob` flag). A refused command answers with the same
# fragments, the message beside the control, and the status its error class declares.


def _fragments(request: HttpRequest, context: dict[str, Any], main: str, *also: str, status: int = 200,
               extra: str = "", template: str | None = None) -> HttpResponse:
    """The reply to a command: `main` for the requesting element's target, then `also` out of band
    (only for htmx, which swaps them; any other client gets the one fragment it asked for)."""
    html = rendering.partial_html(main, context, request, template)
    if cast(HtmxHttpRequest, request).htmx:
        html += "".join(rendering.partial_html(name, context | {"oob": True}, request) for name in also)
    response = HttpResponse(html + extra, status=status)
    response["Cache-Control"] = "no-store"
    return response


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails  # set by django_htmx.middleware.HtmxMiddleware


def _chat_reply(request: HttpRequest, game: Game, viewer: Viewer, key: str, *, error: str | None = None,
                body: str = "", status: int = 200, extra: str = "") -> HttpResponse:
    context = rendering.chat_form_context(game, viewer, key) | {"chat_error": error, "chat_body": body}
    return _fragments(request, context, "chat-form", status=status, extra=extra)


@require_POST
def chat_post(request: HttpRequest, game_id: int) -> HttpResponse:
    game = _game_for_post(request, game_id)
    body = str(request.POST.get("body", ""))
    key = str(request.POST.get("channel", "plenary"))[:100]
    client_token = str(request.POST.get("client_token", ""))
    # A seated player acts as the viewer the session remembered (no member read); the post checks
    # it against the member row under the game's lock, and a stale one is read again and retried.
    remembered = None if request.user.is_authenticated or request.GET.get("key") else (
        selectors.remembered_viewer(request.session, game_id))
    try:
        message = None
        counted_as = None  # the rate-limit key a stale first attempt counted this post against
        if remembered is not None:
            viewer = remembered[0]
            try:
                message = services.message_post(game_id=game.pk, viewer=viewer, body=body, channel=key,
                                                client_token=client_token, remembered_token=remembered[1])
            except services.StaleViewer:
                counted_as = services.chat_rate_key(game_id, viewer)
        if message is None:
            viewer = _require_viewer(request, game)
            if viewer.member_id is not None:
                remember_viewer(request.session, game_id=viewer.game_id, member_id=viewer.member_id,
                                seat_id=viewer.seat_id, state_id=viewer.state_id, name=viewer.label,
                                captain=viewer.is_captain)
            message = services.message_post(game_id=game.pk, viewer=viewer, body=body, channel=key,
                                            client_token=client_token,
                                            counted=counted_as == services.chat_rate_key(game_id, viewer))
    except UserError as exc:
        game = get_object_or_404(Game.objects.defer("state"), pk=game_id)
        return _chat_reply(request, game, viewer, key, error=exc.message, body=body, status=exc.status)
    # The poster sees the message at once even if the push is slow; the page drops the duplicate.
    extra = rendering.chat_message_push_html(message)
    channel = services.posted_channel(message)
    if channel is None or channel.key != key:  # a retry: its stored row, read the form's channel
        game = get_object_or_404(Game.objects.defer("state"), pk=game_id)
        return _chat_reply(request, game, viewer, key, extra=extra)
    return _fragments(request, rendering.posted_form_context(viewer, channel), "chat-form", extra=extra)


def _game_for_post(request: HttpRequest, game_id: int) -> Game:
    """The game a chat post names, as far as resolving its viewer needs it. A seated player (no
    account, no observer key) is found by the game's id alone, so the row is not read here: the
    post reads what it needs under the game's lock. A facilitator's or observer's check reads
    the row (its facilitator, co-facilitators, observer key)."""
    if not request.user.is_authenticated and not request.GET.get("key"):
        return Game(pk=game_id)
    return get_object_or_404(Game.objects.defer("state"), pk=game_id)


@require_POST
def channel_open(request: HttpRequest, game_id: int) -> HttpResponse:
    """Show a channel and mark it read (a POST: it writes the read mark)."""
    game = get_object_or_404(Game, pk=game_id)
    viewer = _require_viewer(request, game)
    key = str(request.POST.get("channel", "plenary"))[:100]
    previous = selectors.open_channel_key(request.session, game)
    try:
        # Leaving a channel marks what arrived in it while it was open as read, too.
        if previous != key:
            services.channel_open(game_id=game.pk, viewer=viewer, key=previous)
        services.channel_open(game_id=game.pk, viewer=viewer, key=key)
    except UserError as exc:
        return _chat_reply(request, game, viewer, "plenary", error=exc.message, status=exc.status)
    opened = dict(request.session.get(selectors.SESSION_OPEN_CHANNEL) or {})
    opened[str(game.pk)] = key
    request.session[selectors.SESSION_OPEN_CHANNEL] = opened
    return _fragments(request, rendering.chat_context(game, viewer, key), "chat-pane", "channel-list")


def _coalition_reply(request: HttpRequest, game: Game, viewer: Viewer, error: str | None, status: int) -> HttpResponse:
    context = rendering.chat_context(game, viewer, selectors.open_channel_key(request.session, game))
    context["channel_error"] = error
    return _fragments(request, context, "channel-list", status=status)


@require_POST
def coalition_create(request: HttpRequest, game_id: int) -> HttpResponse:
    game = get_object_or_404(Game, pk=game_id)
    viewer = _require_viewer(request, game)
    try:
        services.coalition_create(game_id=game.pk, viewer=viewer, title=str(request.POST.get("title", "")),
                                  invite=[str(s) for s in request.POST.getlist("invite")])
    except UserError as exc:
        return _coalition_reply(request, game, viewer, exc.message, exc.status)
    return _coalition_reply(request, game, viewer, None, 200)


@require_POST
def coalition_respond(request: HttpRequest, game_id: int) -> HttpResponse:
    game = get_object_or_404(Game, pk=game_id)
    viewer = _require_viewer(request, game)
    key = str(request.POST.get("channel", ""))[:100]
    try:
        if request.POST.get("leave") == "1":
            services.coalition_leave(game_id=game.pk, viewer=viewer, key=key)
        elif request.POST.get("invite"):
            services.coalition_invite(game_id=game.pk, viewer=viewer, key=key, state_id=str(request.POST["invite"]))
        else:
            services.coalition_respond(game_id=game.pk, viewer=viewer, key=key, accept=request.POST.get("accept") == "1")
    except UserError as exc:
        return _coalition_reply(request, game, viewer, exc.message, exc.status)
    return _coalition_reply(request, game, viewer, None, 200)


@require_GET
def chat_history(request: HttpRequest, game_id: int) -> HttpResponse:
    game = get_object_or_404(Game, pk=game_id)
    viewer = _require_viewer(request, game)
    key = str(request.GET.get("channel", "plenary"))[:100]
    try:
        before = int(request.GET.get("before", ""))
    except ValueError:
        before = None
    rows = selectors.channel_page(game, viewer, key, before_seq=before)
    return rendering.render_partial(request, "chat-older", {"game": game, "chat": rows, "channel_key": key,
                                                            "chat_items": rendering.chat_items_html(game.pk, rows)})


@require_GET
def chat_search(request: HttpRequest, game_id: int) -> HttpResponse:
    game = get_object_or_404(Game, pk=game_id)
    viewer = _require_viewer(request, game)
    query = str(request.GET.get("q", ""))[:100]
    return rendering.render_partial(request, "search-results",
                                    {"query": query.strip(), "hits": selectors.message_search(game, viewer, query)})


def _seat_viewer(request: HttpRequest, game_id: int) -> tuple[Game, Viewer, int, int]:
    """The game and the seated player posting, with their seat and member ids."""
    game = get_object_or_404(Game, pk=game_id)
    viewer = _require_viewer(request, game)
    if viewer.role is not Role.PLAYER or viewer.seat_id is None or viewer.member_id is None:
        raise Http404("Only a seated player gives orders.")
    return game, viewer, viewer.seat_id, viewer.member_id


def _orders_reply(request: HttpRequest, game: Game, viewer: Viewer, *, error: UserError | None = None,
                  raw: dict[str, Any] | None = None) -> HttpResponse:
    """The order panel (with the ready button in the status bar out of band). A refused order keeps
    the composer as the player filled it, the message beside the control that caused it."""
    game.refresh_from_db()
    selectors.share_reads(game)  # after the command's write: the panel and the composer read the orders once
    context = rendering.private_context(game, viewer)
    plan = selectors.order_plan(game, viewer)
    context["plan"] = plan
    # the composer prices against the same plan: its queued orders are read once
    context["composer"] = partial(selectors.order_composer, game, viewer, context["priv"].order_groups, plan=plan)
    if error is not None and raw is not None and context["priv"].can_order:
        param = orderforms.error_param(engine_views.state(game), viewer.state_id or "", selectors.queued_orders(game, viewer), raw)
        context["composer"] = selectors.order_composer(game, viewer, context["priv"].order_groups, request.POST,
                                                       error=error.message, param=param, plan=plan)
    elif error is not None:
        context["order_notice"] = error.message
    return _fragments(request, context, "order-panel", "ready-bar", status=error.status if error else 200)


@require_GET
def order_compose(request: HttpRequest, game_id: int) -> HttpResponse:
    """The composer for the order type and values typed so far, with its cost (nothing is saved)."""
    game, viewer, _seat_id, _member_id = _seat_viewer(request, game_id)
    selectors.share_reads(game)  # nothing is written: the panel and the composer read the orders once
    context = rendering.private_context(game, viewer)
    plan = context["plan"] = selectors.order_plan(game, viewer)
    context["composer"] = selectors.order_composer(game, viewer, context["priv"].order_groups, request.GET, plan=plan)
    return _fragments(request, context, "composer-body")


@require_POST
def order_add(request: HttpRequest, game_id: int) -> HttpResponse:
    game, viewer, seat_id, member_id = _seat_viewer(request, game_id)
    raw = orderforms.raw_order(request.POST)
    try:
        services.order_add(game_id=game.pk, seat_id=seat_id, member_id=member_id, raw=raw,
                           client_token=str(request.POST.get("client_token", "")))
    except UserError as exc:
        return _orders_reply(request, game, viewer, error=exc, raw=raw)
    return _orders_reply(request, game, viewer)


@require_POST
def order_remove(request: HttpRequest, game_id: int) -> HttpResponse:
    game, viewer, seat_id, member_id = _seat_viewer(request, game_id)
    try:
        index = int(request.POST.get("index", "-1"))
        revision = int(request.POST.get("revision", "-1"))
        services.order_remove(game_id=game.pk, seat_id=seat_id, member_id=member_id, index=index,
                              revision=revision, client_token=str(request.POST.get("client_token", "")))
    except ValueError:
        return _orders_reply(request, game, viewer,
                             error=InvalidInput(gettext("That request was malformed; nothing changed.")))
    except UserError as exc:
        return _orders_reply(request, game, viewer, error=exc)
    return _orders_reply(request, game, viewer)


@require_POST
def ready(request: HttpRequest, game_id: int) -> HttpResponse:
    game, viewer, seat_id, member_id = _seat_viewer(request, game_id)
    error: UserError | None = None
    try:
        services.seat_set_ready(game_id=game.pk, seat_id=seat_id, member_id=member_id,
                                ready=request.POST.get("ready") == "1")
    except UserError as exc:
        error = exc
    game.refresh_from_db()
    selectors.share_reads(game)  # after the write
    context = rendering.private_context(game, viewer) | {"ready_error": error.message if error else None}
    return _fragments(request, context, "ready-bar", "order-panel", status=error.status if error else 200)


# --- Proposals -----------------------------------------------------------------------------------


def _proposals_reply(request: HttpRequest, game: Game, viewer: Viewer, error: str | None = None,
                     status: int = 200, notice: str | None = None) -> HttpResponse:
    game.refresh_from_db()
    context = rendering.proposals_context(game, viewer) | {"proposal_error": error, "proposal_notice": notice}
    return _fragments(request, context, "proposals", status=status)


def _proposal_action(request: HttpRequest, game_id: int, run: Any) -> HttpResponse:
    game = get_object_or_404(Game, pk=game_id)
    viewer = _require_viewer(request, game)
    try:
        notice = run(game, viewer)
    except UserError as exc:
        return _proposals_reply(request, game, viewer, exc.message, exc.status)
    except ValueError as exc:
        return _proposals_reply(request, game, viewer, str(exc), InvalidInput.status)
    return _proposals_reply(request, game, viewer, notice=notice)


def _number(request: HttpRequest, name: str) -> int:
    try:
        return int(str(request.POST.get(name, "")))
    except ValueError as exc:
        raise InvalidInput(gettext("That request was malformed; nothing changed.")) from exc


def _clauses(request: HttpRequest, game: Game, kind: str) -> dict[str, Any]:
    if kind == "hosting":
        return proposalforms.hosting_clauses(request.POST)
    if kind == "cbm":
        return proposalforms.cbm_clauses(request.POST.getlist)
    classes = list(engine_views.view(game, None).get("classes", []))
    return proposalforms.treaty_clauses(request.POST, classes, request.POST.getlist)


@require_POST
def proposal_create(request: HttpRequest, game_id: int) -> HttpResponse:
    def run(game: Game, viewer: Viewer) -> str:
        kind = str(request.POST.get("kind", ""))
        clauses = _clauses(request, game, kind)
        parties = ([str(clauses.get("owner")), str(clauses.get("host"))] if kind == "hosting"
                   else [str(p) for p in request.POST.getlist("parties")])
        proposal = services.proposal_create(
            game_id=game.pk, viewer=viewer, kind=kind, title=str(request.POST.get("title", "")), parties=parties,
            template=str(request.POST.get("template", "")), clauses=clauses, text=str(request.POST.get("text", "")))
        return gettext("Proposal %(n)s tabled; the other parties see it now.") % {"n": proposal.number}
    return _proposal_action(request, game_id, run)


@require_GET
def proposal_projection(request: HttpRequest, game_id: int) -> HttpResponse:
    game = get_object_or_404(Game, pk=game_id)
    viewer = _require_viewer(request, game)
    try:
        number = int(str(request.GET.get("number", "")))
    except ValueError:
        raise Http404("No such proposal.") from None
    projection = selectors.proposal_projection(game, viewer, number)
    if projection is None:
        raise Http404("No projection for that proposal.")
    return rendering.render_partial(request, "proposal-whatif", {"w": projection})


@require_POST
def proposal_act(request: HttpRequest, game_id: int) -> HttpResponse:
    """Amend, sign, unsign, comment on or withdraw a proposal."""
    action = str(request.POST.get("action", ""))

    def run(game: Game, viewer: Viewer) -> str:
        number = _number(request, "number")
        if action == "amend":
            proposal = Proposal.objects.filter(game=game, number=number).first()
            if proposal is None:  # the service refuses a proposal the viewer may not see alike
                raise InvalidInput(gettext("There is no such proposal."))
            p = services.proposal_amend(
                game_id=game.pk, viewer=viewer, number=number, expected_version=_number(request, "version"),
                clauses=_clauses(request, game, proposal.kind), text=str(request.POST.get("text", "")),
                note=str(request.POST.get("note", "")))
            return gettext("Version %(n)s tabled; earlier signatures no longer count.") % {"n": p.version}
        if action == "sign":
            services.proposal_sign(game_id=game.pk, viewer=viewer, number=number,
                                   expected_version=_number(request, "version"))
            return gettext("Signed. It enters into force at the next resolution once every party has signed this version.")
        if action == "unsign":
            services.proposal_unsign(game_id=game.pk, viewer=viewer, number=number)
            return gettext("Signature withdrawn.")
        if action == "comment":
            services.proposal_comment(game_id=game.pk, viewer=viewer, number=number,
                                      body=str(request.POST.get("body", "")))
            return gettext("Comment added.")
        if action == "withdraw":
            services.proposal_withdraw(game_id=game.pk, viewer=viewer, number=number)
            return gettext("Proposal withdrawn.")
        raise InvalidInput(gettext("Unknown action."))
    return _proposal_action(request, game_id, run)


@require_POST
def seat_switch(request: HttpRequest, game_id: int) -> HttpResponse:
    """A student playing merged seats switches this browser to their other state."""
    game = get_object_or_404(Game, pk=game_id)
    current = selectors.member_for_session(request.session, game)
    if current is None:
        raise Http404("You have no seat in this game.")
    try:
        target_id = int(str(request.POST.get("member_id", "")))
    except ValueError:
        raise Http404("No such seat.") from None
    target = next((m for m in selectors.linked_members(current) if m.pk == target_id), None)
    if target is None:
        raise Http404("No such seat.")
    remember_member(request.session, target)
    return redirect("negotiation:room", code=game.code)
