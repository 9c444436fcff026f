"""What a browser's session remembers in a game: the member it plays as (written by the views that
seat it) and the channel it has open. Selectors read these keys; only views write them."""

from __future__ import annotations

from typing import Any

from negotiation.models import Member

SESSION_SEATS = "treatycraft_seats"
SESSION_OPEN_CHANNEL = "treatycraft_open_channel"


def remember_member(session: Any, member: Member) -> None:
    """This browser plays as `member` in the member's game from now on."""
    seats = dict(session.get(SESSION_SEATS) or {})
    seats[str(member.seat.game_id)] = {"member": member.pk, "token": member.token}
    session[SESSION_SEATS] = seats
