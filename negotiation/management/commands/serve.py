"""`make run`: Daphne serving HTTP and WebSockets, with the turn clock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve Treatycraft with Daphne and run the turn clock."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = options["host"], options["port"]
        env = dict(os.environ)
        children = []
        if settings.REDIS_URL:
            self.stdout.write("Channel layer: Redis. Starting the clock as its own process.")
            children.append(subprocess.Popen([sys.executable, "manage.py", "clock"], env=env))
        else:
            self.stdout.write(self.style.WARNING(
                "Channel layer: in-memory (no REDIS_URL). One server process only; the clock runs "
                "inside it. Set REDIS_URL to run several processes."))
            env["TREATYCRAFT_CLOCK"] = "inprocess"
        origin_hosts = {host, "127.0.0.1", "localhost"} if host in {"127.0.0.1", "localhost", "0.0.0.0"} else {host}  # noqa: S104
        env.setdefault("WEBSOCKET_ALLOWED_ORIGINS", ",".join(f"http://{h}:{port}" for h in sorted(origin_hosts)))
        self.stdout.write(self.style.SUCCESS(f"Treatycraft is serving on http://{host}:{port}/  (Ctrl-C to stop)"))
        daphne = subprocess.Popen(  # noqa: S603
            # The Daphne options of deploy/ (without --proxy-headers: no proxy in front). Daphne's
            # default 5 s WebSocket connect timeout dropped sockets whose handshake queued behind
            # a burst of others (a class reconnecting at once); 30 s lets them through.
            [sys.executable, "-m", "daphne", "-v", "1", "--access-log", os.devnull,
             "-e", f"tcp:port={port}:interface={host}:backlog=1024", "--websocket_connect_timeout", "30",
             "config.asgi:application"],
            env=env,
        )
        children.append(daphne)
        self._wake(host, port)

        def stop(*_: Any) -> None:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, stop)
        try:
            daphne.wait()
        except KeyboardInterrupt:
            pass
        finally:
            stop()
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()

    def _wake(self, host: str, port: int) -> None:
        """Make a first request so the in-process clock starts even before anyone visits."""
        url = f"http://{'127.0.0.1' if host in {'0.0.0.0', ''} else host}:{port}/healthz"  # noqa: S104
        for _ in range(100):
            try:
                with urllib.request.urlopen(url, timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
