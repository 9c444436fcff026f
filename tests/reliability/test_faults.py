"""Faults injected into a real deployment (Daphne processes, Redis, PostgreSQL): Redis stopped and
restarted, a Daphne process killed with SIGKILL mid-turn, database connections dropped. Nothing
acknowledged is lost; clients that reconnect resync from the database."""

from __future__ import annotations

import asyncio
import signal

import psycopg
import pytest
import websockets

from tests.e2e.http import Player, receive_until
from tests.e2e.servers import (
    POSTGRES_TEST_URL,
    Cluster,
    PrivateRedis,
    fresh_postgres_database,
    postgres_available,
    session_cookie_for,
)
from tests.reliability.test_access_matrix import record

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

SETUP = """
import json
from django.contrib.auth import get_user_model
from negotiation import services
user = get_user_model().objects.create_user(username="t", password="pw-t-12345", is_staff=True)
game = services.game_create(facilitator=user, scenario_slug="meridian-sea", title="Faults", mode="expected")
services.game_start(game_id=game.pk, actor="test")
out = {"game": game.pk, "code": game.code, "members": {}}
for state, name in (("aurel", "Ana"), ("borun", "Bo")):
    m = services.seat_claim(game_id=game.pk, state_id=state, display_name=name)
    out["members"][state] = [m.pk, m.token]
print(json.dumps(out))
"""

def connect(player: Player):
    return websockets.connect(player.ws_url(), origin=player.base, compression=None, proxy=None,
                              additional_headers={"Cookie": f"sessionid={player.session_key}"})


def players(cluster: Cluster, info: dict, port_a: int, port_b: int) -> tuple[Player, Player]:
    keys = {s: session_cookie_for(cluster, info["game"], m[0], m[1]) for s, m in info["members"].items()}
    return (Player(port_a, keys["aurel"], info["code"], info["game"]),
            Player(port_b, keys["borun"], info["code"], info["game"]))


@pytest.fixture
def database():
    if not postgres_available():
        pytest.skip("PostgreSQL is not reachable at POSTGRES_TEST_URL")
    return fresh_postgres_database("treatycraft_faults")


def test_redis_stopped_and_restarted_mid_game(database):
    redis = PrivateRedis().start()
    cluster = Cluster(database, processes=1, redis_url=redis.url).start()
    try:
        info = cluster.script(SETUP)
        port = cluster.ports[0]
        ana, bo = players(cluster, info, port, port)

        async def scenario():
            async with connect(bo) as ws:
                await receive_until(ws, 'id="my-forces"')
                assert ana.chat("before the outage") == 200
                await receive_until(ws, "before the outage")
            redis.kill()
            # Actions are still saved while Redis is down.
            assert ana.chat("during the outage") == 200
            status, _ = ana.post(f"/g/{info['game']}/orders/add/", {"type": "BUY_INTERCEPTORS", "itype": "TERMINAL",
                                                                     "qty": "1"})
            assert status == 200
            # A socket opened now gets the page from the database and a clear degraded notice.
            async with connect(bo) as ws:
                frames = await receive_until(ws, "Live updates are unavailable")
                assert "during the outage" in frames
            redis.start()  # same port
            # Redis is back: a client reconnecting (with backoff, as the page does) resyncs and
            # gets live pushes again once the server's pool has reconnected.
            for _attempt in range(20):
                async with connect(bo) as ws:
                    frames = await receive_until(ws, 'id="my-forces"')
                    assert "during the outage" in frames
                    if "Live updates are unavailable" in frames:
                        await asyncio.sleep(1)
                        continue
                    assert ana.chat("after the outage") == 200
                    await receive_until(ws, "after the outage")
                    break
            else:
                raise AssertionError("live updates did not come back after Redis restarted")

        asyncio.run(scenario())
        saved = cluster.script(
            "import json\nfrom negotiation.models import Message, OrderSubmission\n"
            "print(json.dumps({'messages': list(Message.objects.values_list('body', flat=True)),"
            " 'orders': sum(len(s.orders) for s in OrderSubmission.objects.all())}))")
        assert saved["messages"] == ["before the outage", "during the outage", "after the outage"]
        assert saved["orders"] == 1
    finally:
        cluster.stop()
        redis.kill()
    record("faults_redis_restarts", 1)


def test_a_daphne_process_killed_mid_turn_loses_no_acknowledged_order(database):
    redis = PrivateRedis().start()
    cluster = Cluster(database, processes=2, redis_url=redis.url).start()
    try:
        info = cluster.script(SETUP)
        port_a, port_b = cluster.ports
        ana, bo = players(cluster, info, port_a, port_b)
        acknowledged = 0
        for qty in ("1", "2", "3"):
            status, _ = ana.post(f"/g/{info['game']}/orders/add/", {"type": "BUY_INTERCEPTORS", "itype": "TERMINAL",
                                                                     "qty": qty})
            assert status == 200
            acknowledged += 1
        cluster.procs[0].send_signal(signal.SIGKILL)
        cluster.procs[0].wait(timeout=10)
        # Ana reconnects through the surviving process and finds every acknowledged order.
        ana_on_b = Player(port_b, ana.session_key, info["code"], info["game"])
        page = ana_on_b.room()
        assert page.count("terminal interceptors") >= acknowledged

        async def scenario():
            async with connect(bo) as ws:
                await receive_until(ws, 'id="my-forces"')
                assert ana_on_b.chat("still here") == 200
                await receive_until(ws, "still here")

        asyncio.run(scenario())
        result = cluster.script(
            "import json\nfrom negotiation import services\nfrom negotiation.models import TurnRecord\n"
            f"services.phase_advance(game_id={info['game']}, expected_phase='negotiation', expected_turn=1, actor='t')\n"
            f"services.phase_advance(game_id={info['game']}, expected_phase='orders', expected_turn=1, actor='t')\n"
            f"r = TurnRecord.objects.get(game_id={info['game']}, turn=1)\n"
            "print(json.dumps({'aurel': r.orders['aurel']}))")
        assert [o["qty"] for o in result["aurel"]] == [1, 2, 3]
    finally:
        cluster.stop()
        redis.kill()
    record("faults_daphne_killed", 1)


def test_dropped_database_connections_are_replaced(database):
    redis = PrivateRedis().start()
    cluster = Cluster(database, processes=1, redis_url=redis.url)
    cluster.env["DATABASE_CONN_MAX_AGE"] = "600"  # keep connections open, so there are some to drop
    cluster.start()
    try:
        info = cluster.script(SETUP)
        ana, _ = players(cluster, info, cluster.ports[0], cluster.ports[0])
        assert ana.chat("one") == 200
        name = database.rsplit("/", 1)[1]
        with psycopg.connect(POSTGRES_TEST_URL, autocommit=True) as conn:
            killed = conn.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = %s AND pid <> "
                "pg_backend_pid()", (name,)).fetchone()
        assert killed is not None and killed[0] >= 1
        assert ana.chat("two") == 200
        assert ana.chat("three") == 200
        bodies = cluster.script("import json\nfrom negotiation.models import Message\n"
                                "print(json.dumps({'b': list(Message.objects.values_list('body', flat=True))}))")["b"]
        assert bodies == ["one", "two", "three"]
        record("faults_db_connections_dropped", int(killed[0]) if killed else 0)
    finally:
        cluster.stop()
        redis.kill()

