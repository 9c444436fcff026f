"""WebSocket origin check: scheme, host and port must match exactly.

Channels' AllowedHostsOriginValidator compares host names only, so a page served from another
port or over plain http would pass it. This middleware compares the full origin against
WEBSOCKET_ALLOWED_ORIGINS; outside production it also accepts a loopback page whose origin is the
very host and port the socket was opened on (the test servers pick free ports).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}


def _header(scope: dict[str, Any], name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value).decode("latin1")
    return None


def origin_allowed(origin: str | None, host: str | None) -> bool:
    if not origin:
        return False
    origin = origin.rstrip("/").lower()
    allowed = {o.rstrip("/").lower() for o in settings.WEBSOCKET_ALLOWED_ORIGINS}
    if origin in allowed:
        return True
    if not settings.WEBSOCKET_ALLOW_ANY_LOCAL_ORIGIN or not host:
        return False
    parts = urlsplit(origin)
    if parts.scheme not in {"http", "https"} or parts.hostname is None:
        return False
    hostname = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    same_origin = parts.netloc == host.lower()
    return same_origin and hostname in LOOPBACK_HOSTS


class OriginAllowlistMiddleware:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> Any:
        if scope["type"] == "websocket" and not origin_allowed(
            _header(scope, b"origin"), _header(scope, b"host")
        ):
            return await WebsocketDenier()(scope, receive, send)
        return await self.app(scope, receive, send)
