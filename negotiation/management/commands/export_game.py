"""manage.py export_game GAME --format json|csv --out DIR [--pseudonymize]: the game's full record
for research (see docs/export-format.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from negotiation.management.commands.replay import find_game
from negotiation.review.export import build_export, write_export


class Command(BaseCommand):
    help = "Export a game as one JSON document or as CSV tables with a codebook."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("game", help="game number or join code")
        parser.add_argument("--format", choices=("json", "csv"), default="json")
        parser.add_argument("--out", required=True, help="directory to write into (created if missing)")
        parser.add_argument("--pseudonymize", action="store_true",
                            help="replace people's names with stable pseudonyms")

    def handle(self, *args: Any, **options: Any) -> None:
        game = find_game(str(options["game"]))
        bundle = build_export(game, pseudonymize=bool(options["pseudonymize"]))
        for path in write_export(bundle, Path(options["out"]), str(options["format"])):
            self.stdout.write(f"wrote {path}")
