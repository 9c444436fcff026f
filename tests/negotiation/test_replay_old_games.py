"""Games created before the engine's boundary was rebuilt (issue #13) still replay exactly and
render: the fixture was made with the code of that time (see tests/negotiation/fixtures/README.md).
Its texts are the English sentences of that time; loading it bypasses migrations, so the test
applies migration 0007's conversion to it, as migrating a database of that time does."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from negotiation.models import Game, GameEvent, TurnRecord
from negotiation.review.replay import replay_game

FIXTURE = Path(__file__).parent / "fixtures" / "games_before_typed_boundary.json.gz"
OLD_GAMES = {"X98Z4GYH": 4, "575D6ESU": 3}
MIGRATION = importlib.import_module("negotiation.migrations.0007_structured_engine_messages")


def load_old_games() -> dict[str, Game]:
    call_command("loaddata", str(FIXTURE), verbosity=0)
    games = list(Game.objects.filter(code__in=OLD_GAMES))
    MIGRATION.convert_games(Game, TurnRecord, GameEvent, games)
    return {g.code: g for g in games}


@pytest.fixture
def old_games(db):
    return load_old_games()


def test_every_stored_text_of_the_old_games_became_a_message(old_games):
    stored = json.dumps([[r.events, r.explanation, r.public_report, r.private_reports]
                         for r in TurnRecord.objects.filter(game__in=old_games.values())])
    log = json.dumps([e.data for e in GameEvent.objects.filter(game__in=old_games.values(),
                                                                kind__startswith="engine.")])

    assert MIGRATION.LEGACY not in stored and MIGRATION.LEGACY not in log
    assert " built " not in stored and " built " not in log
    assert '"event.build"' in stored or '"event.build_covert"' in stored


@pytest.mark.parametrize("code", sorted(OLD_GAMES))
def test_an_old_game_replays_to_exactly_its_stored_results(old_games, code):
    report = replay_game(old_games[code])

    assert report.ok, report.difference
    assert report.turns == OLD_GAMES[code]


def test_the_replay_command_passes_on_an_old_game(old_games, capsys):
    call_command("replay", "X98Z4GYH")

    assert "every stored result matches" in capsys.readouterr().out


def test_an_old_game_renders_its_engine_texts_in_spanish(old_games):
    from django.test import Client

    game = old_games["X98Z4GYH"]
    client = Client()
    client.force_login(game.facilitator)
    client.post("/i18n/setlang/", {"language": "es", "next": "/"})

    pages = [client.get(f"/review/{game.pk}/{path}").content.decode()
             for path in ("debrief/", "turn/1/", "timeline/?kind=engine.build_covert")]

    assert any("construyó en secreto" in page for page in pages)
    assert not any("secretly built" in page for page in pages)
    assert "fue rechazada" in pages[0] + pages[1] or "no acordó" in pages[0] + pages[1]
