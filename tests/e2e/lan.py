"""A classroom network inside this machine: a network namespace joined to the host by a veth pair.

The host end gets a private address (10.231.x.1); the namespace, standing for a student's device,
has only its end (10.231.x.2) and its own loopback, so a browser started inside it can reach the
server only through the host's non-loopback address, as another device in the room would. Nothing
leaves this machine. Needs root (CAP_NET_ADMIN), as CI has; the fixture is removed afterwards.
"""

from __future__ import annotations

import os
import stat
import subprocess
import tempfile
from contextlib import suppress
from pathlib import Path

from tests.helpers import CHROMIUM


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=10)


def _used_subnets() -> set[int]:
    out = subprocess.run(["ip", "-4", "-o", "addr"], capture_output=True, text=True, check=False).stdout
    return {int(part.split(".")[2]) for part in out.split() if part.startswith("10.231.")}


class ClassroomNetwork:
    def __init__(self) -> None:
        tag = f"{os.getpid() % 100000}"
        self.namespace = f"tc-class-{tag}"
        self.host_if, self.peer_if = f"tcv{tag}h", f"tcv{tag}p"  # interface names: 15 bytes at most
        free = [n for n in range(1, 255) if n not in _used_subnets()]
        subnet = free[os.getpid() % len(free)]
        self.host_address = f"10.231.{subnet}.1"
        self.device_address = f"10.231.{subnet}.2"
        self._wrapper: Path | None = None

    def create(self) -> ClassroomNetwork:
        _ip("netns", "add", self.namespace)
        try:
            _ip("link", "add", self.host_if, "type", "veth", "peer", "name", self.peer_if)
            _ip("link", "set", self.peer_if, "netns", self.namespace)
            _ip("addr", "add", f"{self.host_address}/30", "dev", self.host_if)
            _ip("link", "set", self.host_if, "up")
            _ip("-n", self.namespace, "addr", "add", f"{self.device_address}/30", "dev", self.peer_if)
            _ip("-n", self.namespace, "link", "set", self.peer_if, "up")
            _ip("-n", self.namespace, "link", "set", "lo", "up")
        except Exception:
            self.remove()
            raise
        return self

    def chromium_in_device(self) -> str:
        """An executable that runs Chromium inside the namespace (Playwright's executable_path)."""
        fd, name = tempfile.mkstemp(prefix="chromium-in-classroom-", suffix=".sh")
        with os.fdopen(fd, "w") as script:
            script.write(f'#!/bin/sh\nexec ip netns exec {self.namespace} {CHROMIUM} "$@"\n')
        path = Path(name)
        path.chmod(path.stat().st_mode | stat.S_IXUSR)
        self._wrapper = path
        return str(path)

    def remove(self) -> None:
        with suppress(Exception):
            _ip("link", "del", self.host_if)  # deletes its peer too
        with suppress(Exception):
            _ip("netns", "del", self.namespace)
        if self._wrapper is not None:
            self._wrapper.unlink(missing_ok=True)


def can_make_namespaces() -> bool:
    if os.geteuid() != 0:
        return False
    probe = f"tc-probe-{os.getpid()}"
    try:
        _ip("netns", "add", probe)
    except (OSError, subprocess.CalledProcessError):
        return False
    with suppress(Exception):
        _ip("netns", "del", probe)
    return True
