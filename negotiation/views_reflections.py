"""Reflection questions: the facilitator sets them in the console (or takes the scenario's
suggestions); students answer them in the room. Both panels load themselves into a container
included in the page, and reload when the phase changes (static/js/remote.js)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from negotiation import selectors
from negotiation.errors import InvalidInput, RateLimited, UserError
from negotiation.models import Game, ReflectionAnswer, ReflectionPrompt
from negotiation.scenarios import info as scenario_info
from negotiation.services import reflections
from negotiation.viewer import Role


def _room_context(game: Game, member_id: int) -> dict[str, Any]:
    prompts = [p for p in ReflectionPrompt.objects.filter(game=game).order_by("turn", "pk")
               if reflections.is_open(p, game)]
    answers = {a.prompt_id: a for a in ReflectionAnswer.objects.filter(member_id=member_id, prompt__game=game)}
    return {"game": game, "items": [(p, answers.get(p.pk)) for p in prompts]}


@never_cache
@require_http_methods(["GET", "POST"])
def room_reflections(request: HttpRequest, game_id: int) -> HttpResponse:
    game = get_object_or_404(Game, pk=game_id)
    viewer = selectors.viewer_for_request(request, game)
    if viewer is None or viewer.role is not Role.PLAYER or viewer.member_id is None:
        raise Http404("You have no seat in this game.")
    error, saved, status = None, None, 200
    if request.method == "POST":
        try:
            prompt_id = int(str(request.POST.get("prompt", "")))
            reflections.answer_save(game_id=game.pk, member_id=viewer.member_id, prompt_id=prompt_id,
                                    body=str(request.POST.get("body", ""))[:reflections.MAX_ANSWER + 100])
        except ValueError:
            error, status = gettext("Unknown question."), 422
        except UserError as exc:
            error, status = exc.message, 429 if isinstance(exc, RateLimited) else 422
        else:
            saved = prompt_id
    game.refresh_from_db()
    return render(request, "negotiation/_reflections_room.html",
                  _room_context(game, viewer.member_id) | {"error": error, "saved": saved}, status=status)


def _turn(value: str) -> int | None:
    if value == "debrief":
        return None
    try:
        return int(value)
    except ValueError as exc:
        raise InvalidInput(gettext("Choose a turn or the debrief.")) from exc


@never_cache
@require_http_methods(["GET", "POST"])
def console_reflections(request: HttpRequest, game_id: int) -> HttpResponse:
    game = get_object_or_404(Game, pk=game_id)
    if not selectors.is_facilitator(request.user, game):
        raise Http404("No such game among yours.")
    actor = f"facilitator:{request.user.get_username()}"
    error, status = None, 200
    if request.method == "POST":
        action = str(request.POST.get("action", "add"))
        try:
            if action == "remove":
                reflections.prompt_remove(game_id=game.pk, actor=actor, prompt_id=int(str(request.POST.get("prompt"))))
            elif action == "suggested":
                for s in reflections.suggestions(game.scenario_slug):
                    if not ReflectionPrompt.objects.filter(game=game, turn=s.turn, question=s.question).exists():
                        reflections.prompt_add(game_id=game.pk, actor=actor, turn=s.turn, question=s.question)
            else:
                reflections.prompt_add(game_id=game.pk, actor=actor, turn=_turn(str(request.POST.get("turn", ""))),
                                       question=str(request.POST.get("question", ""))[:600])
        except ValueError:
            error, status = gettext("Unknown question."), 422
        except UserError as exc:
            error, status = exc.message, 422
    prompts = list(ReflectionPrompt.objects.filter(game=game).order_by("turn", "pk"))
    answered = {p.pk: p.answers.count() for p in prompts}
    taken = {(p.turn, p.question) for p in prompts}
    suggested = [s for s in reflections.suggestions(game.scenario_slug) if (s.turn, s.question) not in taken]
    return render(request, "negotiation/_reflections_console.html", {
        "game": game, "prompts": [(p, answered[p.pk]) for p in prompts], "suggested": suggested,
        "turns": range(1, scenario_info(game.scenario_slug).turns + 1), "error": error,
    }, status=status)
