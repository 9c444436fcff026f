"""Resolution happens exactly once across processes: two clocks and a facilitator's click race on
the same due turn, and a clock killed with SIGKILL and restarted finds the overdue turn. On SQLite
and on PostgreSQL, through real `manage.py` processes."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest

from tests.e2e.servers import ROOT, fresh_postgres_database, postgres_available

SETUP = """
import json
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from negotiation import services
from negotiation.models import Game
user, _ = get_user_model().objects.get_or_create(username="clocktest")
game = services.game_create(facilitator=user, scenario_slug="meridian-sea", title="Clock", mode="expected",
                            negotiation_seconds=60, orders_seconds=60, report_seconds=600)
services.game_start(game_id=game.pk, actor="test")
services.phase_advance(game_id=game.pk, expected_phase="negotiation", expected_turn=1, actor="test")
deadline = timezone.now() + timedelta(seconds=DELAY)
Game.objects.filter(pk=game.pk).update(deadline_at=deadline)
print(json.dumps({"game": game.pk, "deadline": deadline.timestamp()}))
"""

# The racers start at one signal: each says it is ready, then blocks until the test writes "go".
READY_THEN_GO = """
import sys
print("ready", flush=True)
sys.stdin.readline()
"""

CLICK = READY_THEN_GO + """
from negotiation import services
print(services.phase_advance(game_id=GAME, expected_phase="orders", expected_turn=1, actor="facilitator:click"))
"""

TICK = READY_THEN_GO + """
from negotiation import clock
print(clock.tick())
"""

STATE = """
import json
from negotiation.models import Game, GameEvent, TurnRecord
game = Game.objects.get(pk=GAME)
print(json.dumps({"phase": game.phase, "turn": game.turn,
                  "records": TurnRecord.objects.filter(game=game, turn=1).count(),
                  "resolved": GameEvent.objects.filter(game=game, kind="turn.resolved").count(),
                  "by": list(TurnRecord.objects.filter(game=game).values_list("resolved_by", flat=True))}))
"""


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_env(request, tmp_path):
    import os

    env = {**os.environ, "TREATYCRAFT_TESTING": "1", "DJANGO_DEBUG": "0"}
    env.pop("REDIS_URL", None)
    if request.param == "sqlite":
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = str(tmp_path / "clock.sqlite3")
    else:
        if not postgres_available():
            pytest.skip("PostgreSQL is not reachable at POSTGRES_TEST_URL")
        env["DATABASE_URL"] = fresh_postgres_database("treatycraft_clock")
    run(env, "migrate", "--noinput")
    return env


def run(env, *args: str) -> str:
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def shell(env, code: str, **names) -> str:
    for key, value in names.items():
        code = code.replace(key, repr(value))
    return run(env, "shell", "-c", code).strip().splitlines()[-1]


def spawn(env, code: str, **names) -> subprocess.Popen[str]:
    for key, value in names.items():
        code = code.replace(key, repr(value))
    return subprocess.Popen([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_line(proc: subprocess.Popen[str], text: str) -> None:
    """Block until `proc` prints a line containing `text` (its stdout is a pipe)."""
    assert proc.stdout is not None
    for line in proc.stdout:
        if text in line:
            return
    raise AssertionError(f"process exited ({proc.wait()}) before printing {text!r}")


def test_two_clocks_and_a_click_resolve_a_due_turn_once(database_env):
    game = json.loads(shell(database_env, SETUP, DELAY=-1))["game"]
    procs = [spawn(database_env, TICK), spawn(database_env, TICK), spawn(database_env, CLICK, GAME=game)]
    for proc in procs:  # every process has loaded Django and waits...
        wait_for_line(proc, "ready")
    for proc in procs:  # ...for the one signal that starts the race
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    outputs = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        outputs.append(out.strip().splitlines()[-1])
    state = json.loads(shell(database_env, STATE, GAME=game))
    assert state["records"] == 1
    assert state["resolved"] == 1
    assert (state["phase"], state["turn"]) == ("report", 2)
    winners = [o for o in outputs if o not in ("[]", "False")]
    assert len(winners) == 1, outputs


def test_a_clock_killed_mid_turn_and_restarted_resolves_the_overdue_turn_once(database_env):
    setup = json.loads(shell(database_env, SETUP, DELAY=5))
    game = setup["game"]
    first = subprocess.Popen([sys.executable, "manage.py", "clock", "--interval", "0.2"], cwd=ROOT,
                             env={**database_env, "PYTHONUNBUFFERED": "1"}, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True)
    wait_for_line(first, "clock: checking deadlines")  # the clock is up and ticking
    assert time.time() < setup["deadline"], "the clock took the whole delay to start: nothing was tested"
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    assert first.stdout is not None
    first.stdout.close()
    # the deadline passes while no clock runs
    time.sleep(max(0.0, setup["deadline"] + 0.2 - time.time()))
    assert json.loads(shell(database_env, STATE, GAME=game))["records"] == 0
    second = subprocess.Popen([sys.executable, "manage.py", "clock", "--interval", "0.2"], cwd=ROOT,
                              env=database_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        state = {}
        while time.monotonic() < deadline:
            state = json.loads(shell(database_env, STATE, GAME=game))
            if state["records"]:
                break
            time.sleep(0.2)
        # once resolved, another tick (here a clock of its own, beside the running one) finds nothing due
        assert run(database_env, "clock", "--once").startswith("resolved 0 turn(s)")
        state = json.loads(shell(database_env, STATE, GAME=game))
    finally:
        second.terminate()
        second.wait(timeout=10)
    assert state["records"] == 1 and state["resolved"] == 1
    assert state["by"] == ["clock"]
    assert state["phase"] == "report"
