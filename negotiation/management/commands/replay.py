"""manage.py replay GAME: rebuild every turn of a game from its log through the engine and check
it against the stored results. Exits non-zero with the first difference."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from negotiation.models import Game
from negotiation.review.replay import describe, replay_game


def find_game(ref: str) -> Game:
    """A game by primary key or by join code."""
    game = Game.objects.filter(pk=int(ref)).first() if ref.isdigit() else None
    game = game or Game.objects.filter(code=ref.strip().upper()).first()
    if game is None:
        raise CommandError(f"No game {ref!r} (give its number or its join code).")
    return game


class Command(BaseCommand):
    help = "Replay a game from its log through the engine and compare every turn with the stored results."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("game", help="game number or join code")

    def handle(self, *args: Any, **options: Any) -> None:
        game = find_game(str(options["game"]))
        report = replay_game(game)
        for line in describe(report):
            self.stdout.write(line)
        if not report.ok:
            raise CommandError(f"Replay of game {game.pk} ({game.code}) differs: {report.difference}", returncode=1)
