"""The server process's collector (config/collector.py): tuned where it serves, untouched in tests,
and a bad setting is one clear line, not a traceback."""

from __future__ import annotations

import gc
import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.collector import SERVER_GC_THRESHOLD, parse_threshold
from tests.e2e.servers import ROOT

PROBE = "import gc, config.asgi; print(gc.get_freeze_count(), *gc.get_threshold())"


def server_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TREATYCRAFT_"))}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONPATH": str(ROOT)}, **extra)
    return env


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120, check=False)


def test_a_server_process_freezes_what_it_loaded_and_collects_in_larger_batches():
    result = run(server_env(), "-c", PROBE)
    assert result.returncode == 0, result.stderr
    frozen, *threshold = map(int, result.stdout.split())
    # Django, Channels, the routes and the scenarios: tens of thousands of objects never rescanned.
    assert frozen > 20_000
    assert tuple(threshold) == SERVER_GC_THRESHOLD


def test_the_collector_can_be_left_as_cpython_has_it_or_set_by_hand():
    off = run(server_env(TREATYCRAFT_SERVER_GC="off"), "-c", PROBE)
    assert off.stdout.split() == ["0", "700", "10", "10"], off.stderr  # CPython's own defaults
    custom = run(server_env(TREATYCRAFT_SERVER_GC="10000, 10, 50"), "-c", PROBE)
    assert custom.stdout.split()[1:] == ["10000", "10", "50"], custom.stderr


def test_the_tests_keep_cpython_s_collector():
    # This process imported config.asgi (conftest does): nothing may be frozen under pytest.
    import config.asgi  # noqa: F401

    assert gc.get_freeze_count() == 0


@pytest.mark.parametrize("value", ["abc", "1,2", "0,10,10", "1,2,x", "-5,10,10"])
def test_a_bad_setting_is_named(value):
    with pytest.raises(ImproperlyConfigured, match="TREATYCRAFT_SERVER_GC"):
        parse_threshold(value)


def test_make_run_refuses_a_bad_setting_in_one_line():
    result = run(server_env(TREATYCRAFT_SERVER_GC="fast please"), "manage.py", "serve", "--port", "8799")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "TREATYCRAFT_SERVER_GC='fast please': use 'tuned', 'off'" in result.stderr
