"""A push from a thread of the server's event loop (a request, a chat frame's post) is handed to the
loop without waiting for Redis: the thread goes on at once, the loop publishes the pushes in the
order they were handed over, and a failure still opens the layer's breaker with a warning. Outside
a server's threads (a management command, the clock) a push still waits for its answer."""

from __future__ import annotations

import asyncio
import logging

import pytest
from channels.db import database_sync_to_async
from django.test import override_settings

from negotiation import breaker, broadcasts


class SlowLayer:
    """A channel layer whose publishes wait until the test lets them through."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.gate = asyncio.Event()
        self.fail = False

    async def group_send(self, group: str, message: dict) -> None:
        await self.gate.wait()
        if self.fail:
            raise ConnectionError("redis is gone")
        self.sent.append(group)


@pytest.fixture
def layer(monkeypatch):
    slow = SlowLayer()
    monkeypatch.setattr(broadcasts, "get_channel_layer", lambda: slow)
    monkeypatch.setattr(breaker, "LAYER", breaker.Breaker("layer (test)", open_seconds=3.0))
    return slow


@pytest.mark.asyncio
async def test_a_thread_hands_its_pushes_over_and_the_loop_publishes_them_in_order(layer):
    def request() -> None:  # what a view or a chat post does after its commit
        broadcasts._send("game.1.public", {"type": "push.html", "html": "a"})
        broadcasts._send("seat.1", {"type": "push.html", "html": "b"})
        broadcasts._send("game.1.players", {"type": "push.refresh", "fragments": []})

    await asyncio.wait_for(database_sync_to_async(request)(), 2)  # returned with Redis still silent
    assert layer.sent == []
    layer.gate.set()
    for _ in range(50):
        await asyncio.sleep(0.01)
        if len(layer.sent) == 3:
            break
    assert layer.sent == ["game.1.public", "seat.1", "game.1.players"]
    assert not breaker.LAYER.is_open


@pytest.mark.asyncio
async def test_a_handed_over_push_that_fails_opens_the_breaker_with_a_warning(layer, caplog):
    layer.fail = True
    layer.gate.set()
    with caplog.at_level(logging.WARNING, logger="treatycraft.broadcasts"):
        await database_sync_to_async(broadcasts._send)("game.1.public", {"type": "push.html", "html": "a"})
        for _ in range(50):
            await asyncio.sleep(0.01)
            if breaker.LAYER.is_open:
                break
    assert breaker.LAYER.is_open
    assert any("push to game.1.public dropped" in r.getMessage() for r in caplog.records)
    # while it is open, pushes are dropped at once
    await database_sync_to_async(broadcasts._send)("game.1.public", {"type": "push.html", "html": "b"})
    assert layer.sent == []


@pytest.mark.asyncio
async def test_with_the_handoff_off_a_thread_waits_for_its_push(layer):
    layer.gate.set()
    with override_settings(TREATYCRAFT={**broadcasts.settings.TREATYCRAFT, "PUSH_HANDOFF": False}):
        await database_sync_to_async(broadcasts._send)("game.1.public", {"type": "push.html", "html": "a"})
    assert layer.sent == ["game.1.public"]


def test_outside_the_servers_threads_a_push_waits_for_its_answer(layer):
    layer.gate.set()
    broadcasts._send("game.1.public", {"type": "push.html", "html": "a"})
    assert layer.sent == ["game.1.public"]
