"""New game → "Fit my class period": the plan for a class length, shown as the teacher types."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

import game_engine
from negotiation import planner, selectors
from negotiation.errors import InvalidInput


def _number(request: HttpRequest, name: str) -> int | None:
    raw = str(request.GET.get(name, request.POST.get(name, ""))).strip()
    if not raw:
        return None
    try:
        return int(float(raw))
    except ValueError as exc:
        raise InvalidInput(gettext("Type whole numbers of minutes and turns.")) from exc


def plan_for(request: HttpRequest) -> planner.Plan | None:
    """The plan the form asks for (None without a class length); InvalidInput for bad numbers."""
    class_minutes = _number(request, "class_minutes")
    if class_minutes is None:
        return None
    slug = str(request.GET.get("scenario", request.POST.get("scenario", "")))
    try:
        scenario_turns = game_engine.load_scenario(slug).info.turns
    except (game_engine.ScenarioError, FileNotFoundError, KeyError, ValueError):
        scenario_turns = planner.MAX_TURNS
    return planner.plan(class_minutes, scenario_turns, _number(request, "turns"))


def turns_field(request: HttpRequest) -> int | None:
    """The number of turns the teacher set (None: the scenario's)."""
    return _number(request, "turns")


def preview_context(plan: planner.Plan | None, error: str | None = None) -> dict[str, Any]:
    if plan is None:
        return {"plan": None, "plan_error": error}
    return {"plan": plan, "plan_error": error, "talks": planner.minutes(plan.negotiation_seconds),
            "orders": planner.minutes(plan.orders_seconds), "report": planner.minutes(plan.report_seconds),
            "play": planner.minutes(int(plan.play_minutes * 60)), "total": planner.minutes(int(plan.total_minutes * 60))}


@login_required
@require_GET
def plan_preview(request: HttpRequest) -> HttpResponse:
    if not selectors.can_facilitate(request.user):
        raise PermissionDenied
    try:
        context = preview_context(plan_for(request))
    except InvalidInput as exc:
        context = preview_context(None, exc.message)
    return render(request, "negotiation/_plan.html", context)
