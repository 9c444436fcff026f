"""What the facilitator's console reads: seats with order counts, held-back injects."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext, gettext_lazy

from negotiation.models import Game, Inject, OrderSubmission
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
    names = state_names(game)
    return [{"id": i.pk, "title": i.title, "when": trigger_text(i.trigger, names),
             "to": "everyone" if i.audience is None else ", ".join(names.get(s, s) for s in i.audience)}
            for i in Inject.objects.filter(game=game, pending=True).order_by("seq")]


# How the console says when a held-back inject goes out, in the facilitator's language.
WHEN_ANY_STATE = {
    "unnotified_test": gettext_lazy("when a state tests a missile without notifying"),
    "deployment": gettext_lazy("when a state deploys interceptors"),
    "violation_public": gettext_lazy("when a treaty violation becomes public"),
    "crisis": gettext_lazy("when a crisis breaks out"),
    "rsi_below": gettext_lazy("when the public stability index falls below %(threshold)s"),
}
WHEN_ONE_STATE = {
    "unnotified_test": gettext_lazy("when %(state)s tests a missile without notifying"),
    "deployment": gettext_lazy("when %(state)s deploys interceptors"),
}


def trigger_text(trigger: Mapping[str, Any] | None, names: Mapping[str, str]) -> str:
    if not trigger:
        return gettext("now")
    if "turn" in trigger:
        return gettext("at the start of turn %(turn)s") % {"turn": trigger["turn"]}
    kind = str(trigger.get("condition"))
    state = str(trigger.get("state") or "")
    text = WHEN_ONE_STATE.get(kind) if state and kind in WHEN_ONE_STATE else WHEN_ANY_STATE.get(kind)
    if text is None:
        return gettext("when %(condition)s") % {"condition": kind}
    return str(text) % {"state": names.get(state, state), "threshold": trigger.get("threshold")}
