"""Security headers Django does not set itself: a content security policy with no inline script,
and no caching of pages that show private data."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CSP)
        if not request.path.startswith("/static/"):
            response.setdefault("Cache-Control", "no-store")
        return response


# --- Request bodies are capped before Daphne reads them ---------------------------------------------

BODY_TOO_LARGE = b"Request body too large.\n"


def cap_request_bodies(max_bytes: int) -> None:
    """Make Daphne refuse a request body over `max_bytes` while it arrives.

    Daphne reads a whole body and queues all of it for the application before Django's
    DATA_UPLOAD_MAX_MEMORY_SIZE check can answer 400, so without a proxy in front (``make run``) a
    100 MB body cost 100 MB of memory. Here a declared Content-Length over the cap, or a chunked
    body that grows past it, gets 413 at once and the connection is closed; nothing reaches the
    application. Behind nginx, ``client_max_body_size`` does the same first (deploy/nginx)."""
    # Lazy: Daphne drags in Twisted, needed only by a process that serves under it (not by
    # tests, management commands or other servers). Not a cycle: nothing here imports us back.
    from daphne.http_protocol import WebRequest

    if getattr(WebRequest, "treatycraft_body_cap", None) is not None:
        WebRequest.treatycraft_body_cap = max_bytes
        return
    WebRequest.treatycraft_body_cap = max_bytes
    got_length, content_chunk, process = WebRequest.gotLength, WebRequest.handleContentChunk, WebRequest.process

    def refuse(request: Any) -> None:
        request.treatycraft_refused = True
        transport = request.channel.transport
        transport.write(b"HTTP/1.1 413 Content Too Large\r\nContent-Type: text/plain; charset=utf-8\r\n"
                        b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(BODY_TOO_LARGE), BODY_TOO_LARGE))
        transport.loseConnection()

    def capped_got_length(self: Any, length: int | None) -> None:
        self.treatycraft_received = 0
        self.treatycraft_refused = False
        if length is not None and length > WebRequest.treatycraft_body_cap:
            got_length(self, 0)
            refuse(self)
            return
        got_length(self, length)

    def capped_content_chunk(self: Any, data: bytes) -> None:
        if getattr(self, "treatycraft_refused", False):
            return
        self.treatycraft_received = getattr(self, "treatycraft_received", 0) + len(data)
        if self.treatycraft_received > WebRequest.treatycraft_body_cap:
            refuse(self)
            return
        content_chunk(self, data)

    def capped_process(self: Any) -> Any:
        if getattr(self, "treatycraft_refused", False):
            return None
        return process(self)

    WebRequest.gotLength = capped_got_length
    WebRequest.handleContentChunk = capped_content_chunk
    WebRequest.process = capped_process

