"""One turn played with the keyboard alone (Tab, Shift+Tab, Enter, Space, typing): joining, an
order, readiness, the facilitator's start and next turn. Every focused control shows its focus."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from tests.e2e.browser import BrowserTestCase

pytestmark = pytest.mark.browser

FOCUS_SHOWN = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) { return ""; }  // focus left the page (Tab wraps round)
  const style = getComputedStyle(el);
  if (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2) { return ""; }
  // Map states and sites show focus by a thick focus-coloured outline stroke on their shape.
  const shape = el.closest("svg") && el.querySelector(".map-shape, circle, rect");
  if (shape && getComputedStyle(shape).stroke === "rgb(255, 191, 71)") { return ""; }
  return el.outerHTML.slice(0, 160);
}"""


def tab_to(page: Page, selector: str, *, limit: int = 400, backwards: bool = False) -> None:
    """Press Tab until `selector` has the focus, checking at every stop that focus is visible."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        problem = page.evaluate(FOCUS_SHOWN)
        assert problem == "", f"focus is not visible on: {problem}"
        if page.evaluate("(sel) => !!document.activeElement && document.activeElement.matches(sel)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


class KeyboardTests(BrowserTestCase):
    def test_a_turn_played_with_the_keyboard_only(self):
        get_user_model().objects.create_user(username="teacher", password="pw-teacher-123", is_staff=True)

        fac = self.new_page()
        fac.goto(self.url("/accounts/login/"))
        fac.keyboard.type("teacher")  # the username field has the focus on arrival
        fac.keyboard.press("Tab")
        fac.keyboard.type("pw-teacher-123")
        fac.keyboard.press("Enter")
        fac.wait_for_url("**/facilitate/")
        expect(fac.get_by_role("heading", name="New game")).to_be_visible()
        tab_to(fac, "[data-testid=create-game]")
        fac.keyboard.press("Enter")
        fac.wait_for_url("**/facilitate/*/")
        code = fac.get_by_test_id("join-code").inner_text().strip()
        expect(fac.locator("body")).to_have_attribute("data-ws", "open")

        ana = self.new_page()
        ana.goto(self.url("/"))
        tab_to(ana, "#join-code")
        ana.keyboard.type(code)
        ana.keyboard.press("Enter")
        ana.wait_for_url(f"**/join/{code}/")
        tab_to(ana, "#display-name")
        ana.keyboard.type("Ana")
        tab_to(ana, "input[name=state_id][value=aurel]")
        ana.keyboard.press("Space")
        expect(ana.locator("input[name=state_id][value=aurel]")).to_be_checked()
        tab_to(ana, "button[type=submit]")
        ana.keyboard.press("Enter")
        expect(ana.locator("body")).to_have_attribute("data-ws", "open")

        tab_to(fac, "[data-testid=start-game]")
        fac.keyboard.press("Enter")
        expect(ana.get_by_test_id("phase")).to_have_text("Turn 1: negotiation")

        # The skip link leads past the site navigation.
        ana.keyboard.press("Tab")
        expect(ana.locator(".skip-link")).to_be_focused()

        # The room's tabs: Tab reaches the selected one, an arrow key moves to the next (the talks
        # stay beside on a wide screen, so the next is Orders).
        tab_to(ana, "[role=tab][aria-selected=true]")
        ana.keyboard.press("ArrowRight")
        expect(ana.get_by_test_id("tab-orders")).to_be_focused()
        expect(ana.locator("#panel-orders")).to_be_visible()

        # An order, by keyboard: the composer starts on "Build missiles"; choose the class by
        # typing, the quantity, Enter to add.
        expect(ana.get_by_test_id("order-type")).to_have_value("BUILD")
        tab_to(ana, "#order-class")
        ana.keyboard.type("MRBM")
        expect(ana.locator("#order-class")).to_have_value("MRBM")
        tab_to(ana, "#order-qty")
        ana.keyboard.press("Control+A")
        ana.keyboard.type("2")
        ana.keyboard.press("Enter")
        expect(ana.locator("#order-panel .order-list")).to_contain_text("Build 2 MRBM")

        # Ready (Space on the button): the only human seat is ready, so orders open; ready again
        # resolves the turn.
        tab_to(ana, "[data-testid=ready-button]")
        ana.keyboard.press("Space")
        expect(ana.get_by_test_id("phase")).to_have_text("Turn 1: orders")
        tab_to(ana, "[data-testid=ready-button]")
        ana.keyboard.press("Space")
        expect(ana.get_by_test_id("phase")).to_have_text("Turn 1: report")
        expect(ana.locator("#public-results")).to_contain_text("Turn 1 resolved")

        # The facilitator opens the next turn from the keyboard.
        tab_to(fac, "[data-testid=advance]")
        fac.keyboard.press("Enter")
        expect(ana.get_by_test_id("phase")).to_have_text("Turn 2: negotiation")
        expect(ana.get_by_test_id("missiles-MRBM")).to_have_text("2")
        for page in (ana, fac):
            assert page.js_errors == []
