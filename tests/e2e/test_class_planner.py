"""New game fitted to a class period: the teacher types the class length, sees the turns and phase
lengths that fit (joining and debrief included), sets the number of turns, and the game is created
with them; the form fits a 1366 px laptop screen."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

import game_engine
from negotiation.models import Game
from tests.e2e.browser import BrowserTestCase

pytestmark = pytest.mark.browser


class ClassPlannerTests(BrowserTestCase):
    def test_a_class_length_proposes_turns_and_phase_lengths(self):
        get_user_model().objects.create_user(username="teacher", password="pw-teacher-123", is_staff=True)
        page = self.facilitator_page("/facilitate/")
        console_errors: list[str] = []
        page.on("console", lambda msg: msg.type == "error" and console_errors.append(msg.text))
        page.set_viewport_size({"width": 1366, "height": 768})
        page.reload()
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the New game page is {overflow} px wider than a 1366 px screen"

        page.get_by_test_id("class-minutes").fill("45")
        preview = page.get_by_test_id("plan-preview")
        expect(preview).to_contain_text("8 turns")
        expect(preview).to_contain_text("2 min talks, 1 min orders, 1 min report each")
        expect(preview).to_contain_text("5 min joining + 32 min of play + 8 min debrief = 45 of your 45 minutes")
        page.get_by_test_id("turns").fill("6")
        expect(preview).to_contain_text("6 turns")
        self.snapshot(page, "new-game-planner-1366")

        page.get_by_label("Title").fill("Period 3")
        page.get_by_label("Timing").select_option("planned")
        page.get_by_test_id("create-game").click()
        expect(page.get_by_test_id("join-code")).to_be_visible()
        game = Game.objects.get(title="Period 3")
        assert game_engine.state_from_json(game.state).max_turns == 6
        assert game.negotiation_seconds and game.orders_seconds and game.report_seconds
        total = 6 * (game.negotiation_seconds + game.orders_seconds + game.report_seconds) / 60 + 5 + 8
        assert total <= 45
        assert page.js_errors == [] and console_errors == []
