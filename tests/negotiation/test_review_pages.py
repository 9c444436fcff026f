"""The review pages: accessible charts, the debrief a teacher projects, the knowledge view and
the what-if sandbox."""

from __future__ import annotations

import re

import pytest

import game_engine
from negotiation import services
from negotiation.models import Game, GameEvent, TurnRecord
from negotiation.review.access import ReviewAccess
from negotiation.review.charts import DASHES, MARKERS, PALETTE, Chart, Series, line_chart_svg
from negotiation.review.whatif import run_whatif
from negotiation.selectors import describe_order
from negotiation.viewer import Role, Viewer
from tests.helpers import resolve
from tests.negotiation.test_review_fixtures import play


@pytest.fixture
def played_game(game):
    play(game)
    return game


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


# --- Charts --------------------------------------------------------------------------------------


def test_a_chart_is_an_svg_image_with_a_title_a_description_and_no_inline_style():
    chart = Chart(id="rsi", title="Stability <by> turn", description="Public & true.", x_labels=["Start", "T1", "T2"],
                  series=[Series("Public", [50.0, 48.5, None]), Series("True", [55.0, 51.0, 49.0])], y_min=0, y_max=100)

    svg = str(line_chart_svg(chart))

    assert svg.startswith('<svg class="chart"') and 'role="img"' in svg
    assert 'aria-labelledby="rsi-title rsi-desc"' in svg
    assert '<title id="rsi-title">Stability &lt;by&gt; turn</title>' in svg
    assert "Public: 50.0 at Start, 48.5 at T1 (lowest 48.5, highest 50.0)." in svg
    assert "style=" not in svg and "<script" not in svg
    assert svg.count("<polyline") == 2
    assert 'stroke-dasharray="7 4"' in svg  # the second series is dashed


def test_chart_series_differ_by_colour_dash_and_marker_so_print_in_grey_stays_readable():
    styles = Chart(id="x", title="t", description="d", x_labels=["a"],
                   series=[Series(str(i), [1.0]) for i in range(8)]).styles

    assert len({s[0] for s in styles}) == 8
    assert len({s[1] for s in styles}) == 8
    assert len({s[2] for s in styles}) == 8
    assert "#F0E442" not in PALETTE  # Okabe–Ito yellow is too faint on white
    assert len(DASHES) >= 8 and len(MARKERS) >= 8


def test_the_overview_draws_every_chart_with_its_numbers_as_a_table(played_game, fac_client):
    html = fac_client.get(f"/review/{played_game.pk}/").content.decode()

    for cid in ("rsi", "security", "compliance", "vp", "forces", "trust"):
        assert f'data-testid="chart-{cid}"' in html, cid
        assert f'data-testid="table-{cid}"' in html, cid
    assert "True index" in html
    assert html.count("<tr><th scope=\"row\">T3</th>") >= 6


def test_the_trust_chart_switches_state_in_place(played_game, fac_client):
    response = fac_client.get(f"/review/{played_game.pk}/?trust=borun&fragment=trust", HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="trust-figure"')
    assert "How much Borun trusted each other state" in html


def test_the_facilitator_runs_the_replay_check_from_the_page(played_game, fac_client):
    response = fac_client.post(f"/review/{played_game.pk}/replay/", HTTP_HX_REQUEST="true")

    assert "every stored result matches" in text(response)


def test_the_replay_check_shows_a_difference_on_the_page(played_game, fac_client):
    record = TurnRecord.objects.get(game=played_game, turn=3)
    record.state_after["rsi_pub"] = 1.0
    record.save(update_fields=["state_after"])

    page = text(fac_client.post(f"/review/{played_game.pk}/replay/", HTTP_HX_REQUEST="true"))

    assert "turn 3: state after resolution: $.rsi_pub: stored 1.0" in page


# --- Debrief -------------------------------------------------------------------------------------


def test_the_debrief_explains_each_final_score_by_its_parts(played_game, fac_client):
    page = text(fac_client.get(f"/review/{played_game.pk}/debrief/"))

    assert "Final scores" in page
    for line in re.findall(r"mean of 3 turn scores ([\d.]+)(?: \+ objectives ([\d.]+))?(?: [+−] audit charges and "
                           r"penalties ([\d.]+))? = ([\d.]+)", page):
        mean, objectives, adjustment, total = (float(x or 0) for x in line)
        assert abs(mean + objectives - total) <= adjustment + 0.11


def test_the_debrief_lists_the_key_moments(played_game, fac_client):
    page = text(fac_client.get(f"/review/{played_game.pk}/debrief/"))

    assert "Largest moves in stability" in page and "Stability rose by" in page
    assert "Sea cap entered into force (Aurel, Borun)." in page
    assert "Aurel tabled “Sea cap” (proposal 1) between Aurel, Borun." in page
    assert "Borun breached Sea cap" in page
    assert "Ana offers a hotline before anyone asked" in page


def test_the_debrief_is_printable(played_game, fac_client):
    html = fac_client.get(f"/review/{played_game.pk}/debrief/").content.decode()

    assert "css/review.css" in html and "js/review.js" in html
    assert 'data-print' in html
    assert "<script>" not in html  # the print button is wired from static/js/review.js


# --- What a state knew ---------------------------------------------------------------------------


def test_the_knowledge_view_shows_what_a_state_believed_next_to_the_truth(played_game, fac_client):
    page = text(fac_client.get(f"/review/{played_game.pk}/knowledge/?state=aurel&turn=2"))

    assert "Aurel · Turn 2, when orders were given" in page
    assert "Its estimate" in page and "Really" in page
    assert "Build 1 IRBM" in page
    assert "Sea cap (in force: Aurel, Borun)" in page


def test_switching_state_or_moment_swaps_only_the_knowledge_view(played_game, fac_client):
    html = fac_client.get(f"/review/{played_game.pk}/knowledge/?state=borun&turn=1",
                          HTTP_HX_REQUEST="true").content.decode()

    assert html.lstrip().startswith('<div id="knowledge-view"')
    assert "Borun · Turn 1" in html
    assert "Build 2 SRBM covertly" in html  # Borun's own orders of turn 1


def test_the_knowledge_view_lists_the_news_a_state_had(played_game, fac_client):
    borun = text(fac_client.get(f"/review/{played_game.pk}/knowledge/?state=borun&turn=2"))
    aurel = text(fac_client.get(f"/review/{played_game.pk}/knowledge/?state=aurel&turn=2"))

    assert "Satellite photo" in borun
    assert "Satellite photo" not in aurel


def test_an_unknown_moment_is_refused(played_game, fac_client):
    response = fac_client.get(f"/review/{played_game.pk}/knowledge/?state=aurel&turn=42")

    assert response.status_code == 404


# --- What-if -------------------------------------------------------------------------------------


def whatif(client, game: Game, **form):
    return client.post(f"/review/{game.pk}/what-if/", form, HTTP_HX_REQUEST="true")


def test_a_what_if_replays_the_rest_of_the_game_and_compares_it(played_game, fac_client):
    recorded = TurnRecord.objects.get(game=played_game, turn=1).orders
    keep = {f"keep-{sid}": [str(i) for i in range(len(orders))] for sid, orders in recorded.items() if sid != "borun"}
    events = GameEvent.objects.filter(game=played_game).count()

    response = whatif(fac_client, played_game, turn="1", **keep,
                      **{"add-borun": '{"type": "REDUCE", "class": "SRBM", "qty": 4}'})

    page = text(response)
    assert response.status_code == 200
    assert "Side by side" in page
    assert "added: Reduce SRBM by 4" in page
    assert 'data-testid="chart-whatif"' in response.content.decode()
    assert GameEvent.objects.filter(game=played_game).count() == events  # a sandbox writes nothing


def test_a_what_ifs_summary_names_the_change_not_the_orders_kept(played_game, fac_client):
    recorded = TurnRecord.objects.get(game=played_game, turn=1).orders
    assert recorded.get("borun"), "Borun gave orders in turn 1"
    keep = {f"keep-{sid}": [str(i) for i in range(len(orders))] for sid, orders in recorded.items()}
    keep["keep-borun"] = keep["keep-borun"][1:]  # Borun's first order left out

    response = whatif(fac_client, played_game, turn="1", **keep,
                      **{"add-borun": '{"type": "REDUCE", "class": "SRBM", "qty": 4}'})

    assert response.status_code == 200
    changes = re.search(r'data-testid="whatif-changes">(.*?)</ul>', response.content.decode(), re.S)
    assert changes
    lines = re.sub(r"<[^>]+>", "", changes.group(1))
    assert "added: Reduce SRBM by 4" in lines
    assert lines.count("left out:") == 1
    kept = [describe_order(o) for o in recorded["borun"][1:]]
    assert not [k for k in kept if k in lines], lines


def test_a_what_if_with_fewer_missiles_ends_with_fewer_missiles(played_game):
    access = ReviewAccess(viewer=Viewer(role=Role.FACILITATOR, game_id=played_game.pk, label="Facilitator"),
                          game_over=True)
    reduce = game_engine.order_from_json({"type": "REDUCE", "class": "SRBM", "qty": 4})

    result = run_whatif(played_game, access, 2, {"borun": (reduce,)})

    borun = next(r for r in result.rows if r.name == "Borun")
    assert borun.whatif_missiles == borun.actual_missiles - 4 - 2  # and no covert build in turn 2
    assert result.last_turn == 3


def test_a_what_if_with_an_invalid_order_says_what_is_wrong(played_game, fac_client):
    response = whatif(fac_client, played_game, turn="1", **{"add-aurel": '{"type": "BUILD", "class": "IRBM"}'})

    assert response.status_code == 422
    assert "Aurel" in text(response)


def test_a_what_if_with_broken_json_says_which_line(played_game, fac_client):
    response = whatif(fac_client, played_game, turn="2", **{"add-calla": 'not json'})

    assert response.status_code == 422
    assert "Calla, added order 1: not valid JSON" in text(response)


# --- The chart series --------------------------------------------------------------------------


SERIES = ("rsi_pub", "rsi_true", "security", "compliance", "vp", "forces", "trust")


def test_the_facilitators_series_match_the_engines_own_view(game):
    from negotiation.review import history as hist

    play(game, turns=3, end=False)
    fac = ReviewAccess(viewer=Viewer(role=Role.FACILITATOR, game_id=game.pk), game_over=False)
    fast = hist._build_history(game, fac)
    slow = hist.History(turns=fast.turns, states=fast.states, classes=fast.classes)
    ids = [m.id for m in fast.states]
    slow.security, slow.compliance, slow.vp = ({sid: [] for sid in ids} for _ in range(3))
    slow.trust = {(a, b): [] for a in ids for b in ids if a != b}
    slow.forces = {c: [] for c in [*fast.classes, "interceptors"]}
    for _, snapshot in hist.history_points(game):
        view = game_engine.view_for(game_engine.state_from_json(snapshot), game_engine.FACILITATOR)
        hist._add_point(slow, hist.series_point(view), ids)

    for name in SERIES:
        assert getattr(fast, name) == getattr(slow, name), name


def test_after_the_end_a_player_sees_the_same_revealed_history_as_the_facilitator(played_game):
    from negotiation.review import history as hist

    fac = ReviewAccess(viewer=Viewer(role=Role.FACILITATOR, game_id=played_game.pk), game_over=True)
    player = ReviewAccess(viewer=Viewer(role=Role.PLAYER, game_id=played_game.pk, state_id="calla"), game_over=True)

    seen_by_fac, seen_by_calla = hist._build_history(played_game, fac), hist._build_history(played_game, player)

    for name in SERIES:
        assert getattr(seen_by_fac, name) == getattr(seen_by_calla, name), name
    assert seen_by_calla.final_view is not None and seen_by_calla.final_view.me is not None
    assert seen_by_calla.final_view.me.id == "calla"


def test_a_players_lens_refuses_a_game_that_has_not_ended(game):
    from negotiation.review.access import lens_view

    play(game, turns=1, end=False)
    player = ReviewAccess(viewer=Viewer(role=Role.PLAYER, game_id=game.pk, state_id="aurel"), game_over=False)

    with pytest.raises(PermissionError):
        lens_view(game_engine.state_from_json(game.state), player)


def test_every_page_opens_before_the_first_turn_is_resolved(game, fac_client):
    for page in ("", "timeline/", "timeline/?turn=0", "knowledge/", "debrief/", "what-if/", "export/?format=csv"):
        assert fac_client.get(f"/review/{game.pk}/{page}").status_code == 200, page
    assert "No turn has been resolved yet." in text(fac_client.get(f"/review/{game.pk}/what-if/"))


def test_the_review_names_the_states_in_the_readers_language(facilitator, fac_client):
    game = services.game_create(facilitator=facilitator, scenario_slug="shield-of-the-east", title="Escudo",
                                mode="expected")
    for sid in ("usa", "poland"):  # their orders name Russia
        services.seat_set_bot(game_id=game.pk, state_id=sid, policy="verifier", actor="test")
    services.game_start(game_id=game.pk, actor="test")
    resolve(game)
    english = text(fac_client.get(f"/review/{game.pk}/"))  # built first: the charts are cached...
    fac_client.post("/i18n/setlang/", {"language": "es", "next": f"/review/{game.pk}/"})
    spanish = text(fac_client.get(f"/review/{game.pk}/"))  # ...per language
    assert "Poland" in english and "Polonia" not in english
    assert "Polonia" in spanish and "Rumanía" in spanish and "Poland" not in spanish
    # The engine's input and output of a turn: its orders and who saw each event, by name.
    turn = text(fac_client.get(f"/review/{game.pk}/turn/1/"))
    assert "Rusia" in turn and "russia)" not in turn and "por poland" not in turn
    # The log's scenario injects in the scenario's translation (the entry's raw data keeps them as sent).
    timeline = text(fac_client.get(f"/review/{game.pk}/timeline/?kind=inject.sent"))
    assert "El límite está a punto de expirar: El límite de armas ofensivas caduca" in timeline
