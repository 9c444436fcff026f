"""Bounded calls to Redis: a circuit breaker per service (the channel layer, the cache).

A Redis that stops answering (SIGSTOP, a full disk, a network partition that keeps TCP up) accepts
connections and never replies. Every call to it is therefore bounded by a timeout, and after one
times out or fails, the breaker *opens*: for ``open_seconds`` the service is treated as down and
calls return at once instead of each waiting for its own timeout. The next call after that window
is a trial; success closes the breaker. A request thus waits at most one timeout whatever Redis
does, and the server recovers by itself when Redis answers again.
"""

from __future__ import annotations

import logging
import threading
import time

logger = logging.getLogger("treatycraft.redis")


class Breaker:
    def __init__(self, name: str, open_seconds: float) -> None:
        self.name = name
        self.open_seconds = open_seconds
        self._open_until = 0.0
        self._tripped = False
        self._lock = threading.Lock()

    def allow(self) -> bool:
        """Whether a call should be tried now (closed, or the open window has passed)."""
        return time.monotonic() >= self._open_until

    def failure(self) -> None:
        with self._lock:
            if not self._tripped:
                logger.warning("%s unavailable; calls skipped for %.0f s at a time until it answers",
                               self.name, self.open_seconds)
            self._tripped = True
            self._open_until = time.monotonic() + self.open_seconds

    def success(self) -> None:
        if self._tripped:
            with self._lock:
                if self._tripped:
                    logger.warning("%s answers again", self.name)
                self._tripped = False
                self._open_until = 0.0

    @property
    def is_open(self) -> bool:
        return not self.allow()


# One per process: the channel layer (pushes, socket subscriptions) and the cache (rate limits).
LAYER = Breaker("channel layer (Redis)", open_seconds=3.0)
CACHE = Breaker("cache (Redis)", open_seconds=3.0)
