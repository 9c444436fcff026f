"""The facilitator drives a short game from the console: two players and one bot, pause and
resume, an inject to one state, two turns, and the end of the game. The status bar, phase controls
and seat table are in view on a 1920x1080 screen; injects, seats and ending sit in panels."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from tests.e2e.browser import BrowserTestCase

pytestmark = pytest.mark.browser


class ConsoleTests(BrowserTestCase):
    def test_a_short_game_with_two_players_and_a_bot(self):
        get_user_model().objects.create_user(username="teacher", password="pw-teacher-123", is_staff=True)
        fac = self.facilitator_page("/facilitate/")
        fac.set_viewport_size({"width": 1920, "height": 1080})
        console_errors: list[str] = []
        fac.on("console", lambda msg: msg.type == "error" and console_errors.append(msg.text))
        fac.get_by_label("Timing").select_option("class")
        fac.get_by_test_id("create-game").click()
        code = fac.get_by_test_id("join-code").inner_text().strip()
        expect(fac.locator("body")).to_have_attribute("data-ws", "open")
        expect(fac.get_by_test_id("console-connection").locator(".conn-open")).to_be_visible()
        expect(fac.get_by_test_id("console-connection").locator(".conn-closed")).to_be_hidden()
        expect(fac.get_by_test_id("console-phase")).to_have_text("Lobby: players are joining")

        ana = self.join_game(code, "Ana", "aurel", width=390, height=844)
        bo = self.join_game(code, "Bo", "borun", width=390, height=844)
        expect(fac.locator("#console-controls tr[data-state=borun]")).to_contain_text("Bo")
        fac.locator("#panel-seats > summary").click()
        fac.get_by_test_id("bot-dresk").click()
        expect(fac.locator("#console-controls tr[data-state=dresk]")).to_contain_text("bot (reciprocator)")
        expect(ana.locator("#seat-list tr[data-state=dresk]")).to_contain_text("bot (reciprocator)")
        # A bot seat is ready in the console's table, its status bar and the players' table alike.
        expect(fac.get_by_test_id("console-ready-dresk")).to_have_text("ready")
        expect(ana.get_by_test_id("ready-dresk")).to_have_text("ready")
        expect(fac.get_by_test_id("console-ready-count")).to_have_text("1 of 3")
        expect(fac.get_by_test_id("handback-dresk")).to_be_visible()  # the seat panel stayed open

        fac.get_by_test_id("start-game").click()
        expect(ana.get_by_test_id("countdown")).to_be_visible()
        expect(fac.get_by_test_id("console-phase")).to_have_text("Turn 1 of 8 · negotiation")
        expect(fac.get_by_test_id("console-countdown")).to_have_text(re.compile(r"^[23]:\d\d$"))
        # The main controls fit one 1920x1080 screen: status bar, advance, pause, extend, seat table.
        for test_id in ("console-phase", "console-countdown", "console-rsi", "pause", "advance", "extend",
                        "orders-dresk"):
            box = fac.get_by_test_id(test_id).bounding_box()
            assert box is not None and box["y"] + box["height"] <= 1080, f"{test_id} is below the fold: {box}"
        fac.get_by_test_id("pause").click()
        expect(bo.get_by_test_id("paused")).to_be_visible()
        expect(bo.get_by_test_id("countdown")).to_have_count(0)
        expect(fac.get_by_test_id("console-paused")).to_contain_text("Paused")
        fac.get_by_test_id("resume").click()
        expect(bo.get_by_test_id("countdown")).to_be_visible()
        expect(fac.get_by_test_id("console-countdown")).to_be_visible()

        # Typing in the extend form survives a push (a player readies meanwhile).
        fac.locator("#extend-form").get_by_label("Why").fill("Slow start")
        ana.get_by_test_id("ready-button").click()
        expect(fac.get_by_test_id("console-ready-aurel")).to_have_text("ready")
        expect(fac.locator("#extend-form").get_by_label("Why")).to_have_value("Slow start")
        fac.get_by_test_id("extend").click()
        expect(fac.get_by_test_id("console-countdown")).to_have_text(re.compile(r"^[45]:\d\d$"))  # 3 min + 2
        expect(fac.get_by_test_id("console-ready-count")).to_have_text("2 of 3")

        # The status bar stays on screen while the facilitator works in the panels below.
        fac.locator("#panel-injects > summary").click()
        form = fac.locator("#inject-form")
        form.get_by_test_id("inject-send").scroll_into_view_if_needed()
        bar = fac.locator("#console-bar").bounding_box()
        assert bar is not None and 0 <= bar["y"] < 5, bar

        # An inject for Borun only, previewed first.
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
                if turn > 1 or page is bo:  # Ana said she was ready above
                    page.get_by_test_id("ready-button").click()
            expect(ana.get_by_test_id("phase")).to_have_text(f"Turn {turn}: orders")
            self.advance(fac, f"Resolve turn {turn}")
            expect(bo.get_by_test_id("phase")).to_have_text(f"Turn {turn}: report")
            expect(fac.locator("#public-results")).to_contain_text(f"Turn {turn} resolved")
            expect(fac.get_by_test_id("console-phase")).to_have_text(f"Turn {turn} of 8 · results")
            self.advance(fac, f"Start turn {turn + 1}")
            expect(ana.get_by_test_id("phase")).to_have_text(f"Turn {turn + 1}: negotiation")

        fac.locator("#panel-time > summary").click()
        fac.locator("details.danger summary").click()
        fac.get_by_label("Why").last.fill("End of the lesson")
        fac.get_by_test_id("end-game").click()
        for page in (ana, bo, fac):
            expect(page.locator("#scoreboard")).to_contain_text("Final scoreboard")
            expect(page.locator("#scoreboard li")).to_have_count(4)
        self.snapshot(ana, "phone-final")
        self.snapshot(fac, "console-final")
        expect(fac.get_by_test_id("console-phase")).to_have_text("Game over")
        for page in (ana, bo, fac):
            assert page.js_errors == []
        assert console_errors == [], console_errors
