from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from negotiation import services
from tests.e2e.browser import BrowserTestCase
from tests.helpers import resolve

pytestmark = pytest.mark.browser


class Look(BrowserTestCase):
    def test_look(self):
        teacher = get_user_model().objects.create_user(username="teacher", password="pw-teacher-123", is_staff=True)
        game = self.off_loop(services.game_create, facilitator=teacher, scenario_slug="shield-of-the-east",
                             title="Mirada", mode="expected", negotiation_seconds=900, orders_seconds=600,
                             report_seconds=300)
        policies = {"usa": "verifier", "russia": "hawk", "poland": "dove", "romania": "reciprocator", "south": "cheater"}
        for sid, pol in policies.items():
            self.off_loop(services.seat_set_bot, game_id=game.pk, state_id=sid, policy=pol, actor="test")
        self.off_loop(services.game_start, game_id=game.pk, actor="test")
        for _ in range(3):
            self.off_loop(resolve, game=game)
        fac = self.facilitator_page(f"/facilitate/{game.pk}/")
        fac.goto(self.url("/i18n/setlang/"), wait_until="commit") if False else None
        fac.evaluate("""async () => { const t = document.querySelector('[name=csrfmiddlewaretoken]');
            const f = new FormData(); f.append('language', 'es'); if (t) f.append('csrfmiddlewaretoken', t.value);
            await fetch('/i18n/setlang/', {method: 'POST', body: f}); }""")
        fac.set_viewport_size({"width": 1366, "height": 900})
        for name in ("", "timeline/", "debrief/", "knowledge/", "turn/2/"):
            fac.goto(self.url(f"/review/{game.pk}/{name}"))
            fac.wait_for_timeout(400)
            fac.screenshot(path=f"/tmp/look4-{name.strip('/').replace('/', '-') or 'overview'}.png", full_page=True)
        fac.goto(self.url(f"/facilitate/{game.pk}/"))
        fac.wait_for_timeout(600)
        fac.screenshot(path="/tmp/look4-console.png", full_page=True)
