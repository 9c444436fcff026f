"""The flooding player of tests/reliability/test_flood.py, run in a process of its own (spawned:
this module imports no Django, so the child starts without settings)."""

from __future__ import annotations

import asyncio
import json
import os
import time

import websockets

from tests.e2e.http import Player

FLOOD_SOCKETS = 20
FLOOD_FRAMES_PER_SECOND = 2000
# A refused socket is retried after this (a page's reconnect backoff; a storm of opens at a faster
# pace is a different attack, bounded by the open-rate limits and measured separately).
REFUSED_RETRY_SECONDS = float(os.environ.get("TREATYCRAFT_FLOOD_RETRY_SECONDS", "1.0"))


def connect(player: Player):
    return websockets.connect(player.ws_url(), origin=player.base, compression=None, proxy=None, max_queue=None,
                              additional_headers={"Cookie": f"sessionid={player.session_key}"})


async def flood(player: Player, seconds: float) -> dict[str, int]:
    stats = {"accepted": 0, "refused": 0, "dropped": 0, "frames": 0}
    deadline = time.monotonic() + seconds
    per_burst = max(1, int(FLOOD_FRAMES_PER_SECOND / FLOOD_SOCKETS / 20))

    async def one() -> None:
        while time.monotonic() < deadline:
            try:
                async with connect(player) as ws:
                    stats["accepted"] += 1
                    while time.monotonic() < deadline:
                        for _ in range(per_burst):
                            await ws.send(json.dumps({"type": "ping"}))
                            stats["frames"] += 1
                        await asyncio.sleep(0.05)
            except websockets.InvalidStatus:
                stats["refused"] += 1
                await asyncio.sleep(REFUSED_RETRY_SECONDS)
            except (websockets.ConnectionClosed, OSError):
                stats["dropped"] += 1
                await asyncio.sleep(0.05)

    await asyncio.gather(*(one() for _ in range(FLOOD_SOCKETS)))
    return stats


def flood_process(args: tuple[int, str, str, int], seconds: float, out) -> None:
    """The flooder runs in its own process, so its sending does not delay the measuring client."""
    out.put(asyncio.run(flood(Player(*args), seconds)))
