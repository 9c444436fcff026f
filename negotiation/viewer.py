"""Who is looking: every selector and private fragment takes a Viewer."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from game_engine import FACILITATOR


class Role(StrEnum):
    PLAYER = "player"
    FACILITATOR = "facilitator"
    OBSERVER = "observer"


@dataclass(frozen=True, slots=True)
class Viewer:
    role: Role
    game_id: int
    seat_id: int | None = None
    state_id: str | None = None
    label: str = ""
    member_id: int | None = None
    is_captain: bool = False
    user_id: int | None = None
    # A bot seat acting through the services (negotiation/services/bots.py); never from a request.
    is_bot: bool = False

    @property
    def engine_viewer(self) -> str | None:
        """The identity the engine's view_for understands."""
        if self.role is Role.FACILITATOR:
            return FACILITATOR
        if self.role is Role.PLAYER:
            return self.state_id
        return None
