"""The room's command views after the cockpit redesign: the order composer's price and its errors
beside their control, statuses declared on the error classes, the reply helper's out-of-band
fragments, proposal notes and the debrief link."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

import game_engine
from negotiation import errors, selectors, services
from negotiation.models import Proposal
from negotiation.viewer import Role, Viewer
from tests.helpers import seat_client, to_orders

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def unit_cost(cls: str) -> int:
    return next(c.cost for c in game_engine.load_scenario("meridian-sea").classes if c.name == cls)


def viewer(member) -> Viewer:
    return Viewer(role=Role.PLAYER, game_id=member.seat.game_id, seat_id=member.seat_id,
                  state_id=member.seat.state_id, label=member.name, member_id=member.pk, is_captain=True)


def test_each_error_class_declares_its_status():
    assert errors.UserError.status == errors.InvalidInput.status == errors.PhaseClosed.status == 422
    assert errors.RateLimited.status == 429
    assert errors.StaleVersion.status == 409


def test_the_composer_prices_an_order_with_the_engines_costs(started_game):
    client, _ = seat_client(started_game, "aurel", "Ana")
    url = reverse("negotiation:order-compose", args=[started_game.pk])
    html = client.get(url, {"type": "BUILD", "class": "MRBM", "qty": "2"}, **HX).content.decode()
    budget = selectors.order_plan(started_game, viewer_of(started_game, "aurel")).budget
    assert f'data-testid="order-cost-value">{2 * unit_cost("MRBM")}<' in html
    assert f'data-testid="order-budget-after">{budget - 2 * unit_cost("MRBM")}<' in html
    # Only the chosen type's fields: no interceptor type on a missile build.
    assert 'name="itype"' not in html and 'id="order-qty"' in html
    # Another type shows its own fields, and nothing was saved.
    other = client.get(url, {"type": "BUY_INTERCEPTORS"}, **HX).content.decode()
    assert 'name="itype"' in other and 'name="class"' not in other
    assert selectors.order_plan(started_game, viewer_of(started_game, "aurel")).orders == ()


def viewer_of(game, state_id: str) -> Viewer:
    from negotiation.models import Member

    return viewer(Member.objects.get(seat__game=game, seat__state_id=state_id))


def test_an_order_over_the_budget_is_a_422_beside_the_quantity_with_the_input_kept(started_game):
    client, _ = seat_client(started_game, "aurel", "Ana")
    response = client.post(reverse("negotiation:order-add", args=[started_game.pk]),
                           {"type": "BUILD", "class": "MRBM", "qty": "450", "client_token": "t1"}, **HX)
    assert response.status_code == 422
    html = response.content.decode()
    qty = re.search(r'<input id="order-qty"[^>]*>', html)
    assert qty and 'value="450"' in qty.group(0)
    assert 'aria-invalid="true"' in qty.group(0) and 'aria-describedby="order-qty-error"' in qty.group(0)
    assert 'id="order-qty-error"' in html
    # The ready button in the status bar rides along out of band.
    assert '<div id="ready-bar" class="ready-bar" hx-swap-oob="morph">' in html


def test_a_missing_technology_points_at_the_class(started_game):
    client, _ = seat_client(started_game, "aurel", "Ana")
    response = client.post(reverse("negotiation:order-add", args=[started_game.pk]),
                           {"type": "BUILD", "class": "HGV", "qty": "1", "client_token": "t2"}, **HX)
    assert response.status_code == 422
    html = response.content.decode()
    assert re.search(r'<select id="order-class"[^>]*aria-invalid="true"', html)


def test_ready_replies_with_the_bar_and_the_order_panel_out_of_band(started_game):
    client, _ = seat_client(started_game, "aurel", "Ana")
    seat_client(started_game, "borun", "Bo")
    html = client.post(reverse("negotiation:ready", args=[started_game.pk]), {"ready": "1"}, **HX).content.decode()
    assert html.lstrip().startswith('<div id="ready-bar" class="ready-bar">')
    assert 'data-testid="i-am-ready"' in html
    assert '<section id="order-panel" class="card orders" aria-labelledby="orders-title" hx-swap-oob="morph">' in html


def test_a_command_without_htmx_gets_only_the_fragment_it_asked_for(started_game):
    client, _ = seat_client(started_game, "aurel", "Ana")
    seat_client(started_game, "borun", "Bo")
    html = client.post(reverse("negotiation:ready", args=[started_game.pk]), {"ready": "1"}).content.decode()
    assert 'id="ready-bar"' in html and 'id="order-panel"' not in html and "hx-swap-oob" not in html


def test_the_room_puts_the_phases_panel_in_front(started_game):
    client, _ = seat_client(started_game, "aurel", "Ana")
    html = client.get(reverse("negotiation:room", args=[started_game.code])).content.decode()
    assert 'data-front="talks"' in html
    assert re.search(r'id="tab-talks"[^>]*aria-selected="true"', html)
    assert 'id="panel-orders" class="panel is-back"' in html


def test_an_amendments_note_and_full_signature_reach_every_party(started_game):
    ana_client, ana = seat_client(started_game, "aurel", "Ana")
    bo_client, bo = seat_client(started_game, "borun", "Bo")
    services.proposal_create(game_id=started_game.pk, viewer=viewer(ana), kind="treaty", title="Sea cap",
                             parties=["borun"], template="OFFENSE_CAP", clauses={"caps": {"MRBM": 16}}, text="")
    response = bo_client.post(reverse("negotiation:proposal-act", args=[started_game.pk]), {
        "action": "amend", "number": "1", "version": "1", "cap__MRBM": "14", "note": "We can verify 14"}, **HX)
    assert response.status_code == 200, response.content
    html = ana_client.get(reverse("negotiation:room", args=[started_game.code])).content.decode()
    assert "Borun&#x27;s note on version 2: We can verify 14" in html or "Borun's note on version 2: We can verify 14" in html
    p = Proposal.objects.get()
    for member in (ana, bo):
        services.proposal_sign(game_id=started_game.pk, viewer=viewer(member), number=p.number, expected_version=2)
    html = ana_client.get(reverse("negotiation:room", args=[started_game.code])).content.decode()
    assert "the treaty enters into force at the next resolution" in html


def test_the_rsi_move_is_the_difference_of_the_shown_values():
    from types import SimpleNamespace

    pub = SimpleNamespace(last_turn=3, report={"rsi_pub": {"before": 49.16, "after": 49.96}})
    assert selectors.rsi_last_move(pub) == {"direction": "up", "amount": 0.8, "turn": 3}
    pub = SimpleNamespace(last_turn=None, report=None)
    assert selectors.rsi_last_move(pub) is None


def test_players_find_the_debrief_in_their_room_once_the_facilitator_allows_it(started_game, django_capture_on_commit_callbacks):
    from negotiation.review import services as review_services

    client, _ = seat_client(started_game, "aurel", "Ana")
    services.game_end(game_id=started_game.pk, actor="test")
    room = reverse("negotiation:room", args=[started_game.code])
    assert 'data-testid="player-review-link"' not in client.get(room).content.decode()
    with django_capture_on_commit_callbacks() as pushes:
        review_services.review_players_allow(game_id=started_game.pk, actor="test", allowed=True)
    assert pushes, "the permission is pushed to the rooms (the scoreboard)"
    html = client.get(room).content.decode()
    assert 'data-testid="player-review-link"' in html
    assert f'href="{reverse("review:home", args=[started_game.pk])}"' in html
    assert 'data-front="reports"' in html


def test_the_report_phase_names_the_turn_it_reports_on_everywhere_in_the_bar(started_game):
    """At the report the engine has moved on to the next turn: "Turn 1: report" stood above
    "turn 2 of 8" (issue #12's defect list). Both lines name the turn being reported."""
    client, _ = seat_client(started_game, "aurel", "Ana")
    to_orders(started_game)
    services.phase_advance(game_id=started_game.pk, expected_phase="orders", expected_turn=started_game.turn,
                           actor="test")
    started_game.refresh_from_db()
    assert started_game.phase == "report"
    html = client.get(reverse("negotiation:room", args=[started_game.code])).content.decode()
    turn_of = re.search(r'class="turn-of muted">([^<]*)<', html)
    assert turn_of is not None and "turn 1 of 8" in turn_of.group(1), turn_of


def test_a_turn_that_moved_nothing_says_so_under_its_results(started_game):
    """Meridian Sea starts in equilibrium: a turn with no orders leaves the index where it was.
    The results panel says nothing moved it, instead of reasons for a move that did not happen
    (the explanation used to list components that "fell" and incidents that took points off)."""
    client, _ = seat_client(started_game, "aurel", "Ana")
    to_orders(started_game)
    services.phase_advance(game_id=started_game.pk, expected_phase="orders", expected_turn=started_game.turn,
                           actor="test")
    html = client.get(reverse("negotiation:room", args=[started_game.code])).content.decode()
    results = html[html.index('id="public-results"'):]
    results = results[:results.index("</section>")]
    assert "= 0.0" in results
    assert 'data-testid="explanation"' not in results
    assert "Nothing moved the index this turn." in results


def test_every_screen_names_the_same_move_of_the_index():
    """The wall and the console read the move of the two values they show, like the room: 45.14 ->
    45.16 is shown as 45.1 -> 45.2, so it is "up 0.1" everywhere, never "unchanged" beside it."""
    from types import SimpleNamespace

    from negotiation.templatetags.screens import room_summary

    pub = SimpleNamespace(last_turn=1, report={"rsi_pub": {"before": 45.14, "after": 45.16}}, seats=[],
                          view=SimpleNamespace(rsi_pub=45.16))
    assert selectors.rsi_last_move(pub) == {"direction": "up", "amount": 0.1, "turn": 1}
    assert room_summary(pub).rsi_move == 0.1
    pub.report = {"rsi_pub": {"before": 45.126133773, "after": 45.126133773}}
    assert selectors.rsi_last_move(pub)["direction"] == "same" and room_summary(pub).rsi_move == 0.0
