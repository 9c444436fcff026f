"""The production profile: configured from the environment only, and `check --deploy` is clean."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import subprocess
import sys

from channels_redis.pubsub import RedisPubSubChannelLayer

from tests.e2e.servers import REDIS_TEST_URL, ROOT


def production_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TREATYCRAFT_"))}
    env.update({"DJANGO_ENV": "production", "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
                "DJANGO_ALLOWED_HOSTS": "game.example.org"}, **extra)
    return env


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120, check=False)


def test_check_deploy_reports_nothing():
    result = manage(production_env(), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = production_env()
    env.pop("DJANGO_SECRET_KEY")
    result = manage(env, "check")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_settings_are_hardened():
    code = ("from django.conf import settings as s; print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
            "s.SECURE_HSTS_SECONDS >= 31536000, s.SECURE_SSL_REDIRECT)")
    result = manage(production_env(), "shell", "-c", code)
    assert result.stdout.strip().splitlines()[-1].split() == ["False", "True", "True", "True", "True"], result.stderr


def pool_of(**extra: str) -> str:
    code = "from django.conf import settings as s; print(s.DATABASES['default']['OPTIONS'].get('pool'))"
    result = manage(production_env(DATABASE_URL="postgres://u@127.0.0.1:5432/db?pool=true", **extra), "shell", "-c", code)
    return result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr


def test_the_connection_pool_covers_every_thread_that_holds_a_connection():
    """psycopg's pool keeps 4 by default: the socket's post threads and the sync thread would wait
    for one another's connections (docs/performance.md, "3 Dec, second pass")."""
    assert pool_of() == "{'min_size': 4, 'max_size': 8}"
    assert pool_of(TREATYCRAFT_SOCKET_POST_THREADS="6") == "{'min_size': 4, 'max_size': 10}"
    assert pool_of(DATABASE_POOL_MAX_SIZE="12") == "{'min_size': 4, 'max_size': 12}"
    assert pool_of(DATABASE_POOL_MAX_SIZE="2") == "{'min_size': 2, 'max_size': 2}"


def test_serving_an_unmigrated_database_says_what_to_run_in_one_line(tmp_path):
    """`manage.py serve` (and the clock) on a database nobody migrated used to start and log a
    traceback from the clock every second; they now refuse with the command that fixes it."""
    env = production_env(SQLITE_PATH=str(tmp_path / "new.sqlite3"))
    env.pop("DATABASE_URL", None)
    for command in (["serve", "--port", "8798"], ["clock", "--once"]):
        result = manage(env, *command)
        assert result.returncode != 0, command
        assert "Traceback" not in result.stderr, command
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert "is not up to date" in lines[0] and "migration(s) to apply" in lines[0]
        assert "python manage.py migrate" in lines[0]
    assert manage(env, "migrate", "--noinput").returncode == 0
    assert manage(env, "clock", "--once").stdout.startswith("resolved 0 turn(s)")


def test_the_clock_names_a_database_it_cannot_reach():
    env = production_env(DATABASE_URL="postgres://postgres@127.0.0.1:1/test")
    result = manage(env, "clock", "--once")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().startswith("CommandError: cannot open the postgresql database 'test' at 127.0.0.1:1")


def test_two_deployments_on_one_redis_keep_their_pushes_and_keys_apart():
    """REDIS_PREFIX: pub/sub channels ignore Redis's database numbers, so two deployments (two
    schools, a staging copy) on one Redis server would push to each other's sockets: game ids
    start at 1 in both. Each one's prefix keeps its pushes and cache keys to itself."""
    code = ("import json; from django.conf import settings as s; from django.core.cache import cache; "
            "print(json.dumps([s.CHANNEL_LAYERS['default']['CONFIG']['prefix'], cache.make_key('rl:x')]))")
    wired = {}
    for prefix in ("school-a", "school-b", ""):
        env = production_env(REDIS_URL=REDIS_TEST_URL, REDIS_PREFIX=prefix)
        result = manage(env, "shell", "-c", code)
        assert result.returncode == 0, result.stderr
        wired[prefix] = json.loads(result.stdout.strip().splitlines()[-1])
    assert wired["school-a"] == ["school-a", "school-a:1:rl:x"]
    assert wired[""] == ["asgi", ":1:rl:x"]  # unset: what a deployment before the setting used

    async def delivered(sender_prefix: str) -> bool:
        host = {"address": REDIS_TEST_URL}
        school_a = RedisPubSubChannelLayer(hosts=[host], prefix=wired["school-a"][0])
        sender = RedisPubSubChannelLayer(hosts=[host], prefix=sender_prefix)
        try:
            channel = await school_a.new_channel()
            await school_a.group_add("game-1", channel)
            await asyncio.sleep(0.2)  # the subscription reaches Redis
            await sender.group_send("game-1", {"type": "push", "html": "turn 1 resolved"})
            try:
                await asyncio.wait_for(school_a.receive(channel), timeout=1.5)
                return True
            except TimeoutError:
                return False
        finally:
            await school_a.flush()
            await sender.flush()

    assert asyncio.run(delivered(wired["school-a"][0]))
    assert not asyncio.run(delivered(wired["school-b"][0]))
