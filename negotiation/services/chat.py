"""The plenary chat."""

from __future__ import annotations

from functools import partial

from django.db import transaction

from negotiation import broadcasts
from negotiation.errors import InvalidInput, PhaseClosed
from negotiation.models import Member, Message, Phase
from negotiation.scenarios import state_name
from negotiation.services.common import cfg, lock_game, log, next_seq, rate_limit
from negotiation.viewer import Role, Viewer


@transaction.atomic
def message_post(*, game_id: int, viewer: Viewer, body: str, client_token: str = "") -> Message:
    """Post to the public plenary. Retried posts with the same client token are stored once."""
    text = body.strip()
    limit = cfg("CHAT_MAX_LENGTH")
    if not text:
        raise InvalidInput("The message is empty.")
    if len(text) > limit:
        raise InvalidInput(f"Messages are at most {limit} characters (this one has {len(text)}).")
    if viewer.role is Role.OBSERVER:
        raise InvalidInput("Observers read the plenary; they do not post.")
    token = client_token[:64] or None
    if token:
        existing = Message.objects.filter(game_id=game_id, client_token=token).first()
        if existing is not None:
            return existing
    rate_limit(f"chat:{game_id}:{viewer.role}:{viewer.member_id}", cfg("CHAT_RATE_PER_MINUTE"))
    game = lock_game(game_id)
    if game.phase == Phase.FINISHED:
        raise PhaseClosed("The game has ended; the plenary is closed.")
    member = Member.objects.select_related("seat").filter(pk=viewer.member_id).first() if viewer.member_id else None
    if member is not None:
        label = f"{member.name} ({state_name(game.scenario_slug, member.seat.state_id)})"
    else:
        label = viewer.label
    seq = next_seq(game)
    message = Message.objects.create(
        game=game, seq=seq, channel="plenary", author_seat=member.seat if member else None,
        author_member=member, author_label=label, body=text, client_token=token,
    )
    log(game, "message.posted", label, {"message": message.pk, "channel": "plenary", "body": text}, seq=seq)
    transaction.on_commit(partial(broadcasts.message_posted, game_id=game.pk, message_id=message.pk))
    return message
