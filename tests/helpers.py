"""Helpers shared by the test packages (conftest files keep only fixtures and hooks)."""

from __future__ import annotations

import os
from pathlib import Path

from django.test import Client

from negotiation import services
from negotiation.models import Game, Member
from negotiation.selectors import SESSION_SEATS

# Browser tests: Debian's Chromium driven by pip playwright (which cannot download a browser here).
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


def seat_client(game: Game, state_id: str, name: str, team: bool = False) -> tuple[Client, Member]:
    """A browser holding a seat: the player joined `state_id` (as captain unless `team`)."""
    member = services.seat_claim(game_id=game.pk, state_id=state_id, display_name=name, as_team_member=team)
    client = Client()
    session = client.session
    session[SESSION_SEATS] = {str(game.pk): {"member": member.pk, "token": member.token}}
    session.save()
    return client, member


def to_orders(game: Game) -> Game:
    """Move a started game from negotiation to its orders phase."""
    services.phase_advance(game_id=game.pk, expected_phase="negotiation", expected_turn=game.turn, actor="test")
    game.refresh_from_db()
    return game


def resolve(game: Game) -> None:
    """Play the current turn through to the next turn's negotiation."""
    game.refresh_from_db()
    for phase in ("negotiation", "orders", "report"):
        if game.phase == phase:
            services.phase_advance(game_id=game.pk, expected_phase=phase, expected_turn=game.turn, actor="test")
            game.refresh_from_db()
