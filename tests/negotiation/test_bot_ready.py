"""A bot seat is ready in every phase, for the console and the players' table alike."""

from __future__ import annotations

import pytest

from negotiation import selectors, services
from negotiation.models import Seat
from tests.helpers import seat_client

pytestmark = pytest.mark.django_db


def test_a_bot_seat_stays_ready_across_phases_and_the_tables_agree(game):
    seat_client(game, "aurel", "Ana")
    services.seat_set_bot(game_id=game.pk, state_id="dresk", policy="reciprocator", actor="test")
    services.game_start(game_id=game.pk, actor="test")
    game.refresh_from_db()
    services.phase_advance(game_id=game.pk, expected_phase="negotiation", expected_turn=1, actor="test")
    game.refresh_from_db()
    assert Seat.objects.get(game=game, state_id="dresk").is_ready
    assert not Seat.objects.get(game=game, state_id="aurel").is_ready
    players_table = {r.state_id: r.ready for r in selectors.seat_rows(game)}
    console_table = {f["row"].state_id: f["row"].ready for f in selectors.facilitator_seat_rows(game)}
    assert players_table == console_table
    assert players_table["dresk"] is True and players_table["aurel"] is False
