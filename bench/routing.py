"""Baseline routes, mounted by config/asgi.py when TREATYCRAFT_BENCH_ROUTES=1 (never in production).

/ws/bench/<variant>/<room>/ where variant is
  stock       default dispatch, the server's configured layer
  fast        without the per-message aclose_old_connections() hop, the configured layer
  core-stock  default dispatch on the "core" alias (RedisChannelLayer; needs bench.settings)
  core-fast   the same without the hop
"""

from __future__ import annotations

from typing import Any

from django.urls import path

from bench.baseline import (
    CoreFastBaselineConsumer,
    CoreStockBaselineConsumer,
    FastBaselineConsumer,
    StockBaselineConsumer,
)

# django-stubs types path() for views only; Channels' URLRouter takes ASGI apps here.
websocket_urlpatterns: list[Any] = [
    path("ws/bench/stock/<slug:room>/", StockBaselineConsumer.as_asgi()),  # type: ignore[arg-type]
    path("ws/bench/fast/<slug:room>/", FastBaselineConsumer.as_asgi()),  # type: ignore[arg-type]
    path("ws/bench/core-stock/<slug:room>/", CoreStockBaselineConsumer.as_asgi()),  # type: ignore[arg-type]
    path("ws/bench/core-fast/<slug:room>/", CoreFastBaselineConsumer.as_asgi()),  # type: ignore[arg-type]
]
