"""The projector on the classroom wall: the lobby fills as students join (pushed, no reload), then
shows the stability index and countdown in play and the turn's results for everyone to read."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from negotiation import services
from tests.e2e.browser import BrowserTestCase

pytestmark = pytest.mark.browser


class ProjectorTests(BrowserTestCase):
    def test_the_lobby_fills_as_students_join_then_play_and_results(self):
        teacher = get_user_model().objects.create_user(username="teacher", password="pw-teacher-123", is_staff=True)
        game = self.off_loop(services.game_create, facilitator=teacher, scenario_slug="meridian-sea",
                             title="Period 3", mode="expected", negotiation_seconds=180, orders_seconds=120,
                             report_seconds=60)
        wall = self.new_page(1920, 1080)
        htmx_errors: list[str] = []
        wall.on("console", lambda msg: htmx_errors.append(msg.text) if msg.type == "error" else None)
        # Whenever its socket (re)connects, the wall asks for its stage again: pushes missed while
        # it was offline are not replayed.
        with wall.expect_response(lambda r: "/stage/" in r.url) as stage:
            wall.goto(self.url(f"/projector/{game.code}/?key={game.observer_key}"))
        assert stage.value.status == 200
        expect(wall.locator("body")).to_have_attribute("data-ws", "open")
        expect(wall.get_by_test_id("wall-code")).to_have_text(game.code)
        expect(wall.locator(".wall-qr svg")).to_be_visible()
        expect(wall.get_by_test_id("joined-count")).to_have_text("0 states taken")
        marker = wall.evaluate("() => (window.__sameDocument = 'kept')")  # lost on any reload

        ana = self.join_game(game.code, "Ana", "aurel", width=390, height=844)
        expect(wall.locator("[data-testid=joined-list] li[data-state=aurel]")).to_contain_text("Ana")
        bo = self.join_game(game.code, "Bo", "borun", width=390, height=844)
        expect(wall.locator("[data-testid=joined-list] li[data-state=borun]")).to_contain_text("Bo")
        expect(wall.get_by_test_id("joined-count")).to_have_text("2 states taken")
        assert wall.evaluate("() => window.__sameDocument") == marker  # pushed, not reloaded
        self.snapshot(wall, "projector-lobby-1920")

        # The facilitator starts from the console (the test's own service calls would push through
        # another process's in-memory channel layer, which the live server does not share).
        fac = self.facilitator_page(f"/facilitate/{game.pk}/")
        expect(fac.locator("body")).to_have_attribute("data-ws", "open")
        fac.get_by_test_id("start-game").click()

        # In play: the join panel shrinks, the map and the big index and countdown come forward.
        expect(wall.get_by_test_id("wall-phase")).to_contain_text("Turn 1: negotiation")
        expect(wall.get_by_test_id("wall-countdown")).to_be_visible()
        expect(wall.get_by_test_id("wall-rsi")).to_be_visible()
        expect(wall.locator("#region-map-public")).to_be_visible()
        expect(wall.get_by_test_id("wall-code")).to_be_visible()  # late joiners still find the code
        ana.get_by_test_id("ready-button").click()
        expect(wall.locator(".wall-ready li[data-state=aurel]")).to_have_class("is-ready")

        # The turn resolves: the results screen, with why the index moved, replaces the map.
        self.advance(fac, "Open orders")
        self.advance(fac, "Resolve turn 1")
        expect(wall.get_by_test_id("wall-phase")).to_contain_text("Turn 1: results")
        expect(wall.get_by_test_id("wall-why")).to_be_visible()
        expect(wall.locator("#region-map-public")).to_be_hidden()
        self.snapshot(wall, "projector-results-1920")

        fac.locator("#panel-time > summary").click()
        fac.locator("details.danger summary").click()
        fac.get_by_test_id("end-game").click()
        expect(wall.get_by_test_id("wall-scores").locator("li")).to_have_count(4)
        self.snapshot(wall, "projector-final-1920")
        wall.reload()
        expect(wall.locator("body")).to_have_attribute("data-ws", "open")
        expect(wall.get_by_test_id("wall-scores").locator("li")).to_have_count(4)

        # Public data only: no private report, no chat, no other seat's orders on the wall.
        for hidden in ("#private-report", "#chat-pane", "#order-panel", "#truth-panel"):
            expect(wall.locator(hidden)).to_have_count(0)
        for page in (wall, ana, bo, fac):
            assert page.js_errors == []
        assert htmx_errors == [], htmx_errors  # any console error: htmx's, the CSP's, a script's
