"""For the facilitator's console and the projector: ``{% load screens %}`` then
``{% with s=pub|room_summary %}`` (seats taken and ready, the stability index and its last move) and
``{{ game.deadline_at|countdown }}`` (m:ss left)."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone

from negotiation import selectors

register = template.Library()


@register.filter
def room_summary(pub: selectors.PublicView) -> selectors.RoomSummary:
    return selectors.room_summary(pub)


@register.filter
def countdown(deadline: datetime | None) -> str:
    """Time left until `deadline` as m:ss, the way the page's script counts it down every second
    (so the first second after a push does not read "5 minutes" and then jump to 4:59)."""
    if deadline is None:
        return ""
    left = max(0, int((deadline - timezone.now()).total_seconds()))
    return f"{left // 60}:{left % 60:02d}"
