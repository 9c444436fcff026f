"""Review pages: overview with charts, timeline, knowledge view, debrief, what-if, turn detail,
exports and the replay check. Each page admits the facilitator, or a player of an ended game
whose facilitator allowed it (access.review_access); a player's pages carry only what their
state could see."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

import game_engine
from negotiation import engine_views, selectors
from negotiation.errors import InvalidInput, UserError
from negotiation.models import Game, Phase, TurnRecord
from negotiation.review import export, history, participation, replay, services, timeline, whatif
from negotiation.review.access import ReviewAccess, review_access
from negotiation.review.common import state_meta
from negotiation.review.figures import per_state_chart, review_charts, stability_chart
from negotiation.selectors.game import players_allowed
from negotiation.viewer import Role

TEMPLATES = "negotiation/review"
View = Callable[..., HttpResponse]


def _page(request: HttpRequest, game_id: int) -> tuple[Game, ReviewAccess]:
    game = get_object_or_404(Game.objects.select_related("facilitator"), pk=game_id)
    access = review_access(request, game)
    if access is None:
        viewer = selectors.viewer_for(user=request.user, session=request.session, game=game)
        if viewer is not None and viewer.role is Role.PLAYER:
            raise _Closed(game)
        raise Http404("No such game to review.")
    return game, access


class _Closed(Exception):
    def __init__(self, game: Game) -> None:
        super().__init__("review closed")
        self.game = game


def review_page(fn: View) -> View:
    """Resolve the game and the reviewer; a player who may not review yet gets a short page why."""
    @wraps(fn)
    def wrapper(request: HttpRequest, game_id: int, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            game, access = _page(request, game_id)
        except _Closed as closed:
            return render(request, f"{TEMPLATES}/closed.html", {"game": closed.game}, status=403)
        return fn(request, game, access, *args, **kwargs)
    return never_cache(wrapper)


def facilitator_only(fn: View) -> View:
    @wraps(fn)
    def wrapper(request: HttpRequest, game: Game, access: ReviewAccess, *args: Any, **kwargs: Any) -> HttpResponse:
        if not access.is_facilitator:
            raise Http404("Only the facilitator can do this.")
        return fn(request, game, access, *args, **kwargs)
    return wrapper


def _context(request: HttpRequest, game: Game, access: ReviewAccess, section: str, **extra: Any) -> dict[str, Any]:
    return {"game": game, "access": access, "section": section, "finished": game.phase == Phase.FINISHED,
            "states": state_meta(game), **extra}


def _actor(request: HttpRequest) -> str:
    user = request.user
    return f"facilitator:{user.get_username()}" if isinstance(user, User) else "facilitator"


def _partial(request: HttpRequest, template: str, name: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(request, f"{TEMPLATES}/{template}#{name}", context, status=status)


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


# --- Overview and charts -------------------------------------------------------------------------


@require_GET
@review_page
def overview(request: HttpRequest, game: Game, access: ReviewAccess) -> HttpResponse:
    story = history.game_history(game, access)
    ids = [m.id for m in story.states]
    trust_of = str(request.GET.get("trust", ""))
    if trust_of not in ids:
        trust_of = access.state_id or (ids[0] if ids else "")
    charts = review_charts(story, trust_of)
    ended = engine_views.texts(game).game_over(story.final_view.game_over_reason if story.final_view else "")
    context = _context(request, game, access, "overview", history=story, charts=charts, trust_of=trust_of,
                       scores=history.final_scores(story), ended=ended,
                       players_allowed=players_allowed(game) if access.is_facilitator else True)
    if _is_htmx(request) and request.GET.get("fragment") == "trust":
        return _partial(request, "overview.html", "trust-figure", context | {"chart": charts[-1]})
    return render(request, f"{TEMPLATES}/overview.html", context)


# --- Timeline ------------------------------------------------------------------------------------


@require_GET
@review_page
def timeline_view(request: HttpRequest, game: Game, access: ReviewAccess) -> HttpResponse:
    ids = [m.id for m in state_meta(game)]
    filters = timeline.TimelineFilters.from_query(request.GET, access, ids)
    page = timeline.timeline_page(game, access, filters)
    context = _context(request, game, access, "timeline", page=page)
    if _is_htmx(request):
        return _partial(request, "timeline.html", "timeline-results", context)
    return render(request, f"{TEMPLATES}/timeline.html", context)


# --- What a state knew ---------------------------------------------------------------------------


@require_GET
@review_page
def knowledge_page(request: HttpRequest, game: Game, access: ReviewAccess) -> HttpResponse:
    metas = state_meta(game)
    state_id = access.state_id or str(request.GET.get("state", "")) or (metas[0].id if metas else "")
    turns = history.knowledge_turns(game)
    raw_turn = str(request.GET.get("turn", ""))
    turn = int(raw_turn) if raw_turn.isdigit() else turns[0][0]
    knew = history.knowledge(game, access, state_id, turn)
    status = 200 if knew is not None else 404
    context = _context(request, game, access, "knowledge", knew=knew, turns=turns, state_id=state_id, turn=turn)
    if _is_htmx(request):
        return _partial(request, "knowledge.html", "knowledge-view", context, status=status)
    return render(request, f"{TEMPLATES}/knowledge.html", context, status=status)


# --- Debrief -------------------------------------------------------------------------------------


@require_GET
@review_page
def debrief_page(request: HttpRequest, game: Game, access: ReviewAccess) -> HttpResponse:
    story = history.game_history(game, access)
    brief = history.debrief(game, access, story)
    context = _context(request, game, access, "debrief", history=story, brief=brief,
                       rsi_chart=stability_chart(story),
                       vp_chart=per_state_chart(story, "vp-debrief", gettext("Victory points earned each turn"),
                                            gettext("The points each state earned in each turn."), story.vp,
                                            gettext("points")),
                       turns_played=TurnRecord.objects.filter(game=game).count())
    return render(request, f"{TEMPLATES}/debrief.html", context)


# --- What-if -------------------------------------------------------------------------------------


def _int(value: Any, default: int) -> int:
    raw = str(value or "").strip()
    return int(raw) if raw.isdigit() else default


@require_http_methods(["GET", "POST"])
@review_page
def whatif_page(request: HttpRequest, game: Game, access: ReviewAccess) -> HttpResponse:
    turns = whatif.whatif_turns(game)
    source = request.POST if request.method == "POST" else request.GET
    turn = _int(source.get("turn"), turns[0] if turns else 1)
    if turns and turn not in turns:
        turn = turns[0]
    rows = whatif.whatif_form(game, access, turn) if turns else []
    context = _context(request, game, access, "whatif", turns=turns, turn=turn, rows=rows, result=None, error=None)
    if request.method == "GET":
        if _is_htmx(request):
            return _partial(request, "whatif.html", "whatif-form", context)
        return render(request, f"{TEMPLATES}/whatif.html", context)
    record = TurnRecord.objects.filter(game=game, turn=turn).only("state_before", "orders").first()
    try:
        if record is None:
            raise InvalidInput(gettext("Choose a turn that was played."))
        state = game_engine.state_from_json(record.state_before)
        kept = {r.state_id: {_int(i, -1) for i in request.POST.getlist(f"keep-{r.state_id}")} for r in rows}
        added = {r.state_id: str(request.POST.get(f"add-{r.state_id}", ""))[:20000] for r in rows}
        changed = whatif.parse_changes(access, state, record.orders, kept, added)
        if not changed:
            raise InvalidInput(gettext("Change at least one order: untick an order or add one."))
        result = whatif.run_whatif(game, access, turn, changed)
    except UserError as exc:
        return _partial(request, "whatif.html", "whatif-result", context | {"error": exc.message}, status=422)
    return _partial(request, "whatif.html", "whatif-result", context | {"result": result})


# --- Facilitator: a turn's engine input and output, exports, replay, bookmarks, permission -------


@require_GET
@review_page
@facilitator_only
def turn_page(request: HttpRequest, game: Game, access: ReviewAccess, turn: int) -> HttpResponse:
    record = get_object_or_404(TurnRecord, game=game, turn=turn)
    names = {m.id: m.name for m in state_meta(game)}
    orders = [(names.get(sid, sid), [selectors.describe_order(o, game) for o in raws], raws)
              for sid, raws in record.orders.items()]
    turns = list(TurnRecord.objects.filter(game=game).order_by("turn").values_list("turn", flat=True))
    texts = engine_views.texts(game)
    events = [{**e, "text": texts.event(str(e.get("kind", "")), e.get("text", ""),
                                        e.get("data") if isinstance(e.get("data"), dict) else None),
               "audience": [names.get(str(a), str(a)) for a in e.get("audience") or []]}
              for e in record.events]
    explanation = [{**x, "text": texts.explanation(str(x.get("component", "")), x.get("text", ""))}
                   for x in record.explanation]
    return render(request, f"{TEMPLATES}/turn.html", _context(
        request, game, access, "turns", record=record, orders=orders, turns=turns, names=names,
        events=events, explanation=explanation))


@require_GET
@review_page
@facilitator_only
def export_download(request: HttpRequest, game: Game, access: ReviewAccess) -> HttpResponse:
    fmt = str(request.GET.get("format", "json"))
    pseudonymize = request.GET.get("pseudonymize") in ("1", "on", "true")
    bundle = export.build_export(game, pseudonymize=pseudonymize)
    stem = f"treatycraft-{slugify(game.code)}{'-pseudonymised' if pseudonymize else ''}"
    if fmt == "csv":
        response = HttpResponse(export.csv_zip(bundle), content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{stem}-csv.zip"'
        return response
    response = HttpResponse(export.json_text(bundle), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{stem}.json"'
    return response


@require_POST
@review_page
@facilitator_only
def replay_check(request: HttpRequest, game: Game, access: ReviewAccess) -> HttpResponse:
    report = replay.replay_game(game)
    return _partial(request, "overview.html", "replay-result",
                    _context(request, game, access, "overview", replay=report, replay_lines=list(replay.describe(report))))


@require_POST
@review_page
@facilitator_only
def bookmark(request: HttpRequest, game: Game, access: ReviewAccess) -> HttpResponse:
    note = str(request.POST.get("note", ""))
    shared = request.POST.get("shared") in ("1", "on", "true")
    context = _context(request, game, access, "overview", bookmark_error=None, bookmark_notice=None)
    try:
        event = services.bookmark_add(game_id=game.pk, actor=_actor(request), note=note, shared=shared)
    except UserError as exc:
        return _partial(request, "_bookmark.html", "bookmark-form", context | {"bookmark_error": exc.message,
                                                                            "bookmark_note": note}, status=422)
    if not _is_htmx(request):
        return redirect("review:home", game_id=game.pk)
    return _partial(request, "_bookmark.html", "bookmark-form",
                    context | {"bookmark_notice": gettext("Bookmarked (turn %(turn)s).") % {"turn": event.data.get("turn")}})


@require_POST
@review_page
@facilitator_only
def players_permission(request: HttpRequest, game: Game, access: ReviewAccess) -> HttpResponse:
    allowed = request.POST.get("allowed") in ("1", "on", "true")
    services.review_players_allow(game_id=game.pk, actor=_actor(request), allowed=allowed)
    if _is_htmx(request):
        return _partial(request, "overview.html", "review-access",
                        _context(request, game, access, "overview", players_allowed=allowed))
    return redirect("review:home", game_id=game.pk)


@require_GET
@review_page
@facilitator_only
def participation_page(request: HttpRequest, game: Game, access: ReviewAccess) -> HttpResponse:
    """What each student did, and their reflections: on screen, and as a CSV gradebook."""
    if request.GET.get("format") == "csv":
        response = HttpResponse(participation.gradebook_csv(game), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="treatycraft-{slugify(game.code)}-gradebook.csv"'
        return response
    rows, prompts = participation.report(game)
    return render(request, f"{TEMPLATES}/participation.html", _context(
        request, game, access, "participation", students=rows, prompts=prompts,
        channel_kinds=participation.CHANNEL_KINDS))
