"""For the facilitator's console and the projector: ``{% load screens %}`` then
``{% with s=pub|room_summary %}`` (seats taken and ready, the stability index and its last move) and
``{{ game.deadline_at|countdown }}`` (m:ss left)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone

from negotiation.labels import shown_move

register = template.Library()


@dataclass(frozen=True, slots=True)
class RoomSummary:
    """The room at a glance, built from the same seat rows as the players' table (a PublicView's
    ``seats``), so a seat is ready (or not) in the same way on every screen."""

    seats: list[Any]
    taken: int
    ready: int
    rsi: float
    rsi_move: float | None


@register.filter
def room_summary(pub: Any) -> RoomSummary:
    """`pub` is a selectors.PublicView (public data only)."""
    taken = [s for s in pub.seats if s.player]
    rsi_pub = (pub.report or {}).get("rsi_pub") or {}
    before, after = rsi_pub.get("before"), rsi_pub.get("after")
    # The move of the two values the wall and the console show, like the room's (labels.shown_move).
    move = shown_move(float(before), float(after)) if before is not None and after is not None else None
    return RoomSummary(seats=taken, taken=len(taken), ready=sum(1 for s in taken if s.ready),
                       rsi=float(pub.view.rsi_pub), rsi_move=move)


@register.filter
def countdown(deadline: datetime | None) -> str:
    """Time left until `deadline` as m:ss, the way the page's script counts it down every second
    (so the first second after a push does not read "5 minutes" and then jump to 4:59)."""
    if deadline is None:
        return ""
    left = max(0, int((deadline - timezone.now()).total_seconds()))
    return f"{left // 60}:{left % 60:02d}"
