"""ASGI entry point: HTTP through Django, WebSockets through Channels (Daphne serves both)."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Django must be set up before the routing imports the consumers (they import models).
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddleware  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.sessions import CookieMiddleware, SessionMiddleware  # noqa: E402
from django.conf import settings  # noqa: E402

from config.collector import parse_threshold, tune_for_server  # noqa: E402
from negotiation.middleware import cap_request_bodies  # noqa: E402
from negotiation.origin import OriginAllowlistMiddleware  # noqa: E402
from negotiation.routing import websocket_urlpatterns  # noqa: E402
from negotiation.socket_limits import install as install_socket_limits  # noqa: E402

if os.environ.get("TREATYCRAFT_BENCH_ROUTES") == "1":
    # The benchmark suite's bare Channels baseline, served by the same Daphne (bench/README.md).
    from bench.routing import websocket_urlpatterns as bench_urlpatterns

    websocket_urlpatterns = [*bench_urlpatterns, *websocket_urlpatterns]

# Daphne imports this module before it serves: bodies over the cap are refused as they arrive.
cap_request_bodies(int(settings.TREATYCRAFT["MAX_REQUEST_BYTES"]))
# ...and sockets are limited per session and address, and in what one may make the server hold.
install_socket_limits()

application: Any = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": OriginAllowlistMiddleware(
            CookieMiddleware(SessionMiddleware(AuthMiddleware(URLRouter(websocket_urlpatterns))))
        ),
    }
)

if os.environ.get("TREATYCRAFT_CLOCK") == "inprocess":
    from negotiation.clock import InProcessClock

    application = InProcessClock(application)

# Last, once everything the process keeps for its lifetime is loaded: the collector of a process
# that holds a thousand sockets (config/collector.py). The test process imports this module but
# does not serve: it keeps CPython's collector (the browser tests' Daphne is tuned like any server).
if "pytest" not in sys.modules:
    tune_for_server(parse_threshold(settings.TREATYCRAFT_SERVER_GC))
