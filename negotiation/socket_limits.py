"""Limits on WebSockets enforced inside Daphne, before a frame is queued for the application.

The consumer's own frame limit (WS_FRAMES_PER_10S, with a friendly close) applies only to frames
Daphne has already queued: one player flooding 20 sockets at 2,000 frames/s filled those queues
faster than the consumer drained them, delayed everyone's pushes by seconds and grew the server by
300 MiB. Here, per server process:

- sockets per session and per address are capped, and so is the rate of socket opens (a refused
  handshake gets HTTP 429 before any application code runs);
- a connection that sends frames faster than twice the consumer's limit, has more than
  WS_MAX_QUEUED_FRAMES waiting, sends a frame over WS_MAX_MESSAGE_BYTES, or leaves more than
  WS_MAX_OUTBOUND_BYTES of replies unread is dropped at once: what one connection can make the
  server hold is bounded. Its session may then open no socket for PENALTY_SECONDS.

Loopback addresses are exempt from the per-address limits only (a reverse proxy without
``--proxy-headers`` would otherwise put every player behind one address); session limits apply to
everyone. Installed by config/asgi.py, which Daphne imports before it serves.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict, deque
from typing import Any

from django.conf import settings

logger = logging.getLogger("treatycraft.sockets")
LOOPBACK = ("127.0.0.1", "::1", "localhost")


def limit(name: str, default: int) -> int:
    return int(settings.TREATYCRAFT.get(name, default))


class Ledger:
    """Open sockets and recent opens per key (a session or an address), in this process."""

    def __init__(self) -> None:
        self.open: dict[str, int] = defaultdict(int)
        self.opens: dict[str, deque[float]] = defaultdict(deque)

    def admit(self, key: str, *, max_open: int, max_opens: int, now: float) -> bool:
        recent = self.opens[key]
        while recent and now - recent[0] > 10.0:
            recent.popleft()
        if self.open[key] >= max_open or len(recent) >= max_opens:
            return False
        recent.append(now)
        self.open[key] += 1
        return True

    def release(self, key: str) -> None:
        self.open[key] -= 1
        if self.open[key] <= 0:
            del self.open[key]
            if not self.opens.get(key):
                self.opens.pop(key, None)


SESSIONS = Ledger()
ADDRESSES = Ledger()
# A session whose socket was dropped for flooding may not open another for this long: a page never
# floods, and each accepted socket costs a page render, so a flooder is kept out, not re-admitted.
PENALTY_SECONDS = 30.0
PENALISED: dict[str, float] = {}


def _session_key(request: Any) -> str | None:
    for part in str(request.headers.get("cookie", "")).split(";"):
        name, _, value = part.strip().partition("=")
        if name == settings.SESSION_COOKIE_NAME and value:
            return value
    return None


def _outbound_bytes(transport: Any) -> int:
    # Twisted's TCP transport keeps unsent bytes in dataBuffer and _tempDataBuffer.
    return len(getattr(transport, "dataBuffer", b"")) + int(getattr(transport, "_tempDataLen", 0))


def install() -> None:
    # Lazy: Daphne, Autobahn and Twisted are loaded only by a process that serves under Daphne.
    from autobahn.websocket.types import ConnectionDeny
    from daphne.ws_protocol import WebSocketProtocol

    if getattr(WebSocketProtocol, "treatycraft_limited", False):
        return
    WebSocketProtocol.treatycraft_limited = True
    on_connect, on_message, on_close = WebSocketProtocol.onConnect, WebSocketProtocol.onMessage, WebSocketProtocol.onClose
    server_send = WebSocketProtocol.serverSend

    def drop(self: Any, why: str) -> None:
        if not getattr(self, "tc_dropped", False):
            self.tc_dropped = True
            if getattr(self, "tc_session", None) is not None:
                PENALISED[self.tc_session] = time.monotonic() + PENALTY_SECONDS
            logger.warning("socket from %s dropped: %s", getattr(self, "client_addr", None), why)
            self.dropConnection(abort=True)

    def limited_on_connect(self: Any, request: Any) -> Any:
        now = time.monotonic()
        session = _session_key(request)
        peer = self.transport.getPeer()
        address = str(getattr(peer, "host", ""))
        self.tc_session = self.tc_address = None
        if session is not None and PENALISED.get(session, 0.0) > now:
            raise ConnectionDeny(429, "This browser sent too much; wait a moment and reload.")  # type: ignore[no-untyped-call]
        if len(PENALISED) > 10_000:  # forget penalties that have run out
            for key in [k for k, until in PENALISED.items() if until <= now]:
                del PENALISED[key]
        if session is not None:
            if not SESSIONS.admit(session, max_open=limit("WS_PER_SESSION", 8),
                                  max_opens=limit("WS_OPENS_PER_10S_SESSION", 30), now=now):
                raise ConnectionDeny(429, "Too many connections from this browser; close a tab and reload.")  # type: ignore[no-untyped-call]
            self.tc_session = session
        if address and address not in LOOPBACK:
            if not ADDRESSES.admit(address, max_open=limit("WS_PER_ADDRESS", 300),
                                   max_opens=limit("WS_OPENS_PER_10S_ADDRESS", 150), now=now):
                if self.tc_session is not None:
                    SESSIONS.release(self.tc_session)
                    self.tc_session = None
                raise ConnectionDeny(429, "Too many connections from this address; try again shortly.")  # type: ignore[no-untyped-call]
            self.tc_address = address
        self.tc_frames = deque()
        # A single frame over this is refused by autobahn as it arrives (a message of several
        # frames stops at Daphne's 1 MiB message limit, and is dropped below when it exceeds this).
        self.maxFramePayloadSize = limit("WS_MAX_MESSAGE_BYTES", 64 * 1024)
        self.tc_connected = True
        return on_connect(self, request)

    def limited_on_message(self: Any, payload: bytes, is_binary: bool) -> None:
        if getattr(self, "tc_dropped", False):
            return
        now = time.monotonic()
        frames: deque[float] = self.tc_frames
        frames.append(now)
        while frames and now - frames[0] > 10.0:
            frames.popleft()
        queue = getattr(self, "application_queue", None)
        if len(frames) > 2 * limit("WS_FRAMES_PER_10S", 40):
            drop(self, "frame flood")
            return
        if len(payload) > limit("WS_MAX_MESSAGE_BYTES", 64 * 1024):
            drop(self, "message too large")
            return
        if queue is not None and queue.qsize() >= limit("WS_MAX_QUEUED_FRAMES", 32):
            drop(self, "frames queued faster than the server handles them")
            return
        if _outbound_bytes(self.transport) > limit("WS_MAX_OUTBOUND_BYTES", 4 << 20):
            drop(self, "replies left unread")
            return
        on_message(self, payload, is_binary)

    def limited_server_send(self: Any, content: Any, binary: bool = False) -> Any:
        if _outbound_bytes(self.transport) > limit("WS_MAX_OUTBOUND_BYTES", 4 << 20):
            drop(self, "pushes left unread")
            return None
        return server_send(self, content, binary)

    def limited_on_close(self: Any, was_clean: bool, code: int, reason: str) -> Any:
        if getattr(self, "tc_session", None) is not None:
            SESSIONS.release(self.tc_session)
            self.tc_session = None
        if getattr(self, "tc_address", None) is not None:
            ADDRESSES.release(self.tc_address)
            self.tc_address = None
        if not getattr(self, "tc_connected", False):
            return None  # refused before Daphne knew of it: nothing of Daphne's to clean up
        return on_close(self, was_clean, code, reason)

    WebSocketProtocol.onConnect = limited_on_connect
    WebSocketProtocol.onMessage = limited_on_message
    WebSocketProtocol.onClose = limited_on_close
    WebSocketProtocol.serverSend = limited_server_send
