"""Shared machinery of the write services: the game lock, the sequence counter, the log and rate
limits. Only services call these; what a service changed it publishes with negotiation.changes."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from negotiation.errors import RateLimited
from negotiation.models import Game, GameEvent, Phase

logger = logging.getLogger("treatycraft.services")


def cfg(name: str) -> int:
    return int(settings.TREATYCRAFT[name])


def lock_game(game_id: int) -> Game:
    """Take the game's write lock and return the fresh row.

    On PostgreSQL this is a row lock; on SQLite the IMMEDIATE transaction already holds the
    database write lock, so two writers are serialised either way."""
    return Game.objects.select_for_update().get(pk=game_id)


def next_seq(game: Game) -> int:
    """The game's next sequence number (messages and log entries share it). The increment happens
    in the database, so a stale instance cannot hand out a number twice."""
    Game.objects.filter(pk=game.pk).update(last_seq=F("last_seq") + 1)
    game.last_seq = Game.objects.values_list("last_seq", flat=True).get(pk=game.pk)
    return game.last_seq


def next_seq_locked(game: Game) -> int:
    """:func:`next_seq` for a game row this transaction has just locked (``select_for_update``;
    on SQLite the IMMEDIATE transaction holds the write lock): its ``last_seq`` is current, so
    one UPDATE does, without reading it back."""
    game.last_seq += 1
    Game.objects.filter(pk=game.pk).update(last_seq=game.last_seq)
    return game.last_seq


def log(
    game: Game,
    kind: str,
    actor: str,
    data: Mapping[str, Any] | None = None,
    audience: list[str] | None = None,
    seq: int | None = None,
) -> GameEvent:
    """Append to the game's log. audience None = public; a list of state ids and/or
    "@facilitator" otherwise."""
    return GameEvent.objects.create(
        game=game,
        seq=seq if seq is not None else next_seq(game),
        kind=kind,
        actor=actor,
        audience=audience,
        data=dict(data or {}),
    )


def bump_version(game: Game) -> None:
    game.version += 1
    Game.objects.filter(pk=game.pk).update(version=game.version)


def rate_limit(key: str, limit: int, window_seconds: int = 60) -> None:
    """Refuse the (limit + 1)th hit of ``key`` within a window (RateLimited). The count lives in the
    shared cache, so every process of a deployment counts the same hits; on Redis a hit is one round
    trip (``GuardedRedisCache.incr_window``). A refused hit counts too: it changes nothing, since
    the window's count is over the limit already."""
    bucket = f"rl:{key}:{int(timezone.now().timestamp()) // window_seconds}"
    try:
        count = _hit(bucket, window_seconds * 2)
    except Exception:
        # The cache is a guard, not the truth: when it (Redis) is down, let the request through.
        logger.warning("rate-limit cache unavailable; %s not limited", key)
        return
    if count > limit:
        raise RateLimited(gettext("Too many attempts; wait a minute and try again (limit %(limit)s per minute).") % {"limit": limit})


def _hit(bucket: str, timeout: int) -> int:
    """Count one hit in the bucket and return the count, this hit included."""
    counter = getattr(cache, "incr_window", None)
    if counter is not None:
        return int(counter(bucket, timeout))
    cache.add(bucket, 0, timeout=timeout)  # other backends (the in-process cache of `make run`)
    return int(cache.incr(bucket))


def phase_seconds(game: Game, phase: str) -> int | None:
    return {
        Phase.NEGOTIATION: game.negotiation_seconds,
        Phase.ORDERS: game.orders_seconds,
        Phase.REPORT: game.report_seconds,
    }.get(Phase(phase))


def deadline_for(game: Game, phase: str, now: datetime | None = None) -> datetime | None:
    seconds = phase_seconds(game, phase)
    if not seconds:
        return None
    return (now or timezone.now()) + timedelta(seconds=seconds)
