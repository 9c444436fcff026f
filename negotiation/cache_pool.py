"""One Redis connection pool per process for Django's cache.

Django makes a cache object, hence a client and a connection pool, per request context; under
ASGI every request runs in a fresh context, so each request that touched the cache (the rate
limits) opened a new Redis connection, and redis-py 8 reads its package metadata from disk for
every new connection. Sharing the pool keeps a few connections open for the process."""

from __future__ import annotations

import threading
from typing import Any

import redis

_pools: dict[tuple[str, str], redis.ConnectionPool] = {}
_lock = threading.Lock()


class SharedConnectionPool(redis.ConnectionPool):
    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> redis.ConnectionPool:  # type: ignore[override]
        key = (url, repr(sorted(kwargs.items(), key=lambda kv: kv[0])))
        with _lock:
            pool = _pools.get(key)
            if pool is None:
                pool = _pools[key] = redis.ConnectionPool.from_url(url, **kwargs)
        return pool
