"""The Redis pub/sub channel layer (channels_redis), with publishes batched per round trip.

channels_redis' pub/sub shard holds one asyncio lock across each publish's round trip, so a
process publishes one push per event-loop iteration: the lock is released only when the loop
gets to Redis's answer. With 1,030 sockets and 1,000 deliveries/s the loop's iterations grew
long enough that the publishes of 100 chat posts a second and a turn's pushes queued behind the
lock until they timed out (docs/performance.md, "fourth pass"). Here a publish joins an outbox
and one task sends everything waiting in one pipeline (one round trip, in the order the
publishes were made); each publisher still waits for its own push's answer, or its error.
Subscriptions, the reader and everything else are channels_redis' own.
"""

from __future__ import annotations

import asyncio
from typing import Any

from channels_redis.pubsub import RedisPubSubChannelLayer, RedisPubSubLoopLayer, RedisSingleShardConnection
from channels_redis.utils import _wrap_close

# At most this many publishes per round trip; the rest go in the next one.
BATCH = 256


class BatchedShard(RedisSingleShardConnection):  # type: ignore[misc]
    def __init__(self, host: Any, channel_layer: Any) -> None:
        super().__init__(host, channel_layer)
        self._outbox: list[tuple[str, bytes, asyncio.Future[None]]] = []
        self._sender: asyncio.Task[None] | None = None

    async def publish(self, channel: str, message: bytes) -> None:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._outbox.append((channel, message, done))
        if self._sender is None or self._sender.done():
            self._sender = asyncio.ensure_future(self._send_outbox())
        await done

    async def _send_outbox(self) -> None:
        while self._outbox:
            batch, self._outbox = self._outbox[:BATCH], self._outbox[BATCH:]
            try:
                self._ensure_redis()
                pipe = self._redis.pipeline(transaction=False)
                for channel, message, _done in batch:
                    pipe.publish(channel, message)
                await pipe.execute()
            except BaseException as exc:  # every publisher of the batch gets the error
                for _channel, _message, done in batch:
                    if not done.done():
                        done.set_exception(exc if isinstance(exc, Exception) else ConnectionError(repr(exc)))
                if not isinstance(exc, Exception):
                    raise
            else:
                for _channel, _message, done in batch:
                    if not done.done():
                        done.set_result(None)


class BatchedLoopLayer(RedisPubSubLoopLayer):  # type: ignore[misc]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stock: list[Any] = self.__dict__["_shards"]
        self._shards = [BatchedShard(shard.host, self) for shard in stock]


class BatchedPubSubChannelLayer(RedisPubSubChannelLayer):  # type: ignore[misc]
    """RedisPubSubChannelLayer whose shards batch their publishes (see the module's docstring)."""

    def _get_layer(self) -> BatchedLoopLayer:
        loop = asyncio.get_running_loop()
        try:
            layer: BatchedLoopLayer = self._layers[loop]
        except KeyError:
            layer = BatchedLoopLayer(*self._args, **self._kwargs, channel_layer=self)
            self._layers[loop] = layer
            _wrap_close(self, loop)
        return layer
