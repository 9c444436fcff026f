"""Who may review a game, and what a player sees: only what their state could see."""

from __future__ import annotations

import pytest
from django.test import Client

from negotiation.models import GameEvent, TurnRecord
from negotiation.review import services as review_services
from tests.negotiation.test_review_fixtures import play


@pytest.fixture
def played_players(game):
    return game, play(game)


PAGES = ("", "timeline/", "knowledge/", "debrief/", "what-if/")


def allow_players(game) -> None:
    review_services.review_players_allow(game_id=game.pk, actor="facilitator:teacher", allowed=True)


def test_the_facilitator_reviews_every_page(played_players, fac_client):
    game, _ = played_players

    for page in (*PAGES, "turn/1/", "export/"):
        assert fac_client.get(f"/review/{game.pk}/{page}").status_code == 200, page


def test_another_facilitator_and_strangers_cannot_find_the_review(played_players, other_facilitator):
    game, _ = played_players
    other = Client()
    other.force_login(other_facilitator)

    for client in (other, Client()):
        for page in PAGES:
            assert client.get(f"/review/{game.pk}/{page}").status_code == 404


def test_observers_with_the_projector_key_cannot_review(played_players):
    game, _ = played_players

    response = Client().get(f"/review/{game.pk}/timeline/?key={game.observer_key}")

    assert response.status_code == 404


def test_players_wait_for_the_facilitator_to_open_the_review(played_players):
    game, players = played_players
    ana, _ = players["aurel"]

    response = ana.get(f"/review/{game.pk}/")

    assert response.status_code == 403
    assert b"The review is not open" in response.content


def test_players_cannot_review_a_running_game_even_when_allowed(game):
    players = play(game, turns=1, end=False)
    allow_players(game)
    ana, _ = players["aurel"]

    assert ana.get(f"/review/{game.pk}/").status_code == 403


def test_the_facilitator_opens_and_closes_the_review_to_players(played_players, fac_client):
    game, players = played_players
    ana, _ = players["aurel"]

    fac_client.post(f"/review/{game.pk}/players/", {"allowed": "1"})
    opened = ana.get(f"/review/{game.pk}/")
    fac_client.post(f"/review/{game.pk}/players/", {"allowed": "0"})
    closed = ana.get(f"/review/{game.pk}/")

    assert opened.status_code == 200
    assert closed.status_code == 403


def test_a_player_cannot_change_who_may_review(played_players):
    game, players = played_players
    allow_players(game)
    ana, _ = players["aurel"]

    response = ana.post(f"/review/{game.pk}/players/", {"allowed": "0"})

    assert response.status_code == 404
    assert GameEvent.objects.filter(game=game, kind="review.players_allowed").count() == 1


def test_a_players_timeline_never_shows_another_states_private_entries(played_players):
    game, players = played_players
    allow_players(game)
    ana, _ = players["aurel"]

    html = ana.get(f"/review/{game.pk}/timeline/?kind=inject.sent").content.decode()
    orders = ana.get(f"/review/{game.pk}/timeline/?kind=orders.revised").content.decode()
    everything = "".join(ana.get(f"/review/{game.pk}/timeline/?page={p}").content.decode() for p in (1, 2, 3))

    assert "Satellite photo" not in html  # sent to Borun only
    assert "Build 2 SRBM covertly" not in orders  # Borun's orders
    assert "Build 1 IRBM" in orders  # Ana's own
    assert "Ana offers a hotline" not in everything  # the facilitator's private bookmark
    assert "Satellite photo" not in everything


def test_a_private_channel_stays_private_in_a_third_players_review(played_players):
    game, players = played_players
    allow_players(game)
    cy, _ = players["calla"]
    ana, _ = players["aurel"]

    outsider = cy.get(f"/review/{game.pk}/timeline/?q=Between").content.decode()
    member = ana.get(f"/review/{game.pk}/timeline/?q=Between").content.decode()
    choices = cy.get(f"/review/{game.pk}/timeline/").content.decode()

    assert "we can live with a cap" not in outsider
    assert "we can live with a cap" in member
    assert "bi:aurel:borun" not in choices


def test_the_player_whose_state_received_an_inject_sees_it(played_players):
    game, players = played_players
    allow_players(game)
    bo, _ = players["borun"]

    html = bo.get(f"/review/{game.pk}/timeline/?kind=inject.sent").content.decode()

    assert "Satellite photo" in html


def test_a_player_cannot_read_the_timeline_as_another_state(played_players):
    game, players = played_players
    allow_players(game)
    ana, _ = players["aurel"]

    html = ana.get(f"/review/{game.pk}/timeline/?as=borun&kind=inject.sent").content.decode()

    assert "Satellite photo" not in html


def test_the_facilitator_reads_the_timeline_as_one_state_saw_it(played_players, fac_client):
    game, _ = played_players

    as_aurel = fac_client.get(f"/review/{game.pk}/timeline/?as=aurel&kind=inject.sent").content.decode()
    as_borun = fac_client.get(f"/review/{game.pk}/timeline/?as=borun&kind=inject.sent").content.decode()

    assert "Satellite photo" not in as_aurel
    assert "Satellite photo" in as_borun


def test_a_players_knowledge_view_is_always_their_own_state(played_players):
    game, players = played_players
    allow_players(game)
    ana, _ = players["aurel"]

    html = ana.get(f"/review/{game.pk}/knowledge/?state=borun&turn=1").content.decode()

    assert "Aurel · Turn 1" in html
    assert "Borun · Turn 1" not in html
    assert "Really" not in html  # the truth column is the facilitator's


def test_a_players_what_if_lists_only_their_own_orders(played_players):
    game, players = played_players
    allow_players(game)
    ana, _ = players["aurel"]

    html = ana.get(f"/review/{game.pk}/what-if/?turn=1").content.decode()

    assert "Build 1 IRBM" in html
    assert "covertly" not in html
    assert 'name="keep-borun"' not in html


def test_a_player_cannot_change_another_states_orders_in_a_what_if(played_players):
    game, players = played_players
    allow_players(game)
    ana, _ = players["aurel"]

    recorded = TurnRecord.objects.get(game=game, turn=1).orders["aurel"]
    response = ana.post(f"/review/{game.pk}/what-if/", {
        "turn": "1", "keep-aurel": [str(i) for i in range(len(recorded))],
        "add-borun": '{"type": "REDUCE", "class": "SRBM", "qty": 2}'})

    assert response.status_code == 422
    assert "Change at least one order" in response.content.decode()


def test_players_get_no_exports_no_engine_records_and_no_replay(played_players):
    game, players = played_players
    allow_players(game)
    ana, _ = players["aurel"]

    assert ana.get(f"/review/{game.pk}/export/?format=json").status_code == 404
    assert ana.get(f"/review/{game.pk}/turn/1/").status_code == 404
    assert ana.post(f"/review/{game.pk}/replay/").status_code == 404
    assert ana.post(f"/review/{game.pk}/bookmark/", {"note": "x"}).status_code == 404


def test_shared_bookmarks_reach_the_players_debrief_and_private_ones_do_not(played_players, fac_client):
    game, players = played_players
    fac_client.post(f"/review/{game.pk}/bookmark/", {"note": "Discuss the hotline offer", "shared": "1"})
    allow_players(game)
    ana, _ = players["aurel"]

    html = ana.get(f"/review/{game.pk}/debrief/").content.decode()

    assert "Discuss the hotline offer" in html
    assert "Ana offers a hotline before anyone asked" not in html
