"""The rate limit: counted in the shared cache before a chat post's transaction (never while the
game's row is locked), in one Redis round trip, shared by every process that shares the cache; a
retry of a stored post is answered at the limit too; a dead Redis lets requests through with a
warning instead of failing them."""

from __future__ import annotations

import logging
import os
import uuid

import pytest
from django.db import connection

from negotiation import breaker, services
from negotiation.cache_pool import GuardedRedisCache
from negotiation.errors import RateLimited
from negotiation.models import Member, Message
from negotiation.services import common
from negotiation.viewer import Role, Viewer
from tests.helpers import seat_client

REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")


def player(member: Member) -> Viewer:
    return Viewer(role=Role.PLAYER, game_id=member.seat.game_id, seat_id=member.seat_id,
                  state_id=member.seat.state_id, label=member.name, member_id=member.pk, is_captain=member.is_captain)


def redis_cache(location: str = REDIS_TEST_URL) -> GuardedRedisCache:
    """A cache as config/settings.py makes it, with a key prefix of its own (xdist workers and
    earlier runs share the Redis database)."""
    return GuardedRedisCache(location, {"KEY_PREFIX": f"t{uuid.uuid4().hex[:12]}", "OPTIONS": {
        "socket_timeout": 1, "socket_connect_timeout": 1,
        "pool_class": "negotiation.cache_pool.SharedConnectionPool"}})


@pytest.fixture
def fresh_breaker(monkeypatch):
    cache_breaker = breaker.Breaker("cache (test)", open_seconds=3.0)
    monkeypatch.setattr(breaker, "CACHE", cache_breaker)
    return cache_breaker


@pytest.mark.redis
def test_a_hit_is_one_round_trip_that_two_processes_share(fresh_breaker):
    first, second = redis_cache(), redis_cache()
    second.key_prefix = first.key_prefix  # two processes of one deployment: the same settings
    client = first._cache.get_client(write=True)
    key = first.make_and_validate_key("rl:x")
    calls: list[str] = []
    real = type(client).execute_command

    def counted(self, *args, **kwargs):
        calls.append(str(args[0]))
        return real(self, *args, **kwargs)

    pipeline_calls: list[int] = []
    real_pipeline_execute = type(client.pipeline()).execute

    def counted_pipeline(self, *args, **kwargs):
        pipeline_calls.append(len(self.command_stack))
        return real_pipeline_execute(self, *args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(type(client), "execute_command", counted)
        mp.setattr(type(client.pipeline()), "execute", counted_pipeline)
        assert [first.incr_window("rl:x", 120), second.incr_window("rl:x", 120), first.incr_window("rl:x", 120)] == [1, 2, 3]
    assert calls == [] and pipeline_calls == [2, 2, 2]  # one pipeline (one round trip) per hit
    assert 0 < client.ttl(key) <= 120
    client.delete(key)


@pytest.mark.redis
def test_the_limit_refuses_the_hit_after_the_last_allowed_one_on_redis(monkeypatch, fresh_breaker):
    cache = redis_cache()
    monkeypatch.setattr(common, "cache", cache)
    for _ in range(3):
        common.rate_limit("k", 3)
    with pytest.raises(RateLimited):
        common.rate_limit("k", 3)
    with pytest.raises(RateLimited):  # and stays refused within the window
        common.rate_limit("k", 3)


def test_a_dead_redis_lets_the_request_through_with_a_warning(monkeypatch, fresh_breaker, caplog):
    cache = redis_cache("redis://127.0.0.1:1/0")  # nothing listens there
    monkeypatch.setattr(common, "cache", cache)
    with caplog.at_level(logging.WARNING, logger="treatycraft.services"):
        common.rate_limit("k", 1)
        common.rate_limit("k", 1)  # the breaker is open now: no second wait
    assert fresh_breaker.is_open
    messages = [r.getMessage() for r in caplog.records if r.name == "treatycraft.services"]
    assert messages == ["rate-limit cache unavailable; k not limited"] * 2
    assert not any(r.exc_info for r in caplog.records)


@pytest.mark.django_db
def test_the_chat_limit_is_counted_before_the_posts_transaction(started_game, monkeypatch):
    _, ana = seat_client(started_game, "aurel", "Ana")
    savepoints: list[int] = []
    real = common.rate_limit

    def spy(*args, **kwargs):
        savepoints.append(len(connection.savepoint_ids))
        return real(*args, **kwargs)

    monkeypatch.setattr("negotiation.services.chat.rate_limit", spy)
    services.message_post(game_id=started_game.pk, viewer=player(ana), body="hi")
    # pytest-django's test transaction is open; the post's own (a savepoint inside it) is not yet
    assert savepoints == [0]
    assert Message.objects.count() == 1


@pytest.mark.django_db
def test_a_retry_of_a_stored_post_is_answered_at_the_limit(started_game, settings):
    settings.TREATYCRAFT = {**settings.TREATYCRAFT, "CHAT_RATE_PER_MINUTE": 1}
    _, ana = seat_client(started_game, "aurel", "Ana")
    first = services.message_post(game_id=started_game.pk, viewer=player(ana), body="hi", client_token="tok")
    again = services.message_post(game_id=started_game.pk, viewer=player(ana), body="hi", client_token="tok")
    assert again.pk == first.pk
    with pytest.raises(RateLimited):  # a new post is refused
        services.message_post(game_id=started_game.pk, viewer=player(ana), body="next", client_token="tok-2")
    with pytest.raises(RateLimited):  # and so is someone's token in another channel
        services.message_post(game_id=started_game.pk, viewer=player(ana), body="hi", client_token="tok",
                              channel="team:aurel")
    assert Message.objects.count() == 1
