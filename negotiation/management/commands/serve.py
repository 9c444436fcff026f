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
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from config import network
from config.collector import parse_threshold
from negotiation.management.preflight import require_migrated_database


class Command(BaseCommand):
    help = "Serve Treatycraft with Daphne and run the turn clock."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = options["host"], options["port"]
        try:  # said here in one line, not as Daphne's traceback once it imports config.asgi
            parse_threshold(settings.TREATYCRAFT_SERVER_GC)
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        require_migrated_database()
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
        # Settings derive the accepted hosts and origins, and DEBUG, from the bound interface.
        env["TREATYCRAFT_BIND_HOST"], env["PORT"] = host, str(port)
        self._announce(host, port)
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

    def _announce(self, host: str, port: int) -> None:
        """Say where to open the game: on this computer, and (on a network) the address students type."""
        local = f"http://127.0.0.1:{port}/" if network.is_wildcard(host) or network.is_loopback(host) \
            else f"http://{network.url_host(host)}:{port}/"
        self.stdout.write(self.style.SUCCESS(f"Treatycraft is serving. On this computer open {local}  (Ctrl-C to stop)"))
        if network.is_loopback(host):
            self.stdout.write("Only this computer can connect. For a classroom network: make run HOST=0.0.0.0")
            return
        public = settings.PUBLIC_URL or ""
        addresses = [f"http://{address}:{port}/" for address in network.student_addresses(host)]
        if public:
            addresses = [f"{public}/"]
        if not addresses:
            self.stdout.write(self.style.WARNING("No network address found: is this computer connected to a network?"))
            return
        self.stdout.write(self.style.SUCCESS(f"Students open: {addresses[0]}"))
        for other in addresses[1:]:
            self.stdout.write(f"  (or, on another network of this computer: {other})")
        self.stdout.write("Debug pages are off: the server is reachable from the network.")

    def _wake(self, host: str, port: int) -> None:
        """Make a first request so the in-process clock starts even before anyone visits."""
        url = f"http://{'127.0.0.1' if network.is_wildcard(host) else network.url_host(host)}:{port}/healthz"
        for _ in range(100):
            try:
                with urllib.request.urlopen(url, timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
