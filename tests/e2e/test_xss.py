"""A corpus of script-injection payloads through every text field players and facilitators type:
names, chat, coalition names, proposal titles, texts and comments, injects. In a real browser,
none runs and each shows as the text that was typed."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from negotiation import services
from negotiation.viewer import Role, Viewer
from tests.e2e.browser import BrowserTestCase
from tests.reliability.test_access_matrix import record

pytestmark = pytest.mark.browser

PAYLOADS = [
    '<script>window.__xss = "script"</script>',
    '<img src=x onerror="window.__xss=\'img\'">',
    '"><svg onload="window.__xss=\'svg\'">',
    "<iframe srcdoc=\"<script>parent.__xss='iframe'</script>\"></iframe>",
    '<a href="javascript:window.__xss=\'href\'">click</a>',
    "';window.__xss='quote';//",
    '<div hx-get="/facilitate/" hx-trigger="load">htmx</div>',
    '<details open ontoggle="window.__xss=\'toggle\'">',
    "{{ 7*7 }} {% debug %}",
    '<style>body{display:none}</style>',
]


class XssCorpusTests(BrowserTestCase):
    def test_no_payload_runs_anywhere(self):
        teacher = get_user_model().objects.create_user(username="teacher", password="pw-teacher-123", is_staff=True)
        game = self.off_loop(services.game_create, facilitator=teacher, scenario_slug="meridian-sea",
                             title=PAYLOADS[1][:100], mode="expected")
        self.off_loop(services.game_start, game_id=game.pk, actor="t")
        ana = self.off_loop(services.seat_claim, game_id=game.pk, state_id="aurel", display_name=PAYLOADS[2][:40])
        bo = self.off_loop(services.seat_claim, game_id=game.pk, state_id="borun", display_name="Bo")

        def as_viewer(m):
            return Viewer(role=Role.PLAYER, game_id=game.pk, seat_id=m.seat_id, state_id=m.seat.state_id,
                          label=m.name, member_id=m.pk, is_captain=True)

        tried = 0
        for i, payload in enumerate(PAYLOADS):
            self.off_loop(services.message_post, game_id=game.pk, viewer=as_viewer(ana), body=payload)
            self.off_loop(services.message_post, game_id=game.pk, viewer=as_viewer(bo), body=payload,
                          channel="bi:aurel:borun")
            self.off_loop(services.proposal_create, game_id=game.pk, viewer=as_viewer(ana), kind="treaty",
                          title=f"{payload[:100]} {i}", parties=["borun"], template="OFFENSE_CAP",
                          clauses={"caps": {"SRBM": 30 + i}}, text=payload)
            self.off_loop(services.proposal_comment, game_id=game.pk, viewer=as_viewer(bo), number=i + 1, body=payload)
            self.off_loop(services.inject_send, game_id=game.pk, actor="facilitator:teacher", title=payload[:120],
                          text=payload, targets=None)
            tried += 5
        self.off_loop(services.coalition_create, game_id=game.pk, viewer=as_viewer(ana), title=PAYLOADS[0][:80],
                      invite=["borun"])
        tried += 3

        fac = self.new_page()
        fac.goto(self.url("/accounts/login/?next=/facilitate/"))
        fac.get_by_label("Username").fill("teacher")
        fac.get_by_label("Password").fill("pw-teacher-123")
        fac.get_by_role("button", name="Log in").click()
        pages = {"console": (fac, f"/facilitate/{game.pk}/"), "dashboard": (fac, "/facilitate/")}
        player = self.new_page()
        player.context.add_cookies([{"name": "sessionid", "value": self._session_for(game, ana), "url": self.url("/")}])
        pages["room"] = (player, f"/play/{game.code}/")
        pages["projector"] = (self.new_page(), f"/projector/{game.code}/?key={game.observer_key}")
        pages["join"] = (self.new_page(), f"/join/{game.code}/")
        for name, (page, path) in pages.items():
            page.goto(self.url(path))
            page.wait_for_timeout(300)
            assert page.evaluate("window.__xss") is None, f"a payload ran on the {name} page"
            assert page.locator("main img[src=x], main svg[onload], main iframe, main details[ontoggle]").count() == 0
            # the htmx payload as an element (the console's own lazy panels also load on "load")
            assert page.locator('main [hx-trigger=load][hx-get="/facilitate/"]').count() == 0
        # Each payload is shown as the text that was typed.
        player.goto(self.url(f"/play/{game.code}/"))
        for payload in PAYLOADS:
            assert payload in player.locator("#chat-pane").inner_text() or payload in player.content().replace(
                "&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&#x27;", "'").replace("&amp;", "&")
        record("xss_payload_insertions", tried)
        record("xss_pages_checked_in_browser", len(pages))

    def _session_for(self, game, member) -> str:
        from django.contrib.sessions.backends.db import SessionStore

        from negotiation.selectors import SESSION_SEATS

        def make():
            session = SessionStore()
            session[SESSION_SEATS] = {str(game.pk): {"member": member.pk, "token": member.token}}
            session.create()
            return session.session_key

        return self.off_loop(make)
