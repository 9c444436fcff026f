"""The HTTP chat post acts as the viewer the session remembered when it was seated (no member read
per request), and checks it against the member row under the game's lock: a removed member's
next post is refused at once, a captaincy or seat change is picked up on the next post, and the
session is refreshed from the database."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from negotiation import services
from negotiation.models import Game, Member, Message, Seat
from negotiation.seat_session import SESSION_SEATS, remember_member

HX = {"HTTP_HX_REQUEST": "true"}

pytestmark = pytest.mark.django_db


def remembered_client(game: Game, state_id: str, name: str, team: bool = False) -> tuple[Client, Member]:
    """A browser seated the way the join views seat it (remember_member)."""
    member = services.seat_claim(game_id=game.pk, state_id=state_id, display_name=name, as_team_member=team)
    client = Client()
    session = client.session
    remember_member(session, member)
    session.save()
    return client, member


def post(client: Client, game: Game, body: str):
    return client.post(reverse("negotiation:chat-post", args=[game.pk]), {"body": body, "channel": "plenary"}, **HX)


def member_reads(ctx: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if 'FROM "negotiation_member"' in q["sql"]]


@pytest.fixture
def teams(started_game):
    Game.objects.filter(pk=started_game.pk).update(allow_teams=True)
    return started_game


def test_a_remembered_player_posts_without_reading_the_member(started_game):
    client, ana = remembered_client(started_game, "aurel", "Ana")
    assert post(client, started_game, "first").status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        assert post(client, started_game, "second").status_code == 200
    assert member_reads(ctx) == []
    assert list(Message.objects.filter(game=started_game).values_list("author_member_id", "author_seat_id", "body")) == [
        (ana.pk, ana.seat_id, "first"), (ana.pk, ana.seat_id, "second")]


def test_a_session_seated_before_it_remembered_the_viewer_reads_it_once_then_remembers_it(started_game):
    member = services.seat_claim(game_id=started_game.pk, state_id="aurel", display_name="Ana")
    client = Client()
    session = client.session
    session[SESSION_SEATS] = {str(started_game.pk): {"member": member.pk, "token": member.token}}
    session.save()
    with CaptureQueriesContext(connection) as ctx:
        assert post(client, started_game, "first").status_code == 200
    assert member_reads(ctx)
    assert client.session[SESSION_SEATS][str(started_game.pk)]["viewer"] == {
        "seat": member.seat_id, "state": "aurel", "name": "Ana", "captain": True}
    with CaptureQueriesContext(connection) as ctx:
        assert post(client, started_game, "second").status_code == 200
    assert member_reads(ctx) == []


def test_a_removed_member_is_refused_at_once_though_the_session_remembers_them(started_game):
    client, ana = remembered_client(started_game, "aurel", "Ana")
    assert post(client, started_game, "before").status_code == 200
    services.member_remove(game_id=started_game.pk, member_id=ana.pk, actor="test")
    assert post(client, started_game, "after removal").status_code == 404
    assert list(Message.objects.filter(game=started_game).values_list("body", flat=True)) == ["before"]


def test_a_captaincy_change_is_picked_up_on_the_next_post(teams):
    client, ana = remembered_client(teams, "aurel", "Ana")
    _, bo = remembered_client(teams, "aurel", "Bo", team=True)
    assert client.session[SESSION_SEATS][str(teams.pk)]["viewer"]["captain"] is True
    services.member_make_captain(game_id=teams.pk, member_id=bo.pk, actor="test")
    assert post(client, teams, "no longer captain").status_code == 200
    assert client.session[SESSION_SEATS][str(teams.pk)]["viewer"]["captain"] is False
    # the stale attempt was rolled back with its sequence number: one message, the next number
    stored = list(Message.objects.filter(game=teams).values_list("seq", "author_member_id", "body"))
    assert [(m, b) for _, m, b in stored] == [(ana.pk, "no longer captain")]
    teams.refresh_from_db()
    assert stored[0][0] == teams.last_seq


def test_a_remembered_seat_is_checked_not_trusted(teams):
    """What the session remembers is checked against the member row: a seat it names wrongly (a
    move it missed) is not the seat the message is posted as."""
    client, ana = remembered_client(teams, "aurel", "Ana")
    other = Seat.objects.get(game=teams, state_id="borun")
    session = client.session
    held = dict(session[SESSION_SEATS])
    held[str(teams.pk)] = {**held[str(teams.pk)], "viewer": {"seat": other.pk, "state": "borun", "name": "Ana",
                                                            "captain": True}}
    session[SESSION_SEATS] = held
    session.save()
    assert post(client, teams, "from aurel").status_code == 200
    assert list(Message.objects.filter(game=teams).values_list("author_seat_id", flat=True)) == [ana.seat_id]
    assert client.session[SESSION_SEATS][str(teams.pk)]["viewer"]["seat"] == ana.seat_id


def test_a_retried_post_from_a_remembered_viewer_is_stored_once(started_game):
    client, _ = remembered_client(started_game, "aurel", "Ana")
    url = reverse("negotiation:chat-post", args=[started_game.pk])
    for _ in range(2):
        assert client.post(url, {"body": "once", "channel": "plenary", "client_token": "t-1"}, **HX).status_code == 200
    assert Message.objects.filter(game=started_game).count() == 1


def test_a_post_retried_after_a_stale_viewer_counts_once_against_the_rate_limit(teams, settings):
    """The first attempt (the remembered viewer, stale after a captaincy change) counted the post;
    the retry as the viewer read again is the same post by the same member and must not count it
    a second time: 30 posts a minute means 30, whatever happened to the seat."""
    settings.TREATYCRAFT = {**settings.TREATYCRAFT, "CHAT_RATE_PER_MINUTE": 3}
    client, _ = remembered_client(teams, "aurel", "Ana")
    _, bo = remembered_client(teams, "aurel", "Bo", team=True)
    services.member_make_captain(game_id=teams.pk, member_id=bo.pk, actor="test")
    for n in range(3):
        assert post(client, teams, f"post {n}").status_code == 200, n
    assert post(client, teams, "one too many").status_code == 429
    assert list(Message.objects.filter(game=teams).values_list("body", flat=True)) == ["post 0", "post 1", "post 2"]
