"""A Redis that stops answering without closing its sockets (SIGSTOP: the kernel still accepts
connections, nothing replies). Commands must still answer within a few seconds, nothing committed
may be lost, the database pool must not leak, and full live service must come back within seconds
of Redis resuming.

The test stops a private redis-server of its own, never the shared one."""

from __future__ import annotations

import asyncio
import os
import signal
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

from tests.e2e.http import receive_until
from tests.e2e.servers import (
    POSTGRES_TEST_URL,
    Cluster,
    PrivateRedis,
    fresh_postgres_database,
    postgres_available,
)
from tests.reliability.test_access_matrix import record
from tests.reliability.test_faults import SETUP, connect, players

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.stall, pytest.mark.timeout(600)]

HANG_SECONDS = float(os.environ.get("TREATYCRAFT_REDIS_HANG_SECONDS", "120"))
ANSWER_WITHIN = 5.0  # seconds: what "answered within a few seconds" means here
RECOVER_WITHIN = 15.0  # seconds after SIGCONT until a fresh socket gets live pushes again


def timed(fn, *args) -> tuple[float, object]:
    start = time.monotonic()
    try:
        result = fn(*args)
    except Exception as exc:  # a timeout or a reset: recorded as a failure with its duration
        result = exc
    return time.monotonic() - start, result


def get_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=40) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


@pytest.fixture
def database():
    if not postgres_available():
        pytest.skip("PostgreSQL is not reachable at POSTGRES_TEST_URL")
    name = "treatycraft_redis_stall"  # its own: test_faults.py drops and recreates its database
    url = fresh_postgres_database(name)
    yield url
    name = url.rsplit("/", 1)[1]  # with pytest-xdist's worker suffix
    with psycopg.connect(POSTGRES_TEST_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_stalled_redis_holds_no_command_and_service_returns_by_itself(database):
    redis = PrivateRedis().start()
    # ?pool=true: the deployment recipe's psycopg pool (4 connections per process), which requests
    # stuck behind Redis used to exhaust ("couldn't get a connection after 30.00 sec").
    cluster = Cluster(f"{database}?pool=true", processes=1, redis_url=redis.url).start()
    assert redis.proc is not None
    stopped = False
    try:
        info = cluster.script(SETUP)
        port = cluster.ports[0]
        ana, bo = players(cluster, info, port, port)
        ana.room()
        bo.room()
        base = ana.base
        sent: list[str] = []
        slow: list[str] = []
        latencies: list[float] = []

        def chat(body: str) -> int:
            status = ana.chat(body)
            if status == 200:
                sent.append(body)
            return status

        def check(label: str, seconds: float, result: object) -> None:
            latencies.append(seconds)
            if result != 200 or seconds > ANSWER_WITHIN:
                slow.append(f"{label}: {result!r} after {seconds:.1f} s")

        async def scenario() -> float:
            nonlocal stopped
            async with connect(bo) as old_socket:
                await receive_until(old_socket, 'id="my-forces"')
                assert chat("before the stall") == 200
                await receive_until(old_socket, "before the stall")

                os.kill(redis.proc.pid, signal.SIGSTOP)
                stopped = True
                # Ten posts in flight at once, an order, the health check and a page.
                with ThreadPoolExecutor(max_workers=14) as pool:
                    jobs = [(f"post {i}", pool.submit(timed, chat, f"stalled {i}")) for i in range(10)]
                    jobs.append(("order", pool.submit(timed, lambda: ana.post(
                        f"/g/{info['game']}/orders/add/",
                        {"type": "BUY_INTERCEPTORS", "itype": "TERMINAL", "qty": "1"})[0])))
                    jobs.append(("healthz", pool.submit(timed, get_status, f"{base}/healthz")))
                    jobs.append(("page", pool.submit(timed, get_status, f"{base}/rules/")))
                    for label, job in jobs:
                        check(label, *await asyncio.wrap_future(job))
                # Redis stays stopped; commands keep answering for the whole stall.
                started = time.monotonic()
                n = 0
                while time.monotonic() - started < HANG_SECONDS:
                    n += 1
                    check(f"post during stall {n}", *await asyncio.to_thread(timed, chat, f"during {n}"))
                    check(f"healthz during stall {n}", *await asyncio.to_thread(timed, get_status, f"{base}/healthz"))
                    await asyncio.sleep(min(10.0, max(0.0, HANG_SECONDS - (time.monotonic() - started))))

                assert slow == [], slow
                os.kill(redis.proc.pid, signal.SIGCONT)
                stopped = False
                resumed = time.monotonic()
                attempt = 0
                # A fresh socket gets live pushes again (retrying as the page does, with backoff).
                while True:
                    assert time.monotonic() - resumed < RECOVER_WITHIN, "live pushes did not come back"
                    async with connect(bo) as ws:
                        frames = await receive_until(ws, 'id="my-forces"', limit=RECOVER_WITHIN)
                        if "Live updates are unavailable" in frames:
                            await asyncio.sleep(0.5)
                            continue
                        attempt += 1
                        body = f"after the stall {attempt}"
                        assert await asyncio.to_thread(chat, body) == 200
                        try:
                            await receive_until(ws, body, limit=2.0)
                        except TimeoutError:
                            continue
                        break
                recovered = time.monotonic() - resumed
                # The socket that stayed open through the stall is live again too.
                assert await asyncio.to_thread(chat, "to the old socket") == 200
                await receive_until(old_socket, "to the old socket", limit=RECOVER_WITHIN)
            return recovered

        recovered = asyncio.run(scenario())
        assert slow == [], slow
        # No database connection leaked: a burst larger than the pool is served at once.
        with ThreadPoolExecutor(max_workers=12) as pool:
            results = list(pool.map(lambda _: timed(get_status, f"{base}/healthz"), range(12)))
        assert all(r == 200 and s < ANSWER_WITHIN for s, r in results), results
        saved = cluster.script(
            "import json\nfrom negotiation.models import Message, OrderSubmission\n"
            "print(json.dumps({'messages': list(Message.objects.values_list('body', flat=True)),"
            " 'orders': sum(len(s.orders) for s in OrderSubmission.objects.all())}))")
        assert sorted(saved["messages"]) == sorted(sent)
        assert saved["orders"] == 1
        record("redis_stall_seconds", int(HANG_SECONDS))
        record("redis_stall_commands", len(latencies))
        record("redis_stall_max_answer_ms", int(max(latencies) * 1000))
        record("redis_stall_recovery_ms", int(recovered * 1000))
    finally:
        if stopped and redis.proc is not None:
            os.kill(redis.proc.pid, signal.SIGCONT)
        cluster.stop()
        redis.kill()
