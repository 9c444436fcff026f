"""The region map in real browsers: a player's map shows their estimates (never another state's
true counts), the facilitator's shows the truth, the projector's the public record, and every
map redraws itself live when a turn resolves."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from negotiation import services
from negotiation.models import Game
from tests.e2e.browser import BrowserTestCase

pytestmark = pytest.mark.browser

# The element at the centre of Dresk's shape (where a hover points), to explain a hover that shows nothing.
_UNDER_DRESK = """() => { const r = document.querySelector('[data-testid=rm-state-dresk]').getBoundingClientRect();
  const e = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
  return e ? (e.getAttribute('data-testid') || e.tagName) + ' ' + (e.getAttribute('data-map-info') || '') : null; }"""

TRUE_SRBM = 731  # Borun's true short-range force: only the facilitator may ever see it
ESTIMATE_SRBM = 419  # Aurel's estimate of it: what Aurel's map must show
COVERT_HGV = 37  # hypersonic gliders Borun built covertly: on no ledger and in no estimate


def plant_markers(game: Game) -> None:
    """Give Borun a true count and Aurel an estimate of it that appear nowhere else, and a
    covertly built class (which reaches Aurel and Calla) that only the facilitator knows of."""
    state = dict(game.state)
    for nation in state["nations"]:
        if nation["id"] == "borun":
            nation["missiles"]["SRBM"] = TRUE_SRBM
            nation["missiles"]["HGV"] = COVERT_HGV
    for pair in state["pairs"]:
        if pair["src"] == "aurel" and pair["dst"] == "borun":
            pair["est"]["SRBM"] = ESTIMATE_SRBM
    Game.objects.filter(pk=game.pk).update(state=state)


class RegionMapTests(BrowserTestCase):
    def setUp(self):
        super().setUp()
        teacher = get_user_model().objects.create_user(username="teacher", password="pw-teacher-123", is_staff=True)
        self.game = self.off_loop(services.game_create, facilitator=teacher, scenario_slug="meridian-sea",
                                  title="Map class", mode="expected")
        plant_markers(self.game)

    def join(self, state: str, name: str, width: int = 1280, height: int = 900):
        page = self.new_page(width, height)
        page.goto(self.url(f"/join/{self.game.code}/"))
        page.get_by_label("Your name").fill(name)
        page.locator(f"input[name=state_id][value={state}]").check()
        page.get_by_role("button", name="Take my seat").click()
        expect(page.locator("body")).to_have_attribute("data-ws", "open")
        return page

    def facilitator(self):
        page = self.new_page()
        page.goto(self.url("/accounts/login/"))
        page.get_by_label("Username").fill("teacher")
        page.get_by_label("Password").fill("pw-teacher-123")
        page.get_by_role("button", name="Log in").click()
        page.goto(self.url(f"/facilitate/{self.game.pk}/"))
        expect(page.locator("body")).to_have_attribute("data-ws", "open")
        return page

    def test_each_map_shows_only_what_its_viewer_may_know(self):
        ana = self.join("aurel", "Ana")
        fac = self.facilitator()
        projector = self.new_page(1920, 1080)
        projector.goto(self.url(f"/projector/{self.game.code}/?key={self.game.observer_key}"))

        borun = ana.get_by_test_id("rm-state-borun")
        expect(borun).to_have_attribute("aria-label", f"Borun. Threat to you: medium. Your estimate of its "
                                        f"missiles: {ESTIMATE_SRBM} SRBM, 18 MRBM, 7 IRBM.")
        assert str(TRUE_SRBM) not in ana.locator("#region-map").inner_html()
        assert str(TRUE_SRBM) not in ana.content()
        # Aurel's own forces are its true ones.
        expect(ana.get_by_test_id("rm-state-aurel")).to_have_attribute("aria-label", "Aurel (you). Your forces: 10 IRBM, 6 ICBM.")

        expect(fac.get_by_test_id("tm-state-borun")).to_have_attribute(
            "aria-label", f"Borun. True security 57. True missiles: {TRUE_SRBM} SRBM, 16 MRBM, 6 IRBM, {COVERT_HGV} HGV.")
        public = projector.get_by_test_id("pm-state-borun")
        expect(public).to_have_attribute("aria-label", "Borun. Public record of its missiles: 20 SRBM, 16 MRBM, 6 IRBM.")
        html = projector.content()
        assert str(TRUE_SRBM) not in html and str(ESTIMATE_SRBM) not in html

        # Reach arrows follow what the viewer believes: Aurel believes Borun has SRBMs, and knows
        # nothing of its covert gliders (no arrow, no filter choice); the facilitator sees them.
        expect(ana.get_by_test_id("rm-reach-borun-calla")).to_have_attribute(
            "data-classes", "SRBM MRBM")
        expect(ana.get_by_test_id("rm-reach-borun-aurel")).to_have_attribute("data-classes", "IRBM")
        assert "HGV" not in ana.locator("#region-map").inner_html()
        assert "HGV" not in projector.locator("#region-map-public").inner_html()
        expect(fac.get_by_test_id("tm-reach-borun-aurel")).to_have_attribute("data-classes", "IRBM HGV")
        expect(fac.get_by_label("Missile reach shown").locator("option[value=HGV]")).to_have_count(1)
        # Treaty zones: the export-control regime and the NPT are in force.
        expect(ana.locator("#region-map .map-zone")).to_have_count(2)
        # The hosted site CAL-1 is on every map (the wall shows its map once play starts; in the
        # lobby it shows the join code, and the map waits in the page).
        expect(projector.get_by_test_id("pm-site-CAL-1")).to_have_count(1)
        for page in (ana, fac, projector):
            assert page.js_errors == []

    def test_the_map_redraws_live_after_a_resolution_and_keeps_the_filter(self):
        ana = self.join("aurel", "Ana")
        fac = self.facilitator()
        projector = self.new_page(1920, 1080)
        projector.goto(self.url(f"/projector/{self.game.code}/?key={self.game.observer_key}"))
        expect(projector.locator("body")).to_have_attribute("data-ws", "open")
        fac.get_by_test_id("start-game").click()
        expect(ana.get_by_test_id("phase")).to_have_text("Turn 1: negotiation")

        # Hover and keyboard focus both put a state's details into words.
        # The start's pushes redraw the map and may land after the pointer rests on it (a redrawn
        # map shows its hint again): hover again until the details stay.
        for _ in range(5):
            ana.get_by_test_id("rm-state-dresk").hover()
            try:
                expect(ana.get_by_test_id("rm-info")).to_contain_text("Dresk. Threat to you", timeout=3_000)
                break
            except AssertionError:
                ana.mouse.move(0, 0)
        info = ana.get_by_test_id("rm-info").inner_text()
        assert "Dresk. Threat to you" in info, (  # what the map said, and what Dresk's shape carries
            f"info line: {info!r}; Dresk's details: {ana.get_by_test_id('rm-state-dresk').get_attribute('data-map-info')!r}; "
            f"under the pointer: {ana.evaluate(_UNDER_DRESK)!r}")
        # The pointer leaves the map: a late push that redraws it under a resting pointer would
        # otherwise hover Dresk again.
        ana.mouse.move(0, 0)
        ana.get_by_test_id("rm-site-AUR-1").focus()
        expect(ana.get_by_test_id("rm-info")).to_contain_text("Site AUR-1 in Aurel")

        # Only the SRBM arrows stay when the player filters on SRBM.
        ana.get_by_label("Missile reach shown").select_option("SRBM")
        expect(ana.get_by_test_id("rm-reach-aurel-borun")).to_be_hidden()
        expect(ana.get_by_test_id("rm-reach-borun-calla")).to_be_visible()

        # Interceptors deployed at home this turn are drawn after the turn resolves.
        ana.get_by_test_id("tab-orders").click()
        deploy = ana.get_by_test_id("order-composer")
        deploy.get_by_label("Order type").select_option("DEPLOY")
        deploy.locator("select[name=site]").select_option("AUR-1")
        deploy.locator("select[name=itype]").select_option("MIDCOURSE")
        deploy.locator("input[name=qty]").fill("6")
        deploy.get_by_role("button", name="Add order").click()
        expect(ana.locator("#order-panel .order-list")).to_contain_text("Deploy 6 midcourse interceptors at AUR-1")
        self.advance(fac, "Open orders")
        expect(ana.get_by_test_id("phase")).to_have_text("Turn 1: orders")
        ana.get_by_test_id("tab-situation").click()  # back to the map, where the keyboard stays
        ana.get_by_test_id("rm-site-AUR-1").focus()
        self.advance(fac, "Resolve turn 1")
        # The results do not pull the map away from under the keyboard: their tab is marked new.
        expect(ana.get_by_test_id("tab-reports")).to_have_attribute("data-new", "true")
        expect(ana.locator("#region-map")).to_have_attribute("data-turn", "2")
        # The live redraw gave the keyboard focus back to the site it replaced.
        expect(ana.get_by_test_id("rm-site-AUR-1")).to_be_focused()
        # ...and the details of what the keyboard is on (a redraw brings the hint back otherwise).
        expect(ana.get_by_test_id("rm-info")).to_contain_text("Site AUR-1 in Aurel")
        expect(projector.locator("#region-map-public")).to_have_attribute("data-turn", "2")
        expect(ana.get_by_test_id("rm-site-AUR-1")).to_have_attribute("aria-label", "Site AUR-1 in Aurel; 6 interceptors (true count); radar terminal; meant to defend Aurel against Borun, Dresk.")
        expect(projector.get_by_test_id("pm-site-AUR-1")).to_have_attribute("aria-label", "Site AUR-1 in Aurel; 6 interceptors (public record); radar terminal; meant to defend Aurel against Borun, Dresk.")
        # The filter survived the push.
        expect(ana.get_by_label("Missile reach shown")).to_have_value("SRBM")
        expect(ana.get_by_test_id("rm-reach-aurel-borun")).to_be_hidden()
        assert str(TRUE_SRBM) not in ana.locator("#region-map").inner_html()
        self.snapshot(ana, "map-player-after-turn")
        self.snapshot(projector, "map-projector-after-turn")
        for page in (ana, fac, projector):
            assert page.js_errors == []

    def test_every_map_passes_axe_and_each_fill_has_its_pattern_and_legend_entry(self):
        from tests.e2e.test_accessibility import AXE, WCAG_TAGS

        def axe_page(width: int, height: int):
            # bypass_csp: the page's CSP (script-src 'self') would refuse the injected axe script.
            context = self.browser.new_context(viewport={"width": width, "height": height}, bypass_csp=True)
            page = context.new_page()
            page.set_default_timeout(15_000)
            return page

        ana = axe_page(1280, 900)
        ana.goto(self.url(f"/join/{self.game.code}/"))
        ana.get_by_label("Your name").fill("Ana")
        ana.locator("input[name=state_id][value=aurel]").check()
        ana.get_by_role("button", name="Take my seat").click()
        expect(ana.locator("body")).to_have_attribute("data-ws", "open")
        projector = axe_page(1920, 1080)
        projector.goto(self.url(f"/projector/{self.game.code}/?key={self.game.observer_key}"))
        fac = axe_page(1280, 900)
        fac.goto(self.url("/accounts/login/"))
        fac.get_by_label("Username").fill("teacher")
        fac.get_by_label("Password").fill("pw-teacher-123")
        fac.get_by_role("button", name="Log in").click()
        fac.goto(self.url(f"/facilitate/{self.game.pk}/"))
        fac.get_by_test_id("start-game").click()  # the wall shows its map in play, not in the lobby
        expect(projector.locator("#projector-stage")).not_to_have_attribute("data-phase", "lobby")
        fac.locator("#panel-truth > summary").click()  # the ground truth sits in its own panel

        for page, section, legend in ((ana, "#region-map", ["your state", "threat: none", "threat: low",
                                                            "threat: medium", "threat: high"]),
                                      (fac, "#region-map", ["insecurity: none", "insecurity: high"]),
                                      (projector, "#region-map-public", ["Aurel", "Borun", "Calla", "Dresk"])):
            expect(page.locator(section)).to_be_visible()
            # Every fill a shape or swatch names is a pattern the page defines, and the pattern
            # carries more than a flat colour (except the plain "none").
            missing = page.evaluate("""(section) => {
                const root = document.querySelector(section);
                return [...root.querySelectorAll('[fill^="url(#"]')]
                  .map(el => el.getAttribute('fill').slice(5, -1))
                  .filter(id => !document.getElementById(id) || document.getElementById(id).tagName !== 'pattern');
            }""", section)
            assert missing == []
            items = page.locator(f"{section} .map-legend li")
            for text in legend:
                expect(items.filter(has_text=text)).to_have_count(1)
            page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            page.add_script_tag(path=str(AXE))
            result = page.evaluate(
                "async ([sel, tags]) => await axe.run(document.querySelector(sel), "
                "{runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", [section, WCAG_TAGS])
            assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in result["violations"]] == []
