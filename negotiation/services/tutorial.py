"""The five-minute tutorial: a private practice game in which a visitor plays one state against
reference bots for a turn, with a tip for each phase in the room (negotiation/tutorial_tips.py).

It is an ordinary game built with the ordinary services (create, claim a seat, bots for the other
states, start); its facilitator is a dedicated inactive account that can never log in, so nobody
runs its console and the all-ready rule moves it along whenever the visitor is ready."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from negotiation.models import Member
from negotiation.services.common import rate_limit
from negotiation.services.games import game_create, game_start
from negotiation.services.seats import seat_claim, seat_set_bot
from negotiation.tutorial_tips import TUTORIAL_USERNAME

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
