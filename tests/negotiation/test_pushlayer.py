"""negotiation.pushlayer: publishes waiting together go to Redis in one round trip, in the order
they were made; each publisher waits for its own answer and gets the batch's error if it fails."""

from __future__ import annotations

import asyncio

import pytest

from negotiation.pushlayer import BATCH, BatchedShard


class FakePipeline:
    def __init__(self, redis: FakeRedis) -> None:
        self.redis = redis
        self.commands: list[tuple[str, bytes]] = []

    def publish(self, channel: str, message: bytes) -> None:
        self.commands.append((channel, message))

    async def execute(self) -> list[int]:
        await asyncio.sleep(0.01)  # one round trip
        if self.redis.fail:
            raise ConnectionError("redis is gone")
        self.redis.round_trips.append(self.commands)
        return [1] * len(self.commands)


class FakeRedis:
    def __init__(self) -> None:
        self.round_trips: list[list[tuple[str, bytes]]] = []
        self.fail = False

    def pipeline(self, transaction: bool = True) -> FakePipeline:
        assert transaction is False
        return FakePipeline(self)


def shard() -> tuple[BatchedShard, FakeRedis]:
    redis = FakeRedis()
    s = BatchedShard({"address": "redis://127.0.0.1:1"}, channel_layer=None)
    s._redis = redis
    s._ensure_redis = lambda: None
    return s, redis


@pytest.mark.asyncio
async def test_publishes_made_together_take_one_round_trip_in_their_order():
    s, redis = shard()
    await asyncio.gather(*(s.publish(f"g{i}", b"m%d" % i) for i in range(5)))
    assert redis.round_trips == [[(f"g{i}", b"m%d" % i) for i in range(5)]]
    await s.publish("later", b"x")  # one made after the batch went: its own round trip
    assert redis.round_trips[-1] == [("later", b"x")]


@pytest.mark.asyncio
async def test_a_batch_is_bounded_and_the_rest_follows_in_order():
    s, redis = shard()
    await asyncio.gather(*(s.publish("g", b"%d" % i) for i in range(BATCH + 3)))
    assert [len(batch) for batch in redis.round_trips] == [BATCH, 3]
    assert [m for batch in redis.round_trips for _g, m in batch] == [b"%d" % i for i in range(BATCH + 3)]


@pytest.mark.asyncio
async def test_every_publisher_of_a_failed_batch_gets_the_error():
    s, redis = shard()
    redis.fail = True
    results = await asyncio.gather(*(s.publish("g", b"m") for _ in range(3)), return_exceptions=True)
    assert all(isinstance(r, ConnectionError) for r in results)
    redis.fail = False
    await s.publish("g", b"again")  # the shard keeps working afterwards
    assert redis.round_trips == [[("g", b"again")]]
