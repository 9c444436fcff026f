"""The room's status bar on a phone: the countdown keeps its m:ss across the pushes that redraw the
status (the server's fragment carries coarse words, "8 minutes", which must never be what is on
screen), and the sticky bar stays short while still showing the turn and phase, the countdown, the
index, the ready button and the connection.

Screenshots: test-artifacts/status-bar-phone-*.png."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from negotiation import services
from tests.e2e.browser import BrowserTestCase

pytestmark = pytest.mark.browser

PHONE = (375, 812)
# What the room's status bar may take of a 812 px phone screen (it sticks to the top).
BAR_MAX_PX = 110
MSS = re.compile(r"^\d+:\d\d$")

# Every animation frame (what is painted), the countdown's text: a push that leaves the server's
# words on screen for even one frame is caught.
RECORD_FRAMES = """() => {
  window.countdownSeen = [];
  const frame = () => {
    const el = document.querySelector('[data-testid=countdown]');
    if (el) { window.countdownSeen.push(el.textContent); }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}"""


class StatusBarOnAPhoneTests(BrowserTestCase):
    def setUp(self):
        super().setUp()
        teacher = get_user_model().objects.create_user(username="teacher", password="pw-teacher-123", is_staff=True)
        self.game = self.off_loop(services.game_create, facilitator=teacher, scenario_slug="meridian-sea",
                                  title="Period 3", mode="expected", negotiation_seconds=360, orders_seconds=180,
                                  report_seconds=120)
        self.off_loop(services.game_start, game_id=self.game.pk, actor="test")
        # A second player keeps the phase open when Ana says she is ready.
        self.off_loop(services.seat_claim, game_id=self.game.pk, state_id="calla", display_name="Cy")

    def phone_player(self) -> Page:
        page = self.join_game(self.game.code, "Ana", "aurel", width=PHONE[0], height=PHONE[1])
        expect(page.locator("body")).to_have_attribute("data-synced", "1")
        return page

    def bar_height(self, page: Page) -> float:
        page.evaluate("window.scrollTo(0, 0)")
        return float(page.evaluate("document.querySelector('.cockpit-bar').getBoundingClientRect().height"))

    def assert_everything_shows(self, page: Page, ready_test_id: str) -> None:
        bar = page.get_by_test_id("status-bar")
        for test_id in ("phase", "countdown", "rsi", ready_test_id, "connection"):
            expect(bar.get_by_test_id(test_id)).to_be_visible()
            box = bar.get_by_test_id(test_id).bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE[0], (test_id, box)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{overflow} px wider than the phone"

    def test_the_countdown_ticks_through_pushes_of_the_status(self):
        page = self.phone_player()
        countdown = page.get_by_test_id("countdown")
        expect(countdown).to_have_text(re.compile(r"^[56]:\d\d$"))
        fac = self.facilitator_page(f"/facilitate/{self.game.pk}/")
        expect(fac.locator("body")).to_have_attribute("data-ws", "open")
        page.evaluate(RECORD_FRAMES)
        # Each extension (two minutes, the console's default) pushes the status fragment, with the
        # server's wording in it, to the room.
        fac.get_by_test_id("extend").click()
        expect(countdown).to_have_text(re.compile(r"^[78]:\d\d$"))
        fac.get_by_test_id("extend").click()
        expect(countdown).to_have_text(re.compile(r"^(9|10):\d\d$"))
        page.wait_for_function("window.countdownSeen.length > 10")
        seen = page.evaluate("window.countdownSeen")
        coarse = sorted({text for text in seen if not MSS.match(text)})
        assert coarse == [], f"painted with the server's words: {coarse}"
        # It still counts down after the pushes.
        before = countdown.text_content()
        expect(countdown).not_to_have_text(before or "", timeout=3_000)

    def test_the_status_bar_is_short_and_complete_on_a_phone(self):
        page = self.phone_player()
        self.assert_everything_shows(page, "ready-button")
        height = self.bar_height(page)
        self.snapshot(page, "status-bar-phone-talks")
        assert height <= BAR_MAX_PX, f"the status bar is {height:.0f} px tall on a phone"

        # Ready: the badge and "Not ready yet" take the button's place.
        page.get_by_test_id("ready-button").click()
        expect(page.get_by_test_id("i-am-ready")).to_be_visible()
        self.assert_everything_shows(page, "unready-button")
        height = self.bar_height(page)
        self.snapshot(page, "status-bar-phone-ready")
        assert height <= BAR_MAX_PX, f"the status bar is {height:.0f} px tall on a phone once ready"

        # The report, whose button reads "I'm ready for the next turn" (the services run in this
        # process, whose pushes do not reach the server's sockets: the page is loaded again).
        for phase in ("negotiation", "orders"):
            self.off_loop(services.phase_advance, game_id=self.game.pk, expected_phase=phase, expected_turn=1,
                          actor="test")
        page.reload()
        expect(page.locator("body")).to_have_attribute("data-ws", "open")
        expect(page.get_by_test_id("phase")).to_contain_text("report")
        self.assert_everything_shows(page, "ready-button")
        height = self.bar_height(page)
        self.snapshot(page, "status-bar-phone-report")
        assert height <= BAR_MAX_PX, f"the status bar is {height:.0f} px tall on a phone at the report"
