"""A student bargains with a bot (issue #15, "done means"): the student proposes a missile cap,
the bot counters with inspections, the student accepts, both sign, and the treaty enters into
force; the bot's messages reach the student in the student's language (Spanish here)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from negotiation import services
from tests.e2e.browser import BrowserTestCase

pytestmark = pytest.mark.browser


class BotNegotiationTests(BrowserTestCase):
    def bot_moves(self, game, state_id: str, minutes: int, page) -> str:
        """One clock tick for the bot seat (the clock does this every second). It runs in the test
        process, whose pushes may not reach the server's sockets (an in-memory channel layer), so
        the student's page then resyncs from the database, as it does on every reconnect."""
        move = self.off_loop(services.bot_step, game_id=game.pk, state_id=state_id,
                             now=timezone.now() + timedelta(minutes=minutes))
        assert move is not None
        page.reload()
        expect(page.locator("body")).to_have_attribute("data-ws", "open")
        # The resync (the first message on the socket) has landed: it redraws the chat pane, so a
        # channel opened before it would be drawn back to the one it rendered.
        expect(page.locator("body")).to_have_attribute("data-synced", "1")
        return move.intent.id

    @staticmethod
    def open_channel(page, slug: str, title: str) -> None:
        """Open a channel; a click that lands while the reconnect's resync redraws the list is retried."""
        for _attempt in range(3):
            page.get_by_test_id(f"channel-{slug}").click()
            try:
                expect(page.locator("#chat-pane h3")).to_contain_text(title, timeout=5_000)
                return
            except AssertionError:
                continue
        expect(page.locator("#chat-pane h3")).to_contain_text(title)

    def test_a_student_and_a_bot_negotiate_a_verified_cap_into_force_in_spanish(self):
        teacher = get_user_model().objects.create_user(username="teacher", password="pw-teacher-123", is_staff=True)
        game = self.off_loop(services.game_create, facilitator=teacher, scenario_slug="meridian-sea",
                             title="Bots", mode="expected")
        self.off_loop(services.seat_set_bot, game_id=game.pk, state_id="borun", policy="verifier", actor="test")
        for sid in ("calla", "dresk"):
            self.off_loop(services.seat_set_bot, game_id=game.pk, state_id=sid, policy="dove", actor="test")
        self.off_loop(services.game_start, game_id=game.pk, actor="test")

        # The student's browser asks for Spanish.
        context = self.browser.new_context(viewport={"width": 1280, "height": 900}, locale="es-ES",
                                           extra_http_headers={"Accept-Language": "es-ES,es;q=0.9"})
        ana = self.watch(context.new_page())
        ana.set_default_timeout(15_000)
        ana.goto(self.url(f"/join/{game.code}/"))
        ana.get_by_label("Tu nombre").fill("Ana")
        ana.locator("input[name=state_id][value=aurel]").check()
        ana.get_by_role("button", name="Ocupar mi puesto").click()
        expect(ana.locator("body")).to_have_attribute("data-ws", "open")

        # Ana proposes to cap missiles at today's levels, without inspections (on the Treaties tab).
        ana.get_by_test_id("tab-treaties").click()
        expect(ana.get_by_test_id("tab-treaties")).to_have_attribute("aria-selected", "true")
        ana.locator("details.new-proposal summary").first.click()
        form = ana.locator("form:has([data-testid=table-treaty])")
        form.locator("input[name=title]").fill("Tope de misiles")
        form.locator("select[name=template]").select_option("OFFENSE_CAP")
        form.locator("input[name=parties][value=borun]").check()
        for cls, n in (("SRBM", 20), ("MRBM", 16), ("IRBM", 10), ("ICBM", 6)):
            form.locator(f"input[name=cap__{cls}]").fill(str(n))
        form.locator("input[name=inspection_quota]").fill("0")
        form.get_by_test_id("table-treaty").click()
        proposal = ana.locator("#proposals [data-proposal='1']")
        expect(proposal).to_contain_text("Tope de misiles")

        # Borun's bot counters with inspections, and says so in Spanish in the bilateral line.
        assert self.bot_moves(game, "borun", 1, ana) == "amend_inspections"
        self.open_channel(ana, "bi-aurel-borun", "Aurel – Borun")
        log = ana.locator("#chat-log-bi-aurel-borun")
        expect(log).to_contain_text("Firmaremos el límite de misiles si incluye 3 inspecciones por turno")
        expect(log).to_contain_text("Borun (bot)")
        expect(proposal).to_contain_text("versión 2")
        expect(proposal.locator("details.diff")).to_contain_text("Visitas de inspección rutinarias por turno: 0 → 3")

        # Ana accepts the counter-proposal and signs; the bot signs too.
        ana.get_by_test_id("sign-1").click()
        expect(proposal.locator(".signatures")).to_contain_text("Aurel")
        assert self.bot_moves(game, "borun", 2, ana) == "sign"
        expect(proposal.locator(".signatures")).to_contain_text("Borun")
        self.open_channel(ana, "bi-aurel-borun", "Aurel – Borun")
        expect(log).to_contain_text("Firmamos el límite de misiles tal como está.")

        # The turn resolves: the treaty is in force.
        fac = self.facilitator_page(f"/facilitate/{game.pk}/")
        expect(fac.locator("body")).to_have_attribute("data-ws", "open")
        self.advance(fac, "Open orders")
        self.advance(fac, "Resolve turn 1")
        expect(proposal).to_contain_text("En vigor")
        self.snapshot(ana, "bot-negotiation-in-force")

    def test_a_student_on_a_phone_tables_cbms_a_bot_trims_and_both_sign_into_force(self):
        """A package of confidence-building measures from the Treaties panel: the cheater bot keeps
        the hotline and the notification and strikes the data exchange out, the student signs the
        trimmed version, the bot signs, and the measures are in force after the turn resolves."""
        teacher = get_user_model().objects.create_user(username="teacher", password="pw-teacher-123", is_staff=True)
        game = self.off_loop(services.game_create, facilitator=teacher, scenario_slug="meridian-sea",
                             title="CBMs", mode="expected")
        self.off_loop(services.seat_set_bot, game_id=game.pk, state_id="borun", policy="cheater", actor="test")
        for sid in ("calla", "dresk"):
            self.off_loop(services.seat_set_bot, game_id=game.pk, state_id=sid, policy="dove", actor="test")
        self.off_loop(services.game_start, game_id=game.pk, actor="test")

        context = self.browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
        ana = self.watch(context.new_page())
        ana.set_default_timeout(15_000)
        ana.goto(self.url(f"/join/{game.code}/"))
        ana.get_by_label("Your name").fill("Ana")
        ana.locator("input[name=state_id][value=aurel]").check()
        ana.get_by_role("button", name="Take my seat").click()
        expect(ana.locator("body")).to_have_attribute("data-ws", "open")

        ana.get_by_test_id("tab-treaties").click()
        ana.locator("#new-cbm summary").click()
        form = ana.locator("form:has([data-testid=table-cbm])")
        form.locator("input[name=title]").fill("Talk before we shoot")
        form.locator("input[name=parties][value=borun]").check()
        for measure in ("HOTLINE", "NOTIFICATION", "DATA_EXCHANGE"):
            form.locator(f"input[name=measures][value={measure}]").check()
        self.snapshot(ana, "cbm-form-phone")
        form.get_by_test_id("table-cbm").click()
        proposal = ana.locator("#proposals [data-proposal='1']")
        expect(proposal.locator(".clauses")).to_contain_text("Data exchange (force data every turn)")
        width = ana.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"the Treaties panel is {width}px wide on a 375px phone"

        assert self.bot_moves(game, "borun", 1, ana) == "amend_cbm"
        ana.get_by_test_id("tab-treaties").click()
        expect(proposal).to_contain_text("version 2")
        expect(proposal.locator(".clauses")).not_to_contain_text("Data exchange")
        expect(proposal.locator(".clauses")).to_contain_text("Hotline")
        expect(proposal.locator("details.diff")).to_contain_text("Data exchange (force data every turn)")
        ana.get_by_test_id("sign-1").click()
        expect(proposal.locator(".signatures")).to_contain_text("Aurel")
        assert self.bot_moves(game, "borun", 2, ana) == "sign"
        ana.get_by_test_id("tab-treaties").click()
        expect(proposal.get_by_test_id("all-signed-1")).to_contain_text("the measures take effect")
        self.snapshot(ana, "cbm-all-signed-phone")

        fac = self.facilitator_page(f"/facilitate/{game.pk}/")
        expect(fac.locator("body")).to_have_attribute("data-ws", "open")
        self.advance(fac, "Open orders")
        self.advance(fac, "Resolve turn 1")
        expect(proposal).to_contain_text("In force")

        # The same panel on a laptop.
        laptop = self.watch(self.browser.new_context(viewport={"width": 1366, "height": 768}).new_page())
        laptop.context.add_cookies(context.cookies())
        laptop.goto(self.url(f"/play/{game.code}/"))
        expect(laptop.locator("body")).to_have_attribute("data-ws", "open")
        laptop.get_by_test_id("tab-treaties").click()
        laptop.locator("#new-cbm summary").click()
        expect(laptop.locator("#proposals [data-proposal='1']")).to_contain_text("In force")
        self.snapshot(laptop, "cbm-in-force-laptop")
