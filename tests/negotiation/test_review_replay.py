"""Replay: every turn rebuilt from the log through the engine must match what was stored."""

from __future__ import annotations

import dataclasses

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

import game_engine
from negotiation import services
from negotiation.models import Game, GameEvent, TurnRecord
from negotiation.review.replay import first_difference, replay_game
from tests.helpers import resolve
from tests.negotiation.test_review_fixtures import play


@pytest.fixture
def played_game(game):
    play(game)
    return game



def test_a_played_game_replays_to_exactly_its_stored_results(played_game):
    report = replay_game(played_game)

    assert report.ok, report.difference
    assert report.turns == 3


def test_the_replay_command_reports_success(played_game, capsys):
    call_command("replay", str(played_game.pk))

    assert "Replayed 3 turn(s)" in capsys.readouterr().out


def test_the_replay_command_finds_a_game_by_its_join_code(played_game, capsys):
    call_command("replay", played_game.code.lower())

    assert "every stored result matches" in capsys.readouterr().out


def test_a_corrupted_stored_result_fails_the_replay_with_the_first_difference(played_game):
    record = TurnRecord.objects.get(game=played_game, turn=2)
    nations = record.state_after["nations"]
    nations[1]["missiles"]["SRBM"] += 5
    record.save(update_fields=["state_after"])

    with pytest.raises(CommandError) as failure:
        call_command("replay", str(played_game.pk))

    assert failure.value.returncode == 1
    message = str(failure.value)
    assert "turn 2: state after resolution" in message
    assert "$.nations[1].missiles.SRBM" in message


def test_a_corrupted_engine_event_fails_the_replay(played_game):
    record = TurnRecord.objects.get(game=played_game, turn=1)
    record.public_report["rsi_pub"]["after"] = 99.0
    record.save(update_fields=["public_report"])

    report = replay_game(played_game)

    assert not report.ok
    assert report.difference.where == "turn 1: public report"
    assert report.difference.path == "$.rsi_pub.after"
    assert report.turns == 0


def test_a_tampered_log_entry_of_the_engine_fails_the_replay(game):
    play(game, turns=2)
    event = GameEvent.objects.filter(game=game, kind="engine.build").order_by("seq").first()
    assert event is not None  # Aurel builds an IRBM every turn
    event.data = {**event.data, "text": "Something else happened."}
    event.save(update_fields=["data"])

    report = replay_game(game)

    assert not report.ok
    assert "engine events in the log" in report.difference.where


def test_a_stored_result_missing_from_the_log_fails_the_replay(played_game):
    GameEvent.objects.filter(game=played_game, kind="turn.resolved", data__turn=3).delete()

    report = replay_game(played_game)

    assert not report.ok
    assert report.difference.where.startswith("turn ")


def test_changed_orders_in_a_stored_result_fail_the_replay(played_game):
    record = TurnRecord.objects.get(game=played_game, turn=1)
    record.orders["aurel"] = []
    record.save(update_fields=["orders"])

    report = replay_game(played_game)

    assert not report.ok
    assert report.difference.where.startswith("turn 1")


def test_a_game_still_running_replays_to_its_current_state(game):
    play(game, turns=2, end=False)

    report = replay_game(game)

    assert report.ok, report.difference
    assert report.turns == 2


def test_a_game_ended_by_the_facilitator_mid_turn_replays(game):
    play(game, turns=1, end=False)
    resolve(game)  # turn 2 resolves with held orders
    services.game_end(game_id=game.pk, actor="facilitator:teacher", reason="")
    game.refresh_from_db()

    report = replay_game(game)

    assert report.ok, report.difference


def test_a_changed_seed_commitment_is_caught_before_the_first_turn(played_game):
    played_game.seed = "0" * 32
    played_game.save(update_fields=["seed"])

    report = replay_game(played_game)

    assert not report.ok
    assert report.difference.where == "initial state"


def test_first_difference_names_the_json_path_and_treats_1_and_1_0_as_equal():
    assert first_difference({"a": [1, {"b": 2.0}]}, {"a": [1.0, {"b": 2}]}) is None
    assert first_difference({"a": [1, {"b": 2}]}, {"a": [1, {"b": 3}]}) == ("$.a[1].b", 2, 3)
    assert first_difference({"a": 1}, {"a": 1, "z": 0})[0] == "$.z"
    assert first_difference([1, 2], [1])[0] == "$[1]"
    assert first_difference({"k k": True}, {"k k": 1}) == ('$["k k"]', True, 1)


def send_radar_outage(game) -> None:
    """The facilitator's inject with an effect: logged, and queued in the engine state for the
    next resolution (game_engine.add_inject), as the inject service does."""
    inject = services.inject_send(game_id=game.pk, actor="facilitator:teacher", title="Storm",
                                  text="A storm knocks out a radar.", targets=["calla"],
                                  effect={"radar_outage": "CAL-1"})
    game.refresh_from_db()
    state = game_engine.state_from_json(game.state)
    if not state.pending_injects:  # the service logged the effect without queueing it: queue it here
        state = game_engine.add_inject(state, title=inject.title, text=inject.text, targets=inject.audience,
                                       effect=inject.effect)
        Game.objects.filter(pk=game.pk).update(state=game_engine.state_to_json(state))
    game.refresh_from_db()


def test_an_inject_with_an_effect_is_applied_again_in_the_replay(game):
    play(game, turns=1, end=False)
    send_radar_outage(game)
    resolve(game)

    report = replay_game(game)

    assert report.ok, report.difference
    assert TurnRecord.objects.get(game=game, turn=2).state_before["pending_injects"]


def test_an_effect_that_never_reached_the_engine_state_is_a_difference(game):
    play(game, turns=1, end=False)
    services.inject_send(game_id=game.pk, actor="facilitator:teacher", title="Storm",
                         text="A storm knocks out a radar.", targets=["calla"], effect={"radar_outage": "CAL-1"})
    game.refresh_from_db()
    state = game_engine.state_from_json(game.state)
    Game.objects.filter(pk=game.pk).update(
        state=game_engine.state_to_json(dataclasses.replace(state, pending_injects=())))
    resolve(game)

    report = replay_game(game)

    assert not report.ok
    assert report.difference.where == "turn 2: state before resolution"
    assert report.difference.path.startswith("$.pending_injects")
