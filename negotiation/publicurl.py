"""Absolute links other devices can open: join links, seat links, the projector link, QR codes.

A teacher often opens the console on the serving laptop itself (http://127.0.0.1:8000/); a link
built from that request would send students to their own devices. Links are built, in order:
from the PUBLIC_URL setting; else, when the request came to a loopback name and the server is on a
network, from the address students can reach (settings.CLASSROOM_HOSTS, the first is the address
of the default route); else from the request's own host, which other devices already reached.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.http.request import split_domain_port

from config import network


def absolute_url(request: HttpRequest, path: str) -> str:
    """`path` (starting with "/", query allowed) as a URL students can open."""
    if settings.PUBLIC_URL:
        return f"{settings.PUBLIC_URL}{path}"
    name, port = split_domain_port(request.get_host())
    classroom = getattr(settings, "CLASSROOM_HOSTS", [])
    if classroom and (network.is_loopback(name) or network.is_wildcard(name)):
        return f"{request.scheme}://{classroom[0]}{':' + port if port else ''}{path}"
    return request.build_absolute_uri(path)
