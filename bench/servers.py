#!/usr/bin/env python
"""Benchmark servers, as production runs them: N Daphne processes and the clock, sharing
PostgreSQL (a fresh database, treatycraft_bench) and Redis (database 14), on loopback ports.

    python bench/servers.py --processes 2 --layer pubsub      # serve until Ctrl-C

prints the URLs and the facilitator login to pass to bench/load.py.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import suppress
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
POSTGRES_URL = os.environ.get("POSTGRES_TEST_URL", "postgres://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
DATABASE = os.environ.get("BENCH_DATABASE", "treatycraft_bench")
FACILITATOR = ("bench", "bench-password-123")
LAYERS = {
    "core": "channels_redis.core.RedisChannelLayer",
    "pubsub": "channels_redis.pubsub.RedisPubSubChannelLayer",
    "pubsub-batched": "negotiation.pushlayer.BatchedPubSubChannelLayer",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fresh_database(template: str | None = None, name: str = DATABASE) -> str:
    """Drop and create the benchmark database (a copy of ``template`` when given: a database
    seeded once for several runs, see bench/ab.py --seed-once); returns its URL."""
    import psycopg

    with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return urlunsplit(urlsplit(POSTGRES_URL)._replace(path=f"/{name}"))


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).flushdb()


def wait_http(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up in {timeout} s")


class BenchCluster:
    """Daphne processes + the clock, configured through the environment only."""

    def __init__(self, processes: int = 1, layer: str = "core", extra_env: dict[str, str] | None = None,
                 root: Path = ROOT, clock: bool = True, python: str = sys.executable, db_options: str = "pool=true",
                 classroom: bool = False, template: str | None = None) -> None:
        """``classroom``: `make run`'s profile instead: one Daphne with its options, SQLite, the
        in-memory channel layer and cache (no Redis), the clock inside the process. ``template``:
        the PostgreSQL database to copy for a fresh start (already migrated and seeded)."""
        self.template = template
        self.root = root
        self.classroom = classroom
        self.python = python
        self.db_options = db_options
        self.ports = [free_port() for _ in range(processes)]
        self.layer = layer
        self.clock = clock
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DJANGO_DEBUG": "0",
            "REDIS_URL": REDIS_URL,
            "CHANNEL_BACKEND": LAYERS[layer],
            "TREATYCRAFT_BENCH_ROUTES": "1",
            # the load generator plays 1,000 players from one address and posts faster than people
            "TREATYCRAFT_JOIN_ATTEMPTS_PER_MINUTE": "1000000",
            "TREATYCRAFT_CHAT_RATE_PER_MINUTE": "1000000",
            "TREATYCRAFT_LOG_LEVEL": "WARNING",
            "WEBSOCKET_ALLOWED_ORIGINS": ",".join(f"http://127.0.0.1:{p}" for p in self.ports),
            "TREATYCRAFT_ADMIN_USER": FACILITATOR[0],
            "TREATYCRAFT_ADMIN_PASSWORD": FACILITATOR[1],
            "PYTHONUNBUFFERED": "1",
            "PYTHONPATH": str(root),
            **(extra_env or {}),
        }
        self.env.pop("TREATYCRAFT_TESTING", None)
        if classroom:
            for name in ("REDIS_URL", "CHANNEL_BACKEND", "DATABASE_URL"):
                self.env.pop(name, None)
            self.env["SQLITE_PATH"] = str(RESULTS / "classroom.sqlite3")
            self.env["TREATYCRAFT_CLOCK"] = "inprocess"
            self.clock = False
        self.procs: list[subprocess.Popen[bytes]] = []
        self.logs: list[Path] = []

    @property
    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{p}" for p in self.ports]

    def manage(self, *args: str) -> str:
        result = subprocess.run([self.python, "manage.py", *args], cwd=self.root, env=self.env,
                                capture_output=True, text=True, timeout=300, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def start(self, fresh: bool = True) -> BenchCluster:
        if fresh and self.classroom:
            RESULTS.mkdir(parents=True, exist_ok=True)
            for suffix in ("", "-wal", "-shm"):
                Path(self.env["SQLITE_PATH"] + suffix).unlink(missing_ok=True)
        elif fresh:
            self.env["DATABASE_URL"] = fresh_database(self.template) + (f"?{self.db_options}" if self.db_options else "")
            flush_redis()
        self.manage("migrate", "--noinput")
        self.manage("bootstrap")
        RESULTS.mkdir(parents=True, exist_ok=True)
        for port in self.ports:
            self.procs.append(self._spawn(
                [self.python, "-m", "daphne", "-v", "0",
                 "-e", f"tcp:port={port}:interface=127.0.0.1:backlog=1024",
                 *(["--websocket_connect_timeout", "30"] if self.classroom else []), "config.asgi:application"],
                f"daphne-{port}"))
        if self.clock:
            self.procs.append(self._spawn([self.python, "manage.py", "clock"], "clock"))
        for url in self.urls:
            wait_http(f"{url}/healthz")
        return self

    def _spawn(self, cmd: list[str], name: str) -> subprocess.Popen[bytes]:
        log = RESULTS / f"{name}.log"
        self.logs.append(log)
        with open(log, "wb") as out:
            return subprocess.Popen(cmd, cwd=self.root, env=self.env, stdout=out, stderr=subprocess.STDOUT)

    @property
    def daphne_pids(self) -> list[int]:
        return [p.pid for p in self.procs[: len(self.ports)]]

    def stop(self) -> None:
        for proc in self.procs:
            with suppress(Exception):
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        self.procs.clear()

    def errors_in_logs(self) -> list[str]:
        lines = []
        for log in self.logs:
            with suppress(OSError):
                for line in log.read_text(errors="replace").splitlines():
                    if "Traceback" in line or " ERROR " in line or "Exception" in line:
                        lines.append(f"{log.name}: {line}")
        return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--processes", type=int, default=1)
    ap.add_argument("--layer", choices=sorted(LAYERS), default="core")
    ap.add_argument("--root", type=Path, default=ROOT, help="the source tree to serve (default: this one)")
    ap.add_argument("--env", action="append", default=[], help="NAME=VALUE for the servers (repeatable)")
    ap.add_argument("--keep-database", action="store_true", help="reuse the benchmark database as it is")
    ap.add_argument("--python", default=sys.executable, help="the interpreter of the servers")
    ap.add_argument("--db-options", default="pool=true", help="query string for DATABASE_URL (\"\" for none)")
    args = ap.parse_args()
    extra = dict(item.split("=", 1) for item in args.env)
    cluster = BenchCluster(args.processes, args.layer, extra, root=args.root.resolve(), python=args.python,
                           db_options=args.db_options)
    if args.keep_database:
        cluster.env["DATABASE_URL"] = urlunsplit(urlsplit(POSTGRES_URL)._replace(path=f"/{DATABASE}"))
    cluster.start(fresh=not args.keep_database)
    print("serving:", " ".join(f"--url {u}" for u in cluster.urls), f"--facilitator {':'.join(FACILITATOR)}",
          flush=True)
    stop = False

    def handler(*_: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)
    try:
        while not stop:
            time.sleep(0.5)
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
