"""Writes. Each service runs in one transaction, takes the game row lock first, persists, logs,
and rings the bell (broadcasts) only after commit. Services are synchronous: Django transactions
do not run in async code."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

import game_engine
from negotiation import broadcasts
from negotiation.errors import InvalidInput, PhaseClosed, RateLimited, SeatTaken, StaleVersion
from negotiation.models import Game, GameEvent, Message, OrderSubmission, Phase, Seat, TurnRecord
from negotiation.scenarios import state_name
from negotiation.viewer import Role, Viewer

# Join codes avoid look-alike characters; 8 of 31 symbols gives about 8.5e11 codes.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
MAX_TOKENS_KEPT = 50


def _cfg(name: str) -> int:
    return int(settings.TREATYCRAFT[name])


def new_join_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _lock_game(game_id: int) -> Game:
    # On PostgreSQL this is a row lock; on SQLite the IMMEDIATE transaction already holds the
    # database write lock, so two writers are serialised either way.
    return Game.objects.select_for_update().get(pk=game_id)


def _next_seq(game: Game) -> int:
    game.last_seq += 1
    Game.objects.filter(pk=game.pk).update(last_seq=game.last_seq)
    return game.last_seq


def _log(
    game: Game,
    kind: str,
    actor: str,
    data: Mapping[str, Any] | None = None,
    audience: list[str] | None = None,
    seq: int | None = None,
) -> GameEvent:
    return GameEvent.objects.create(
        game=game,
        seq=seq if seq is not None else _next_seq(game),
        kind=kind,
        actor=actor,
        audience=audience,
        data=dict(data or {}),
    )


def _bump_version(game: Game) -> None:
    game.version += 1
    Game.objects.filter(pk=game.pk).update(version=game.version)


def _notify(
    game_id: int,
    *,
    public: tuple[str, ...] = (),
    private: tuple[str, ...] = (),
    seats: tuple[int, ...] | None = None,
) -> None:
    transaction.on_commit(
        partial(broadcasts.game_changed, game_id=game_id, public=public, private=private, seats=seats)
    )


def _rate_limit(key: str, limit: int, window_seconds: int = 60) -> None:
    bucket = f"rl:{key}:{int(timezone.now().timestamp()) // window_seconds}"
    try:
        count = cache.get_or_set(bucket, 0, timeout=window_seconds * 2) or 0
        if count >= limit:
            raise RateLimited(f"Too many attempts; wait a minute and try again (limit {limit} per minute).")
        cache.incr(bucket)
    except (ValueError, ConnectionError, OSError):
        # The cache is a guard, not the truth: when it is down, let the request through.
        return


# --- Games ---------------------------------------------------------------------------------------


@transaction.atomic
def game_create(
    *, facilitator: User, scenario_slug: str, title: str, mode: str, turn_minutes: int | None = None
) -> Game:
    """Create a game in its lobby, with a fresh secret seed and a published commitment to it."""
    if mode not in {"expected", "stochastic"}:
        raise InvalidInput("Mode must be 'expected' or 'stochastic'.")
    if turn_minutes is not None and not 1 <= turn_minutes <= 60 * 24 * 7:
        raise InvalidInput("A turn lasts between 1 minute and 7 days.")
    try:
        scenario = game_engine.load_scenario(scenario_slug)
    except (game_engine.ScenarioError, FileNotFoundError, KeyError) as exc:
        raise InvalidInput(f"Unknown scenario {scenario_slug!r}.") from exc
    seed = secrets.token_hex(16)
    for _attempt in range(10):
        code = new_join_code()
        if not Game.objects.filter(code=code).exists():
            break
    game = Game.objects.create(
        code=code,
        title=title.strip() or scenario.info.title,
        scenario_slug=scenario.info.slug,
        facilitator=facilitator,
        mode=mode,
        seed=seed,
        seed_commit="",
        state={},
        turn_seconds=turn_minutes * 60 if turn_minutes else None,
    )
    state = game_engine.new_game(scenario, game_id=f"game-{game.pk}", seed=seed, mode=mode)
    game.state = game_engine.state_to_json(state)
    game.seed_commit = str(game_engine.view_for(state, None)["seed_commit"])
    game.save(update_fields=["state", "seed_commit"])
    _log(game, "game.created", f"facilitator:{facilitator.get_username()}",
         {"scenario": scenario.info.slug, "mode": mode, "seed_commit": game.seed_commit})
    return game


@transaction.atomic
def game_start(*, game_id: int, actor: str) -> Game:
    game = _lock_game(game_id)
    if game.phase != Phase.LOBBY:
        raise PhaseClosed("The game has already started.")
    game.phase = Phase.ORDERS
    game.started_at = timezone.now()
    game.deadline_at = _next_deadline(game)
    game.save(update_fields=["phase", "started_at", "deadline_at"])
    _bump_version(game)
    _log(game, "game.started", actor, {"turn": game.turn})
    _notify(game.pk, public=broadcasts.PUBLIC_ALL, private=broadcasts.PRIVATE_ALL)
    return game


# --- Seats ---------------------------------------------------------------------------------------


def join_attempt_check(client_key: str) -> None:
    """Rate-limit join-code guesses per client address."""
    _rate_limit(f"join:{client_key}", _cfg("JOIN_ATTEMPTS_PER_MINUTE"))


@transaction.atomic
def seat_claim(*, game_id: int, state_id: str, display_name: str) -> Seat:
    """Claim one state of the game for a player. A state can be claimed once."""
    game = _lock_game(game_id)
    name = " ".join(display_name.split())
    if not name:
        raise InvalidInput("Please type a display name.")
    if len(name) > 40:
        raise InvalidInput("Display names are at most 40 characters.")
    if game.phase == Phase.FINISHED:
        raise PhaseClosed("This game has ended.")
    state = game_engine.state_from_json(game.state)
    if state_id not in state.state_ids:
        raise InvalidInput("That state is not part of this scenario.")
    if Seat.objects.filter(game=game, state_id=state_id).exists():
        raise SeatTaken("That state has already been taken; please choose another.")
    try:
        with transaction.atomic():
            seat = Seat.objects.create(game=game, state_id=state_id, display_name=name,
                                       token=secrets.token_urlsafe(32))
    except IntegrityError as exc:
        raise SeatTaken("That state has already been taken; please choose another.") from exc
    _log(game, "seat.claimed", f"player:{name}", {"state": state_id, "seat": seat.pk})
    _notify(game.pk, public=("seat-list",), seats=())
    return seat


def seat_presence(*, seat_id: int, delta: int) -> None:
    """Count a socket opening (+1) or closing (-1) for a seat, and show it to the room."""
    with transaction.atomic():
        updated = Seat.objects.filter(pk=seat_id).update(
            connections=F("connections") + delta, last_seen_at=timezone.now()
        )
        if updated:
            Seat.objects.filter(pk=seat_id, connections__lt=0).update(connections=0)
            game_id = Seat.objects.values_list("game_id", flat=True).get(pk=seat_id)
            _notify(game_id, public=("seat-list",), seats=())


@transaction.atomic
def seat_set_ready(*, game_id: int, seat_id: int, ready: bool) -> Seat:
    game = _lock_game(game_id)
    if game.phase != Phase.ORDERS:
        raise PhaseClosed("Orders are closed for this turn.")
    seat = Seat.objects.get(pk=seat_id, game=game)
    if seat.is_ready != ready:
        seat.is_ready = ready
        seat.save(update_fields=["is_ready"])
        _log(game, "seat.ready" if ready else "seat.unready", f"player:{seat.state_id}",
             {"turn": game.turn})
        _notify(game.pk, public=("seat-list",), private=("order-panel",), seats=(seat.pk,))
    return seat


# --- Chat ----------------------------------------------------------------------------------------


@transaction.atomic
def message_post(*, game_id: int, viewer: Viewer, body: str, client_token: str = "") -> Message:
    """Post to the public plenary. Retried posts with the same client token are stored once."""
    text = body.strip()
    limit = _cfg("CHAT_MAX_LENGTH")
    if not text:
        raise InvalidInput("The message is empty.")
    if len(text) > limit:
        raise InvalidInput(f"Messages are at most {limit} characters (this one has {len(text)}).")
    token = client_token[:64] or None
    if token:
        existing = Message.objects.filter(game_id=game_id, client_token=token).first()
        if existing is not None:
            return existing
    _rate_limit(f"chat:{game_id}:{viewer.role}:{viewer.seat_id}", _cfg("CHAT_RATE_PER_MINUTE"))
    game = _lock_game(game_id)
    if game.phase == Phase.FINISHED:
        raise PhaseClosed("The game has ended; the plenary is closed.")
    seat = Seat.objects.get(pk=viewer.seat_id, game=game) if viewer.seat_id else None
    label = f"{seat.display_name} ({state_name(game.scenario_slug, seat.state_id)})" if seat else viewer.label
    seq = _next_seq(game)
    message = Message.objects.create(game=game, seq=seq, channel="plenary", author_seat=seat,
                                     author_label=label, body=text, client_token=token)
    _log(game, "message.posted", label, {"message": message.pk, "channel": "plenary"}, seq=seq)
    transaction.on_commit(partial(broadcasts.message_posted, game_id=game.pk, message_id=message.pk))
    return message


# --- Orders --------------------------------------------------------------------------------------


def _submission(game: Game, seat: Seat) -> OrderSubmission:
    submission, _ = OrderSubmission.objects.get_or_create(game=game, seat=seat, turn=game.turn)
    return submission


def _check_token(submission: OrderSubmission, token: str) -> bool:
    """True when this post was already applied (a retry or a double click)."""
    return bool(token) and token in submission.applied_tokens


def _record(game: Game, seat: Seat, submission: OrderSubmission, token: str, kind: str) -> None:
    if token:
        submission.applied_tokens = [*submission.applied_tokens, token][-MAX_TOKENS_KEPT:]
    submission.revision += 1
    submission.save()
    if seat.is_ready:
        seat.is_ready = False
        seat.save(update_fields=["is_ready"])
    _log(game, kind, f"player:{seat.state_id}",
         {"turn": game.turn, "revision": submission.revision, "orders": submission.orders},
         audience=[seat.state_id])
    _notify(game.pk, public=("seat-list",), private=("order-panel",), seats=(seat.pk,))


def _open_for_orders(game_id: int, seat_id: int) -> tuple[Game, Seat]:
    game = _lock_game(game_id)
    if game.phase != Phase.ORDERS:
        raise PhaseClosed(
            "Orders are closed: the game has not started yet." if game.phase == Phase.LOBBY
            else "Orders are closed: this game has ended."
        )
    return game, Seat.objects.get(pk=seat_id, game=game)


@transaction.atomic
def order_add(*, game_id: int, seat_id: int, raw: Mapping[str, object], client_token: str = "") -> OrderSubmission:
    """Add one order to the seat's orders for this turn, checked by the engine with the others."""
    game, seat = _open_for_orders(game_id, seat_id)
    submission = _submission(game, seat)
    if _check_token(submission, client_token):
        return submission
    if len(submission.orders) >= _cfg("MAX_ORDERS_PER_TURN"):
        raise InvalidInput("That is the most orders one state can give in a turn.")
    state = game_engine.state_from_json(game.state)
    candidate = [*submission.orders, dict(raw)]
    try:
        orders = game_engine.validate_orders(state, seat.state_id, candidate)
    except game_engine.RuleViolation as exc:
        raise InvalidInput(exc.message) from exc
    submission.orders = [game_engine.order_to_json(order) for order in orders]
    _record(game, seat, submission, client_token, "orders.revised")
    return submission


@transaction.atomic
def order_remove(*, game_id: int, seat_id: int, index: int, revision: int, client_token: str = "") -> OrderSubmission:
    """Remove one order. `revision` is the revision the player saw, so a stale page removes nothing."""
    game, seat = _open_for_orders(game_id, seat_id)
    submission = _submission(game, seat)
    if _check_token(submission, client_token):
        return submission
    if revision != submission.revision:
        raise StaleVersion("Your orders changed in another window; the list has been refreshed.")
    if not 0 <= index < len(submission.orders):
        raise InvalidInput("There is no such order.")
    submission.orders = [o for i, o in enumerate(submission.orders) if i != index]
    _record(game, seat, submission, client_token, "orders.revised")
    return submission


# --- Turns ---------------------------------------------------------------------------------------


def _valid_orders(state: game_engine.GameState, state_id: str, raws: list[Any]) -> tuple[Any, ...]:
    """Orders stored for a seat were valid when added; drop any the engine now refuses."""
    remaining = list(raws)
    while remaining:
        try:
            return game_engine.validate_orders(state, state_id, remaining)
        except game_engine.RuleViolation as exc:
            index = exc.order_index if exc.order_index is not None else len(remaining) - 1
            remaining.pop(index)
    return ()


@transaction.atomic
def turn_resolve(*, game_id: int, expected_turn: int, actor: str) -> TurnRecord | None:
    """Resolve the open turn exactly once.

    Returns None when the turn was already resolved (by another click, process or clock): the
    game row is locked and re-read, and TurnRecord's unique (game, turn) row backs the claim.
    """
    game = _lock_game(game_id)
    if game.phase != Phase.ORDERS or game.turn != expected_turn:
        return None
    if TurnRecord.objects.filter(game=game, turn=game.turn).exists():
        return None
    state = game_engine.state_from_json(game.state)
    seats = list(game.seats.all())
    submissions = {s.seat_id: s for s in OrderSubmission.objects.filter(game=game, turn=game.turn)}
    orders: dict[str, tuple[Any, ...]] = dict.fromkeys(state.state_ids, ())
    for seat in seats:
        sub = submissions.get(seat.pk)
        if sub is not None and sub.orders:
            orders[seat.state_id] = _valid_orders(state, seat.state_id, list(sub.orders))
    resolution = game_engine.resolve(state, orders, game.seed)
    record = TurnRecord.objects.create(
        game=game,
        turn=game.turn,
        seed=game.seed,
        state_before=game.state,
        orders={sid: [game_engine.order_to_json(o) for o in os] for sid, os in orders.items()},
        state_after=game_engine.state_to_json(resolution.state),
        events=[_event_json(e) for e in resolution.events],
        public_report=resolution.public_report,
        private_reports=resolution.private_reports,
        explanation=list(resolution.explanation),
        audit=resolution.audit,
        resolved_by=actor,
    )
    game.state = record.state_after
    game.turn = resolution.state.turn
    if resolution.state.game_over:
        game.phase = Phase.FINISHED
        game.finished_at = timezone.now()
        game.deadline_at = None
    else:
        game.deadline_at = _next_deadline(game)
    game.save(update_fields=["state", "turn", "phase", "finished_at", "deadline_at"])
    _bump_version(game)
    Seat.objects.filter(game=game).update(is_ready=False)
    _log(game, "turn.resolved", actor, {"turn": record.turn, "record": record.pk})
    for event in record.events:
        _log(game, f"engine.{event['kind']}", "engine", event, audience=event["audience"])
    _notify(game.pk, public=broadcasts.PUBLIC_ALL, private=broadcasts.PRIVATE_ALL)
    return record


def _next_deadline(game: Game) -> datetime | None:
    return timezone.now() + timedelta(seconds=game.turn_seconds) if game.turn_seconds else None


def _event_json(event: Any) -> dict[str, Any]:
    audience = None if event.audience is None else list(event.audience)
    return {"kind": event.kind, "audience": audience, "text": event.text, "data": dict(event.data)}


def viewer_for_facilitator(game: Game, user: User) -> Viewer:
    return Viewer(role=Role.FACILITATOR, game_id=game.pk, label=f"Facilitator ({user.get_username()})")
