"""Writes. Each service runs in one transaction, takes the game row lock first, persists, logs,
and publishes what it changed (negotiation.changes); broadcasts pushes it only after commit.
Services are synchronous: Django transactions do not run in async code. Modules by entity:
games, seats, orders, chat, proposals, turns, injects, bots, tutorial, teachers, reflections."""

from __future__ import annotations

from negotiation.services.bots import bot_step, bots_tick
from negotiation.services.chat import (
    StaleViewer,
    channel_open,
    chat_rate_key,
    coalition_create,
    coalition_invite,
    coalition_leave,
    coalition_respond,
    message_post,
    posted_channel,
    press_set,
)
from negotiation.services.games import (
    clock_due,
    deadline_extend,
    game_create,
    game_end,
    game_pause,
    game_resume,
    game_start,
    phase_advance,
    phase_rollback,
    phase_set_length,
)
from negotiation.services.injects import inject_cancel, inject_send
from negotiation.services.orders import order_add, order_remove
from negotiation.services.proposals import (
    proposal_amend,
    proposal_comment,
    proposal_create,
    proposal_sign,
    proposal_unsign,
    proposal_withdraw,
)
from negotiation.services.seats import (
    BOT_POLICIES,
    join_attempt_check,
    member_make_captain,
    member_remove,
    seat_assign,
    seat_claim,
    seat_merge,
    seat_presence,
    seat_set_bot,
    seat_set_ready,
)

__all__ = [
    "BOT_POLICIES",
    "StaleViewer",
    "bot_step",
    "bots_tick",
    "channel_open",
    "chat_rate_key",
    "clock_due",
    "coalition_create",
    "coalition_invite",
    "coalition_leave",
    "coalition_respond",
    "deadline_extend",
    "game_create",
    "game_end",
    "game_pause",
    "game_resume",
    "game_start",
    "inject_cancel",
    "inject_send",
    "join_attempt_check",
    "member_make_captain",
    "member_remove",
    "message_post",
    "order_add",
    "order_remove",
    "phase_advance",
    "phase_rollback",
    "phase_set_length",
    "posted_channel",
    "press_set",
    "proposal_amend",
    "proposal_comment",
    "proposal_create",
    "proposal_sign",
    "proposal_unsign",
    "proposal_withdraw",
    "seat_assign",
    "seat_claim",
    "seat_merge",
    "seat_presence",
    "seat_set_bot",
    "seat_set_ready",
]
