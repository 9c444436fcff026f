"""The bare Channels baseline the suite compares Treatycraft against (docs/performance.md).

A room's socket sends {"message": m}; the consumer group_sends a fixed HTML fragment carrying m
to every socket of the room (sender included), through the same channel layer and the same Daphne
process as the game. No template engine, no ORM, no session work: what Channels itself costs.

StockBaselineConsumer keeps Channels' default dispatch, which runs aclose_old_connections() (a
thread hop) before every handler; FastBaselineConsumer skips it, as GameConsumer does for its
public pushes. Each can run on another configured layer alias (bench/settings.py adds "core", a
RedisChannelLayer) so one Daphne serves both the game and the default-layer baseline.
"""

from __future__ import annotations

import html
import json
from typing import Any

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncWebsocketConsumer

FRAGMENT_OPEN = '<ol id="chat-log" hx-swap-oob="beforeend"><li class="msg">'
FRAGMENT_CLOSE = "</li></ol>"


class StockBaselineConsumer(AsyncWebsocketConsumer):
    group = ""

    async def connect(self) -> None:
        self.group = "bench." + str(self.scope["url_route"]["kwargs"]["room"])
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        message = json.loads(text_data or "{}").get("message", "")
        await self.channel_layer.group_send(self.group, {"type": "bench.message", "m": str(message)[:1000]})

    async def bench_message(self, event: dict[str, Any]) -> None:
        await self.send(text_data=FRAGMENT_OPEN + html.escape(event["m"]) + FRAGMENT_CLOSE)


class FastBaselineConsumer(StockBaselineConsumer):
    async def dispatch(self, message: dict[str, Any]) -> None:
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)


class CoreStockBaselineConsumer(StockBaselineConsumer):
    channel_layer_alias = "core"


class CoreFastBaselineConsumer(FastBaselineConsumer):
    channel_layer_alias = "core"
