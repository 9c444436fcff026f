"""static/js/chat-socket.js in a real browser: with the game socket open the chat form's message
travels as a frame (no HTTP post), reaches every page, and the form is cleared; a refusal shows its
reason in the form; with the socket closed the form posts over HTTP as before."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from negotiation import services
from tests.e2e.browser import BrowserTestCase

pytestmark = pytest.mark.browser

SCRIPT = Path(__file__).resolve().parents[2] / "static" / "js" / "chat-socket.js"


class ChatOverTheSocketTests(BrowserTestCase):
    def with_script(self, code: str, name: str, state: str) -> tuple[Page, list[str]]:
        page = self.new_page()
        # as the integrated page will have it: loaded before the socket opens
        page.context.add_init_script(path=str(SCRIPT))
        posts: list[str] = []
        page.on("request", lambda r: posts.append(r.url) if r.method == "POST" and r.url.endswith("/chat/") else None)
        page.goto(self.url(f"/join/{code}/"))
        page.get_by_label("Your name").fill(name)
        page.locator(f"input[name=state_id][value={state}]").check()
        page.get_by_role("button", name="Take my seat").click()
        expect(page.locator("body")).to_have_attribute("data-ws", "open")
        return page, posts

    def test_chat_goes_over_the_socket_and_falls_back_to_http(self):
        teacher = get_user_model().objects.create_user(username="teacher", password="pw-teacher-123", is_staff=True)
        game = self.off_loop(services.game_create, facilitator=teacher, scenario_slug="meridian-sea",
                             title="Sockets", mode="expected")
        self.off_loop(services.game_start, game_id=game.pk, actor="t")
        ana, ana_posts = self.with_script(game.code, "Ana", "aurel")
        bo = self.join_game(game.code, "Bo", "borun")

        box = ana.get_by_label("Message to Plenary")
        box.fill("Over the socket")
        ana.get_by_role("button", name="Send").click()
        for page in (ana, bo):
            expect(page.locator("#chat-log-plenary")).to_contain_text("Over the socket")
        expect(box).to_have_value("")
        expect(ana.locator("#chat-log-plenary li")).to_have_count(1)
        assert ana_posts == []

        # a refusal: the reason in the form, the text kept
        ana.get_by_label("Message to Plenary").fill("   ")
        ana.get_by_role("button", name="Send").click()
        expect(ana.get_by_test_id("chat-error")).to_have_text("The message is empty.")
        assert ana_posts == []

        # without the socket the form posts over HTTP, as it does without the script
        ana.evaluate("document.body.dataset.ws = 'closed'")
        ana.get_by_label("Message to Plenary").fill("Over HTTP")
        ana.get_by_role("button", name="Send").click()
        expect(bo.locator("#chat-log-plenary")).to_contain_text("Over HTTP")
        assert len(ana_posts) == 1
        expect(bo.locator("#chat-log-plenary li")).to_have_count(2)
        assert ana.js_errors == []  # type: ignore[attr-defined]
