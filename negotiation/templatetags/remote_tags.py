"""Template helpers for games over days: the deadlines calendar link."""

from __future__ import annotations

from django import template

from negotiation import remote
from negotiation.models import Game

register = template.Library()


@register.filter
def calendar_url(game: Game) -> str:
    return remote.calendar_url(game)
