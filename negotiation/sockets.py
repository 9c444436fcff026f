"""Sync helpers the consumer calls through one database_sync_to_async hop each."""

from __future__ import annotations

from typing import Any

from negotiation import broadcasts, rendering, selectors, services
from negotiation.models import Game
from negotiation.viewer import Role, Viewer


def identify(scope: Any, game_id: int) -> Viewer | None:
    game = Game.objects.filter(pk=game_id).first()
    session = scope.get("session")
    user = scope.get("user")
    if game is None or session is None or user is None:
        return None
    return selectors.viewer_for(user=user, session=session, game=game)


def groups_for(viewer: Viewer) -> tuple[str, ...]:
    groups = [broadcasts.public_group(viewer.game_id)]
    if viewer.role is Role.PLAYER and viewer.seat_id is not None:
        groups += [broadcasts.players_group(viewer.game_id), broadcasts.seat_group(viewer.seat_id)]
    elif viewer.role is Role.FACILITATOR:
        groups.append(broadcasts.facilitator_group(viewer.game_id))
    return tuple(groups)


def on_connect(viewer: Viewer) -> str:
    if viewer.seat_id is not None:
        services.seat_presence(seat_id=viewer.seat_id, delta=+1)
    return rendering.resync_html(viewer.game_id, viewer)


def on_disconnect(viewer: Viewer) -> None:
    if viewer.seat_id is not None:
        services.seat_presence(seat_id=viewer.seat_id, delta=-1)
