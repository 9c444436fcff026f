"""Every WebSocket message type for every kind of visitor, and sockets closed within seconds when
a member is removed or a facilitator logs out."""

from __future__ import annotations

import asyncio

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client, override_settings

from config.asgi import application
from negotiation import services
from negotiation.selectors import SESSION_SEATS
from tests.reliability.test_access_matrix import record

MEMORY = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
ORIGIN = (b"origin", b"http://127.0.0.1:8000")
HOST = (b"host", b"127.0.0.1:8000")

FRAMES = {
    "resync": ('{"type": "resync"}', None, 'id="game-status"'),
    "ping": ('{"type": "ping"}', None, None),
    "unknown": ('{"type": "launch"}', None, "did not understand"),
    "malformed": ("{not json", None, "did not understand"),
    "deeply-nested": ("[" * 5000, None, "did not understand"),
    "huge-integer": ('{"type": ' + "9" * 5000 + "}", None, "did not understand"),
    "binary": (None, b"\x00\xff\x10", "Binary frames"),
    "oversized": ('{"type": "ping", "pad": "' + "x" * 20000 + '"}', None, "too large"),
}


@database_sync_to_async
def setup_world():
    User = get_user_model()
    teacher = User.objects.create_user(username="teacher", password="pw-teacher-123", is_staff=True)
    other = User.objects.create_user(username="other", password="pw-other-123", is_staff=True)
    game = services.game_create(facilitator=teacher, scenario_slug="meridian-sea", title="Sockets", mode="expected")
    services.game_start(game_id=game.pk, actor="t")
    cookies = {"anon": None}
    members = {}
    for role, state, name in (("player_a", "aurel", "Ana"), ("player_b", "borun", "Bo")):
        member = services.seat_claim(game_id=game.pk, state_id=state, display_name=name)
        session = SessionStore()
        session[SESSION_SEATS] = {str(game.pk): {"member": member.pk, "token": member.token}}
        session.create()
        cookies[role] = f"sessionid={session.session_key}".encode()
        members[role] = member
    for role, user in (("fac", teacher), ("other_fac", other)):
        client = Client()
        client.force_login(user)
        cookies[role] = f"sessionid={client.cookies['sessionid'].value}".encode()
    cookies["observer"] = None
    return game, cookies, members, teacher


def communicator(game, cookie, role):
    path = f"/ws/game/{game.pk}/" + (f"?key={game.observer_key}" if role == "observer" else "")
    headers = [ORIGIN, HOST] + ([(b"cookie", cookie)] if cookie else [])
    return WebsocketCommunicator(application, path, headers=headers)


async def drain(comm, first_wait: float = 0.3) -> str:
    """Everything the socket sends until it has been quiet a moment (waiting longer for the first frame)."""
    frames = []
    wait = first_wait
    while not await comm.receive_nothing(timeout=wait, interval=0.01):
        frames.append(await comm.receive_from())
        wait = 0.3
    return "".join(frames)


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_every_message_type_for_every_role():
    with override_settings(CHANNEL_LAYERS=MEMORY):
        game, cookies, _, _ = await setup_world()
        cells = 0
        for role, cookie in cookies.items():
            comm = communicator(game, cookie, role)
            connected, _ = await comm.connect()
            cells += 1
            assert connected is (role not in ("anon", "other_fac")), role
            if not connected:
                continue
            first = await drain(comm, first_wait=5)
            assert 'id="game-status"' in first, role
            assert ('id="my-forces"' in first and "your forces" in first) is role.startswith("player"), role
            for kind, (text, data, expected) in FRAMES.items():
                if data is not None:
                    await comm.send_to(bytes_data=data)
                else:
                    await comm.send_to(text_data=text)
                reply = await drain(comm, first_wait=5 if expected else 0.5)
                cells += 1
                if expected is None:
                    assert reply == "", (role, kind)
                else:
                    assert expected in reply, (role, kind, reply[:200])
            await comm.disconnect()
        record("access_matrix_socket_cells", cells)
        record("socket_frames_fuzzed", len(FRAMES) * 4)


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_removed_member_and_a_logged_out_facilitator_lose_their_sockets():
    with override_settings(CHANNEL_LAYERS=MEMORY):
        game, cookies, members, teacher = await setup_world()
        player = communicator(game, cookies["player_a"], "player_a")
        fac = communicator(game, cookies["fac"], "fac")
        assert (await player.connect())[0] and (await fac.connect())[0]
        await drain(player, first_wait=5)
        await drain(fac, first_wait=5)
        await database_sync_to_async(services.member_remove)(
            game_id=game.pk, member_id=members["player_a"].pk, actor="facilitator:teacher", reason="test")
        closed = await asyncio.wait_for(_wait_close(player), timeout=3)
        assert closed == 4403

        from django.contrib.auth import user_logged_out
        from django.test import RequestFactory

        # As logout() sends it: with the request (the login throttle's handler reads its address).
        logout_request = RequestFactory().post("/accounts/logout/")
        await database_sync_to_async(user_logged_out.send)(sender=type(teacher), request=logout_request, user=teacher)
        closed = await asyncio.wait_for(_wait_close(fac), timeout=3)
        assert closed == 4403
        # The removed member cannot come back with the old session.
        again = communicator(game, cookies["player_a"], "player_a")
        assert not (await again.connect())[0]


async def _wait_close(comm) -> int:
    while True:
        output = await comm.receive_output(timeout=3)
        if output["type"] == "websocket.close":
            return int(output.get("code", 1000))
