"""CPU and memory of server processes from /proc (Linux): Daphne by listening port, Redis and
PostgreSQL by name, and the whole machine, so each result says how busy the box was."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def _stat_fields(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # the command name (field 2) may contain spaces; everything after the last ')' is fixed
    return raw[raw.rfind(")") + 2:].split()


def cpu_seconds(pid: int, children: bool = False) -> float:
    """User + system CPU seconds of a process (plus its reaped children when asked)."""
    fields = _stat_fields(pid)
    if fields is None:
        return 0.0
    # fields[11..14] = utime stime cutime cstime (stat fields 14..17)
    ticks = int(fields[11]) + int(fields[12])
    if children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / TICK


def rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * PAGE
    except OSError:
        return 0


def _listening_inodes(port: int) -> set[str]:
    inodes = set()
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(name).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            local, state, inode = parts[1], parts[3], parts[9]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:
                inodes.add(inode)
    return inodes


def pid_listening_on(port: int) -> int | None:
    """The process that listens on a TCP port (readable only for our own processes)."""
    inodes = _listening_inodes(port)
    if not inodes:
        return None
    targets = {f"socket:[{i}]" for i in inodes}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            for fd in (entry / "fd").iterdir():
                if os.readlink(fd) in targets:
                    return int(entry.name)
        except OSError:
            continue
    return None


def pids_named(fragment: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if fragment in cmd:
            found.append(int(entry.name))
    return found


def postgres_cpu_seconds() -> float:
    """CPU of the whole PostgreSQL server: the postmaster with its reaped backends, plus the live
    ones. Shared with anything else using that server, so read it as an upper bound."""
    total = 0.0
    for pid in pids_named("postgres"):
        fields = _stat_fields(pid)
        if fields is None:
            continue
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if " -D " in cmd and "bin/postgres" in cmd:
            total += cpu_seconds(pid, children=True)
        elif cmd.startswith("postgres:"):
            total += cpu_seconds(pid)
    return total


def machine_cpu_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the machine since boot, all cores."""
    first = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    values = [int(v) for v in first]
    idle = values[3] + values[4]
    total = sum(values[:8])
    return (total - idle) / TICK, total / TICK


@dataclass
class Sample:
    at: float
    servers: dict[int, float]
    redis: float
    postgres: float
    machine_busy: float
    machine_total: float
    rss: dict[int, int]


class Watch:
    """Samples the servers, Redis, PostgreSQL and the machine; `delta` turns two samples into
    per-phase figures."""

    def __init__(self, server_pids: list[int], redis_pid: int | None = None, client_pids: list[int] | None = None):
        self.server_pids = server_pids
        self.redis_pid = redis_pid
        self.client_pids = client_pids or []

    def sample(self) -> Sample:
        busy, total = machine_cpu_seconds()
        return Sample(
            at=time.monotonic(),
            servers={p: cpu_seconds(p) for p in self.server_pids},
            redis=cpu_seconds(self.redis_pid) if self.redis_pid else 0.0,
            postgres=postgres_cpu_seconds(),
            machine_busy=busy,
            machine_total=total,
            rss={p: rss_bytes(p) for p in self.server_pids},
        )

    @staticmethod
    def delta(a: Sample, b: Sample, client_cpu: float = 0.0) -> dict[str, float | list[float]]:
        wall = max(1e-9, b.at - a.at)
        server = [b.servers[p] - a.servers.get(p, 0.0) for p in b.servers]
        busy = b.machine_busy - a.machine_busy
        total = b.machine_total - a.machine_total
        ours = sum(server) + (b.redis - a.redis) + (b.postgres - a.postgres) + client_cpu
        return {
            "wall_s": round(wall, 2),
            "server_cpu_s": [round(s, 2) for s in server],
            "server_cpu_pct": [round(100 * s / wall, 1) for s in server],
            "redis_cpu_s": round(b.redis - a.redis, 2),
            "postgres_cpu_s": round(b.postgres - a.postgres, 2),
            "client_cpu_s": round(client_cpu, 2),
            "machine_busy_pct": round(100 * busy / total, 1) if total else 0.0,
            # CPU the machine spent on everything else (other users of the box): the noise figure
            "other_cpu_pct_of_machine": round(100 * max(0.0, busy - ours) / total, 1) if total else 0.0,
            "server_rss_mib": [round(b.rss[p] / 2**20, 1) for p in b.rss],
        }


def redis_pid() -> int | None:
    pid = pid_listening_on(6379)
    if pid is not None:
        return pid
    named = pids_named("redis-server")
    return named[0] if named else None
