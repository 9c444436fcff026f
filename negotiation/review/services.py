"""Writes of the review package: facilitator bookmarks and the players' review permission.
Both are entries in the game's append-only log (GameEvent), written under the game lock."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext

import game_engine
from negotiation.changes import ReviewAccessChanged, publish
from negotiation.errors import InvalidInput
from negotiation.models import GameEvent, Phase
from negotiation.review.access import BOOKMARK_KIND
from negotiation.selectors.game import PLAYERS_ALLOWED_KIND
from negotiation.services.common import lock_game, log

BOOKMARK_MAX_LENGTH = 500


@transaction.atomic
def bookmark_add(*, game_id: int, actor: str, note: str, shared: bool = False) -> GameEvent:
    """Mark this moment of the game for the debrief. Private to the facilitator unless shared."""
    text = " ".join(note.split())
    if not text:
        raise InvalidInput(gettext("Write a few words about this moment."))
    if len(text) > BOOKMARK_MAX_LENGTH:
        raise InvalidInput(gettext("Bookmarks are at most %(n)s characters.") % {"n": BOOKMARK_MAX_LENGTH})
    game = lock_game(game_id)
    # During the report phase the game already counts the next turn; the moment belongs to the
    # turn being reported.
    turn = game.turn - 1 if game.phase == Phase.REPORT else game.turn
    return log(game, BOOKMARK_KIND, actor, {"note": text, "turn": turn, "phase": game.phase, "shared": shared},
               audience=None if shared else [game_engine.FACILITATOR])


@transaction.atomic
def review_players_allow(*, game_id: int, actor: str, allowed: bool) -> GameEvent:
    """Let the players review the game after it ends (or stop them)."""
    game = lock_game(game_id)
    event = log(game, PLAYERS_ALLOWED_KIND, actor, {"allowed": allowed}, audience=[game_engine.FACILITATOR])
    publish(ReviewAccessChanged(game.pk))
    return event
