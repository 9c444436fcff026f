"""One seated player floods the server with sockets and frames; the other players' pushes must
stay fast, none may be lost, and the server must not grow without bound.

Measured against a real Daphne process (SQLite, in-memory channel layer: one process)."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import re
import statistics
import time
from pathlib import Path

import pytest

from tests.e2e.http import Player, receive_until
from tests.e2e.servers import Cluster, session_cookie_for
from tests.reliability.flooder import connect, flood_process
from tests.reliability.test_access_matrix import record

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

SETUP = """
import json
import multiprocessing
import os
from django.contrib.auth import get_user_model
from negotiation import services
user = get_user_model().objects.create_user(username="t", password="pw-t-12345", is_staff=True)
game = services.game_create(facilitator=user, scenario_slug="meridian-sea", title="Flood", mode="expected")
services.game_start(game_id=game.pk, actor="test")
out = {"game": game.pk, "code": game.code, "members": {}}
for state, name in (("aurel", "Ana"), ("borun", "Bo"), ("calla", "Cy"), ("dresk", "Dee")):
    m = services.seat_claim(game_id=game.pk, state_id=state, display_name=name)
    out["members"][state] = [m.pk, m.token]
print(json.dumps(out))
"""
FLOOD_SECONDS = float(os.environ.get("TREATYCRAFT_FLOOD_SECONDS", "15"))
PROBE_EVERY = 0.25
BASELINE_SECONDS = 5.0


def rss_mib(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS"))) / 1024


def test_one_player_flooding_sockets_and_frames_does_not_starve_the_room(tmp_path):
    # SQLite as `make run` configures it (WAL, IMMEDIATE transactions): no DATABASE_URL.
    cluster = Cluster("", processes=1, redis_url="")
    cluster.env["SQLITE_PATH"] = str(tmp_path / "flood.sqlite3")
    cluster.env["TREATYCRAFT_CHAT_RATE_PER_MINUTE"] = "10000"
    cluster.start()
    try:
        info = cluster.script(SETUP)
        port = cluster.ports[0]
        people = {s: Player(port, session_cookie_for(cluster, info["game"], m[0], m[1]), info["code"], info["game"])
                  for s, m in info["members"].items()}
        chatter, flooder = people["aurel"], people["dresk"]
        chatter.room()
        pid = cluster.procs[0].pid
        spawn = multiprocessing.get_context("spawn")
        results = spawn.Queue()
        flood = spawn.Process(target=flood_process, daemon=True, args=(
            (port, flooder.session_key, flooder.code, flooder.game_id), FLOOD_SECONDS + 3.0, results))

        async def scenario() -> tuple[list[float], dict[str, int]]:
            sent: dict[int, float] = {}
            baseline: list[float] = []
            latencies: list[float] = []
            got: dict[str, set[int]] = {}

            async def listen(state: str, ws) -> None:
                got[state] = set()
                async for frame in ws:
                    for match in re.finditer(r"probe-(\d+)-end", str(frame)):
                        n = int(match.group(1))
                        if n in sent and n not in got[state]:
                            got[state].add(n)
                            latencies.append(time.monotonic() - sent[n])

            receivers = []
            for state in ("aurel", "borun", "calla"):
                ws = await connect(people[state]).__aenter__()
                await receive_until(ws, 'id="my-forces"')
                receivers.append((state, ws))
            listeners = [asyncio.create_task(listen(s, ws)) for s, ws in receivers]
            # The same probes without a flood first: the figure the flood is compared with.
            n = 0
            for _ in range(int(BASELINE_SECONDS / PROBE_EVERY)):
                n += 1
                sent[n] = time.monotonic()
                assert await asyncio.to_thread(chatter.chat, f"probe-{n}-end") == 200
                await asyncio.sleep(PROBE_EVERY)
            await asyncio.sleep(1.0)
            baseline[:] = latencies[:]
            latencies.clear()
            flood.start()
            await asyncio.sleep(2.0)  # the flood is under way before the first probe
            rss_before = rss_mib(pid)
            started = time.monotonic()
            while time.monotonic() - started < FLOOD_SECONDS:
                n += 1
                sent[n] = time.monotonic()
                status, body = await asyncio.to_thread(chatter.post, f"/g/{info['game']}/chat/",
                                                       {"body": f"probe-{n}-end", "channel": "plenary"})
                assert status == 200, body[-2000:]
                await asyncio.sleep(PROBE_EVERY)
            await asyncio.sleep(1.0)
            await asyncio.to_thread(flood.join, 30)
            grown = rss_mib(pid) - rss_before
            for task in listeners:
                task.cancel()
            for _, ws in receivers:
                await ws.close()
            missing = {s: n - len(g) for s, g in got.items()}
            quiet = sorted(baseline)
            return latencies, {"probes": n, "grown_mib": int(grown), **missing,
                               "quiet_p50_ms": int(statistics.median(quiet) * 1000),
                               "quiet_p99_ms": int(quiet[min(len(quiet) - 1, int(len(quiet) * 0.99))] * 1000)}

        latencies, result = asyncio.run(scenario())
        stats = results.get(timeout=10)
        latencies.sort()
        p50 = statistics.median(latencies)
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
        figures = {**stats, **result, "p50_ms": int(p50 * 1000), "p99_ms": int(p99 * 1000)}
        print("flood figures", figures)
        assert result["aurel"] == result["borun"] == result["calla"] == 0, figures  # no push lost
        assert p99 < 0.300, figures
        assert stats["refused"] > 0, figures  # the extra sockets were refused
        assert result["grown_mib"] < 50, figures
        for name, value in figures.items():
            record(f"flood_{name}", value)
    finally:
        log = Path(__file__).resolve().parents[2] / f".run-daphne-{cluster.ports[0]}.log"
        if log.exists():
            print("server log (tail):", log.read_text()[-3000:])
        cluster.stop()
