"""Crafted requests found by black-box probing: each gets a clear 4xx and changes nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from negotiation import services
from negotiation.models import GameEvent, Message
from negotiation.selectors import SESSION_SEATS
from tests.reliability.test_access_matrix import world  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def _seated_client(game, member) -> Client:
    client = Client()
    session = client.session
    session[SESSION_SEATS] = {str(game.pk): {"member": member.pk, "token": member.token}}
    session.save()
    return client


def test_a_chat_retry_token_never_returns_another_authors_message(world):
    game, clients, _a = world
    secret = "Ana to Bo only: we fold at 12"
    reply = clients["player_a"].post(f"/g/{game.pk}/chat/", {"body": secret, "channel": "bi:aurel:borun",
                                                              "client_token": "tok-1"}, HTTP_HX_REQUEST="true")
    assert reply.status_code == 200
    # Calla, not a party to the Aurel–Borun line, reuses Ana's token in the plenary.
    calla = services.seat_claim(game_id=game.pk, state_id="calla", display_name="Cy")
    reply = _seated_client(game, calla).post(
        f"/g/{game.pk}/chat/", {"body": "Cy in the plenary", "channel": "plenary", "client_token": "tok-1"},
        HTTP_HX_REQUEST="true")
    assert reply.status_code == 200
    assert secret not in reply.content.decode()
    assert Message.objects.filter(game=game, channel="plenary", body="Cy in the plenary").count() == 1
    # Bo reuses it in the same line: his own message, not Ana's.
    reply = clients["player_b"].post(f"/g/{game.pk}/chat/", {"body": "Bo's answer", "channel": "bi:aurel:borun",
                                                              "client_token": "tok-1"}, HTTP_HX_REQUEST="true")
    assert reply.status_code == 200
    assert Message.objects.filter(game=game, body="Bo's answer").count() == 1


def test_a_chat_retry_with_the_same_token_is_stored_once(world):
    game, clients, _a = world
    for _ in range(3):
        reply = clients["player_a"].post(f"/g/{game.pk}/chat/", {"body": "once", "channel": "plenary",
                                                                  "client_token": "tok-2"}, HTTP_HX_REQUEST="true")
        assert reply.status_code == 200
    assert Message.objects.filter(game=game, body="once").count() == 1


def test_amending_a_proposal_that_does_not_exist_is_a_clear_422(world):
    game, clients, _a = world
    before = GameEvent.objects.filter(game=game).count()
    reply = clients["player_a"].post(f"/g/{game.pk}/proposals/act/",
                                     {"action": "amend", "number": "999", "version": "1", "cap__MRBM": "5"},
                                     HTTP_HX_REQUEST="true")
    assert reply.status_code == 422
    assert "There is no such proposal." in reply.content.decode()
    assert GameEvent.objects.filter(game=game).count() == before


@pytest.mark.parametrize("amount", ["nan", "inf", "-inf", "NaN", "1e999"])
def test_an_inject_amount_that_is_not_a_finite_number_is_a_clear_422(world, amount):
    game, clients, _a = world
    before = GameEvent.objects.filter(game=game).count()
    reply = clients["fac"].post(f"/facilitate/{game.pk}/inject/", {
        "title": "Budget shock", "text": "Parliament votes.", "effect": "budget_change",
        "effect_state": "aurel", "effect_amount": amount}, HTTP_HX_REQUEST="true")
    assert reply.status_code == 422
    assert "The effect needs an amount (a number)." in reply.content.decode()
    assert GameEvent.objects.filter(game=game).count() == before


@pytest.mark.parametrize("page", ["/play/{code}/", "/projector/{code}/", "/play/{code}/guide/"])
def test_guessing_game_codes_on_a_game_page_is_inside_the_join_limit(world, page, settings):
    """404 (no such code) against 302/404 (a real code) told a guesser which codes exist, at
    thousands of guesses a minute: every answer to someone outside the game now counts."""
    game, clients, _a = world
    limit = settings.TREATYCRAFT["JOIN_ATTEMPTS_PER_MINUTE"]
    guesser = Client()
    statuses = [guesser.get(page.format(code=f"ZZ{i:04d}")).status_code for i in range(limit)]
    assert set(statuses) == {404}
    # Past the limit, a right guess and a wrong one get the same answer.
    assert guesser.get(page.format(code=game.code)).status_code == 429
    assert guesser.get(page.format(code="ZZ9999")).status_code == 429
    # Players in the game are not counted nor limited, whatever their address has spent.
    assert clients["player_a"].get(f"/play/{game.code}/").status_code == 200
