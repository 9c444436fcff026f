"""Three players negotiate a treaty across bilateral and plenary channels, amend it, sign it and
see it enter into force at resolution; the third state sees none of the bilateral text."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from negotiation import services
from tests.e2e.browser import BrowserTestCase

pytestmark = pytest.mark.browser


class TreatyNegotiationTests(BrowserTestCase):
    def say(self, page, text: str):
        page.locator("#chat-body").fill(text)
        page.locator("#chat-form").get_by_role("button", name="Send").click()

    def test_three_players_negotiate_sign_and_bring_a_treaty_into_force(self):
        teacher = get_user_model().objects.create_user(username="teacher", password="pw-teacher-123", is_staff=True)
        game = self.off_loop(services.game_create, facilitator=teacher, scenario_slug="meridian-sea",
                             title="Treaty", mode="expected")
        self.off_loop(services.game_start, game_id=game.pk, actor="test")
        ana = self.join_game(game.code, "Ana", "aurel")
        bo = self.join_game(game.code, "Bo", "borun")
        cy = self.join_game(game.code, "Cy", "calla")

        # A private word between Aurel and Borun; Borun sees it as unread, then reads it.
        ana.get_by_test_id("channel-bi-aurel-borun").click()
        expect(ana.locator("#chat-pane h3")).to_contain_text("Aurel – Borun")
        self.say(ana, "Shall we cap medium-range missiles? bilateral-secret-4471")
        expect(bo.locator("#unread-bi-aurel-borun")).to_have_text("1 unread")
        bo.get_by_test_id("channel-bi-aurel-borun").click()
        expect(bo.locator("#chat-log-bi-aurel-borun")).to_contain_text("bilateral-secret-4471")
        expect(bo.locator("#unread-bi-aurel-borun")).to_be_hidden()
        self.say(bo, "Yes, if you table it.")
        expect(ana.locator("#chat-log-bi-aurel-borun")).to_contain_text("Yes, if you table it.")
        # And in public.
        ana.get_by_test_id("channel-plenary").click()
        expect(ana.locator("#chat-pane h3")).to_contain_text("Plenary")
        self.say(ana, "Aurel will table a cap on MRBMs.")
        expect(cy.locator("#chat-log-plenary")).to_contain_text("Aurel will table a cap on MRBMs.")

        # Aurel tables the treaty (on the Treaties tab); Borun sees it appear.
        for page in (ana, bo):
            page.get_by_test_id("tab-treaties").click()
        ana.locator("details.new-proposal summary").first.click()
        form = ana.get_by_role("form", name="Propose a treaty")
        form.get_by_label("Title").fill("Meridian missile cap")
        form.get_by_label("Type").select_option("OFFENSE_CAP")
        form.get_by_label("Borun").check()
        form.locator("input[name=cap__MRBM]").fill("20")
        form.get_by_test_id("table-treaty").click()
        expect(ana.locator("#proposals [data-proposal='1']")).to_contain_text("Meridian missile cap")
        expect(bo.locator("#proposals [data-proposal='1']")).to_contain_text("Meridian missile cap")

        # Borun amends it (a counter-proposal); Aurel sees version 2 and what changed.
        proposal = bo.locator("#proposals [data-proposal='1']")
        proposal.locator("details.amend summary").click()
        proposal.locator("input[name=cap__MRBM]").fill("18")
        proposal.get_by_label("Note on this change").fill("18 is what we can verify")
        proposal.get_by_test_id("amend-1").click()
        expect(ana.locator("#proposals [data-proposal='1']")).to_contain_text("version 2")
        # The amendment's note reaches the other party, on the card itself.
        expect(ana.get_by_test_id("amend-note-1")).to_contain_text("18 is what we can verify")
        expect(ana.get_by_test_id("amend-note-1")).to_contain_text("Borun")
        ana.locator("#proposals [data-proposal='1'] details.diff summary").click()
        expect(ana.locator("#proposals [data-proposal='1'] .diff")).to_contain_text("MRBM ≤ 20 → MRBM ≤ 18")

        # Before signing, Aurel asks what signing would do, from what Aurel knows.
        ana.get_by_test_id("what-if-1").click()
        expect(ana.locator("#whatif-1")).to_contain_text("If everyone signs")
        expect(ana.locator("#whatif-1")).to_contain_text("Regional stability (public)")

        # Both sign version 2.
        ana.get_by_test_id("sign-1").click()
        expect(bo.locator("#proposals [data-proposal='1'] .signatures")).to_contain_text("Aurel")
        bo.get_by_test_id("sign-1").click()
        expect(ana.locator("#proposals [data-proposal='1'] .signatures")).to_contain_text("Borun")
        # Every party has signed: both are told when it takes effect.
        for page in (ana, bo):
            expect(page.get_by_test_id("all-signed-1")).to_contain_text("enters into force at the next resolution")

        # The facilitator resolves the turn: it enters into force, and both see it.
        fac = self.facilitator_page(f"/facilitate/{game.pk}/")
        expect(fac.locator("body")).to_have_attribute("data-ws", "open")
        self.advance(fac, "Open orders")
        expect(fac.get_by_test_id("phase")).to_have_text("Turn 1: orders")
        self.advance(fac, "Resolve turn 1")
        for page in (ana, bo):
            expect(page.locator("#proposals [data-proposal='1']")).to_contain_text("In force")
        expect(cy.locator("#public-results")).to_contain_text("Meridian missile cap")

        # Calla never received the bilateral text or the proposal.
        for text in ("bilateral-secret-4471", "Yes, if you table it.", "MRBM ≤ 18"):
            expect(cy.locator("body")).not_to_contain_text(text)
        assert "bilateral-secret-4471" not in cy.content()
        self.snapshot(ana, "treaty-in-force")
        for page in (ana, bo, cy):
            assert page.js_errors == []  # (and no console error: see BrowserTestCase.watch)
