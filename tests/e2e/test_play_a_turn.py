"""A facilitator and two players play one turn in real browsers, on the real stack."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from tests.e2e.browser import BrowserTestCase

pytestmark = pytest.mark.browser


class PlayOneTurnTests(BrowserTestCase):
    def test_facilitator_and_two_players_play_a_turn_live(self):
        get_user_model().objects.create_user(username="teacher", password="pw-teacher-123", is_staff=True)
        fac = self.facilitator_page("/facilitate/")
        fac.get_by_label("Title").fill("Period 3")
        fac.get_by_test_id("create-game").click()
        code = fac.get_by_test_id("join-code").inner_text().strip()
        assert re.fullmatch(r"[A-Z0-9]{8}", code)
        expect(fac.locator("body")).to_have_attribute("data-ws", "open")

        ana = self.join_game(code, "Ana", "aurel", via_home=True)
        bo = self.join_game(code, "Bo", "borun", via_home=True)
        # Seats appear live on the console.
        expect(fac.locator("#console-controls tr[data-state=borun]")).to_contain_text("Bo")
        expect(fac.locator("#console-controls tr[data-state=borun]")).to_contain_text("online")

        # Public chat reaches everyone without a reload, and is escaped.
        ana.get_by_label("Message to Plenary").fill("Hello from Aurel <b>bold</b>")
        ana.get_by_role("button", name="Send").click()
        for page in (ana, bo, fac):
            expect(page.locator("#chat-log-plenary")).to_contain_text("Hello from Aurel <b>bold</b>")
        expect(bo.locator("#chat-log-plenary li")).to_have_count(1)
        bo.get_by_label("Message to Plenary").fill("Borun hears you")
        bo.get_by_role("button", name="Send").click()
        expect(ana.locator("#chat-log-plenary")).to_contain_text("Borun hears you")
        expect(ana.locator("#chat-log-plenary li")).to_have_count(2)

        # The facilitator starts the game; players can draft orders while they negotiate.
        fac.get_by_test_id("start-game").click()
        expect(bo.get_by_test_id("phase")).to_have_text("Turn 1: negotiation")
        before = int(bo.get_by_test_id("missiles-MRBM").inner_text())
        bo.get_by_test_id("tab-orders").click()
        build = bo.get_by_test_id("order-composer")
        expect(build).to_be_visible()
        build.get_by_label("Order type").select_option("BUILD")
        build.get_by_label("Missile class").select_option("MRBM")
        build.get_by_label("Quantity").fill("2")
        build.get_by_role("button", name="Add order").click()
        expect(bo.locator("#order-panel .order-list")).to_contain_text("Build 2 MRBM")
        # An illegal order (over the budget) explains itself beside the quantity and loses nothing.
        build.get_by_label("Missile class").select_option("MRBM")
        build.get_by_label("Quantity").fill("500")
        with bo.expect_response(lambda r: "/orders/add/" in r.url) as reply:
            build.get_by_role("button", name="Add order").click()
        assert reply.value.status == 422
        expect(bo.locator("#order-qty-error")).to_be_visible()
        expect(bo.get_by_label("Quantity")).to_have_value("500")
        expect(bo.get_by_label("Quantity")).to_be_focused()
        expect(bo.locator("#order-panel .order-list li")).to_have_count(1)
        bo.get_by_test_id("ready-button").click()
        expect(ana.get_by_test_id("ready-borun")).to_be_visible()
        # Aurel never sees Borun's orders.
        expect(ana.locator("body")).not_to_contain_text("Build 2 MRBM")

        self.advance(fac, "Open orders")
        expect(ana.get_by_test_id("phase")).to_have_text("Turn 1: orders")
        self.advance(fac, "Resolve turn 1")  # the confirm dialog is accepted
        for page in (ana, bo, fac):
            expect(page.locator("#public-results")).to_contain_text("Turn 1 resolved")
            expect(page.get_by_test_id("phase")).to_have_text("Turn 1: report")
        self.advance(fac, "Start turn 2")
        expect(bo.get_by_test_id("phase")).to_have_text("Turn 2: negotiation")
        expect(bo.get_by_test_id("missiles-MRBM")).to_have_text(str(before + 2))
        self.snapshot(bo, "player-after-turn")
        for page in (ana, bo, fac):
            assert page.js_errors == []
