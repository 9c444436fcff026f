from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client

from negotiation import services
from negotiation.models import Game


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


@pytest.fixture
def fac_client(facilitator) -> Client:
    client = Client()
    client.force_login(facilitator)
    return client
