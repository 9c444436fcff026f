"""A socket's presence write: the seat's count and last-seen times in one write without the game's
lock; only a socket that changes the seat's online state (first in, last out), or an event after a
coalesced change, checks the log under the lock and rings the room."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from negotiation import services
from negotiation.changes import PresenceChanged, connect
from negotiation.models import GameEvent, Member, Seat
from negotiation.services import seats as seats_service
from tests.helpers import seat_client

pytestmark = pytest.mark.django_db(transaction=True)
PRESENCE = ("seat.connected", "seat.disconnected")


def presence(member: Member) -> list[str]:
    return list(GameEvent.objects.filter(game_id=member.seat.game_id, kind__in=PRESENCE)
                .order_by("seq").values_list("kind", flat=True))


def age_log(member: Member, seconds: int) -> None:
    for event in GameEvent.objects.filter(game_id=member.seat.game_id, kind__in=PRESENCE):
        GameEvent.objects.filter(pk=event.pk).update(created_at=event.created_at - timedelta(seconds=seconds))


def toggle(member: Member, delta: int) -> None:
    services.seat_presence(seat_id=member.seat_id, member_id=member.pk, delta=delta)


@pytest.fixture
def rung(monkeypatch):
    changes: list[PresenceChanged] = []
    monkeypatch.setattr("negotiation.changes._receivers", [])
    connect(lambda change: changes.append(change) if isinstance(change, PresenceChanged) else None)
    return changes


def test_another_tab_of_an_online_seat_counts_without_the_games_lock(started_game, rung):
    _, ana = seat_client(started_game, "aurel", "Ana")
    toggle(ana, +1)
    assert len(rung) == 1 and presence(ana) == ["seat.connected"]
    before = Member.objects.get(pk=ana.pk).last_seen_at
    with CaptureQueriesContext(connection) as queries:
        toggle(ana, +1)  # a second tab
        toggle(ana, -1)  # one of the two closes
    sql = " ".join(q["sql"] for q in queries.captured_queries).upper()
    assert "FOR UPDATE" not in sql and "NEGOTIATION_GAMEEVENT" not in sql
    assert len(rung) == 1  # the room's seat list did not change
    seat = Seat.objects.get(pk=ana.seat_id)
    assert seat.connections == 1 and seat.last_seen_at is not None
    assert Member.objects.get(pk=ana.pk).last_seen_at > before
    toggle(ana, -1)  # the last one out rings the room
    assert len(rung) == 2 and Seat.objects.get(pk=ana.seat_id).connections == 0


def test_the_count_never_goes_below_zero(started_game, rung):
    _, ana = seat_client(started_game, "aurel", "Ana")
    toggle(ana, -1)
    toggle(ana, +1)
    assert Seat.objects.get(pk=ana.seat_id).connections == 1
    assert [c.seat_id for c in rung][-1] == ana.seat_id


def test_a_coalesced_change_is_logged_at_the_seats_next_socket_event_even_another_tab(started_game, rung):
    _, ana = seat_client(started_game, "aurel", "Ana")
    toggle(ana, +1)
    age_log(ana, 60)
    toggle(ana, -1)  # logged: offline
    toggle(ana, +1)  # back within the window: coalesced, the log still says offline
    assert presence(ana) == ["seat.connected", "seat.disconnected"]
    age_log(ana, 60)
    toggle(ana, +1)  # a second tab changes nothing the room sees, but the log catches up
    assert presence(ana) == ["seat.connected", "seat.disconnected", "seat.connected"]
    assert cache.get(seats_service._presence_pending_key(ana.seat_id)) is None  # and stops checking
    with CaptureQueriesContext(connection) as queries:
        toggle(ana, -1)
    assert "FOR UPDATE" not in " ".join(q["sql"] for q in queries.captured_queries).upper()
