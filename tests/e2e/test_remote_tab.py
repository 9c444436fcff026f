"""A remote player's tab: deadlines at the browser's local time, and (after opting in) a browser
notification when the phase changes while the tab is in the background."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from negotiation import services
from tests.e2e.browser import BrowserTestCase

pytestmark = pytest.mark.browser

# Records what the page shows through the Notification API (the real one is called too).
RECORD_NOTIFICATIONS = """
(() => {
  const Real = window.Notification;
  window.__shown = [];
  function Recording(title, options) { window.__shown.push({title, body: options && options.body}); return new Real(title, options); }
  Object.defineProperty(Recording, "permission", {get: () => Real.permission});
  Recording.requestPermission = (...args) => Real.requestPermission(...args);
  window.Notification = Recording;
})();
"""


class RemoteTabTests(BrowserTestCase):
    def test_local_deadline_and_a_background_notification_after_opting_in(self):
        teacher = get_user_model().objects.create_user(username="teacher", password="pw-teacher-123", is_staff=True)
        game = services.game_create(facilitator=teacher, scenario_slug="meridian-sea", title="Remote week",
                                    mode="expected", negotiation_seconds=2 * 86400, orders_seconds=43200)
        self.off_loop(services.game_start, game_id=game.pk, actor="test")
        game.refresh_from_db()

        context = self.browser.new_context(viewport={"width": 390, "height": 844}, timezone_id="Asia/Tokyo",
                                           permissions=["notifications"])
        context.add_init_script(RECORD_NOTIFICATIONS)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(self.url(f"/join/{game.code}/"))
        page.get_by_label("Your name").fill("Ana")
        page.locator("input[name=state_id][value=aurel]").check()
        page.get_by_role("button", name="Take my seat").click()
        expect(page.locator("body")).to_have_attribute("data-ws", "open")
        # The deadline reads in the browser's zone (Tokyo), whatever the server's.
        expect(page.get_by_test_id("deadline-at")).to_contain_text(re.compile(r"GMT\+9|JST"))

        toggle = page.get_by_test_id("notify-toggle")
        toggle.click()
        expect(toggle).to_have_attribute("aria-pressed", "true")
        self.snapshot(page, "remote-tab-phone")
        # The tab goes to the background; the facilitator moves the game to its orders phase.
        page.evaluate("""() => { Object.defineProperty(document, "hidden", {configurable: true, get: () => true});
                                 document.dispatchEvent(new Event("visibilitychange")); }""")
        fac = self.facilitator_page(f"/facilitate/{game.pk}/")
        expect(fac.locator("body")).to_have_attribute("data-ws", "open")
        self.advance(fac, "Open orders")
        expect(page.get_by_test_id("phase")).to_have_text(re.compile("orders", re.I))
        page.wait_for_function("() => window.__shown.length > 0")
        shown = page.evaluate("() => window.__shown")
        assert shown[0]["title"] == "Remote week" and "orders" in shown[0]["body"].lower()
        assert errors == []
        context.close()
