"""The five-minute tutorial and the one-page guide."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from negotiation.models import Game, Seat
from negotiation.services.tutorial import TUTORIAL_USERNAME

pytestmark = pytest.mark.django_db


def start(client: Client):
    return client.post("/tutorial/", {"name": "Visitor"})


def test_the_tutorial_seats_the_visitor_against_bots_and_starts():
    client = Client()
    response = start(client)
    game = Game.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/play/{game.code}/"
    assert game.phase == "negotiation" and game.scenario_slug == "meridian-sea"
    seats = {s.state_id: s for s in Seat.objects.filter(game=game)}
    assert seats["aurel"].display_name == "Visitor" and not seats["aurel"].bot_policy
    assert all(seats[s].bot_policy == "reciprocator" for s in ("borun", "calla", "dresk"))
    owner = get_user_model().objects.get(username=TUTORIAL_USERNAME)
    assert not owner.is_active and not owner.has_usable_password()
    page = client.get(response["Location"]).content.decode()
    assert "Step 1 of 3: negotiate and plan" in page
    assert 'id="briefing"' in page and "Starting forces" in page and "10 IRBM" in page


def test_being_ready_walks_the_visitor_through_one_turn():
    client = Client()
    start(client)
    game = Game.objects.get()
    client.post(f"/g/{game.pk}/ready/", {"ready": "1"})
    game.refresh_from_db()
    assert game.phase == "orders"
    assert "Step 2 of 3: final orders" in client.get(f"/play/{game.code}/").content.decode()
    client.post(f"/g/{game.pk}/ready/", {"ready": "1"})
    game.refresh_from_db()
    assert game.phase == "report" and game.turns.count() == 1
    assert "Step 3 of 3: read the report" in client.get(f"/play/{game.code}/").content.decode()


def test_tutorials_are_rate_limited_per_address():
    client = Client()
    codes = [start(client).status_code for _ in range(6)]
    assert codes[:5] == [302] * 5
    assert codes[5] == 429


def test_tutorial_games_are_private_to_their_visitor():
    start(Client())
    game = Game.objects.get()
    stranger = Client()
    assert stranger.get(f"/play/{game.code}/guide/").status_code == 404
    assert "Step 1" not in stranger.get(f"/play/{game.code}/").content.decode()


def test_the_guide_marks_the_phase_the_game_is_in():
    client = Client()
    start(client)
    game = Game.objects.get()
    page = client.get(f"/play/{game.code}/guide/").content.decode()
    assert "You play Aurel. This is turn 1." in page
    current = page.split('class="current"')[1]
    assert current.lstrip(">\n ").startswith("<h2>1. Negotiate")


def test_the_guides_steps_are_numbered_once():
    """The headings carry the step numbers; an ordered list around them numbered them again
    ("2. 1. Negotiate")."""
    client = Client()
    start(client)
    game = Game.objects.get()
    page = client.get(f"/play/{game.code}/guide/").content.decode()
    steps = page[page.index('class="guide-steps"'):]
    assert '<ol class="guide-steps"' not in page
    assert "<h2>1. Negotiate" in steps and "<h2>2. Give your orders" in steps
