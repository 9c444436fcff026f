"""Who may review a game, and through which lens.

The facilitator of the game always may. A player may only after the game has ended, and only if
the facilitator allowed it (a "review.players_allowed" event in the log, written by
review.services.review_players_allow). A player sees what their state could see; the end of the
game is the engine's reveal, so the declassified history is theirs too (see lens_view)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from django.http import HttpRequest

import game_engine
from negotiation import selectors
from negotiation.models import Game, Phase
from negotiation.selectors.game import players_allowed
from negotiation.viewer import Role, Viewer

BOOKMARK_KIND = "facilitator.bookmark"


@dataclass(frozen=True, slots=True)
class ReviewAccess:
    """A viewer admitted to the review of one game."""

    viewer: Viewer
    game_over: bool

    @property
    def is_facilitator(self) -> bool:
        return self.viewer.role is Role.FACILITATOR

    @property
    def state_id(self) -> str | None:
        return self.viewer.state_id if self.viewer.role is Role.PLAYER else None

    @property
    def cache_key(self) -> str:
        return "fac" if self.is_facilitator else f"player:{self.state_id}"

    def can_see(self, audience: list[str] | None) -> bool:
        """Whether a log entry with this audience is visible (None = public)."""
        if self.is_facilitator or audience is None:
            return True
        return self.state_id is not None and self.state_id in audience


def review_access(request: HttpRequest, game: Game) -> ReviewAccess | None:
    """The facilitator, or a seated player of an ended game whose facilitator allowed review."""
    viewer = selectors.viewer_for(user=request.user, session=request.session, game=game)
    if viewer is None:
        return None
    finished = game.phase == Phase.FINISHED
    if viewer.role is Role.FACILITATOR:
        return ReviewAccess(viewer=viewer, game_over=finished)
    if viewer.role is Role.PLAYER and finished and players_allowed(game):
        return ReviewAccess(viewer=viewer, game_over=finished)
    return None


def lens_view(state: game_engine.GameState, access: ReviewAccess) -> game_engine.View:
    """The engine's view of a historical state for this reviewer.

    The facilitator sees everything. A player reviews only an ended game: the engine reveals the
    truth at the end of a game, so each past state is viewed as declassified by that same rule
    (view_for with game_over set), from the player's own seat."""
    if access.is_facilitator:
        return game_engine.view_for(state, game_engine.FACILITATOR)
    if not access.game_over or access.state_id is None:
        raise PermissionError("Players review only an ended game.")
    revealed = state if state.game_over else dataclasses.replace(state, game_over=True)
    return game_engine.view_for(revealed, access.state_id)


def knowledge_view(state: game_engine.GameState, state_id: str) -> game_engine.View:
    """What `state_id` saw of this state at the time (never the reveal)."""
    return game_engine.view_for(state, state_id)
