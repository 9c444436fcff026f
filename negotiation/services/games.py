"""Game lifecycle: create, start, the phase machine (negotiation -> orders -> resolution ->
report -> next turn), pause, deadlines, rollback and ending. Every facilitator action is logged
with who, when and why."""

from __future__ import annotations

import dataclasses
import secrets
from datetime import timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

import game_engine
from negotiation.changes import (
    DeadlineMoved,
    GameEnded,
    GameStarted,
    PauseChanged,
    PhaseAdvanced,
    PhaseRolledBack,
    TurnResolved,
    publish,
)
from negotiation.errors import InvalidInput, PhaseClosed
from negotiation.models import OPEN_PHASES, Game, MissedOrders, Phase, Seat
from negotiation.services.common import bump_version, deadline_for, lock_game, log
from negotiation.services.injects import fire_scheduled_injects, fire_turn_injects
from negotiation.services.turns import resolve_turn

# Join codes avoid look-alike characters; 8 of 31 symbols gives about 8.5e11 codes.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
MAX_EXTENSION_SECONDS = 30 * 60
# A phase found overdue by more than this (the server was down) gets extra time instead of
# advancing at once, so players can still act; see docs/facilitator-guide.md.
RESTART_GRACE_SECONDS = 120
RESTART_EXTRA_SECONDS = 120


def new_join_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


@transaction.atomic
def game_create(
    *,
    facilitator: User,
    scenario_slug: str,
    title: str,
    mode: str,
    negotiation_seconds: int | None = None,
    orders_seconds: int | None = None,
    report_seconds: int | None = None,
    missed_orders: str = MissedOrders.HOLD,
    bot_policy: str = "reciprocator",
    turns: int | None = None,
) -> Game:
    """Create a game in its lobby, with a fresh secret seed and a published commitment to it.
    `turns` shortens or lengthens the scenario's game (None: the scenario's number)."""
    if turns is not None and not 1 <= turns <= 20:
        raise InvalidInput(gettext("The number of turns is between 1 and %(n)s.") % {"n": 20})
    if mode not in {"expected", "stochastic"}:
        raise InvalidInput(gettext("Mode must be 'expected' or 'stochastic'."))
    for seconds in (negotiation_seconds, orders_seconds, report_seconds):
        if seconds is not None and not 1 <= seconds <= 7 * 24 * 3600:
            raise InvalidInput(gettext("A phase lasts between 1 second and 7 days."))
    if missed_orders not in MissedOrders.values:
        raise InvalidInput(gettext("Unknown policy for missed orders."))
    try:
        scenario = game_engine.load_scenario(scenario_slug)
    except (game_engine.ScenarioError, FileNotFoundError, KeyError, ValueError) as exc:
        raise InvalidInput(gettext("Unknown scenario %(slug)r.") % {"slug": scenario_slug}) from exc
    seed = secrets.token_hex(16)
    code = new_join_code()
    while Game.objects.filter(code=code).exists():
        code = new_join_code()
    game = Game.objects.create(
        code=code,
        title=title.strip()[:120] or scenario.info.title,
        scenario_slug=scenario.info.slug,
        facilitator=facilitator,
        mode=mode,
        seed=seed,
        seed_commit="",
        state={},
        negotiation_seconds=negotiation_seconds,
        orders_seconds=orders_seconds,
        report_seconds=report_seconds,
        missed_orders=missed_orders,
        bot_policy=bot_policy,
        observer_key=secrets.token_urlsafe(16),
    )
    state = game_engine.new_game(scenario, game_id=f"game-{game.pk}", seed=seed, mode=mode)
    if turns is not None:
        state = dataclasses.replace(state, max_turns=turns)
    game.state = game_engine.state_to_json(state)
    game.seed_commit = game_engine.view_for(state, None).seed_commit
    game.save(update_fields=["state", "seed_commit"])
    for info in scenario.info.states:
        # Non-player characters of the scenario are played by the hawk bot unless someone takes them.
        Seat.objects.create(game=game, state_id=info.id, display_name="", bot_policy="hawk" if info.npc else "",
                            is_ready=info.npc)
    log(game, "game.created", f"facilitator:{facilitator.get_username()}",
        {"scenario": scenario.info.slug, "mode": mode, "seed_commit": game.seed_commit},
        audience=[game_engine.FACILITATOR])
    return game


def _enter(game: Game, phase: Phase) -> None:
    game.phase = phase
    game.deadline_at = deadline_for(game, phase)
    game.extension_seconds = 0
    game.save(update_fields=["phase", "deadline_at", "extension_seconds", "turn", "state", "finished_at"])
    # A new phase waits for the players again; a bot seat acts by itself and stays ready (the
    # console and the players' table read the same flag).
    Seat.objects.filter(game=game, bot_policy="").update(is_ready=False)
    Seat.objects.filter(game=game).exclude(bot_policy="").update(is_ready=True)
    bump_version(game)


@transaction.atomic
def game_start(*, game_id: int, actor: str) -> Game:
    game = lock_game(game_id)
    if game.phase != Phase.LOBBY:
        raise PhaseClosed(gettext("The game has already started."))
    game.started_at = timezone.now()
    game.save(update_fields=["started_at"])
    _enter(game, Phase.NEGOTIATION)
    log(game, "game.started", actor, {"turn": game.turn})
    fire_scheduled_injects(game)
    publish(GameStarted(game.pk))
    return game


def _advance_locked(game: Game, actor: str, reason: str) -> None:
    """Move a locked game to its next phase (resolving the turn when orders close)."""
    previous = game.phase
    if game.phase == Phase.NEGOTIATION:
        _enter(game, Phase.ORDERS)
    elif game.phase == Phase.ORDERS:
        record = resolve_turn(game, actor)
        game.turn = int(game_engine.state_from_json(record.state_after).turn)
        if game_engine.state_from_json(record.state_after).game_over:
            game.finished_at = timezone.now()
            _enter(game, Phase.FINISHED)
            game.deadline_at = None
            game.save(update_fields=["deadline_at"])
        else:
            _enter(game, Phase.REPORT)
    elif game.phase == Phase.REPORT:
        _enter(game, Phase.NEGOTIATION)
        fire_scheduled_injects(game)
        fire_turn_injects(game)
    else:
        raise PhaseClosed(gettext("There is no open phase to advance."))
    log(game, "phase.advanced", actor, {"from": previous, "to": game.phase, "turn": game.turn, "reason": reason})
    publish(TurnResolved(game.pk) if previous == Phase.ORDERS else PhaseAdvanced(game.pk))


@transaction.atomic
def phase_advance(*, game_id: int, expected_phase: str, expected_turn: int, actor: str, reason: str = "") -> bool:
    """Advance the game from `expected_phase` of `expected_turn`, exactly once.

    Returns False (and changes nothing) when the game has already moved on: a second click, a
    second clock, or the all-ready rule got there first."""
    game = lock_game(game_id)
    if game.phase != expected_phase or game.turn != expected_turn or game.phase not in OPEN_PHASES:
        return False
    _advance_locked(game, actor, reason)
    return True


def advance_if_all_ready(game: Game) -> bool:
    """Inside a service holding the lock: advance early when every played seat is ready."""
    if game.paused_at is not None or game.phase not in OPEN_PHASES:
        return False
    human = [s for s in Seat.objects.filter(game=game, bot_policy="") if s.members.filter(removed_at=None).exists()]
    if not human or not all(s.is_ready for s in human):
        return False
    _advance_locked(game, "rule:all-ready", "every seat was ready")
    return True


@transaction.atomic
def clock_due(*, game_id: int, expected_phase: str, expected_turn: int) -> str:
    """What the clock does with a phase whose deadline passed: advance it, or, when the server
    was down long enough that the deadline is far behind, give everyone a little extra time."""
    game = lock_game(game_id)
    now = timezone.now()
    if (game.phase != expected_phase or game.turn != expected_turn or game.paused_at is not None
            or game.deadline_at is None or game.deadline_at > now):
        return "skipped"
    overdue = (now - game.deadline_at).total_seconds()
    if overdue > RESTART_GRACE_SECONDS:
        game.deadline_at = now + timedelta(seconds=RESTART_EXTRA_SECONDS)
        game.save(update_fields=["deadline_at"])
        bump_version(game)
        log(game, "deadline.restart_extension", "clock",
            {"overdue_seconds": round(overdue), "extra_seconds": RESTART_EXTRA_SECONDS, "phase": game.phase})
        publish(DeadlineMoved(game.pk))
        return "extended"
    _advance_locked(game, "clock", "deadline reached")
    return "advanced"


@transaction.atomic
def game_pause(*, game_id: int, actor: str, reason: str = "") -> Game:
    game = lock_game(game_id)
    if game.phase not in OPEN_PHASES:
        raise PhaseClosed(gettext("Only a running game can be paused."))
    if game.paused_at is not None:
        return game
    now = timezone.now()
    game.paused_at = now
    game.paused_remaining = max(0.0, (game.deadline_at - now).total_seconds()) if game.deadline_at else None
    game.deadline_at = None
    game.save(update_fields=["paused_at", "paused_remaining", "deadline_at"])
    bump_version(game)
    log(game, "game.paused", actor, {"reason": reason, "remaining": game.paused_remaining})
    publish(PauseChanged(game.pk))
    return game


@transaction.atomic
def game_resume(*, game_id: int, actor: str) -> Game:
    game = lock_game(game_id)
    if game.paused_at is None:
        return game
    if game.paused_remaining is not None:
        game.deadline_at = timezone.now() + timedelta(seconds=game.paused_remaining)
    game.paused_at = None
    game.paused_remaining = None
    game.save(update_fields=["paused_at", "paused_remaining", "deadline_at"])
    bump_version(game)
    log(game, "game.resumed", actor, {})
    publish(PauseChanged(game.pk))
    return game


@transaction.atomic
def deadline_extend(*, game_id: int, actor: str, minutes: int, reason: str = "") -> Game:
    """Add time to the running phase; at most MAX_EXTENSION_SECONDS per phase in all."""
    game = lock_game(game_id)
    if game.phase not in OPEN_PHASES:
        raise PhaseClosed(gettext("There is no open phase to extend."))
    if not 1 <= minutes <= 60:
        raise InvalidInput(gettext("Extend by 1 to 60 minutes."))
    seconds = minutes * 60
    if game.extension_seconds + seconds > MAX_EXTENSION_SECONDS:
        left = (MAX_EXTENSION_SECONDS - game.extension_seconds) // 60
        raise InvalidInput(gettext("This phase can be extended by %(n)s more minute(s) at most.") % {"n": left})
    if game.paused_at is not None:
        game.paused_remaining = (game.paused_remaining or 0.0) + seconds
    else:
        base = max(game.deadline_at or timezone.now(), timezone.now())
        game.deadline_at = base + timedelta(seconds=seconds)
    game.extension_seconds += seconds
    game.save(update_fields=["deadline_at", "paused_remaining", "extension_seconds"])
    bump_version(game)
    log(game, "deadline.extended", actor, {"minutes": minutes, "reason": reason, "phase": game.phase})
    publish(DeadlineMoved(game.pk))
    return game


@transaction.atomic
def phase_set_length(*, game_id: int, actor: str, phase: str, seconds: int | None) -> Game:
    game = lock_game(game_id)
    if phase not in {Phase.NEGOTIATION, Phase.ORDERS, Phase.REPORT}:
        raise InvalidInput(gettext("Unknown phase."))
    if seconds is not None and not 10 <= seconds <= 7 * 24 * 3600:
        raise InvalidInput(gettext("A phase lasts between 10 seconds and 7 days."))
    setattr(game, f"{phase}_seconds", seconds)
    game.save(update_fields=[f"{phase}_seconds"])
    log(game, "settings.phase_length", actor, {"phase": phase, "seconds": seconds})
    return game


@transaction.atomic
def phase_rollback(*, game_id: int, actor: str, reason: str = "") -> Game:
    """Send the orders phase back to negotiation (before it resolved); orders are kept."""
    game = lock_game(game_id)
    if game.phase != Phase.ORDERS:
        raise PhaseClosed(gettext("Only the orders phase can be rolled back, before it resolves."))
    _enter(game, Phase.NEGOTIATION)
    log(game, "phase.rolled_back", actor, {"to": game.phase, "turn": game.turn, "reason": reason})
    publish(PhaseRolledBack(game.pk))
    return game


@transaction.atomic
def game_end(*, game_id: int, actor: str, reason: str = "") -> Game:
    """End the game now: scores are computed on the current state and the seed is revealed."""
    game = lock_game(game_id)
    if game.phase == Phase.FINISHED:
        return game
    state = game_engine.state_from_json(game.state)
    ended = dataclasses.replace(state, game_over=True, game_over_reason=reason or "The facilitator ended the game.")
    game.state = game_engine.state_to_json(ended)
    game.finished_at = timezone.now()
    game.paused_at = None
    _enter(game, Phase.FINISHED)
    game.deadline_at = None
    game.save(update_fields=["deadline_at", "paused_at"])
    log(game, "game.ended", actor, {"reason": reason, "turn": game.turn})
    publish(GameEnded(game.pk))
    return game
