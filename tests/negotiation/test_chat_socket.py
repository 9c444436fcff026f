"""Chat over the game socket (sockets.chat_post, static/js/chat-socket.js) keeps every guarantee of
``POST /g/<id>/chat/``: the same service and access rules, the origin check (at the handshake),
idempotent client tokens, an acknowledgement or a clear error frame, the rate limit; and the HTTP
path keeps working beside it."""

from __future__ import annotations

import json
import threading

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connection
from django.test import override_settings

from negotiation import sockets
from negotiation.models import Message
from tests.negotiation.test_consumers import MEMORY, communicator, drain, make_game, receive_until, seat_cookie

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def connected(game, cookie):
    comm = communicator(game, cookie)
    assert (await comm.connect())[0]
    await receive_until(comm, 'id="my-forces"')
    await drain(comm)
    return comm


async def reply_to(comm, frame: dict) -> tuple[dict, str]:
    """Send a frame; return its JSON answer and every other frame read meanwhile."""
    await comm.send_to(text_data=json.dumps(frame))
    others = []
    for _ in range(20):
        text = await comm.receive_from(timeout=3)
        if text.startswith("{"):
            return json.loads(text), "".join(others)
        others.append(text)
    raise AssertionError("no answer frame")


def chat(body: str, token: str, channel: str = "plenary") -> dict:
    return {"type": "chat", "body": body, "channel": channel, "client_token": token}


async def test_a_chat_frame_is_acknowledged_stored_once_and_pushed_to_every_reader():
    with override_settings(CHANNEL_LAYERS=MEMORY):
        game = await make_game()
        _, ana_cookie = await seat_cookie(game, "aurel", "Ana")
        _, bo_cookie = await seat_cookie(game, "borun", "Bo")
        a, b = await connected(game, ana_cookie), await connected(game, bo_cookie)

        ack, _ = await reply_to(a, chat("over the socket", "tok-1"))
        assert ack["type"] == "chat.ack" and ack["token"] == "tok-1" and ack["channel"] == "plenary"
        assert "over the socket" in await receive_until(b, "over the socket")
        again, _ = await reply_to(a, chat("over the socket", "tok-1"))  # a retry: the same message
        assert again == ack
        stored = await database_sync_to_async(list)(Message.objects.filter(game=game).values_list("seq", "body"))
        assert stored == [(ack["seq"], "over the socket")]
        await a.disconnect()
        await b.disconnect()
        await get_channel_layer().flush()


async def test_a_frame_the_service_refuses_gets_a_clear_error_and_a_private_line_stays_private():
    with override_settings(CHANNEL_LAYERS=MEMORY):
        game = await make_game()
        _, bo_cookie = await seat_cookie(game, "borun", "Bo")
        _, cy_cookie = await seat_cookie(game, "calla", "Cy")
        b, c = await connected(game, bo_cookie), await connected(game, cy_cookie)

        empty, _ = await reply_to(b, chat("   ", "e"))
        assert (empty["type"], empty["status"], empty["message"]) == ("chat.error", 422, "The message is empty.")
        foreign, _ = await reply_to(b, chat("psst", "p", channel="bi:aurel:calla"))
        assert foreign["type"] == "chat.error" and "not a member" in foreign["message"]
        garbled, _ = await reply_to(b, {"type": "chat", "body": ["x"], "client_token": 5})
        assert (garbled["type"], garbled["status"], garbled["token"]) == ("chat.error", 400, "")
        assert "psst" not in await drain(c, quiet=0.3)
        assert await database_sync_to_async(Message.objects.count)() == 0
        # the socket stays open and usable
        ok, _ = await reply_to(b, chat("still here", "s"))
        assert ok["type"] == "chat.ack"
        await b.disconnect()
        await c.disconnect()
        await get_channel_layer().flush()


async def test_the_chat_rate_limit_applies_to_frames_and_the_http_post_shares_it(settings, client):
    settings.TREATYCRAFT = {**settings.TREATYCRAFT, "CHAT_RATE_PER_MINUTE": 2}
    with override_settings(CHANNEL_LAYERS=MEMORY):
        game = await make_game()
        _, cookie = await seat_cookie(game, "aurel", "Ana")
        a = await connected(game, cookie)
        first, _ = await reply_to(a, chat("one", "1"))
        assert first["type"] == "chat.ack"
        # the same player over HTTP, with the same session: the same service and the same bucket
        client.cookies["sessionid"] = cookie.decode().split("=", 1)[1]
        response = await database_sync_to_async(client.post)(
            f"/g/{game.pk}/chat/", {"body": "two", "channel": "plenary", "client_token": "2"},
            HTTP_HX_REQUEST="true")
        assert response.status_code == 200 and b"two" in response.content
        third, _ = await reply_to(a, chat("three", "3"))
        assert (third["type"], third["status"]) == ("chat.error", 429)
        assert "Too many" in third["message"]
        bodies = await database_sync_to_async(list)(Message.objects.order_by("seq").values_list("body", flat=True))
        assert bodies == ["one", "two"]
        await a.disconnect()
        await get_channel_layer().flush()


async def test_an_observer_socket_cannot_post():
    with override_settings(CHANNEL_LAYERS=MEMORY):
        game = await make_game()
        comm = communicator(game, None)
        comm.scope["query_string"] = f"key={game.observer_key}".encode()
        assert (await comm.connect())[0]
        await drain(comm)
        refused, _ = await reply_to(comm, chat("from the projector", "o"))
        assert refused["type"] == "chat.error" and "Observers" in refused["message"]
        assert await database_sync_to_async(Message.objects.count)() == 0
        await comm.disconnect()
        await get_channel_layer().flush()


async def test_a_socket_from_a_foreign_origin_never_opens_so_it_cannot_post():
    game = await make_game()
    _, cookie = await seat_cookie(game, "aurel", "Ana")
    foreign = communicator(game, cookie, origin=(b"origin", b"http://evil.example:8000"))
    assert not (await foreign.connect())[0]
    assert await database_sync_to_async(Message.objects.count)() == 0


async def test_on_a_database_with_concurrent_writers_a_chat_frame_posts_on_the_post_pool(monkeypatch):
    """PostgreSQL: chat frames hop to the socket-post threads (consumers.post_hop), not the
    process's one thread-sensitive thread, and keep the acknowledgement, the push and the
    single stored row. (The suite's SQLite would keep the thread-sensitive hop: forced here.)"""
    threads: list[str] = []
    real_post = sockets.chat_post

    def recording_post(viewer, frame):
        threads.append(threading.current_thread().name)
        return real_post(viewer, frame)

    monkeypatch.setattr(sockets, "concurrent_writes", lambda: True)
    monkeypatch.setattr(sockets, "chat_post", recording_post)
    with override_settings(CHANNEL_LAYERS=MEMORY, TREATYCRAFT={**settings.TREATYCRAFT, "SOCKET_POST_THREADS": 2}):
        game = await make_game()
        _, ana_cookie = await seat_cookie(game, "aurel", "Ana")
        _, bo_cookie = await seat_cookie(game, "borun", "Bo")
        a, b = await connected(game, ana_cookie), await connected(game, bo_cookie)
        ack, _ = await reply_to(a, chat("from the pool", "tok-pool"))
        assert ack["type"] == "chat.ack"
        assert "from the pool" in await receive_until(b, "from the pool")
        again, _ = await reply_to(a, chat("from the pool", "tok-pool"))
        assert again == ack
        stored = await database_sync_to_async(list)(Message.objects.filter(game=game).values_list("body", flat=True))
        assert stored == ["from the pool"]
        await a.disconnect()
        await b.disconnect()
    assert len(threads) == 2 and all(name.startswith("socket-post") for name in threads)


async def _post_threads(monkeypatch) -> list[str]:
    """The threads a chat frame's post ran on, with the suite's settings (SOCKET_POST_THREADS > 0)."""
    threads: list[str] = []
    real_post = sockets.chat_post

    def recording_post(viewer, frame):
        threads.append(threading.current_thread().name)
        return real_post(viewer, frame)

    monkeypatch.setattr(sockets, "chat_post", recording_post)
    with override_settings(CHANNEL_LAYERS=MEMORY, TREATYCRAFT={**settings.TREATYCRAFT, "SOCKET_POST_THREADS": 2}):
        game = await make_game()
        _, ana_cookie = await seat_cookie(game, "aurel", "Ana")
        a = await connected(game, ana_cookie)
        ack, _ = await reply_to(a, chat("one writer", "tok-one"))
        assert ack["type"] == "chat.ack"
        await a.disconnect()
    assert len(threads) == 1
    return threads


async def test_without_concurrent_writers_a_chat_frame_stays_on_the_thread_sensitive_thread(monkeypatch):
    """SQLite (one writer): the post pool would only queue on the database's lock."""
    monkeypatch.setattr(sockets, "concurrent_writes", lambda: False)
    threads = await _post_threads(monkeypatch)
    assert not threads[0].startswith("socket-post")


async def test_a_chat_frame_takes_the_post_pool_exactly_when_the_suites_database_takes_concurrent_writers(
        monkeypatch):
    """The suite's own database decides: PostgreSQL posts on the pool, SQLite on the one thread."""
    threads = await _post_threads(monkeypatch)
    assert threads[0].startswith("socket-post") == sockets.concurrent_writes()
    assert sockets.concurrent_writes() == (connection.vendor == "postgresql")
