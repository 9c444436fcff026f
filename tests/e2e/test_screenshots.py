"""Screenshots of the room, the console and the projector at phone (375x812), laptop (1366x768) and
projector (1920x1080) sizes, written to test-artifacts/ for people to look at: the lobby, a turn's
talks and its results. Each is one screen as the user sees it (`<page>-<moment>-<size>.png`), and the
room and console also as the whole page (`…-full.png`). Every page shown is current, legible and
free of browser console errors."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from negotiation import services
from tests.e2e.browser import BrowserTestCase
from tests.helpers import ARTIFACTS

pytestmark = pytest.mark.browser

SIZES = {"375": (375, 812), "1366": (1366, 768), "1920": (1920, 1080)}


class ScreenshotTests(BrowserTestCase):
    def shoot(self, page: Page, name: str, *, full: bool = False) -> None:
        page.evaluate("window.scrollTo(0, 0)")
        page.wait_for_timeout(150)  # the countdown's first tick, fonts
        path = ARTIFACTS / f"{name}.png"
        # caret="initial": Playwright otherwise hides the caret with an inline style on the focused
        # field, which the next push's settle copies back (a CSP style-src-attr refusal in the log).
        page.screenshot(path=str(path), caret="initial")
        assert path.stat().st_size > 10_000, f"{path} is nearly empty"
        self.written.append(path.name)
        if full:
            page.screenshot(path=str(ARTIFACTS / f"{name}-full.png"), full_page=True, caret="initial")
            self.written.append(f"{name}-full.png")

    def at_sizes(self, page: Page, url: str, name: str, ready: str, *, full: bool = False) -> None:
        for size, (width, height) in SIZES.items():
            page.set_viewport_size({"width": width, "height": height})
            page.goto(self.url(url))
            expect(page.locator("body")).to_have_attribute("data-ws", "open")
            expect(page.locator(ready).first).to_be_visible()
            if size == "375":
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 0, f"{name} is {overflow} px wider than a 375 px phone"
            self.shoot(page, f"{name}-{size}", full=full)

    def test_room_console_and_projector_at_three_sizes(self):
        ARTIFACTS.mkdir(exist_ok=True)
        self.written: list[str] = []
        teacher = get_user_model().objects.create_user(username="teacher", password="pw-teacher-123", is_staff=True)
        game = self.off_loop(services.game_create, facilitator=teacher, scenario_slug="meridian-sea",
                             title="Period 3", mode="expected", negotiation_seconds=360, orders_seconds=180,
                             report_seconds=120)
        errors: list[str] = []
        wall = self.new_page(1920, 1080)
        wall.on("console", lambda msg: msg.type == "error" and errors.append(f"projector: {msg.text}"))
        projector = f"/projector/{game.code}/?key={game.observer_key}"
        ana = self.join_game(game.code, "Ana", "aurel")
        ana.on("console", lambda msg: msg.type == "error" and errors.append(f"room: {msg.text}"))
        self.join_game(game.code, "Bo", "borun", width=375, height=812)
        self.off_loop(services.seat_set_bot, game_id=game.pk, state_id="dresk", policy="reciprocator", actor="test")
        self.at_sizes(wall, projector, "projector-lobby", "[data-testid=joined-list] li.is-taken")

        fac = self.facilitator_page(f"/facilitate/{game.pk}/")
        fac.on("console", lambda msg: msg.type == "error" and errors.append(f"console: {msg.text}"))
        self.at_sizes(fac, f"/facilitate/{game.pk}/", "console-lobby", "[data-testid=start-game]")

        # A turn's talks: the room, the console and the wall.
        self.off_loop(services.game_start, game_id=game.pk, actor="test")
        self.at_sizes(ana, f"/play/{game.code}/", "room-talks", "[data-testid=phase]", full=True)
        self.at_sizes(fac, f"/facilitate/{game.pk}/", "console-talks", "[data-testid=console-countdown]", full=True)
        self.at_sizes(wall, projector, "projector-talks", "[data-testid=wall-countdown]")

        # The turn resolves: the results, in the room and on the wall.
        for phase in ("negotiation", "orders"):
            self.off_loop(services.phase_advance, game_id=game.pk, expected_phase=phase, expected_turn=1, actor="test")
        self.at_sizes(ana, f"/play/{game.code}/", "room-results", "[data-testid=phase]", full=True)
        self.at_sizes(wall, projector, "projector-results", "[data-testid=wall-why]")
        self.at_sizes(fac, f"/facilitate/{game.pk}/", "console-results", "[data-testid=advance]")

        for name in ("room-talks-375", "console-talks-1920", "projector-lobby-1920", "projector-results-1920"):
            assert (ARTIFACTS / f"{name}.png").exists(), name
        assert errors == [], errors
