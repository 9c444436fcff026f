from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from negotiation import clock
from negotiation.management.preflight import require_migrated_database


class Command(BaseCommand):
    help = "Run the turn clock: resolve turns whose deadline has passed and send queued e-mail (safe to run twice)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between checks")
        parser.add_argument("--once", action="store_true", help="check once and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        require_migrated_database()
        if options["once"]:
            resolved = clock.tick()
            sent = clock.mail_tick(force=True)
            self.stdout.write(f"resolved {len(resolved)} turn(s), sent {sent} e-mail(s)")
            return
        self.stdout.write(f"clock: checking deadlines every {options['interval']} s (Ctrl-C to stop)")
        clock.run_forever(options["interval"])
