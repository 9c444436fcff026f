"""The clock: resolves turns whose deadline has passed.

Deadlines live in the database (Game.deadline_at), so a restarted clock finds overdue turns and
resolves them; turn_resolve's claim makes a second clock, or a facilitator's click, a no-op.
With the in-memory channel layer the clock runs inside the Daphne process (an asyncio task, so
its pushes reach that process's sockets); with Redis it can run as its own process
(`manage.py clock`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from channels.db import database_sync_to_async
from django.db import close_old_connections
from django.utils import timezone

from negotiation import mail, notifications, services
from negotiation.models import OPEN_PHASES, Game

logger = logging.getLogger("treatycraft.clock")


def tick() -> list[tuple[int, str]]:
    """Advance every phase whose deadline has passed (or extend it after a long outage).
    Returns (game id, what happened) for each game it acted on."""
    acted = []
    due = Game.objects.filter(
        phase__in=OPEN_PHASES, paused_at__isnull=True, deadline_at__lte=timezone.now()
    ).values_list("pk", "phase", "turn")
    for game_id, phase, turn in list(due):
        try:
            outcome = services.clock_due(game_id=game_id, expected_phase=phase, expected_turn=turn)
        except Exception:
            logger.exception("clock: game %s %s of turn %s failed", game_id, phase, turn)
            continue
        if outcome != "skipped":
            logger.info("clock: game %s %s of turn %s: %s", game_id, phase, turn, outcome)
            acted.append((game_id, outcome))
    try:
        services.bots_tick()  # bot seats negotiate through the services, at a human pace
    except Exception:
        logger.exception("clock: bot seats failed")
    return acted


NOTIFY_EVERY = 15.0  # seconds between two scans for notifications to queue
_last_scan = [float("-inf")]


def mail_tick(*, force: bool = False) -> int:
    """Queue the notifications whose moment came (turn opened, deadline near, signature awaited,
    digest) and send the outbox's due mail. Failures are logged and retried at the next tick; they
    never stop the turn clock."""
    try:
        if force or time.monotonic() - _last_scan[0] >= NOTIFY_EVERY:
            _last_scan[0] = time.monotonic()
            notifications.schedule_due()
    except Exception:
        logger.exception("clock: scheduling notifications failed")
    try:
        return mail.process()
    except Exception:
        logger.exception("clock: sending mail failed")
        return 0


def run_forever(interval: float = 1.0, *, iterations: int | None = None) -> None:
    """The clock as its own process."""
    count = 0
    while iterations is None or count < iterations:
        close_old_connections()
        try:
            tick()
        except Exception:
            logger.exception("clock tick failed; retrying")
        mail_tick()
        count += 1
        time.sleep(interval)


async def run_in_loop(interval: float = 1.0) -> None:
    """The clock as a task inside the Daphne process (single-process deployments)."""
    logger.info("clock: running inside this server process")
    while True:
        try:
            await database_sync_to_async(tick)()
        except Exception:
            logger.exception("clock tick failed; retrying")
        await database_sync_to_async(mail_tick)()
        await asyncio.sleep(interval)


class InProcessClock:
    """ASGI wrapper that starts the clock task on the server's event loop at the first request."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.task: asyncio.Task[None] | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> Any:
        if self.task is None:
            self.task = asyncio.get_running_loop().create_task(run_in_loop())
        return await self.app(scope, receive, send)
