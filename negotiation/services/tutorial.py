"""The five-minute tutorial: a private practice game in which a visitor plays one state against
reference bots for a turn, with a tip for each phase in the room.

It is an ordinary game built with the ordinary services (create, claim a seat, bots for the other
states, start); its facilitator is a dedicated inactive account that can never log in, so nobody
runs its console and the all-ready rule moves it along whenever the visitor is ready."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from negotiation.models import Game, Member, Phase
from negotiation.services.common import rate_limit
from negotiation.services.games import game_create, game_start
from negotiation.services.seats import seat_claim, seat_set_bot

TUTORIAL_USERNAME = "tutorial"
TUTORIAL_SCENARIO = "meridian-sea"
TUTORIAL_STATE = "aurel"
TUTORIAL_BOT = "reciprocator"


def tutorial_user() -> User:
    """The inactive account that owns every tutorial game (created on first use)."""
    user, created = User.objects.get_or_create(username=TUTORIAL_USERNAME, defaults={"is_active": False})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def is_tutorial(game: Game) -> bool:
    return bool(game.facilitator_id) and game.facilitator.get_username() == TUTORIAL_USERNAME


@transaction.atomic
def tutorial_start(*, client_key: str, display_name: str = "") -> Member:
    """A new practice game with the visitor at Aurel and bots at every other state, started."""
    rate_limit(f"tutorial:{client_key}", int(settings.TREATYCRAFT.get("TUTORIALS_PER_MINUTE", 5)))
    game = game_create(facilitator=tutorial_user(), scenario_slug=TUTORIAL_SCENARIO, title=_("Tutorial"),
                       mode="expected")
    member = seat_claim(game_id=game.pk, state_id=TUTORIAL_STATE, display_name=display_name or _("You"))
    for seat in game.seats.exclude(state_id=TUTORIAL_STATE):
        seat_set_bot(game_id=game.pk, state_id=seat.state_id, policy=TUTORIAL_BOT, actor="tutorial")
    game_start(game_id=game.pk, actor="tutorial")
    return member


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
