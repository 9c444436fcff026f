"""One Redis connection pool per process for Django's cache.

Django makes a cache object, hence a client and a connection pool, per request context; under
ASGI every request runs in a fresh context, so each request that touched the cache (the rate
limits) opened a new Redis connection, and redis-py 8 reads its package metadata from disk for
every new connection. Sharing the pool keeps a few connections open for the process."""

from __future__ import annotations

import threading
from typing import Any

import redis
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

from negotiation import breaker

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


class GuardedRedisCacheClient(RedisCacheClient):
    """Django's Redis cache client with every call bounded by the pool's socket timeout and, after a
    failure, skipped for a few seconds (negotiation/breaker.py). The cache holds no truth (rate
    limit counters, chart data), so an unreachable Redis reads as a miss and writes are dropped:
    requests are served without it, each waiting at most one socket timeout."""

    def _guarded(self, name: str, fallback: Any, *args: Any) -> Any:
        if not breaker.CACHE.allow():
            return fallback
        try:
            result = getattr(super(), name)(*args)
        except (redis.RedisError, OSError):
            breaker.CACHE.failure()
            return fallback
        breaker.CACHE.success()
        return result

    def add(self, key: Any, value: Any, timeout: Any) -> Any:
        return self._guarded("add", False, key, value, timeout)

    def get(self, key: Any, default: Any) -> Any:
        return self._guarded("get", default, key, default)

    def set(self, key: Any, value: Any, timeout: Any) -> Any:
        return self._guarded("set", None, key, value, timeout)

    def touch(self, key: Any, timeout: Any) -> Any:
        return self._guarded("touch", False, key, timeout)

    def delete(self, key: Any) -> Any:
        return self._guarded("delete", False, key)

    def get_many(self, keys: Any) -> Any:
        return self._guarded("get_many", {}, keys)

    def has_key(self, key: Any) -> Any:
        return self._guarded("has_key", False, key)

    def incr(self, key: Any, delta: Any) -> Any:
        if not breaker.CACHE.allow():
            raise CacheUnavailable("the cache is unavailable")
        try:
            result = super().incr(key, delta)
        except (redis.RedisError, OSError) as exc:
            breaker.CACHE.failure()
            raise CacheUnavailable("the cache is unavailable") from exc
        breaker.CACHE.success()
        return result

    def incr_window(self, key: Any, timeout: int) -> int:
        """One hit of a counter that lives ``timeout`` seconds from its first hit, in one round trip:
        a pipeline creates the key at 0 with its expiry if it is absent, then increments it. Each
        command is atomic in Redis, so processes sharing the cache share the count.
        CacheUnavailable if Redis fails or the breaker is open."""
        if not breaker.CACHE.allow():
            raise CacheUnavailable("the cache is unavailable")
        try:
            pipe = self.get_client(key, write=True).pipeline(transaction=False)
            pipe.set(key, 0, ex=timeout, nx=True)
            pipe.incr(key)
            count = pipe.execute()[1]
        except (redis.RedisError, OSError) as exc:
            breaker.CACHE.failure()
            raise CacheUnavailable("the cache is unavailable") from exc
        breaker.CACHE.success()
        return int(count)

    def set_many(self, data: Any, timeout: Any) -> Any:
        return self._guarded("set_many", None, data, timeout)

    def delete_many(self, keys: Any) -> Any:
        return self._guarded("delete_many", None, keys)

    def clear(self) -> Any:
        return self._guarded("clear", None)


class CacheUnavailable(Exception):
    pass


class GuardedRedisCache(RedisCache):
    _cache: GuardedRedisCacheClient

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = GuardedRedisCacheClient

    def incr_window(self, key: str, timeout: int) -> int:
        """A rate limit's hit in one round trip (GuardedRedisCacheClient.incr_window)."""
        return self._cache.incr_window(self.make_and_validate_key(key), timeout)
