"""Real server processes for multi-process tests: Daphne on free loopback ports, sharing Redis
and PostgreSQL, exactly as a deployment runs them."""

from __future__ import annotations

import ctypes
import json
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

import psycopg

ROOT = Path(__file__).resolve().parents[2]
POSTGRES_TEST_URL = os.environ.get("POSTGRES_TEST_URL", "postgres://postgres@127.0.0.1:5432/test")
REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def postgres_available() -> bool:
    try:
        psycopg.connect(POSTGRES_TEST_URL, connect_timeout=2).close()
    except psycopg.Error:
        return False
    return True


def fresh_postgres_database(name: str) -> str:
    """Drop and create database `name` on the test server; return its URL. Under pytest-xdist the
    name gets the worker's suffix (treatycraft_clock_gw1), so two workers never share a database."""
    if worker := os.environ.get("PYTEST_XDIST_WORKER"):
        name = f"{name}_{worker}"
    with psycopg.connect(POSTGRES_TEST_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(POSTGRES_TEST_URL)
    return urlunsplit(parts._replace(path=f"/{name}"))


class Cluster:
    """N Daphne processes + the database + Redis, configured through the environment only."""

    def __init__(self, database_url: str, processes: int = 2, redis_url: str = REDIS_TEST_URL) -> None:
        self.ports = [free_port() for _ in range(processes)]
        origins = ",".join(f"http://127.0.0.1:{p}" for p in self.ports)
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            # Its own keys and pub/sub channels: clusters of parallel test workers share one Redis,
            # and each has its own database whose game ids start at 1 like the others'.
            "REDIS_PREFIX": f"tc{os.getpid()}-{self.ports[0]}",
            "DJANGO_DEBUG": "0",
            "WEBSOCKET_ALLOWED_ORIGINS": origins,
            "TREATYCRAFT_TESTING": "1",
            "PYTHONUNBUFFERED": "1",
        }
        self.procs: list[subprocess.Popen[bytes]] = []

    def manage(self, *args: str, stdin: str | None = None) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, input=stdin,
            capture_output=True, text=True, timeout=120, check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def script(self, code: str) -> dict:
        """Run Python inside Django (through the real settings) and return the JSON it prints last."""
        out = self.manage("shell", "-c", code)
        return json.loads(out.strip().splitlines()[-1])

    def start(self) -> Cluster:
        self.manage("migrate", "--noinput")
        for port in self.ports:
            self.procs.append(self.start_one(port))
        for port in self.ports:
            wait_http(f"http://127.0.0.1:{port}/healthz")
        return self

    def start_one(self, port: int) -> subprocess.Popen[bytes]:
        log = open(ROOT / f".run-daphne-{port}.log", "wb")  # noqa: SIM115 - lives as long as the process
        return subprocess.Popen(
            [sys.executable, "-m", "daphne", "-v", "0", "-e", f"tcp:port={port}:interface=127.0.0.1",
             "config.asgi:application"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, preexec_fn=die_with_parent,
        )

    def stop(self) -> None:
        for proc in self.procs:
            with suppress(Exception):
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                # Daphne waits for open sockets on SIGTERM; a test's servers must not outlive it.
                proc.kill()
                proc.wait(timeout=10)
        for port in self.ports:
            with suppress(FileNotFoundError):
                (ROOT / f".run-daphne-{port}.log").unlink()


def die_with_parent() -> None:
    """In the child before exec: the kernel kills it when the test run that started it dies, even
    by SIGKILL or a timeout (Linux prctl PR_SET_PDEATHSIG), so no server outlives its tests."""
    with suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG


def wait_http(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up in {timeout} s")


class PrivateRedis:
    """A redis-server of our own on a free loopback port, so a test may kill and restart it."""

    def __init__(self) -> None:
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> PrivateRedis:
        self.proc = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=die_with_parent,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=10)
            self.proc = None


def session_cookie_for(cluster: Cluster, game_id: int, member_id: int, token: str) -> str:
    """A player's session key, created through the real session backend of the cluster's settings."""
    code = (
        "import json\nfrom django.contrib.sessions.backends.db import SessionStore\n"
        f"s = SessionStore(); s['treatycraft_seats'] = {{'{game_id}': {{'member': {member_id}, 'token': '{token}'}}}}\n"
        "s.create(); print(json.dumps({'key': s.session_key}))"
    )
    return str(cluster.script(code)["key"])
