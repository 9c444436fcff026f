"""A phone 375 px wide: no page scrolls sideways, the map fits and answers a tap, controls are
big enough to tap, and a player can give an order and get ready by touch."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from negotiation import services
from tests.e2e.browser import BrowserTestCase

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}


class PhoneTests(BrowserTestCase):
    def phone(self) -> Page:
        context = self.browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return self.watch(page)

    def assert_no_sideways_scroll(self, page: Page, where: str) -> None:
        width = page.evaluate("document.documentElement.scrollWidth")
        wide = [] if width <= PHONE["width"] else page.evaluate(
            """() => Array.from(document.querySelectorAll('body *'))
                .filter(e => e.getBoundingClientRect().right > 380 && !e.closest('.table-wrap'))
                .slice(0, 8).map(e => e.tagName + '.' + e.getAttribute('class'))""")
        assert width <= PHONE["width"], f"{where} is {width}px wide on a {PHONE['width']}px phone: {wide}"

    def test_a_player_plays_on_a_phone(self):
        teacher = get_user_model().objects.create_user(username="teacher", password="pw-teacher-123", is_staff=True)
        game = self.off_loop(services.game_create, facilitator=teacher, scenario_slug="meridian-sea",
                             title="Phones out", mode="expected")
        self.off_loop(services.game_start, game_id=game.pk, actor="test")

        bo = self.phone()
        bo.goto(self.url("/"))
        self.assert_no_sideways_scroll(bo, "home")
        bo.get_by_label("Join code").fill(game.code)
        bo.get_by_role("button", name="Join").tap()
        bo.wait_for_url(f"**/join/{game.code}/")
        self.assert_no_sideways_scroll(bo, "join")
        bo.get_by_label("Your name").fill("Bo")
        bo.locator("input[name=state_id][value=borun]").tap()
        bo.get_by_role("button", name="Take my seat").tap()
        expect(bo.locator("body")).to_have_attribute("data-synced", "1")
        expect(bo.get_by_test_id("phase")).to_have_text("Turn 1: negotiation")
        self.assert_no_sideways_scroll(bo, "room")

        # Negotiation puts the talks in front; the bottom bar's "Map" tab shows the situation.
        expect(bo.get_by_test_id("tab-talks")).to_have_attribute("aria-selected", "true")
        expect(bo.locator("#chat-body")).to_be_visible()
        bo.get_by_test_id("tab-situation").tap()
        # The map fits the screen and a tap on a state tells what Borun believes about it.
        svg = bo.locator("#region-map svg.map-svg")
        box = svg.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        assert box["height"] > 150
        bo.get_by_test_id("rm-state-aurel").tap()
        expect(bo.get_by_test_id("rm-info")).to_contain_text("Aurel. Threat to you")
        expect(bo).to_have_url(self.url(f"/play/{game.code}/"))  # the tap did not navigate away

        # Tap targets are at least 24 px (WCAG 2.2 target size) and none is cut off at the edge.
        small = bo.evaluate("""() => Array.from(document.querySelectorAll('main button, main input:not([type=hidden]), main select, main summary'))
            .filter(el => el.offsetParent !== null)
            .map(el => [el.outerHTML.slice(0, 80), (el.closest('label') || el).getBoundingClientRect()])
            .filter(([html, r]) => r.height < 24 || r.right > 376)
            .map(([html, r]) => html + ' ' + Math.round(r.width) + 'x' + Math.round(r.height) + ' right ' + Math.round(r.right))""")
        assert small == [], small

        bo.get_by_test_id("tab-orders").tap()
        build = bo.get_by_test_id("order-composer")
        build.get_by_label("Order type").select_option("BUILD")
        build.get_by_label("Missile class").select_option("SRBM")
        build.get_by_label("Quantity").fill("3")
        build.get_by_role("button", name="Add order").tap()
        expect(bo.locator("#order-panel .order-list")).to_contain_text("Build 3 SRBM")
        bo.get_by_test_id("ready-button").tap()
        expect(bo.get_by_test_id("phase")).to_have_text("Turn 1: orders")
        self.assert_no_sideways_scroll(bo, "room after a push")

        bo.goto(self.url(f"/projector/{game.code}/?key={game.observer_key}"))
        expect(bo.locator("#region-map-public svg.map-svg")).to_be_visible()
        self.assert_no_sideways_scroll(bo, "projector")
        bo.goto(self.url("/rules/"))
        self.assert_no_sideways_scroll(bo, "rules")
        assert bo.js_errors == []
