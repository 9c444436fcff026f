"""What a write changed, in the game's own words: the services publish these, and
negotiation/broadcasts.py alone decides which fragments each one redraws and for whom.

A service persists, then calls ``publish(SomeChange(...))`` inside its transaction; the change is
handed to the receivers (broadcasts.deliver, connected in NegotiationConfig.ready) only after the
transaction commits, and never if it rolls back. A service therefore names no DOM id and imports
no broadcasting code, and a misspelt change is a NameError that mypy reports, not a push dropped
in silence. ``Change`` is the closed union of every change: broadcasts matches it exhaustively
(``assert_never``), so a new change without a mapping fails mypy too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TypeAlias

from django.db import transaction

from negotiation.models import Channel, Message

# --- The game as a whole: every public and private fragment may have changed ----------------------


@dataclass(frozen=True, slots=True)
class GameStarted:
    game_id: int


@dataclass(frozen=True, slots=True)
class PhaseAdvanced:
    """The game moved to its next phase without resolving a turn."""

    game_id: int


@dataclass(frozen=True, slots=True)
class TurnResolved:
    """Orders closed and the engine resolved the turn (the game may have ended with it)."""

    game_id: int


@dataclass(frozen=True, slots=True)
class PhaseRolledBack:
    game_id: int


@dataclass(frozen=True, slots=True)
class GameEnded:
    """The facilitator ended the game."""

    game_id: int


# --- The clock and the rules of the room ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeadlineMoved:
    """The phase's deadline changed (extended by the facilitator, or after a server restart)."""

    game_id: int


@dataclass(frozen=True, slots=True)
class PauseChanged:
    """The game was paused or resumed."""

    game_id: int


@dataclass(frozen=True, slots=True)
class ReviewAccessChanged:
    """The facilitator let the players review the game (or stopped them): rooms show the debrief link."""

    game_id: int


@dataclass(frozen=True, slots=True)
class PressRulesChanged:
    """Who may talk where in some phase changed."""

    game_id: int


# --- Talks ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class MessagePosted:
    """A message was posted in ``channel``; the rows the service just wrote travel along so the
    push reads nothing again."""

    game_id: int
    message: Message
    channel: Channel


@dataclass(frozen=True, slots=True)
class ChannelsChanged:
    """The channels (coalitions, invitations) some states see changed."""

    game_id: int
    states: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ProposalChanged:
    """A proposal was made, amended, signed, withdrawn or commented on: its parties see it."""

    game_id: int
    number: int
    parties: tuple[str, ...]


# --- News ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NewsReleased:
    """An inject went out: to everyone (``states`` None) or to the named states only."""

    game_id: int
    states: tuple[str, ...] | None


@dataclass(frozen=True, slots=True)
class HeldNewsChanged:
    """The facilitator held an inject back for later, or cancelled a held one (console only)."""

    game_id: int


# --- Seats and the people in them ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SeatJoined:
    """A player claimed a seat, or joined one as a team member."""

    game_id: int
    seat_id: int


@dataclass(frozen=True, slots=True)
class SeatAssigned:
    """The facilitator seated someone."""

    game_id: int
    seat_id: int


@dataclass(frozen=True, slots=True)
class MemberRemoved:
    """A member was removed: their sockets close, and their seat changed."""

    game_id: int
    seat_id: int
    member_id: int


@dataclass(frozen=True, slots=True)
class MemberMoved:
    """A person's membership moved from one seat to another (merged seats)."""

    game_id: int
    from_seat_id: int
    to_seat_id: int


@dataclass(frozen=True, slots=True)
class CaptainChanged:
    game_id: int
    seat_id: int


@dataclass(frozen=True, slots=True)
class BotChanged:
    """A bot took a seat over, or handed it back."""

    game_id: int
    seat_id: int


@dataclass(frozen=True, slots=True)
class PresenceChanged:
    """A seat came online or went offline."""

    game_id: int
    seat_id: int


@dataclass(frozen=True, slots=True)
class ReadinessChanged:
    game_id: int
    seat_id: int


@dataclass(frozen=True, slots=True)
class OrdersChanged:
    """The orders of a seat changed."""

    game_id: int
    seat_id: int


Change: TypeAlias = (
    GameStarted | PhaseAdvanced | TurnResolved | PhaseRolledBack | GameEnded
    | DeadlineMoved | PauseChanged | PressRulesChanged | ReviewAccessChanged
    | MessagePosted | ChannelsChanged | ProposalChanged
    | NewsReleased | HeldNewsChanged
    | SeatJoined | SeatAssigned | MemberRemoved | MemberMoved | CaptainChanged | BotChanged | PresenceChanged
    | ReadinessChanged | OrdersChanged
)

Receiver = Callable[[Change], None]
_receivers: list[Receiver] = []


def connect(receiver: Receiver) -> None:
    """Hand every committed change to `receiver` from now on (once, however often connected)."""
    if receiver not in _receivers:
        _receivers.append(receiver)


def publish(change: Change) -> None:
    """Inside the writing transaction, after persisting: deliver `change` once it commits."""
    transaction.on_commit(partial(_deliver, change))


def _deliver(change: Change) -> None:
    for receiver in tuple(_receivers):
        receiver(change)
