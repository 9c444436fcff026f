"""For the facilitator's console and the projector: ``{% load screens %}`` then
``{% with s=pub|room_summary %}`` (seats taken and ready, the stability index and its last move)."""

from __future__ import annotations

from django import template

from negotiation import selectors

register = template.Library()


@register.filter
def room_summary(pub: selectors.PublicView) -> selectors.RoomSummary:
    return selectors.room_summary(pub)
