from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client

from negotiation import services
from negotiation.models import Game, Member
from negotiation.selectors import SESSION_SEATS


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def facilitator(db):
    return get_user_model().objects.create_user(username="teacher", password="pw-teacher-123", is_staff=True)


@pytest.fixture
def other_facilitator(db):
    return get_user_model().objects.create_user(username="other", password="pw-other-123", is_staff=True)


@pytest.fixture
def game(facilitator) -> Game:
    return services.game_create(facilitator=facilitator, scenario_slug="meridian-sea", title="Class 3B", mode="expected")


@pytest.fixture
def started_game(game) -> Game:
    services.game_start(game_id=game.pk, actor="test")
    game.refresh_from_db()
    return game


def seat_client(game: Game, state_id: str, name: str, team: bool = False) -> tuple[Client, Member]:
    """A browser holding a seat: the player joined `state_id` (as captain unless `team`)."""
    member = services.seat_claim(game_id=game.pk, state_id=state_id, display_name=name, as_team_member=team)
    client = Client()
    session = client.session
    session[SESSION_SEATS] = {str(game.pk): {"member": member.pk, "token": member.token}}
    session.save()
    return client, member


def to_orders(game: Game) -> Game:
    """Move a started game from negotiation to its orders phase."""
    services.phase_advance(game_id=game.pk, expected_phase="negotiation", expected_turn=game.turn, actor="test")
    game.refresh_from_db()
    return game


def resolve(game: Game) -> None:
    """Play the current turn through to the next turn's negotiation."""
    game.refresh_from_db()
    for phase in ("negotiation", "orders", "report"):
        if game.phase == phase:
            services.phase_advance(game_id=game.pk, expected_phase=phase, expected_turn=game.turn, actor="test")
            game.refresh_from_db()


@pytest.fixture
def fac_client(facilitator) -> Client:
    client = Client()
    client.force_login(facilitator)
    return client
