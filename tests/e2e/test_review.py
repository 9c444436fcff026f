"""The review in a real browser: the timeline's filters and search, what a state knew, the
charts, the what-if sandbox, and a player's own review after the facilitator opens it."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from negotiation import services
from negotiation.models import Member
from negotiation.review import services as review_services
from tests.e2e.browser import BrowserTestCase
from tests.negotiation.test_review_fixtures import play

pytestmark = pytest.mark.browser


class ReviewTests(BrowserTestCase):
    def setUp(self):
        super().setUp()
        teacher = get_user_model().objects.create_user(username="teacher", password="pw-teacher-123", is_staff=True)
        self.game = services.game_create(facilitator=teacher, scenario_slug="meridian-sea", title="Period 5",
                                         mode="expected")
        play(self.game)

    def facilitator(self) -> Page:
        page = self.new_page()
        page.goto(self.url(f"/accounts/login/?next=/review/{self.game.pk}/"))
        page.get_by_label("Username").fill("teacher")
        page.get_by_label("Password").fill("pw-teacher-123")
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("heading", name="Period 5")).to_be_visible()
        return page

    def test_the_timeline_filters_and_searches_in_place(self):
        page = self.facilitator()
        page.goto(self.url(f"/review/{self.game.pk}/timeline/"))
        expect(page.get_by_test_id("timeline-count")).to_contain_text("Entries 1–")

        page.get_by_test_id("filter-kind").select_option("proposal.*")
        expect(page.get_by_test_id("timeline-count")).to_have_text("Entries 1–4 of 4")
        expect(page.get_by_test_id("timeline")).to_contain_text("Aurel tabled “Sea cap” (proposal 1)")
        assert "kind=proposal.*" in page.url.replace("%2A", "*")

        page.get_by_test_id("filter-kind").select_option("")
        page.get_by_test_id("filter-q").fill("hotline")
        expect(page.get_by_test_id("timeline")).to_contain_text("Aurel proposes a hotline, turn 3.")
        expect(page.get_by_test_id("timeline")).not_to_contain_text("Borun listens")

        page.get_by_test_id("filter-q").fill("")
        page.get_by_test_id("filter-turn").select_option("2")
        page.get_by_test_id("filter-as").select_option("calla")
        expect(page.get_by_test_id("timeline")).to_contain_text("Borun listens, turn 2.")
        expect(page.locator("#timeline-results")).not_to_contain_text("turn 1.")

        page.get_by_test_id("filter-turn").select_option("1")
        expect(page.get_by_test_id("timeline")).not_to_contain_text("we can live with a cap")  # not Calla's channel
        page.get_by_test_id("filter-as").select_option("")
        expect(page.get_by_test_id("timeline")).to_contain_text("we can live with a cap")

        row = page.locator("tr[data-kind='orders.revised']").first
        row.locator("summary").click()
        expect(row.locator("pre")).to_contain_text('"revision"')
        self.snapshot(page, "review-timeline")
        assert page.js_errors == []

    def test_what_a_state_knew_at_a_turn(self):
        page = self.facilitator()
        page.goto(self.url(f"/review/{self.game.pk}/knowledge/"))
        expect(page.get_by_test_id("knowledge-heading")).to_have_text("Aurel · Turn 1, when orders were given")

        page.get_by_test_id("knowledge-state").select_option("borun")
        expect(page.get_by_test_id("knowledge-heading")).to_have_text("Borun · Turn 1, when orders were given")
        expect(page.get_by_test_id("knowledge-orders")).to_contain_text("Build 2 SRBM covertly")

        page.get_by_test_id("knowledge-turn").select_option("3")
        expect(page.get_by_test_id("knowledge-heading")).to_have_text("Borun · Turn 3, when orders were given")
        others = page.get_by_test_id("knowledge-others")
        expect(others.locator("thead")).to_contain_text("Really")
        expect(others).to_contain_text("Aurel")
        assert "turn=3" in page.url
        self.snapshot(page, "review-knowledge")
        assert page.js_errors == []

    def test_the_charts_draw_and_the_trust_chart_switches_state(self):
        page = self.facilitator()
        # A review page holds no game socket: nothing is "reconnecting".
        expect(page.locator("#connection-banner")).to_be_hidden()
        for cid in ("rsi", "security", "compliance", "vp", "forces", "trust"):
            expect(page.get_by_test_id(f"chart-{cid}")).to_be_visible()
        expect(page.get_by_role("img", name="Regional Stability Index by turn")).to_be_visible()
        assert page.get_by_test_id("chart-rsi").locator("polyline").count() == 2

        page.get_by_test_id("trust-borun").click()
        expect(page.get_by_role("img", name="How much Borun trusted each other state")).to_be_visible()
        expect(page.get_by_test_id("trust-borun")).to_have_attribute("aria-current", "true")

        figure = page.locator("#figure-rsi")
        figure.get_by_text("Numbers as a table").click()
        expect(page.get_by_test_id("table-rsi")).to_contain_text("T3")
        page.emulate_media(media="print")
        expect(page.locator(".review-nav")).to_be_hidden()
        self.snapshot(page, "review-charts")
        assert page.js_errors == []

    def test_the_debrief_prints_without_the_site_around_it(self):
        page = self.facilitator()
        page.goto(self.url(f"/review/{self.game.pk}/debrief/"))
        expect(page.get_by_test_id("debrief-scores")).to_contain_text("Aurel")
        expect(page.get_by_test_id("moments-treaties")).to_contain_text("Sea cap entered into force")
        expect(page.get_by_test_id("moments-violations")).to_contain_text("Borun breached Sea cap")
        expect(page.get_by_test_id("debrief-bookmarks")).to_contain_text("Ana offers a hotline")

        page.emulate_media(media="print")
        for hidden in (".topbar", ".review-nav", "[data-print]"):
            expect(page.locator(hidden)).to_be_hidden()
        pdf = page.pdf(format="A4")
        assert pdf.startswith(b"%PDF") and len(pdf) > 20_000
        assert page.js_errors == []

    def test_a_what_if_replays_the_rest_of_the_game_side_by_side(self):
        page = self.facilitator()
        page.goto(self.url(f"/review/{self.game.pk}/what-if/"))
        page.get_by_test_id("whatif-turn").select_option("2")
        expect(page.locator("#whatif-form input[name=turn]")).to_have_value("2")

        page.get_by_test_id("keep-borun-0").uncheck()
        page.get_by_test_id("add-borun").fill('{"type": "REDUCE", "class": "SRBM", "qty": 4}')
        page.get_by_test_id("whatif-run").click()

        expect(page.get_by_test_id("whatif-changes")).to_contain_text("added: Reduce SRBM by 4")
        expect(page.get_by_test_id("whatif-changes")).to_contain_text("left out:")
        table = page.get_by_test_id("whatif-table")
        expect(table).to_contain_text("Borun")
        expect(page.get_by_test_id("chart-whatif")).to_be_visible()

        page.get_by_test_id("add-aurel").fill("not json")
        page.get_by_test_id("whatif-run").click()
        expect(page.get_by_test_id("whatif-error")).to_contain_text("Aurel, added order 1: not valid JSON")
        self.snapshot(page, "review-whatif")
        assert page.js_errors == []

    def test_a_player_reviews_their_own_game_once_the_facilitator_allows_it(self):
        member = Member.objects.get(seat__game=self.game, seat__state_id="calla")
        page = self.new_page(390, 844)
        page.goto(self.url(f"/seat/{member.token}/"))
        page.get_by_test_id("take-seat").click()
        page.goto(self.url(f"/review/{self.game.pk}/"))
        expect(page.get_by_test_id("review-closed")).to_be_visible()

        review_services.review_players_allow(game_id=self.game.pk, actor="facilitator:teacher", allowed=True)
        page.goto(self.url(f"/review/{self.game.pk}/timeline/?q=cap"))
        expect(page.get_by_test_id("timeline-count")).to_be_visible()
        expect(page.locator("#timeline-results")).not_to_contain_text("we can live with a cap")
        page.goto(self.url(f"/review/{self.game.pk}/knowledge/"))
        expect(page.get_by_test_id("knowledge-heading")).to_contain_text("Calla")
        expect(page.get_by_test_id("knowledge-state")).to_have_count(0)
        page.goto(self.url(f"/review/{self.game.pk}/debrief/"))
        expect(page.get_by_test_id("debrief-scores")).to_contain_text("Calla")
        self.snapshot(page, "review-debrief-phone")
        assert page.js_errors == []
