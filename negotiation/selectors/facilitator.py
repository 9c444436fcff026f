"""What the facilitator's console reads: seats with order counts, held-back injects."""

from __future__ import annotations

from typing import Any

from negotiation.models import (
    Game,
    Inject,
    OrderSubmission,
)
from negotiation.selectors.common import state_names
from negotiation.selectors.game import seat_rows


def facilitator_seat_rows(game: Game) -> list[dict[str, Any]]:
    """Seats with order counts (never contents) for the console."""
    counts = {
        s.seat_id: len(s.orders) for s in OrderSubmission.objects.filter(game=game, turn=game.turn)
    }
    rows = []
    by_state = {s.state_id: s for s in game.seats.prefetch_related("members")}
    for row in seat_rows(game):
        seat = by_state.get(row.state_id)
        members = [m for m in seat.members.all() if m.removed_at is None] if seat else []
        rows.append({
            "row": row,
            "seat": seat,
            "members": members,
            "orders": counts.get(seat.pk, 0) if seat else 0,
            "last_seen": seat.last_seen_at if seat else None,
        })
    return rows



def pending_injects(game: Game) -> list[dict[str, Any]]:
    """Injects the facilitator has held back, with when they will go out (console only)."""
    from negotiation.services.injects import trigger_text

    names = state_names(game)
    return [{"id": i.pk, "title": i.title, "when": trigger_text(i.trigger, names),
             "to": "everyone" if i.audience is None else ", ".join(names.get(s, s) for s in i.audience)}
            for i in Inject.objects.filter(game=game, pending=True).order_by("seq")]
