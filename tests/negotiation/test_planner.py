"""The class period planner: a class length proposes turns and phase lengths that fit."""

from __future__ import annotations

import pytest

import game_engine
from negotiation import planner
from negotiation.errors import InvalidInput
from negotiation.models import Game

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("minutes", [30, 45, 50, 60, 90])
def test_a_plan_fits_the_period_joining_and_debrief_included(minutes):
    plan = planner.plan(minutes, scenario_turns=8)
    assert plan.total_minutes <= minutes
    assert plan.turns <= 8
    assert plan.negotiation_seconds >= plan.orders_seconds >= plan.report_seconds >= 30
    # Not wasteful either: less than one more turn's worth is left over.
    assert minutes - plan.total_minutes < planner.MIN_TURN_MINUTES + plan.turn_seconds / 60


def test_45_minutes_of_the_classroom_scenario():
    plan = planner.plan(45, scenario_turns=8)
    assert plan.turns == 8
    assert (plan.negotiation_seconds, plan.orders_seconds, plan.report_seconds) == (120, 60, 60)


def test_the_number_of_turns_can_be_set():
    plan = planner.plan(45, scenario_turns=8, turns=4)
    assert plan.turns == 4 and plan.total_minutes <= 45
    assert plan.negotiation_seconds == 240
    with pytest.raises(InvalidInput, match="do not fit"):
        planner.plan(20, scenario_turns=8, turns=10)
    with pytest.raises(InvalidInput, match="at least"):
        planner.plan(10, scenario_turns=8)


def test_new_game_fitted_to_a_period_gets_its_turns_and_lengths(fac_client):
    response = fac_client.post("/facilitate/new/", {
        "scenario": "meridian-sea", "title": "Period 3", "mode": "expected", "timing": "planned",
        "class_minutes": "45", "turns": "6", "missed_orders": "hold", "bot_policy": "reciprocator"})
    assert response.status_code == 302, response.content.decode()[:2000]
    game = Game.objects.get()
    assert game_engine.state_from_json(game.state).max_turns == 6
    expected = planner.plan(45, 8, 6)
    assert (game.negotiation_seconds, game.orders_seconds, game.report_seconds) == (
        expected.negotiation_seconds, expected.orders_seconds, expected.report_seconds)


def test_the_preview_shows_the_plan(fac_client):
    html = fac_client.get("/facilitate/plan/", {"class_minutes": "45", "scenario": "meridian-sea"}).content.decode()
    assert "8 turns" in html and "2 min talks, 1 min orders, 1 min report each" in html
    html = fac_client.get("/facilitate/plan/", {"class_minutes": "abc"}).content.decode()
    assert "whole numbers" in html
