"""Turn resolution: gather each state's orders (applying the missed-orders policy), call the
engine once, persist the record and log what happened."""

from __future__ import annotations

from typing import Any

import game_engine
from negotiation.models import Game, MissedOrders, OrderSubmission, Seat, TurnRecord
from negotiation.services.bots import bot_orders
from negotiation.services.common import log
from negotiation.services.injects import fire_condition_injects
from negotiation.services.proposals import signature_orders, sync_after_resolution


def valid_orders(state: game_engine.GameState, state_id: str, raws: list[Any]) -> tuple[Any, ...]:
    """Orders stored for a seat were valid when added; drop any the engine now refuses."""
    remaining = list(raws)
    while remaining:
        try:
            return tuple(game_engine.validate_orders(state, state_id, remaining))
        except game_engine.OrderError as exc:
            index = exc.order_index if exc.order_index is not None else len(remaining) - 1
            remaining.pop(index)
    return ()


def _bot_orders(game: Game, policy: str, state: game_engine.GameState, state_id: str, seed: str) -> tuple[Any, ...]:
    return valid_orders(state, state_id, bot_orders(game, policy, state, state_id, seed))


def _orders_for(game: Game, state: game_engine.GameState) -> tuple[dict[str, tuple[Any, ...]], list[dict[str, Any]]]:
    """Every state's orders for this turn, and a note for each seat the missed-orders policy filled."""
    seats = {s.state_id: s for s in Seat.objects.filter(game=game).prefetch_related("members")}
    submissions = {s.seat.state_id: s for s in
                   OrderSubmission.objects.filter(game=game, turn=game.turn).select_related("seat")}
    orders: dict[str, tuple[Any, ...]] = {}
    filled: list[dict[str, Any]] = []
    seed = f"{game.seed}:bots:{game.turn}"
    signed = signature_orders(game)
    for state_id in state.state_ids:
        seat = seats.get(state_id)
        submission = submissions.get(state_id)
        if seat is not None and seat.bot_policy:
            orders[state_id] = _bot_orders(game, seat.bot_policy, state, state_id, seed)
            filled.append({"state": state_id, "policy": f"bot:{seat.bot_policy}", "orders": len(orders[state_id])})
            continue
        if submission is not None and submission.orders:
            orders[state_id] = valid_orders(state, state_id, list(submission.orders))
            continue
        policy = game.missed_orders
        if policy == MissedOrders.REPEAT:
            last = (OrderSubmission.objects.filter(game=game, seat__state_id=state_id, turn__lt=game.turn)
                    .exclude(orders=[]).order_by("-turn").first())
            orders[state_id] = valid_orders(state, state_id, list(last.orders)) if last else ()
        elif policy == MissedOrders.BOT:
            orders[state_id] = _bot_orders(game, game.bot_policy, state, state_id, seed)
        else:
            orders[state_id] = ()
        filled.append({"state": state_id, "policy": str(policy), "orders": len(orders[state_id])})
    for state_id, extra in signed.items():
        # Standing signatures become the engine's SIGN / CONSENT_HOSTING / AGREE_* orders for this
        # turn; one the state already gives (a bot's CBM order, a student's own) is not given twice.
        merged = [game_engine.order_to_json(o) for o in orders.get(state_id, ())]
        for order in extra:
            if order not in merged:
                merged.append(order)
        orders[state_id] = valid_orders(state, state_id, merged)
    return orders, filled


def resolve_turn(game: Game, actor: str) -> TurnRecord:
    """Resolve the locked game's current turn. The caller holds the lock and moves the phase on;
    TurnRecord's unique (game, turn) row is the exactly-once claim."""
    state = game_engine.state_from_json(game.state)
    orders, filled = _orders_for(game, state)
    for note in filled:
        log(game, "orders.missed_policy", "rule:missed-orders", {**note, "turn": game.turn},
            audience=[note["state"], game_engine.FACILITATOR])
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
    log(game, "turn.resolved", actor, {"turn": record.turn, "record": record.pk})
    sync_after_resolution(game)
    fire_condition_injects(game, list(record.events), record.public_report)
    for event in record.events:
        log(game, f"engine.{event['kind']}", "engine", event, audience=event["audience"])
    return record


def _event_json(event: Any) -> dict[str, Any]:
    audience = None if event.audience is None else list(event.audience)
    return {"kind": event.kind, "audience": audience, "text": event.text, "data": dict(event.data)}
