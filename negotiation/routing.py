from __future__ import annotations

from typing import Any

from django.urls import path

from negotiation.consumers import GameConsumer

websocket_urlpatterns: list[Any] = [
    # django-stubs types path() for views only; Channels' URLRouter takes ASGI apps here.
    path("ws/game/<int:game_id>/", GameConsumer.as_asgi()),  # type: ignore[arg-type]
]
