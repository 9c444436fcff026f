"""The timeline: every log entry in order, with filters by turn, state, channel and type, and
search; new kinds of entries show up without changes; pages cost a bounded number of queries."""

from __future__ import annotations

import pytest

from negotiation.models import Game, GameEvent, Message, Seat
from negotiation.review import services as review_services
from negotiation.review.common import turn_marks
from negotiation.services.common import lock_game, log
from tests.negotiation.test_review_fixtures import play


@pytest.fixture
def played_game(game):
    play(game)
    return game


@pytest.fixture
def played_players(game):
    return game, play(game)



def add_messages(game: Game, count: int, channel: str = "plenary", audience: list[str] | None = None) -> None:
    """Many messages at once (as message_post writes them: a Message and its log entry share a seq)."""
    game.refresh_from_db()
    seat = Seat.objects.get(game=game, state_id="aurel")
    start = game.last_seq
    Message.objects.bulk_create([
        Message(game=game, seq=start + i + 1, channel=channel, author_seat=seat, author_label="Ana (Aurel)",
                body=f"bulk message {i} on {channel}") for i in range(count)])
    GameEvent.objects.bulk_create([
        GameEvent(game=game, seq=start + i + 1, kind="message.posted", actor="Ana (Aurel)", audience=audience,
                  data={"channel": channel, "body": f"bulk message {i} on {channel}"}) for i in range(count)])
    game.last_seq = start + count
    game.save(update_fields=["last_seq"])


def rows(response) -> str:
    return response.content.decode()


def test_every_entry_is_listed_in_order_with_its_turn(played_game, fac_client):
    html = rows(fac_client.get(f"/review/{played_game.pk}/timeline/?kind=turn.resolved"))

    assert "Turn 1 resolved." in html and "Turn 3 resolved." in html
    assert html.index("Turn 1 resolved.") < html.index("Turn 2 resolved.") < html.index("Turn 3 resolved.")


def test_entries_belong_to_the_turn_they_happened_in(played_game):
    marks = turn_marks(played_game)
    resolved = {e.data["turn"]: e.seq for e in GameEvent.objects.filter(game=played_game, kind="turn.resolved")}
    claimed = GameEvent.objects.filter(game=played_game, kind="seat.claimed").first()

    assert marks.turn_of(claimed.seq) == 0
    assert [marks.turn_of(resolved[t]) for t in (1, 2, 3)] == [1, 2, 3]
    assert marks.turn_of(resolved[2] - 1) == 2


def test_the_turn_filter_keeps_one_turn(played_game, fac_client):
    html = rows(fac_client.get(f"/review/{played_game.pk}/timeline/?turn=2"))

    assert "turn 2." in html  # the chat lines of turn 2
    assert "Aurel proposes a hotline, turn 1." not in html
    assert "Aurel proposes a hotline, turn 3." not in html


def test_the_state_filter_keeps_what_concerns_a_state(played_game, fac_client):
    html = rows(fac_client.get(f"/review/{played_game.pk}/timeline/?state=borun"))

    assert "Borun listens" in html
    assert "Satellite photo" in html
    assert "Aurel proposes a hotline" not in html


def test_the_channel_filter_keeps_one_channel(played_game, fac_client):
    add_messages(played_game, 3, channel="aurel-borun", audience=["aurel", "borun"])

    html = rows(fac_client.get(f"/review/{played_game.pk}/timeline/?channel=aurel-borun"))

    assert "bulk message 2 on aurel-borun" in html
    assert "Borun listens" not in html
    assert "Entries 1–3 of 3" in html


def test_the_type_filter_takes_a_kind_or_a_whole_family(played_game, fac_client):
    family = rows(fac_client.get(f"/review/{played_game.pk}/timeline/?kind=orders.*"))
    kind = rows(fac_client.get(f"/review/{played_game.pk}/timeline/?kind=orders.missed_policy"))

    assert "Build 2 SRBM covertly" in family and "missed orders filled" in family
    assert "Build 2 SRBM covertly" not in kind and "missed orders filled" in kind


def test_search_finds_words_in_messages_and_entries(played_game, fac_client):
    html = rows(fac_client.get(f"/review/{played_game.pk}/timeline/?q=hotline"))

    assert "Aurel proposes a hotline, turn 1." in html
    assert "Borun listens" not in html


def test_htmx_requests_get_only_the_results(played_game, fac_client):
    response = fac_client.get(f"/review/{played_game.pk}/timeline/?q=hotline", HTTP_HX_REQUEST="true")

    html = rows(response)
    assert html.lstrip().startswith('<div id="timeline-results"')
    assert "<html" not in html


def test_new_kinds_of_log_entries_show_up_in_the_timeline_and_its_filters(played_game, fac_client):
    with_lock = lock_game(played_game.pk)
    log(with_lock, "proposal.signed", "player:aurel",
        {"proposal": 7, "version": 2, "parties": ["aurel", "borun"], "text": "Hotline treaty signed by Aurel"})

    html = rows(fac_client.get(f"/review/{played_game.pk}/timeline/?kind=proposal.*"))

    assert "Hotline treaty signed by Aurel" in html
    assert '<option value="proposal.*"' in html


def test_bookmarks_are_logged_with_the_turn_they_mark(played_game, fac_client):
    response = fac_client.post(f"/review/{played_game.pk}/bookmark/", {"note": "  A telling  silence "},
                               HTTP_HX_REQUEST="true")

    event = GameEvent.objects.filter(game=played_game, kind="facilitator.bookmark").order_by("-seq").first()
    assert response.status_code == 200
    assert b"Bookmarked" in response.content
    assert event.data["note"] == "A telling silence"
    assert event.audience == ["@facilitator"]


def test_an_empty_bookmark_is_refused(played_game, fac_client):
    response = fac_client.post(f"/review/{played_game.pk}/bookmark/", {"note": "   "}, HTTP_HX_REQUEST="true")

    assert response.status_code == 422
    assert b"Write a few words" in response.content


def test_a_bookmark_during_the_report_counts_for_the_reported_turn(game):
    play(game, turns=1, end=False)
    game.refresh_from_db()
    from negotiation import services

    services.phase_advance(game_id=game.pk, expected_phase="negotiation", expected_turn=2, actor="t")
    services.phase_advance(game_id=game.pk, expected_phase="orders", expected_turn=2, actor="t")

    event = review_services.bookmark_add(game_id=game.pk, actor="facilitator:teacher", note="after turn 2")

    assert event.data["turn"] == 2


def test_the_timeline_pages_through_thousands_of_entries(played_game, fac_client):
    add_messages(played_game, 450)

    first = rows(fac_client.get(f"/review/{played_game.pk}/timeline/"))
    last = rows(fac_client.get(f"/review/{played_game.pk}/timeline/?page=99"))

    assert "Entries 1–100 of" in first
    assert "bulk message 449 on plenary" in last


@pytest.mark.parametrize("page", ["timeline/", "timeline/?q=bulk&turn=3", "timeline/?state=aurel&kind=message.*",
                                  "", "?trust=borun", "debrief/", "knowledge/?turn=2", "what-if/?turn=2"])
def test_review_pages_cost_a_bounded_number_of_queries(played_game, fac_client, django_assert_max_num_queries, page):
    add_messages(played_game, 1500)
    add_messages(played_game, 200, channel="aurel-borun", audience=["aurel", "borun"])
    fac_client.get(f"/review/{played_game.pk}/{page}")  # warm the session and the chart cache

    with django_assert_max_num_queries(12):
        response = fac_client.get(f"/review/{played_game.pk}/{page}")

    assert response.status_code == 200


def test_a_players_timeline_costs_a_bounded_number_of_queries(played_players, django_assert_max_num_queries):
    game, players = played_players
    review_services.review_players_allow(game_id=game.pk, actor="t", allowed=True)
    add_messages(game, 1000)
    bo, _ = players["borun"]
    bo.get(f"/review/{game.pk}/timeline/")

    with django_assert_max_num_queries(12):
        response = bo.get(f"/review/{game.pk}/timeline/?q=bulk")

    assert response.status_code == 200
    assert "Entries 1–100 of 1000" in response.content.decode()
