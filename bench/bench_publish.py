#!/usr/bin/env python
"""Publishes per second of the pub/sub channel layer while the event loop is busy (docs/performance.md,
"3 Dec, fourth pass"): channels_redis' shard (one lock held across each publish's round trip)
against negotiation.pushlayer's batched shard, alternated A B A B.

A task spends --busy-ms of CPU on every turn of the loop (what a Daphne process with a thousand
sockets does between its publishes), while --senders coroutines publish --publishes pushes of
300 bytes to Redis; the figures are publishes/s and the p99 of one publish's wait.

    python bench/bench_publish.py                        # 0, 2 and 10 ms of other work per turn
    python bench/bench_publish.py --busy-ms 0,5 --rounds 3
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from channels_redis.pubsub import RedisPubSubChannelLayer

from negotiation.pushlayer import BatchedPubSubChannelLayer

LAYERS: dict[str, Any] = {"stock": RedisPubSubChannelLayer, "batched": BatchedPubSubChannelLayer}


async def one(layer_class: Any, redis_url: str, busy_ms: float, publishes: int, senders: int) -> tuple[float, float]:
    layer = layer_class(hosts=[{"address": redis_url}], prefix=f"benchpub{os.getpid()}")
    await layer.group_send("warm", {"type": "x"})
    stop = False

    async def busy() -> None:
        while not stop:
            started = time.perf_counter()
            while time.perf_counter() - started < busy_ms / 1000:
                pass
            await asyncio.sleep(0)

    waits: list[float] = []

    async def sender(k: int) -> None:
        for _ in range(max(1, publishes // senders)):
            started = time.perf_counter()
            await layer.group_send(f"g{k}", {"type": "push.html", "html": "y" * 300})
            waits.append(time.perf_counter() - started)

    worker = asyncio.ensure_future(busy())
    started = time.perf_counter()
    await asyncio.gather(*(sender(k) for k in range(senders)))
    elapsed = time.perf_counter() - started
    stop = True
    await worker
    await layer.flush()
    waits.sort()
    return len(waits) / elapsed, waits[int(0.99 * (len(waits) - 1))] * 1000


async def run(args: argparse.Namespace) -> None:
    print(f"{'busy ms/turn':>12} {'layer':>8} {'publishes/s':>12} {'p99 wait ms':>12}")
    for busy_ms in args.busy_ms:
        for _ in range(args.rounds):
            for name in ("stock", "batched"):
                rate, p99 = await one(LAYERS[name], args.redis, busy_ms, args.publishes, args.senders)
                print(f"{busy_ms:>12.1f} {name:>8} {rate:>12.0f} {p99:>12.1f}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--redis", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"))
    ap.add_argument("--busy-ms", type=lambda v: [float(x) for x in v.split(",")], default=[0.0, 2.0, 10.0])
    ap.add_argument("--publishes", type=int, default=300)
    ap.add_argument("--senders", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=2, help="A B pairs per --busy-ms value")
    asyncio.run(run(ap.parse_args()))


if __name__ == "__main__":
    main()
