"""axe-core (vendored, injected only here) finds no WCAG 2.2 A/AA violation on any main page, at
phone (375x812), laptop (1366x768) and projector (1920x1080) sizes; no page scrolls sideways on a
375 px phone, and no page logs a browser console error (CSP refusals and htmx errors included)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from negotiation import services
from negotiation.models import Game
from tests.e2e.browser import BrowserTestCase

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
SIZES = {"phone": (375, 812), "laptop": (1366, 768), "projector": (1920, 1080)}


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Run axe on the page as it is now (every <details> opened, so hidden content is checked too)."""
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    page.wait_for_timeout(100)  # the pages' own script reacts to the opened details
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [n["target"] for n in v["nodes"]][:5], "summary": v["nodes"][0].get("failureSummary", "")}
        for v in result["violations"]
    ]


class AccessibilityTests(BrowserTestCase):
    def setUp(self):
        super().setUp()
        # A superuser, so the accounts pages include the teachers' page.
        self.teacher = get_user_model().objects.create_user(username="teacher", password="pw-teacher-123",
                                                            is_staff=True, is_superuser=True)
        self.game: Game = self.off_loop(services.game_create, facilitator=self.teacher, scenario_slug="meridian-sea",
                                        title="Accessible class", mode="expected", negotiation_seconds=600,
                                        orders_seconds=300, report_seconds=600)
        self.lobby: Game = self.off_loop(services.game_create, facilitator=self.teacher, scenario_slug="meridian-sea",
                                         title="Waiting class", mode="expected")
        self.console_errors: list[str] = []

    def context_page(self, size: str, *, login: bool = False) -> Page:
        width, height = SIZES[size]
        # bypass_csp: the page's CSP (script-src 'self') would refuse the injected axe script.
        context = self.browser.new_context(viewport={"width": width, "height": height}, bypass_csp=True)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("dialog", lambda dialog: dialog.accept())
        page.on("console", lambda msg: msg.type == "error" and self.console_errors.append(f"{size} {page.url}: {msg.text}"))
        page.on("pageerror", lambda exc: self.console_errors.append(f"{size} {page.url}: {exc}"))
        if login:
            page.goto(self.url("/accounts/login/"))
            page.get_by_label("Username").fill("teacher")
            page.get_by_label("Password").fill("pw-teacher-123")
            page.get_by_role("button", name="Log in").click()
            expect(page.get_by_role("heading", name="New game")).to_be_visible()
        return page

    def player_page(self, size: str, state: str, name: str) -> Page:
        page = self.context_page(size)
        page.goto(self.url(f"/join/{self.game.code}/"))
        page.get_by_label("Your name").fill(name)
        page.locator(f"input[name=state_id][value={state}]").check()
        page.get_by_role("button", name="Take my seat").click()
        expect(page.locator("body")).to_have_attribute("data-ws", "open")
        return page

    def check(self, page: Page, where: str, failures: dict[str, Any]) -> None:
        self.checked.append(where)
        if where.startswith("phone "):
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 0:
                failures[f"{where} (horizontal scroll)"] = f"{overflow} px wider than a 375 px phone"
        found = axe_violations(page)
        if found:
            failures[where] = found

    def play_one_turn(self) -> None:
        self.off_loop(services.game_start, game_id=self.game.pk, actor="test")
        for phase in ("negotiation", "orders"):
            self.off_loop(services.phase_advance, game_id=self.game.pk, expected_phase=phase, expected_turn=1,
                          actor="test")

    def test_every_main_page_has_no_axe_violation_at_every_size(self):
        failures: dict[str, Any] = {}
        self.checked: list[str] = []
        players = {size: self.player_page(size, state, name)
                   for size, state, name in (("laptop", "aurel", "Ana"), ("phone", "borun", "Bo"),
                                             ("projector", "calla", "Cy"))}
        self.play_one_turn()
        tutorial = self.context_page("laptop")
        tutorial.goto(self.url("/"))
        tutorial.get_by_test_id("start-tutorial").click()
        expect(tutorial.get_by_test_id("tutorial-tip")).to_be_visible()
        self.check(tutorial, "laptop tutorial room", failures)
        tutorial.context.close()
        for size in SIZES:
            anon = self.context_page(size)
            for path in ("/", f"/join/{self.game.code}/", "/rules/", "/accounts/login/", "/accounts/password-reset/"):
                anon.goto(self.url(path))
                self.check(anon, f"{size} {path}", failures)
            # The projector in the lobby (join code, QR code, who has joined) and after a turn (results).
            anon.goto(self.url(f"/projector/{self.lobby.code}/?key={self.lobby.observer_key}"))
            expect(anon.locator("body")).to_have_attribute("data-ws", "open")
            self.check(anon, f"{size} projector lobby", failures)
            anon.goto(self.url(f"/projector/{self.game.code}/?key={self.game.observer_key}"))
            expect(anon.locator("body")).to_have_attribute("data-ws", "open")
            expect(anon.get_by_test_id("wall-phase")).to_contain_text("Turn 1: results")
            self.check(anon, f"{size} projector", failures)

            player = players[size]
            player.goto(self.url(f"/play/{self.game.code}/"))
            expect(player.locator("body")).to_have_attribute("data-ws", "open")
            expect(player.get_by_test_id("phase")).to_contain_text("report")
            self.check(player, f"{size} room", failures)
            player.goto(self.url(f"/play/{self.game.code}/guide/"))
            self.check(player, f"{size} guide", failures)

            fac = self.context_page(size, login=True)
            # The New game form with the class planner's proposal shown.
            fac.get_by_test_id("class-minutes").fill("45")
            expect(fac.get_by_test_id("plan-preview")).to_contain_text("turns")
            self.check(fac, f"{size} dashboard", failures)
            fac.goto(self.url("/accounts/teachers/"))
            self.check(fac, f"{size} teachers", failures)
            for game, where in ((self.lobby, "console lobby"), (self.game, "console")):
                fac.goto(self.url(f"/facilitate/{game.pk}/"))
                expect(fac.locator("body")).to_have_attribute("data-ws", "open")
                self.check(fac, f"{size} {where}", failures)
            fac.goto(self.url(f"/facilitate/{self.game.pk}/join-sheet/"))
            self.check(fac, f"{size} join sheet", failures)
            for path in ("", "timeline/", "knowledge/", "debrief/", "what-if/", "turn/1/"):
                response = fac.goto(self.url(f"/review/{self.game.pk}/{path}"))
                if response is not None and response.status == 200:
                    self.check(fac, f"{size} review/{path}", failures)
            fac.context.close()
            anon.context.close()
        assert not failures, json.dumps(failures, indent=1)
        # Every page was really checked at every size (the review pages too).
        for size in SIZES:
            for where in ("/", "/rules/", "/accounts/login/", "/accounts/password-reset/", "projector lobby",
                          "projector", "room", "guide", "dashboard", "teachers", "console lobby", "console",
                          "review/", "review/timeline/", "review/debrief/", "review/turn/1/"):
                assert f"{size} {where}" in self.checked, f"{size} {where} was not checked"
        assert self.console_errors == [], self.console_errors
