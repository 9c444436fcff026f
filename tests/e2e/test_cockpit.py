"""The student's cockpit: one turn played in the room at desktop and phone sizes. The status bar
says where the game is, the phase puts its panel in front, the order composer shows the cost and
puts a refused order's message beside its control, the results come forward and are announced,
and a message typed while the game is unreachable is kept and says it was not sent.

Screenshots of each phase at 375, 1366 and 1920 px go to test-artifacts/ (cockpit-*.png)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

import game_engine
from negotiation import services
from negotiation.models import Game
from tests.e2e.browser import BrowserTestCase

pytestmark = pytest.mark.browser

DESKTOP = (1366, 768)
PHONE = (375, 812)
WALL = (1920, 1080)


class CockpitTests(BrowserTestCase):
    def setUp(self):
        super().setUp()
        teacher = get_user_model().objects.create_user(username="teacher", password="pw-teacher-123", is_staff=True)
        self.game = self.off_loop(services.game_create, facilitator=teacher, scenario_slug="meridian-sea",
                                  title="Cockpit", mode="expected", negotiation_seconds=900, orders_seconds=600,
                                  report_seconds=300)
        self.off_loop(services.game_start, game_id=self.game.pk, actor="test")

    def player(self, state: str, name: str, size: tuple[int, int], phone: bool = False, language: str = "") -> Page:
        options: dict = {"is_mobile": True, "has_touch": True} if phone else {}
        if language:
            options |= {"locale": language, "extra_http_headers": {"Accept-Language": language}}
        page = self.new_page(*size, **options)
        page.goto(self.url(f"/join/{self.game.code}/"))
        page.locator("#display-name").fill(name)
        page.locator(f"input[name=state_id][value={state}]").check()
        page.locator("form button[type=submit]").last.click()
        expect(page.locator("body")).to_have_attribute("data-synced", "1")
        return page

    def console(self) -> Page:
        fac = self.facilitator_page(f"/facilitate/{self.game.pk}/")
        expect(fac.locator("body")).to_have_attribute("data-ws", "open")
        return fac

    def snapshot(self, page: Page, name: str) -> None:
        page.evaluate("window.scrollTo(0, 0)")  # the sticky bar at the top of the picture
        super().snapshot(page, name)

    def assert_fits(self, page: Page, width: int, where: str) -> None:
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, f"{where}: the page is {scroll}px wide at {width}px"

    def play_a_turn(self, size: tuple[int, int], label: str, phone: bool = False) -> None:
        ana = self.player("aurel", "Ana", size, phone)
        # A second player keeps the phase open when Ana is ready (all ready ends the phase).
        other = self.player("calla", "Cy", PHONE if phone else WALL, phone)
        wall = None if phone else other
        fac = self.console()

        # The status bar: phase in words, a live countdown, the index, the ready button, the connection.
        bar = ana.get_by_test_id("status-bar")
        expect(bar.get_by_test_id("phase")).to_have_text("Turn 1: negotiation")
        expect(bar.get_by_test_id("countdown")).to_have_text(re.compile(r"^\d+:\d\d$"))
        expect(bar.get_by_test_id("rsi")).to_be_visible()
        expect(bar.get_by_test_id("ready-button")).to_be_visible()
        expect(bar.get_by_test_id("connection")).to_have_text("Live")
        assert ana.evaluate("getComputedStyle(document.querySelector('.cockpit-bar')).position") == "sticky"

        # Negotiation puts the talks in front (beside the situation on a wide screen).
        expect(ana.locator("#chat-body")).to_be_visible()
        if phone:
            expect(ana.get_by_test_id("tab-talks")).to_have_attribute("aria-selected", "true")
            expect(ana.locator("#panel-orders")).to_be_hidden()
        self.assert_fits(ana, size[0], "negotiation")
        self.snapshot(ana, f"cockpit-{label}-negotiation")
        if wall is not None:
            self.snapshot(wall, "cockpit-1920-negotiation")
        ana.locator("#chat-body").fill("Hello from Aurel")
        ana.locator("#chat-form").get_by_role("button", name="Send").click()
        expect(ana.locator("#chat-log-plenary")).to_contain_text("Hello from Aurel")

        # Orders: one composer, the chosen type's fields only, its cost and the budget left.
        ana.get_by_test_id("tab-orders").click()
        expect(ana.get_by_test_id("tab-orders")).to_have_attribute("aria-selected", "true")
        composer = ana.get_by_test_id("order-composer")
        composer.get_by_label("Order type").select_option("BUILD")
        expect(composer.locator("#order-qty")).to_be_visible()
        expect(composer.locator("[name=itype]")).to_have_count(0)
        budget = int(ana.get_by_test_id("budget-left").inner_text())
        composer.locator("#order-class").select_option("MRBM")
        unit = next(c.cost for c in game_engine.load_scenario("meridian-sea").classes if c.name == "MRBM")
        composer.locator("#order-qty").fill("2")
        cost = 2 * unit  # the engine's cost table, shown before the order is added
        expect(composer.get_by_test_id("order-cost-value")).to_have_text(str(cost))
        expect(composer.get_by_test_id("order-budget-after")).to_have_text(str(budget - cost))
        composer.get_by_test_id("add-order").click()
        expect(ana.get_by_test_id("order-list")).to_contain_text("Build 2 MRBM")
        expect(ana.get_by_test_id("budget-left")).to_have_text(str(budget - cost))

        # An order over the budget: a 4xx, the message beside the quantity, the input kept and focused.
        composer = ana.get_by_test_id("order-composer")
        composer.locator("#order-class").select_option("MRBM")
        composer.locator("#order-qty").fill("450")
        with ana.expect_response(lambda r: "/orders/add/" in r.url) as reply:
            composer.get_by_test_id("add-order").click()
        assert reply.value.status == 422, reply.value.status
        error = ana.locator("#order-qty-error")
        expect(error).to_be_visible()
        expect(error).to_be_in_viewport()
        expect(ana.locator("#order-qty")).to_have_value("450")
        expect(ana.locator("#order-qty")).to_have_attribute("aria-invalid", "true")
        expect(ana.locator("#order-qty")).to_have_attribute("aria-describedby", "order-qty-error")
        expect(ana.locator("#order-qty")).to_be_focused()
        expect(ana.get_by_test_id("order-list").locator("li")).to_have_count(1)
        # Removing the queued order gives its budget back.
        ana.get_by_test_id("order-list").get_by_role("button", name="Remove order 1: Build 2 MRBM").click()
        expect(ana.get_by_test_id("order-list")).to_have_count(0)
        expect(ana.get_by_test_id("budget-left")).to_have_text(str(budget))

        ana.get_by_test_id("ready-button").click()
        expect(ana.get_by_test_id("i-am-ready")).to_be_visible()

        # The orders phase puts the orders in front.
        self.advance(fac, "Open orders")
        expect(ana.get_by_test_id("phase")).to_have_text("Turn 1: orders")
        expect(ana.get_by_test_id("tab-orders")).to_have_attribute("aria-selected", "true")
        expect(ana.get_by_test_id("order-composer")).to_be_visible()
        self.assert_fits(ana, size[0], "orders")
        self.snapshot(ana, f"cockpit-{label}-orders")
        if wall is not None:
            expect(wall.get_by_test_id("tab-orders")).to_have_attribute("aria-selected", "true")
            self.snapshot(wall, "cockpit-1920-orders")

        # Resolution: the results come forward, are announced, and the private report is one click away.
        self.advance(fac, "Resolve turn 1")
        expect(ana.get_by_test_id("phase")).to_have_text("Turn 1: report")
        expect(ana.get_by_test_id("tab-reports")).to_have_attribute("aria-selected", "true")
        results = ana.locator("#public-results")
        expect(results).to_be_visible()
        expect(results).to_contain_text("Turn 1 resolved")
        # Nobody ordered anything and Meridian Sea starts in equilibrium: the panel says nothing
        # moved the index (it used to give reasons for a move that did not happen).
        expect(results.get_by_test_id("results-move")).to_have_text("= 0.0")
        expect(results.get_by_test_id("explanation-none")).to_have_text("Nothing moved the index this turn.")
        expect(ana.get_by_test_id("results-announcer")).to_contain_text("Turn 1 resolved")
        expect(ana.get_by_test_id("results-announcer")).to_have_attribute("aria-live", "polite")
        expect(ana.get_by_test_id("status-bar").get_by_test_id("rsi-move")).to_be_visible()
        ana.get_by_test_id("private-report-link").click()
        expect(ana.locator("#private-report")).to_be_in_viewport()
        self.assert_fits(ana, size[0], "results")
        self.snapshot(ana, f"cockpit-{label}-results")
        if wall is not None:
            expect(wall.get_by_test_id("tab-reports")).to_have_attribute("aria-selected", "true")
            self.snapshot(wall, "cockpit-1920-results")

    def test_a_turn_at_desktop_size(self):
        self.play_a_turn(DESKTOP, "1366")

    def test_a_turn_on_a_phone(self):
        self.play_a_turn(PHONE, "375", phone=True)

    def test_a_reply_that_arrives_after_the_push_that_removed_its_form_still_lands_whole(self):
        # "Remove" commits, the push that follows takes the order's row (and the form that asked)
        # out of the page, then the reply arrives: its ready bar must land too, without an error.
        ana = self.player("aurel", "Ana", DESKTOP)
        ana.get_by_test_id("tab-orders").click()
        composer = ana.get_by_test_id("order-composer")
        composer.get_by_label("Order type").select_option("BUILD")
        composer.locator("#order-class").select_option("MRBM")
        composer.locator("#order-qty").fill("1")
        composer.get_by_test_id("add-order").click()
        expect(ana.get_by_test_id("order-list")).to_contain_text("Build 1 MRBM")
        ana.evaluate("""document.addEventListener('htmx:afterSwap', function (e) {
            if (e.detail.target && e.detail.target.id === 'order-panel' && e.detail.requestConfig &&
                e.detail.requestConfig.path.indexOf('/orders/remove/') >= 0) { document.body.dataset.removed = '1'; }
        })""")
        held = []
        ana.route("**/orders/remove/", lambda route: held.append(route))
        ana.get_by_test_id("order-list").get_by_role("button", name="Remove order 1: Build 1 MRBM").click()
        while not held:
            ana.wait_for_timeout(20)  # the route handler runs on this thread while playwright waits
        reply = held[0].fetch()  # the server removes the order and pushes the panel...
        expect(ana.get_by_test_id("order-list")).to_have_count(0)  # ...which lands first
        held[0].fulfill(response=reply)
        expect(ana.locator("body")).to_have_attribute("data-removed", "1")
        ana.wait_for_timeout(100)  # an error would be logged right after the swap
        self.assert_no_browser_errors()
        expect(ana.get_by_test_id("ready-button")).to_be_visible()

    def test_the_phone_bar_labels_fit_their_tabs_in_spanish(self):
        # Five tabs share 375 px: "Conversaciones" ran into "Órdenes" before the bar had its own words.
        page = self.player("aurel", "Ana", PHONE, phone=True, language="es")
        tabs = page.get_by_test_id("room-tabs").get_by_role("tab")
        expect(tabs).to_have_count(5)
        for i in range(5):
            tab = tabs.nth(i)
            if not tab.is_visible():
                continue
            fits = tab.evaluate("t => t.scrollWidth <= t.clientWidth")
            assert fits, f"the tab {tab.inner_text()!r} overflows at 375 px"
        expect(page.get_by_test_id("tab-talks").locator(".tab-short")).to_have_text("Chat")
        self.snapshot(page, "cockpit-375-es-negotiation")

    def test_tabs_follow_the_keyboard(self):
        ana = self.player("aurel", "Ana", DESKTOP)
        tab = ana.get_by_test_id("tab-situation")
        expect(tab).to_have_attribute("aria-selected", "true")
        tab.focus()
        ana.keyboard.press("ArrowRight")  # the talks are beside on a wide screen: next is Orders
        expect(ana.get_by_test_id("tab-orders")).to_be_focused()
        expect(ana.get_by_test_id("tab-orders")).to_have_attribute("aria-selected", "true")
        expect(ana.locator("#panel-orders")).to_be_visible()
        expect(ana.locator("#panel-situation")).to_be_hidden()
        ana.keyboard.press("End")
        expect(ana.get_by_test_id("tab-reports")).to_be_focused()
        ana.keyboard.press("Home")
        expect(ana.get_by_test_id("tab-situation")).to_have_attribute("aria-selected", "true")

    def test_a_message_typed_while_disconnected_is_kept_and_says_not_sent(self):
        ana = self.player("aurel", "Ana", DESKTOP)
        ana.context.set_offline(True)
        expect(ana.get_by_test_id("reconnecting")).to_be_visible()
        expect(ana.get_by_test_id("connection")).to_have_text("Reconnecting…")
        ana.locator("#chat-body").fill("Are you there?")
        ana.locator("#chat-form").get_by_role("button", name="Send").click()
        expect(ana.locator("#chat-form").get_by_test_id("not-sent")).to_be_visible()
        expect(ana.locator("#chat-body")).to_have_value("Are you there?")
        self.snapshot(ana, "cockpit-1366-offline")
        ana.context.set_offline(False)
        expect(ana.get_by_test_id("reconnecting")).to_be_hidden()
        ana.locator("#chat-form").get_by_role("button", name="Send").click()
        expect(ana.locator("#chat-log-plenary")).to_contain_text("Are you there?")
        expect(ana.locator("#chat-body")).to_have_value("")
        assert Game.objects.get(pk=self.game.pk).phase == "negotiation"
