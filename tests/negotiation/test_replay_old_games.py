"""Games created before the engine's boundary was rebuilt (issue #13) still replay exactly: the
fixture was made with the code of that time (see tests/negotiation/fixtures/README.md)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from negotiation.models import Game
from negotiation.review.replay import replay_game

FIXTURE = Path(__file__).parent / "fixtures" / "games_before_typed_boundary.json.gz"
OLD_GAMES = {"X98Z4GYH": 4, "575D6ESU": 3}


@pytest.fixture
def old_games(db):
    call_command("loaddata", str(FIXTURE), verbosity=0)
    return {g.code: g for g in Game.objects.filter(code__in=OLD_GAMES)}


@pytest.mark.parametrize("code", sorted(OLD_GAMES))
def test_an_old_game_replays_to_exactly_its_stored_results(old_games, code):
    report = replay_game(old_games[code])

    assert report.ok, report.difference
    assert report.turns == OLD_GAMES[code]


def test_the_replay_command_passes_on_an_old_game(old_games, capsys):
    call_command("replay", "X98Z4GYH")

    assert "every stored result matches" in capsys.readouterr().out
