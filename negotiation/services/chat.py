"""Channels and messages: the plenary, bilateral lines, coalitions, team talk, the facilitator's
broadcast and each state's line to the facilitator."""

from __future__ import annotations

import hashlib

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext

import game_engine
from negotiation import channels
from negotiation.changes import ChannelsChanged, MessagePosted, PressRulesChanged, publish
from negotiation.channels import reader_key
from negotiation.errors import InvalidInput, PhaseClosed
from negotiation.models import Channel, ChannelKind, ChannelRead, Game, Message, Phase, Press
from negotiation.scenarios import state_infos, state_name
from negotiation.services.common import cfg, lock_game, log, next_seq_locked, rate_limit
from negotiation.viewer import Role, Viewer

MAX_COALITIONS = 30


def channel_get(game: Game, key: str) -> Channel:
    """The channel for `key`, created on first use for the channels that exist by definition."""
    channel = Channel.objects.filter(game=game, key=key).first()
    if channel is not None:
        return channel
    names = {sid: info.name for sid, info in state_infos(game.scenario_slug).items()}
    fixed = channels.fixed_channel(key, tuple(names), names)
    if fixed is None:
        raise InvalidInput(gettext("There is no such channel."))
    kind, title, members = fixed
    try:
        with transaction.atomic():
            return Channel.objects.create(game=game, key=key, kind=kind, title=title, members=members)
    except IntegrityError:
        return Channel.objects.get(game=game, key=key)


@transaction.atomic
def message_post(*, game_id: int, viewer: Viewer, body: str, channel: str = "plenary",
                 client_token: str = "") -> Message:
    """Post to a channel the viewer may write in. Retried posts (same client token) are stored once."""
    text = body.strip()
    limit = cfg("CHAT_MAX_LENGTH")
    if not text:
        raise InvalidInput(gettext("The message is empty."))
    if len(text) > limit:
        raise InvalidInput(gettext("Messages are at most %(limit)s characters (this one has %(n)s).") % {"limit": limit, "n": len(text)})
    game = Game.objects.select_for_update().defer("state").get(pk=game_id)  # the lock; no engine state needed
    target = channel_get(game, channel)
    refusal = channels.post_refusal(viewer, target, game)
    if refusal:
        raise PhaseClosed(refusal) if game.phase == Phase.FINISHED else InvalidInput(refusal)
    # A retry is matched only after the access check, and only among the same author's posts in
    # the same channel: someone else's token never returns someone else's message.
    token = _scoped_token(viewer, target.key, client_token)
    if token:
        existing = Message.objects.filter(game_id=game_id, client_token=token).first()
        if existing is not None:
            return existing
    if viewer.role is not Role.OBSERVER:
        rate_limit(f"chat:{game_id}:{viewer.role}:{viewer.member_id}", cfg("CHAT_RATE_PER_MINUTE"))
    # The viewer was read from the session with its member this request: no second lookup.
    if viewer.member_id is not None and viewer.state_id:
        label = f"{viewer.label} ({state_name(game.scenario_slug, viewer.state_id)})"
    else:
        label = viewer.label
    seq = next_seq_locked(game)
    message = Message.objects.create(
        game=game, seq=seq, channel=target.key, author_seat_id=viewer.seat_id if viewer.member_id else None,
        author_member_id=viewer.member_id, author_label=label, body=text, client_token=token,
    )
    log(game, "message.posted", label, {"message": message.pk, "channel": target.key, "body": text},
        audience=channels.audience(target), seq=seq)
    if viewer.member_id is not None:
        _mark_read(game, target, f"member:{viewer.member_id}", seq)
    publish(MessagePosted(game.pk, message, target))
    return message


def _scoped_token(viewer: Viewer, channel_key: str, client_token: str) -> str | None:
    """The stored form of a client's retry token: a digest of (author, channel, token), so the
    database's one-message-per-token rule holds per author and channel."""
    if not client_token:
        return None
    author = f"member:{viewer.member_id}" if viewer.member_id is not None else f"{viewer.role}:{viewer.user_id}"
    return hashlib.sha256(f"{author}\x00{channel_key}\x00{client_token[:64]}".encode()).hexdigest()


def _mark_read(game: Game, channel: Channel, reader: str, seq: int, log_for: str | None = None) -> None:
    # one UPDATE in the usual case (the mark exists and moves forward)
    advanced = bool(ChannelRead.objects.filter(channel=channel, reader=reader, last_seq__lt=seq).update(last_seq=seq))
    if not advanced:
        _, created = ChannelRead.objects.get_or_create(channel=channel, reader=reader, defaults={"last_seq": seq})
        advanced = created and seq > 0
    if advanced and log_for is not None:
        audience = [log_for, game_engine.FACILITATOR] if not log_for.startswith("@") else [game_engine.FACILITATOR]
        log(game, "channel.read", reader, {"channel": channel.key, "seq": seq}, audience=audience)


@transaction.atomic
def channel_open(*, game_id: int, viewer: Viewer, key: str) -> Channel:
    """Open a channel: checks access and marks everything in it as read."""
    game = lock_game(game_id)
    channel = channel_get(game, key)
    if not channels.can_read(viewer, channel, game):
        raise InvalidInput(gettext("You are not a member of that channel."))
    reader = reader_key(viewer)
    if reader is not None:
        latest = Message.objects.filter(game=game, channel=key).aggregate(m=Max("seq"))["m"] or 0
        _mark_read(game, channel, reader, latest, log_for=viewer.state_id or game_engine.FACILITATOR)
    return channel


@transaction.atomic
def coalition_create(*, game_id: int, viewer: Viewer, title: str, invite: list[str]) -> Channel:
    """A player opens a coalition channel and invites other states; they join by accepting."""
    game = lock_game(game_id)
    if viewer.role is not Role.PLAYER or not viewer.state_id:
        raise InvalidInput(gettext("Only players create coalitions."))
    name = " ".join(title.split())[:80]
    if not name:
        raise InvalidInput(gettext("Give the coalition a name."))
    states = set(game_engine.state_from_json(game.state).state_ids)
    invited = sorted({s for s in invite if s in states and s != viewer.state_id})
    if not invited:
        raise InvalidInput(gettext("Invite at least one other state."))
    count = Channel.objects.filter(game=game, kind=ChannelKind.COALITION).count()
    if count >= MAX_COALITIONS:
        raise InvalidInput(gettext("This game has as many coalitions as it can hold."))
    channel = Channel.objects.create(
        game=game, key=f"co:{count + 1}", kind=ChannelKind.COALITION, title=name,
        members=[viewer.state_id], invited=invited, created_by=viewer.state_id,
    )
    log(game, "coalition.created", viewer.state_id, {"channel": channel.key, "title": name, "invited": invited},
        audience=[viewer.state_id, *invited, game_engine.FACILITATOR])
    publish(ChannelsChanged(game.pk, (str(viewer.state_id), *invited)))
    return channel


@transaction.atomic
def coalition_respond(*, game_id: int, viewer: Viewer, key: str, accept: bool) -> Channel:
    game = lock_game(game_id)
    channel = Channel.objects.filter(game=game, key=key, kind=ChannelKind.COALITION).first()
    if channel is None or viewer.state_id not in channel.invited:
        raise InvalidInput(gettext("There is no invitation to that coalition."))
    channel.invited = [s for s in channel.invited if s != viewer.state_id]
    if accept:
        channel.members = sorted({*(channel.members or []), viewer.state_id})
    channel.save(update_fields=["invited", "members"])
    log(game, "coalition.joined" if accept else "coalition.declined", str(viewer.state_id), {"channel": key},
        audience=[*(channel.members or []), str(viewer.state_id), game_engine.FACILITATOR])
    publish(ChannelsChanged(game.pk, (*(channel.members or []), str(viewer.state_id))))
    return channel


@transaction.atomic
def coalition_invite(*, game_id: int, viewer: Viewer, key: str, state_id: str) -> Channel:
    game = lock_game(game_id)
    channel = Channel.objects.filter(game=game, key=key, kind=ChannelKind.COALITION).first()
    if channel is None or viewer.state_id not in (channel.members or []):
        raise InvalidInput(gettext("Only coalition members invite others."))
    if state_id not in game_engine.state_from_json(game.state).state_ids:
        raise InvalidInput(gettext("Unknown state."))
    if state_id not in (channel.members or []) and state_id not in channel.invited:
        channel.invited = sorted({*channel.invited, state_id})
        channel.save(update_fields=["invited"])
        log(game, "coalition.invited", str(viewer.state_id), {"channel": key, "state": state_id},
            audience=[*(channel.members or []), state_id, game_engine.FACILITATOR])
        publish(ChannelsChanged(game.pk, (state_id,)))
    return channel


@transaction.atomic
def coalition_leave(*, game_id: int, viewer: Viewer, key: str) -> Channel:
    game = lock_game(game_id)
    channel = Channel.objects.filter(game=game, key=key, kind=ChannelKind.COALITION).first()
    if channel is None or viewer.state_id not in (channel.members or []):
        raise InvalidInput(gettext("You are not in that coalition."))
    channel.members = [s for s in channel.members or [] if s != viewer.state_id]
    channel.save(update_fields=["members"])
    log(game, "coalition.left", str(viewer.state_id), {"channel": key},
        audience=[*(channel.members or []), str(viewer.state_id), game_engine.FACILITATOR])
    publish(ChannelsChanged(game.pk, (*(channel.members or []), str(viewer.state_id))))
    return channel


@transaction.atomic
def press_set(*, game_id: int, actor: str, phase: str, rule: str) -> Game:
    game = lock_game(game_id)
    if phase not in (Phase.NEGOTIATION, Phase.ORDERS, Phase.REPORT):
        raise InvalidInput(gettext("Press rules apply to the negotiation, orders and report phases."))
    if rule not in Press.values:
        raise InvalidInput(gettext("Unknown press rule."))
    game.press = {**(game.press or {}), phase: rule}
    game.save(update_fields=["press"])
    log(game, "settings.press", actor, {"phase": phase, "rule": rule})
    publish(PressRulesChanged(game.pk))
    return game
