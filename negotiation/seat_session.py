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
    seats[str(member.seat.game_id)] = {
        "member": member.pk, "token": member.token,
        # What the HTTP chat post acts as without reading the member (selectors.remembered_viewer);
        # the post checks it against the member row under the game's lock.
        "viewer": {"seat": member.seat_id, "state": member.seat.state_id, "name": member.name,
                   "captain": member.is_captain},
    }
    session[SESSION_SEATS] = seats


def remember_viewer(session: Any, *, game_id: int, member_id: int, seat_id: int | None, state_id: str | None,
                    name: str, captain: bool) -> None:
    """Refresh what the session remembers of the member it plays as, from a viewer just read from
    the database (after the remembered one was found stale, or was missing)."""
    seats = dict(session.get(SESSION_SEATS) or {})
    held = seats.get(str(game_id))
    if not isinstance(held, dict) or held.get("member") != member_id:
        return
    fresh = {"seat": seat_id, "state": state_id, "name": name, "captain": captain}
    if held.get("viewer") != fresh:
        seats[str(game_id)] = {**held, "viewer": fresh}
        session[SESSION_SEATS] = seats
