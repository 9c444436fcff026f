"""The facilitator drives a short game from the console: two players and one bot, pause and
resume, an inject to one state, two turns, and the end of the game."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from tests.e2e.browser import BrowserTestCase

pytestmark = pytest.mark.browser


class ConsoleTests(BrowserTestCase):
    def test_a_short_game_with_two_players_and_a_bot(self):
        get_user_model().objects.create_user(username="teacher", password="pw-teacher-123", is_staff=True)
        fac = self.facilitator_page("/facilitate/")
        fac.get_by_label("Timing").select_option("class")
        fac.get_by_test_id("create-game").click()
        code = fac.get_by_test_id("join-code").inner_text().strip()
        expect(fac.locator("body")).to_have_attribute("data-ws", "open")

        ana = self.join_game(code, "Ana", "aurel", width=390, height=844)
        bo = self.join_game(code, "Bo", "borun", width=390, height=844)
        fac.get_by_test_id("bot-dresk").click()
        expect(fac.locator("#console-controls tr[data-state=dresk]")).to_contain_text("bot (reciprocator)")
        expect(ana.locator("#seat-list tr[data-state=dresk]")).to_contain_text("bot (reciprocator)")

        fac.get_by_test_id("start-game").click()
        expect(ana.get_by_test_id("countdown")).to_be_visible()
        fac.get_by_test_id("pause").click()
        expect(bo.get_by_test_id("paused")).to_be_visible()
        expect(bo.get_by_test_id("countdown")).to_have_count(0)
        fac.get_by_test_id("resume").click()
        expect(bo.get_by_test_id("countdown")).to_be_visible()

        # An inject for Borun only, previewed first.
        form = fac.locator("#inject-form")
        form.get_by_label("Title").fill("Satellite photo")
        form.get_by_label("Text").fill("Borun's analysts spot new launchers.")
        form.get_by_label("everyone").uncheck()
        form.get_by_label("Borun only").check()
        fac.get_by_test_id("inject-preview-button").click()
        expect(fac.locator("#inject-preview")).to_contain_text("Preview, for Borun")
        fac.get_by_test_id("inject-send").click()
        expect(bo.locator("#news-private")).to_contain_text("Satellite photo")
        expect(ana.locator("body")).not_to_contain_text("Satellite photo")

        for turn in (1, 2):
            # Both players ready: the phase advances without the facilitator.
            for page in (ana, bo):
                page.get_by_test_id("ready-button").click()
            expect(ana.get_by_test_id("phase")).to_have_text(f"Turn {turn}: orders")
            self.advance(fac, f"Resolve turn {turn}")
            expect(bo.get_by_test_id("phase")).to_have_text(f"Turn {turn}: report")
            expect(fac.locator("#public-results")).to_contain_text(f"Turn {turn} resolved")
            self.advance(fac, f"Start turn {turn + 1}")
            expect(ana.get_by_test_id("phase")).to_have_text(f"Turn {turn + 1}: negotiation")

        fac.locator("details.danger summary").click()
        fac.get_by_label("Why").last.fill("End of the lesson")
        fac.get_by_test_id("end-game").click()
        for page in (ana, bo, fac):
            expect(page.locator("#scoreboard")).to_contain_text("Final scoreboard")
            expect(page.locator("#scoreboard li")).to_have_count(4)
        self.snapshot(ana, "phone-final")
        self.snapshot(fac, "console-final")
        for page in (ana, bo, fac):
            assert page.js_errors == []
