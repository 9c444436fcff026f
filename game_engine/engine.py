"""The engine's public entry points (B0, B3, B4, B9): a façade over :mod:`game_engine.pipeline`.

``new_game`` builds turn 1, ``validate_order(s)`` check orders against the start-of-turn state,
``resolve`` runs the turn pipeline (``resolve_vp`` only what one state's VP reads), ``final_scores`` and ``add_treaty_draft`` complete the API.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from game_engine.errors import MalformedOrder, RuleCode, RuleViolation
from game_engine.messages import msg
from game_engine.orders import Order, Running, canonical_positions, check_order, parse_order
from game_engine.pipeline.diplomacy import TEMPLATE_NAMES, add_treaty_draft, normalize_terms
from game_engine.pipeline.initial import new_game
from game_engine.pipeline.scoring import final_scores, objective_points
from game_engine.pipeline.turn import resolve, resolve_vp
from game_engine.state import GameState

__all__ = [
    "TEMPLATE_NAMES",
    "add_treaty_draft",
    "final_scores",
    "new_game",
    "normalize_terms",
    "objective_points",
    "resolve",
    "resolve_vp",
    "validate_order",
    "validate_orders",
]


def _require_actor(state: GameState, actor: str) -> None:
    if state.game_over:
        raise RuleViolation(RuleCode.E_GAME_OVER, msg("rule.over_orders"))
    if actor not in state.nations:
        raise RuleViolation(RuleCode.E_UNKNOWN, msg("rule.unknown_state", raw=repr(actor)))


def validate_order(state: GameState, actor: str, raw: Mapping[str, object]) -> Order:
    """One raw order dict -> typed ``Order``, checked alone against the start-of-turn state.

    Raises ``MalformedOrder`` (with the field's ``path``) if the order is not well formed, and
    ``RuleViolation`` if the rules forbid it (codes in ``RuleCode``; ``order_index`` is None).
    """
    _require_actor(state, actor)
    order = parse_order(raw)
    check_order(state, actor, order, Running.start(state, actor))
    return order


def validate_orders(
    state: GameState, actor: str, raws: Sequence[Mapping[str, object]]
) -> tuple[Order, ...]:
    """The whole order set of one state, walked in canonical order with a running budget and
    inventory (B3 step 4). Returns typed orders in submission order.

    Raises ``MalformedOrder`` or ``RuleViolation`` with ``order_index`` = position of the first
    failing order.
    Matching with other states' orders (signatures, consents, exports) happens in ``resolve``.
    """
    _require_actor(state, actor)
    typed: list[Order] = []
    for idx, raw in enumerate(raws):
        try:
            typed.append(parse_order(raw))
        except MalformedOrder as exc:
            raise exc.with_index(idx) from None
    if not typed:  # nothing to walk (most states' lists in a bot's projection)
        return ()
    run = Running.start(state, actor)
    for idx in canonical_positions(typed):
        try:
            check_order(state, actor, typed[idx], run)
        except RuleViolation as exc:
            raise exc.with_index(idx) from None
    return tuple(typed)
