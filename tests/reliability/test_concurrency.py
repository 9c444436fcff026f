"""Concurrent submissions racing a resolution, in separate processes, on SQLite and PostgreSQL:
every acknowledged order is in the resolution exactly once, replays are applied once, and the turn
resolves once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from tests.e2e.servers import ROOT, fresh_postgres_database, postgres_available
from tests.reliability.test_access_matrix import record

pytestmark = pytest.mark.slow

SETUP = """
import json
from django.contrib.auth import get_user_model
from negotiation import services
user = get_user_model().objects.create_user(username="c", password="pw-c-12345", is_staff=True)
game = services.game_create(facilitator=user, scenario_slug="meridian-sea", title="Race", mode="expected")
services.game_start(game_id=game.pk, actor="t")
services.phase_advance(game_id=game.pk, expected_phase="negotiation", expected_turn=1, actor="t")
members = {s: services.seat_claim(game_id=game.pk, state_id=s, display_name=s) for s in ("aurel", "borun")}
print(json.dumps({"game": game.pk, "members": {s: [m.pk, m.seat_id] for s, m in members.items()}}))
"""

SUBMIT = """
import json, time
from negotiation import services
from negotiation.errors import UserError
time.sleep(max(0.0, START - time.time()))
acked, refused = [], 0
for i in range(40):
    token = f"{WORKER}-{i}"
    for attempt in (token, token):  # every post is sent twice: a retry must not double it
        try:
            sub = services.order_add(game_id=GAME, seat_id=SEAT, member_id=MEMBER, client_token=attempt,
                                     raw={"type": "PAYMENT", "to": OTHER, "amount": 1})
        except UserError:
            refused += 1
            break
        else:
            if attempt not in acked and attempt in sub.applied_tokens:
                acked.append(attempt)
print(json.dumps({"acked": acked, "refused": refused}))
"""

RESOLVE = """
import json, time
from negotiation import services
from negotiation.models import OrderSubmission
time.sleep(max(0.0, START - time.time()))
# Resolve in the middle of the stream: once some orders are in, while the workers keep sending.
deadline = time.time() + 60
while time.time() < deadline and sum(len(s.orders) for s in OrderSubmission.objects.filter(game_id=GAME)) < 8:
    time.sleep(0.01)
print(json.dumps({"won": services.phase_advance(game_id=GAME, expected_phase="orders", expected_turn=1, actor="race")}))
"""

RESULT = """
import json
from negotiation.models import TurnRecord
r = TurnRecord.objects.filter(game_id=GAME)
print(json.dumps({"records": r.count(), "orders": {s: len(o) for s, o in r.get(turn=1).orders.items()}}))
"""


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def env(request, tmp_path):
    environ = {**os.environ, "TREATYCRAFT_TESTING": "1", "DJANGO_DEBUG": "0"}
    environ.pop("REDIS_URL", None)
    if request.param == "sqlite":
        environ.pop("DATABASE_URL", None)
        environ["SQLITE_PATH"] = str(tmp_path / "race.sqlite3")
    else:
        if not postgres_available():
            pytest.skip("PostgreSQL is not reachable at POSTGRES_TEST_URL")
        environ["DATABASE_URL"] = fresh_postgres_database("treatycraft_race")
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=environ, check=True,
                   capture_output=True, timeout=120)
    return environ


def shell(env, code: str, **names) -> subprocess.Popen[str]:
    for key, value in names.items():
        code = code.replace(key, repr(value))
    return subprocess.Popen([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def last_json(proc: subprocess.Popen[str]) -> dict:
    out, err = proc.communicate(timeout=180)
    assert proc.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1])


def test_acknowledged_orders_are_resolved_exactly_once_under_concurrency(env):
    info = last_json(shell(env, SETUP))
    start = time.time() + 4.0
    workers = []
    for n, state in enumerate(("aurel", "aurel", "borun", "borun")):
        member, seat = info["members"][state]
        other = "borun" if state == "aurel" else "aurel"
        workers.append((state, shell(env, SUBMIT, START=start, WORKER=f"w{n}", GAME=info["game"], SEAT=seat,
                                     MEMBER=member, OTHER=other)))
    resolver = shell(env, RESOLVE, START=start, GAME=info["game"])
    acked: dict[str, int] = {"aurel": 0, "borun": 0}
    refused = 0
    for state, proc in workers:
        outcome = last_json(proc)
        acked[state] += len(outcome["acked"])
        refused += outcome["refused"]
    assert last_json(resolver)["won"] is True
    result = last_json(shell(env, RESULT, GAME=info["game"]))
    assert result["records"] == 1
    assert result["orders"]["aurel"] == acked["aurel"]
    assert result["orders"]["borun"] == acked["borun"]
    assert sum(acked.values()) >= 8 and refused >= 1  # the resolution really fell inside the stream
    record("concurrent_orders_acknowledged", acked["aurel"] + acked["borun"])
    record("concurrent_orders_refused_after_close", refused)
