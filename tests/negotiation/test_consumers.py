"""The game socket on the in-memory layer and on the real Redis layer."""

from __future__ import annotations

import asyncio
import os

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.test import override_settings

from config.asgi import application
from config.settings import redis_layer_host
from negotiation import services
from negotiation.selectors import SESSION_SEATS
from negotiation.viewer import Role, Viewer

REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")
ORIGIN = (b"origin", b"http://127.0.0.1:8000")

MEMORY = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
REDIS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        # A prefix of this test process, so a flush never touches another run sharing the server.
        "CONFIG": {"hosts": [redis_layer_host(REDIS_TEST_URL)], "prefix": f"tc{os.getpid()}"},
    }
}
PUBSUB = {
    "default": {
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",  # the default with REDIS_URL
        "CONFIG": {"hosts": [redis_layer_host(REDIS_TEST_URL)], "prefix": f"tp{os.getpid()}"},
    }
}
BATCHED = {  # the pub/sub layer with its publishes batched per round trip (negotiation/pushlayer.py)
    "default": {
        "BACKEND": "negotiation.pushlayer.BatchedPubSubChannelLayer",
        "CONFIG": {"hosts": [redis_layer_host(REDIS_TEST_URL)], "prefix": f"tb{os.getpid()}"},
    }
}
LAYERS = [pytest.param(MEMORY, id="memory"), pytest.param(REDIS, id="redis", marks=pytest.mark.redis),
          pytest.param(PUBSUB, id="redis-pubsub", marks=pytest.mark.redis),
          pytest.param(BATCHED, id="redis-pubsub-batched", marks=pytest.mark.redis)]


@database_sync_to_async
def make_game():
    user = get_user_model().objects.create_user(username="t", password="pw-t-12345")
    game = services.game_create(facilitator=user, scenario_slug="meridian-sea", title="Sockets", mode="expected")
    services.game_start(game_id=game.pk, actor="test")
    return game


@database_sync_to_async
def seat_cookie(game, state_id, name):
    member = services.seat_claim(game_id=game.pk, state_id=state_id, display_name=name)
    session = SessionStore()
    session[SESSION_SEATS] = {str(game.pk): {"member": member.pk, "token": member.token}}
    session.create()
    return member, f"sessionid={session.session_key}".encode()


def as_viewer(member) -> Viewer:
    return Viewer(role=Role.PLAYER, game_id=member.seat.game_id, seat_id=member.seat_id,
                  state_id=member.seat.state_id, label=member.name, member_id=member.pk, is_captain=member.is_captain)


def communicator(game, cookie: bytes | None, origin=ORIGIN):
    headers = [origin, (b"host", b"127.0.0.1:8000")]
    if cookie:
        headers.append((b"cookie", cookie))
    return WebsocketCommunicator(application, f"/ws/game/{game.pk}/", headers=headers)


async def receive_until(comm, needle: str, limit: float = 3.0) -> str:
    """Read frames until one contains `needle`; return everything read. (A communicator whose
    receive times out cancels the application, so wait with receive_nothing first.)"""
    seen = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while loop.time() < deadline:
        if await comm.receive_nothing(timeout=max(0.01, deadline - loop.time()), interval=0.01):
            break
        frame = await comm.receive_from()
        seen.append(frame)
        if needle in frame:
            return "".join(seen)
    raise AssertionError(f"{needle!r} not received; got {len(seen)} frames")


async def drain(comm, quiet: float = 0.3) -> str:
    frames = []
    while not await comm.receive_nothing(timeout=quiet, interval=0.01):
        frames.append(await comm.receive_from())
    return "".join(frames)


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("layers", LAYERS)
async def test_chat_reaches_every_player_and_private_data_stays_private(layers):
    with override_settings(CHANNEL_LAYERS=layers):
        game = await make_game()
        _aurel, aurel_cookie = await seat_cookie(game, "aurel", "Ana")
        borun, borun_cookie = await seat_cookie(game, "borun", "Bo")
        a, b = communicator(game, aurel_cookie), communicator(game, borun_cookie)
        assert (await a.connect())[0] and (await b.connect())[0]
        first_a = await receive_until(a, 'id="my-forces"')
        assert "Aurel" in first_a
        await receive_until(b, 'id="my-forces"')
        await drain(a)
        await drain(b)

        await database_sync_to_async(services.message_post)(game_id=game.pk, viewer=as_viewer(borun),
                                                            body="hello from borun")
        assert "hello from borun" in await receive_until(a, "hello from borun")
        assert "hello from borun" in await receive_until(b, "hello from borun")

        # A private change for Borun rings only Borun's bell; Aurel's socket gets nothing private.
        await database_sync_to_async(services.order_add)(
            game_id=game.pk, seat_id=borun.seat_id, member_id=borun.pk,
            raw={"type": "BUILD", "class": "SRBM", "qty": "2", "covert": True})
        assert "Build 2 SRBM covertly" in await receive_until(b, "Build 2 SRBM covertly")
        assert "covertly" not in await drain(a, quiet=0.5)
        await a.disconnect()
        await b.disconnect()
        await get_channel_layer().flush()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_socket_without_a_seat_or_with_a_foreign_origin_is_refused():
    game = await make_game()
    _, cookie = await seat_cookie(game, "aurel", "Ana")
    anonymous = communicator(game, None)
    connected, _ = await anonymous.connect()
    assert not connected
    foreign = communicator(game, cookie, origin=(b"origin", b"http://evil.example:8000"))
    connected, _ = await foreign.connect()
    assert not connected
    wrong_port = communicator(game, cookie, origin=(b"origin", b"http://127.0.0.1:9999"))
    connected, _ = await wrong_port.connect()
    assert not connected
    no_origin = WebsocketCommunicator(application, f"/ws/game/{game.pk}/", headers=[(b"cookie", cookie)])
    connected, _ = await no_origin.connect()
    assert not connected


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_malformed_binary_and_oversized_frames_get_an_error_and_the_socket_stays_open():
    game = await make_game()
    _, cookie = await seat_cookie(game, "aurel", "Ana")
    comm = communicator(game, cookie)
    assert (await comm.connect())[0]
    await drain(comm)
    await comm.send_to(text_data="{not json")
    assert "did not understand" in await receive_until(comm, "did not understand")
    await comm.send_to(bytes_data=b"\x00\x01\x02")
    assert "Binary frames" in await receive_until(comm, "Binary frames")
    await comm.send_to(text_data='{"type": "ping", "pad": "' + "x" * 20000 + '"}')
    assert "too large" in await receive_until(comm, "too large")
    await comm.send_to(text_data='{"type": "resync"}')
    assert 'id="order-panel"' in await receive_until(comm, 'id="order-panel"')
    await comm.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_flooding_socket_is_closed():
    game = await make_game()
    _, cookie = await seat_cookie(game, "aurel", "Ana")
    comm = communicator(game, cookie)
    assert (await comm.connect())[0]
    await drain(comm)
    for _ in range(60):
        await comm.send_to(text_data='{"type": "ping"}')
    output = await comm.receive_output(timeout=3)
    while output["type"] != "websocket.close":
        output = await comm.receive_output(timeout=3)
    assert output["code"] == 4429
    await comm.wait()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_reconnecting_resyncs_what_was_missed_from_the_database():
    game = await make_game()
    ana, cookie = await seat_cookie(game, "aurel", "Ana")
    await database_sync_to_async(services.message_post)(game_id=game.pk, viewer=as_viewer(ana), body="said while away")
    comm = communicator(game, cookie)
    assert (await comm.connect())[0]
    assert "said while away" in await receive_until(comm, "said while away")
    await comm.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.redis
@pytest.mark.parametrize("layers", [REDIS, PUBSUB], ids=["core", "pubsub"])
async def test_an_idle_redis_socket_survives_past_redis_py_timeouts(layers):
    """redis-py 8 closes idle reads after 5 s unless socket_timeout is None (settings.py sets it)."""
    with override_settings(CHANNEL_LAYERS=layers):
        game = await make_game()
        ana, cookie = await seat_cookie(game, "aurel", "Ana")
        comm = communicator(game, cookie)
        assert (await comm.connect())[0]
        await drain(comm)
        await asyncio.sleep(6.5)
        await database_sync_to_async(services.message_post)(game_id=game.pk, viewer=as_viewer(ana), body="still here")
        assert "still here" in await receive_until(comm, "still here", limit=10)
        await comm.disconnect()
        await get_channel_layer().flush()
