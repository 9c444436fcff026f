"""Classroom operations: the playtest dry run, a returning player's catch-up, the join sheet."""

from __future__ import annotations

from io import StringIO

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.urls import reverse

from config.asgi import application
from negotiation import services
from negotiation.models import Game, TurnRecord
from negotiation.selectors import SESSION_SEATS
from negotiation.viewer import Role, Viewer


@pytest.mark.django_db
def test_playtest_plays_a_bot_game_through_the_clock_and_prints_its_code():
    out = StringIO()
    call_command("playtest", "--scenario", "meridian-sea", "--bots", "4", "--turns", "2", "--phase-seconds", "1",
                 stdout=out)
    game = Game.objects.get()
    assert game.phase == "finished"
    assert TurnRecord.objects.filter(game=game).count() == 2
    assert set(TurnRecord.objects.values_list("resolved_by", flat=True)) == {"clock"}
    assert f"Game code: {game.code}" in out.getvalue()


@pytest.mark.django_db
def test_the_join_sheet_has_the_code_and_a_qr_code(fac_client, game):
    response = fac_client.get(reverse("negotiation:join-sheet", args=[game.pk]))
    assert response.status_code == 200
    assert game.code.encode() in response.content
    assert b"<svg" in response.content


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_returning_player_gets_a_summary_of_what_happened_while_away(facilitator):
    game = await database_sync_to_async(services.game_create)(
        facilitator=facilitator, scenario_slug="meridian-sea", title="Away", mode="expected")
    await database_sync_to_async(services.game_start)(game_id=game.pk, actor="t")
    member = await database_sync_to_async(services.seat_claim)(game_id=game.pk, state_id="aurel", display_name="Ana")
    other = await database_sync_to_async(services.seat_claim)(game_id=game.pk, state_id="borun", display_name="Bo")

    @database_sync_to_async
    def cookie():
        session = SessionStore()
        session[SESSION_SEATS] = {str(game.pk): {"member": member.pk, "token": member.token}}
        session.create()
        return f"sessionid={session.session_key}".encode()

    headers = [(b"origin", b"http://127.0.0.1:8000"), (b"host", b"127.0.0.1:8000"), (b"cookie", await cookie())]
    comm = WebsocketCommunicator(application, f"/ws/game/{game.pk}/", headers=headers)
    assert (await comm.connect())[0]
    assert "my-forces" in await comm.receive_from(timeout=10)  # the resync: the visit is recorded
    await comm.disconnect()
    bo = Viewer(role=Role.PLAYER, game_id=game.pk, seat_id=other.seat_id, state_id="borun", label="Bo",
                member_id=other.pk, is_captain=True)
    for text in ("one", "two"):
        await database_sync_to_async(services.message_post)(game_id=game.pk, viewer=bo, body=text)
    for phase in ("negotiation", "orders"):
        await database_sync_to_async(services.phase_advance)(game_id=game.pk, expected_phase=phase,
                                                             expected_turn=1, actor="t")
    comm = WebsocketCommunicator(application, f"/ws/game/{game.pk}/", headers=headers)
    assert (await comm.connect())[0]
    frames = []
    while not await comm.receive_nothing(timeout=2 if not frames else 0.3, interval=0.01):
        frames.append(await comm.receive_from())
    text = "".join(frames)
    assert "While you were away" in text
    assert "turn 1 resolved" in text and "2 new messages" in text
    await comm.disconnect()
