"""What makes a game a tutorial (its facilitator is the dedicated tutorial account) and the tip
the room shows for each of its phases. Read by the room's rendering; services/tutorial.py builds
the games."""

from __future__ import annotations

from django.utils.translation import gettext as _

from negotiation.models import Game, Phase

TUTORIAL_USERNAME = "tutorial"


def is_tutorial(game: Game) -> bool:
    return bool(game.facilitator_id) and game.facilitator.get_username() == TUTORIAL_USERNAME


def tutorial_tip(game: Game) -> dict[str, str] | None:
    """The tutorial's explanation of the phase the game is in (None outside a tutorial)."""
    if not is_tutorial(game):
        return None
    steps = {
        Phase.NEGOTIATION: (
            _("Step 1 of 3: negotiate and plan"),
            _("You play Aurel; bots play the other three states. Look at the map: the colours show "
              "how threatening each state looks to you, and your numbers for the others are estimates. "
              "Say hello in the Talks panel, then add one order below: for example “Deploy "
              "interceptors” at your site AUR-1. When you are done, press “I'm ready”."),
        ),
        Phase.ORDERS: (
            _("Step 2 of 3: final orders"),
            _("Orders are secret and every state's orders are resolved at the same time. Check your "
              "list, add or remove orders, then press “I'm ready” again to resolve the turn."),
        ),
        Phase.REPORT: (
            _("Step 3 of 3: read the report"),
            _("The turn has been resolved. Read what your state learned, why the stability index "
              "moved, and look at the map again: it has been redrawn. That is a whole turn. Press "
              "“I'm ready for the next turn” to keep playing, or ask your teacher for a join code."),
        ),
    }
    step = steps.get(Phase(game.phase))
    if step is None:
        return None
    return {"title": step[0], "text": step[1]}
