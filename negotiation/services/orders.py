"""A seat's secret orders for the turn: added one by one (each checked by the engine together
with the others), removed, revised freely until the orders phase closes."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.utils.translation import gettext

import game_engine
from negotiation import engine_views
from negotiation.changes import OrdersChanged, publish
from negotiation.errors import InvalidInput, PhaseClosed, StaleVersion
from negotiation.models import Game, Member, OrderSubmission, Phase, Seat
from negotiation.services.common import cfg, lock_game, log

MAX_TOKENS_KEPT = 50
ORDER_PHASES = (Phase.NEGOTIATION, Phase.ORDERS)


def _open_for_orders(game_id: int, seat_id: int, member_id: int) -> tuple[Game, Seat]:
    game = lock_game(game_id)
    if game.phase not in ORDER_PHASES:
        raise PhaseClosed({
            Phase.LOBBY: gettext("Orders are closed: the game has not started yet."),
            Phase.REPORT: gettext("Orders are closed: this turn has been resolved. Read the report; the next turn opens soon."),
            Phase.FINISHED: gettext("Orders are closed: this game has ended."),
        }.get(Phase(game.phase), gettext("Orders are closed right now.")))
    seat = Seat.objects.get(pk=seat_id, game=game)
    if seat.bot_policy:
        raise PhaseClosed(gettext("A bot is playing your state right now; ask the facilitator to hand it back."))
    if not Member.objects.filter(pk=member_id, seat=seat, is_captain=True, removed_at=None).exists():
        raise InvalidInput(gettext("Only your team's captain gives orders; you can suggest them in the chat."))
    return game, seat


def _submission(game: Game, seat: Seat) -> OrderSubmission:
    submission, _ = OrderSubmission.objects.get_or_create(game=game, seat=seat, turn=game.turn)
    return submission


def _already_applied(submission: OrderSubmission, token: str) -> bool:
    return bool(token) and token in submission.applied_tokens


def _record(game: Game, seat: Seat, submission: OrderSubmission, token: str, member_id: int | None = None) -> None:
    if token:
        submission.applied_tokens = [*submission.applied_tokens, token][-MAX_TOKENS_KEPT:]
    submission.revision += 1
    submission.save()
    if seat.is_ready:
        seat.is_ready = False
        seat.save(update_fields=["is_ready"])
    log(game, "orders.revised", f"player:{seat.state_id}",
        {"turn": game.turn, "revision": submission.revision, "orders": submission.orders, "member": member_id},
        audience=[seat.state_id, game_engine.FACILITATOR])
    publish(OrdersChanged(game.pk, seat.pk))


@transaction.atomic
def order_add(*, game_id: int, seat_id: int, member_id: int, raw: Mapping[str, object],
              client_token: str = "") -> OrderSubmission:
    """Add one order. A retried post (same client token) is applied once."""
    game, seat = _open_for_orders(game_id, seat_id, member_id)
    submission = _submission(game, seat)
    if _already_applied(submission, client_token):
        return submission
    if len(submission.orders) >= cfg("MAX_ORDERS_PER_TURN"):
        raise InvalidInput(gettext("That is the most orders one state can give in a turn."))
    state = game_engine.state_from_json(game.state)
    try:
        orders = game_engine.validate_orders(state, seat.state_id, [*submission.orders, dict(raw)])
    except game_engine.OrderError as exc:
        raise InvalidInput(engine_views.texts(game).rule_error(exc.code, exc.message)) from exc
    submission.orders = [game_engine.order_to_json(order) for order in orders]
    _record(game, seat, submission, client_token, member_id)
    return submission


@transaction.atomic
def order_remove(*, game_id: int, seat_id: int, member_id: int, index: int, revision: int,
                 client_token: str = "") -> OrderSubmission:
    """Remove one order. `revision` is the list the player saw, so a stale page removes nothing."""
    game, seat = _open_for_orders(game_id, seat_id, member_id)
    submission = _submission(game, seat)
    if _already_applied(submission, client_token):
        return submission
    if revision != submission.revision:
        raise StaleVersion(gettext("Your orders changed in another window; the list has been refreshed."))
    if not 0 <= index < len(submission.orders):
        raise InvalidInput(gettext("There is no such order."))
    submission.orders = [o for i, o in enumerate(submission.orders) if i != index]
    _record(game, seat, submission, client_token, member_id)
    return submission
