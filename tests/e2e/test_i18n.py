"""Two languages in one room: each player's page, and everything pushed to it live, is in the
language that player chose (the language menu) or that their browser asks for."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from tests.e2e.browser import BrowserTestCase

pytestmark = pytest.mark.browser


class LanguageTests(BrowserTestCase):
    def test_spanish_and_english_players_each_get_live_updates_in_their_language(self):
        get_user_model().objects.create_user(username="teacher", password="pw-teacher-123", is_staff=True)
        fac = self.facilitator_page("/facilitate/")
        fac.get_by_test_id("create-game").click()
        code = fac.get_by_test_id("join-code").inner_text().strip()
        expect(fac.locator("body")).to_have_attribute("data-ws", "open")

        # Ana's browser asks for Spanish; Bo's for English, and Bo switches with the menu.
        context = self.browser.new_context(viewport={"width": 1280, "height": 900}, locale="es-ES",
                                           extra_http_headers={"Accept-Language": "es-ES,es;q=0.9"})
        ana = context.new_page()
        ana.set_default_timeout(15_000)
        ana.goto(self.url(f"/join/{code}/"))
        expect(ana.get_by_role("heading", level=1)).to_contain_text("Unirse a")
        ana.get_by_label("Tu nombre").fill("Ana")
        ana.locator("input[name=state_id][value=aurel]").check()
        ana.get_by_role("button", name="Ocupar mi puesto").click()
        expect(ana.locator("body")).to_have_attribute("data-ws", "open")

        bo = self.join_game(code, "Bo", "borun")
        expect(bo.get_by_test_id("phase")).to_contain_text("Lobby")

        fac.get_by_test_id("start-game").click()
        expect(ana.get_by_test_id("phase")).to_have_text("Turno 1: negociación")
        expect(bo.get_by_test_id("phase")).to_have_text("Turn 1: negotiation")
        expect(ana.locator("#order-panel")).to_contain_text("Tus órdenes para el turno 1")
        expect(ana.get_by_test_id("announcer")).to_have_text("Turno 1: negociación")

        bo.get_by_test_id("language-select").select_option("es")
        bo.get_by_test_id("language-submit").click()
        expect(bo.locator("html")).to_have_attribute("lang", "es")
        expect(bo.locator("body")).to_have_attribute("data-ws", "open")
        expect(bo.get_by_test_id("phase")).to_have_text("Turno 1: negociación")

        fac.get_by_test_id("advance").click()  # open orders: a live push to both players
        expect(ana.get_by_test_id("phase")).to_have_text("Turno 1: órdenes")
        expect(bo.get_by_test_id("phase")).to_have_text("Turno 1: órdenes")
        expect(fac.get_by_test_id("phase")).to_have_text("Turn 1: orders")
        expect(bo.locator("#region-map")).to_contain_text("Tu mapa de la región")

        bo.get_by_test_id("language-select").select_option("en")
        bo.get_by_test_id("language-submit").click()
        expect(bo.locator("html")).to_have_attribute("lang", "en")
        expect(bo.get_by_test_id("phase")).to_have_text("Turn 1: orders")
        for page in (ana, bo, fac):
            assert getattr(page, "js_errors", []) == []
