"""The game socket: identify the viewer, join its groups, resync from the database, relay pushes.

Commands arrive over HTTP; the socket receives pushes, with one exception: a chat message may
arrive as a frame (static/js/chat-socket.js), handled by the same service as the HTTP post
(sockets.chat_post). Every inbound frame and every private doorbell makes exactly one sync hop, in
which all database and template work happens. Pushes of pre-rendered HTML make none, unless the
push was not rendered in this socket's language (broadcasts.push_languages): then the socket
renders the push's fragments itself, in one hop.

Chat frames hop to a small pool of threads of their own (SOCKET_POST_THREADS, PostgreSQL only):
on the process's one thread-sensitive thread every post queued behind the previous one's commit
and Redis round trips, so a process saturated with that thread waiting on I/O and the CPU half
idle (docs/performance.md). Each post is still one transaction on its own connection; the game
row lock orders a game's messages, and the page orders its chat log by sequence number.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, cast

from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from channels.utils import await_many_dispatch
from django.conf import settings
from django.utils.translation import gettext_noop

from negotiation import breaker, broadcasts, rendering, sockets
from negotiation.viewer import Role, Viewer

if TYPE_CHECKING:
    from asgiref.typing import WebSocketReceiveEvent

CLOSE_FORBIDDEN = 4403
CLOSE_FLOOD = 4429

_post_threads: list[ThreadPoolExecutor] = []  # made on first use, one per process


def post_hop(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The sync hop of a chat frame: the post pool's threads when the database takes concurrent
    writers and SOCKET_POST_THREADS > 0, else the process's thread-sensitive thread."""
    threads = int(settings.TREATYCRAFT.get("SOCKET_POST_THREADS", 0))
    if threads <= 0 or not sockets.concurrent_writes():
        return database_sync_to_async(fn)
    if not _post_threads:
        _post_threads.append(ThreadPoolExecutor(max_workers=threads, thread_name_prefix="socket-post"))
    return database_sync_to_async(fn, thread_sensitive=False, executor=_post_threads[0])


class GameConsumer(AsyncWebsocketConsumer):
    viewer: Viewer | None = None
    open_key: str = "plenary"
    language: str = settings.LANGUAGE_CODE
    joined: tuple[str, ...] = ()
    has_layer: bool = False

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """Channels' own entry point, except that a channel layer that cannot make the socket's
        channel (the pub/sub layer subscribes it in Redis, so a dead Redis fails here, before
        ``connect``) leaves the socket without live pushes instead of failing its handshake: the
        page is still served from the database, with a notice (see ``connect``)."""
        self.scope = scope
        layer: Any = get_channel_layer(self.channel_layer_alias)
        sources: list[Any] = [receive]
        if layer is not None and not breaker.LAYER.allow():
            layer = None  # Redis is known to be down: do not wait for it on every socket
        if layer is not None:
            try:
                # Bounded: a Redis that accepts connections but never answers must not hold
                # the handshake (nor, through the shard's lock, every other socket's) forever.
                self.channel_name = await asyncio.wait_for(layer.new_channel(), broadcasts.push_timeout())
            except Exception:
                breaker.LAYER.failure()
                layer = None
            else:
                sources.append(functools.partial(layer.receive, self.channel_name))
        self.channel_layer = layer
        self.has_layer = layer is not None
        self.base_send = send
        with contextlib.suppress(StopConsumer):
            await await_many_dispatch(sources, self.dispatch)

    async def connect(self) -> None:
        game_id = int(self.scope["url_route"]["kwargs"]["game_id"])
        self.viewer, self.open_key = await database_sync_to_async(sockets.identify)(self.scope, game_id)
        if self.viewer is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.frames: list[float] = []
        self.language = sockets.language_for(self.scope)
        self.joined = sockets.groups_for(self.viewer)
        live = await self._join_groups()
        await self.accept()
        html = await database_sync_to_async(sockets.in_language(self.language, sockets.on_connect))(
            self.viewer, self.open_key)
        if not live:
            html += sockets.notice_html(self.language, gettext_noop(
                "Live updates are unavailable right now; your actions are still saved. "
                "Reload the page in a moment."), level="warning")
        await self.send(text_data=html)

    async def _join_groups(self) -> bool:
        if not self.has_layer:
            return False
        try:
            for group in self.joined:
                await asyncio.wait_for(self.channel_layer.group_add(group, self.channel_name),
                                       broadcasts.push_timeout())
        except Exception:  # the layer (Redis) is down: serve the page from the database anyway
            breaker.LAYER.failure()
            return False
        return True

    async def disconnect(self, code: int) -> None:
        if self.viewer is None:
            return
        for group in self.joined if self.has_layer else ():
            try:
                await asyncio.wait_for(self.channel_layer.group_discard(group, self.channel_name),
                                       broadcasts.push_timeout())
            except Exception:
                break
        await database_sync_to_async(sockets.on_disconnect)(self.viewer)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        now = time.monotonic()
        self.frames = [t for t in self.frames if now - t < 10.0] + [now]
        if len(self.frames) > settings.TREATYCRAFT["WS_FRAMES_PER_10S"]:
            await self.close(code=CLOSE_FLOOD)
            return
        if text_data is None:
            await self.send(text_data=sockets.notice_html(self.language, gettext_noop("Binary frames are not accepted.")))
            return
        if len(text_data) > settings.TREATYCRAFT["WS_MAX_FRAME_BYTES"]:
            await self.send(text_data=sockets.notice_html(
                self.language, gettext_noop("That message was too large and was ignored.")))
            return
        try:
            frame: Any = json.loads(text_data)
        except (ValueError, RecursionError):  # malformed, a 5,000-digit number, or 5,000 nested brackets
            frame = None
        kind = frame.get("type") if isinstance(frame, dict) else None
        if kind == "resync" and self.viewer is not None:
            html = await database_sync_to_async(sockets.in_language(self.language, rendering.resync_html))(
                self.viewer.game_id, self.viewer, self.open_key)
            await self.send(text_data=html)
        elif kind == "chat" and self.viewer is not None:
            reply = await post_hop(sockets.in_language(self.language, sockets.chat_post))(self.viewer, frame)
            await self.send(text_data=reply)
        elif kind != "ping":
            await self.send(text_data=sockets.notice_html(
                self.language, gettext_noop("The server did not understand that message; nothing was changed.")))

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Public pushes carry pre-rendered HTML and touch no database, so they skip Channels'
        # per-message close_old_connections() thread hop (see docs/performance.md).
        if message["type"] == "push.html":
            by_language = message.get("by_language") or {}
            html = by_language.get(self.language)
            if html is None and by_language and message.get("fragments") and self.viewer is not None:
                html = await self._render_own(message)  # rendered before this socket's language was marked
            await self.send(text_data=html or message["html"])
            return
        # Inbound frames skip it too: ``receive`` does its database work only inside
        # database_sync_to_async, which closes stale connections in its own thread hop.
        if message["type"] == "websocket.receive":
            await self.websocket_receive(cast("WebSocketReceiveEvent", message))
            return
        await super().dispatch(message)

    async def _render_own(self, message: dict[str, Any]) -> str:
        """A push's fragments in this socket's language, read from the database: the push was
        rendered in the languages listening (broadcasts.push_languages), and this one was not among
        them. A seat's push renders this viewer's own seat's fragments (the group is the seat's)."""
        assert self.viewer is not None
        names = [str(n) for n in message["fragments"]]
        if message.get("seat"):
            return await database_sync_to_async(sockets.in_language(
                self.language, rendering.private_fragments_html))(self.viewer.game_id, self.viewer, names)
        return await database_sync_to_async(sockets.in_language(
            self.language, rendering.public_fragments_html))(self.viewer.game_id, tuple(names))

    async def push_public(self, event: dict[str, Any]) -> None:
        """Public fragments rung as a doorbell (the projector's map): render them for this socket."""
        if self.viewer is None:
            return
        html = await database_sync_to_async(sockets.in_language(self.language, rendering.public_fragments_html))(
            self.viewer.game_id, tuple(str(n) for n in event.get("fragments", [])))
        await self.send(text_data=html)

    async def session_revoked(self, event: dict[str, Any]) -> None:
        await self.close(code=CLOSE_FORBIDDEN)

    async def push_stage(self, event: dict[str, Any]) -> None:
        """The projector's stage changed: render it for this wall, in its language."""
        if self.viewer is None or self.viewer.role is not Role.OBSERVER:
            return
        html = await database_sync_to_async(sockets.in_language(self.language, rendering.projector_stage_html))(
            self.viewer.game_id)
        await self.send(text_data=html)

    async def push_refresh(self, event: dict[str, Any]) -> None:
        if self.viewer is None:
            return
        html = await database_sync_to_async(sockets.in_language(self.language, rendering.private_fragments_html))(
            self.viewer.game_id, self.viewer, list(event.get("fragments", [])))
        if html:
            await self.send(text_data=html)
