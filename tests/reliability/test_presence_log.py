"""Presence in the game log: once per change of a seat's online state, and a reconnect loop
cannot bloat the log (and the exports made from it)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model

from negotiation import services
from negotiation.models import GameEvent

pytestmark = pytest.mark.django_db
PRESENCE = ("seat.connected", "seat.disconnected")


@pytest.fixture
def seat():
    teacher = get_user_model().objects.create_user(username="t", password="pw-t-12345", is_staff=True)
    game = services.game_create(facilitator=teacher, scenario_slug="meridian-sea", title="Presence", mode="expected")
    services.game_start(game_id=game.pk, actor="t")
    return services.seat_claim(game_id=game.pk, state_id="aurel", display_name="Ana")


def presence(member) -> list[str]:
    return list(GameEvent.objects.filter(game_id=member.seat.game_id, kind__in=PRESENCE)
                .order_by("seq").values_list("kind", flat=True))


def open_close(member, delta: int) -> None:
    services.seat_presence(seat_id=member.seat_id, member_id=member.pk, delta=delta)


def age_log(member, seconds: int) -> None:
    """As if the seat's presence events had been written `seconds` earlier."""
    for event in GameEvent.objects.filter(game_id=member.seat.game_id, kind__in=PRESENCE):
        GameEvent.objects.filter(pk=event.pk).update(created_at=event.created_at - timedelta(seconds=seconds))


def test_a_reconnect_loop_writes_a_bounded_number_of_presence_events(seat):
    for _ in range(50):
        open_close(seat, +1)
        open_close(seat, -1)
    assert presence(seat) == ["seat.connected"]
    # The next socket event after the coalescing window logs the state the seat really has.
    age_log(seat, 60)
    open_close(seat, +1)
    open_close(seat, -1)
    assert presence(seat) == ["seat.connected", "seat.disconnected"]


def test_more_tabs_of_an_online_seat_log_nothing(seat):
    open_close(seat, +1)
    age_log(seat, 60)
    open_close(seat, +1)  # a second tab
    open_close(seat, -1)  # one of the two closes: still online
    assert presence(seat) == ["seat.connected"]
    open_close(seat, -1)  # the last one closes
    assert presence(seat) == ["seat.connected", "seat.disconnected"]
    age_log(seat, 60)
    open_close(seat, +1)
    assert presence(seat) == ["seat.connected", "seat.disconnected", "seat.connected"]
