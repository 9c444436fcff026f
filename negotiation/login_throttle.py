"""Failed-login throttling with django-axes: the backend that checks lockouts, and the page a
locked-out login gets (configured in settings: AUTHENTICATION_BACKENDS, AXES_LOCKOUT_CALLABLE)."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend  # type: ignore[import-untyped]
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class LoginThrottleBackend(AxesStandaloneBackend):  # type: ignore[misc]
    """Axes' lockout check for every login that comes with a request (every login page). A
    programmatic authenticate() without a request (a management command, a test client's login)
    has no address to throttle and is left to the next backend, instead of failing."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None,
                     password: str | None = None, **kwargs: Any) -> None:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)  # type: ignore[no-any-return]


def login_locked_out(request: HttpRequest, credentials: dict[str, Any] | None = None) -> HttpResponse:
    """django-axes' answer to a locked-out login: a page that says why and for how long, 429."""
    minutes = max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    return render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)
