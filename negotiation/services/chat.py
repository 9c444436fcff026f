"""Channels and messages: the plenary, bilateral lines, coalitions, team talk, the facilitator's
broadcast and each state's line to the facilitator."""

from __future__ import annotations

import hashlib
import json
from typing import Any, TypeVar

from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Model
from django.utils import timezone
from django.utils.translation import gettext

import game_engine
from negotiation import channels
from negotiation.changes import ChannelsChanged, MessagePosted, PressRulesChanged, publish
from negotiation.channels import reader_key
from negotiation.errors import InvalidInput, PhaseClosed, RateLimited
from negotiation.models import Channel, ChannelKind, ChannelRead, Game, Message, Phase, Press
from negotiation.scenarios import state_infos, state_name
from negotiation.services.common import cfg, lock_game, log, rate_limit
from negotiation.viewer import Role, Viewer

MAX_COALITIONS = 30
M = TypeVar("M", bound=Model)


_CHANNEL_COLUMNS = ("id", "game_id", "key", "kind", "title", "members", "invited", "created_by")
_CHANNEL_SQL = ("SELECT id, game_id, key, kind, title, members, invited, created_by FROM negotiation_channel "
                "WHERE game_id = %s AND key = %s")


def _json(value: Any) -> Any:
    """A JSON column as read by a plain cursor (text on SQLite, and on PostgreSQL as Django sets
    psycopg up)."""
    return json.loads(value) if isinstance(value, (str, bytes)) else value


def _instance(model: type[M], names: tuple[str, ...], values: list[Any]) -> M:
    """A model instance from some of its columns read by a plain cursor (the others deferred:
    read from the database if anything asks for them)."""
    by_name = dict(zip(names, values, strict=True))
    fields = [f.attname for f in model._meta.concrete_fields if f.attname in by_name]
    return model.from_db(connection.alias, fields, [by_name[f] for f in fields])


def channel_get(game: Game, key: str) -> Channel:
    """The channel for `key`, created on first use for the channels that exist by definition."""
    with connection.cursor() as cursor:  # a plain query: this is on every chat post's path
        cursor.execute(_CHANNEL_SQL, [game.pk, key])
        row = cursor.fetchone()
    if row is not None:
        values = list(row)
        values[5], values[6] = _json(values[5]), _json(values[6])
        return _instance(Channel, _CHANNEL_COLUMNS, values)
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


class StaleViewer(Exception):
    """The viewer a post was given from the session's memory no longer matches its member row
    (removed, moved, captaincy changed): raised under the game's lock, before any access check,
    so the caller resolves the viewer from the database and posts again."""


# The channel read of a post whose viewer came from the session (views.chat_post) also checks, in
# the same statement, that the member is still what the session remembered: the statement runs
# after the game's lock was taken, so on PostgreSQL (READ COMMITTED: a snapshot per statement) it
# sees every removal, move or captaincy change committed before it. A one-row source keeps the
# check's answer when the channel has no row yet.
_CHANNEL_CHECKED_SQL = (
    "SELECT c.id, c.game_id, c.key, c.kind, c.title, c.members, c.invited, c.created_by, "
    "EXISTS (SELECT 1 FROM negotiation_member m JOIN negotiation_seat s ON s.id = m.seat_id "
    "WHERE m.id = %s AND m.token = %s AND m.removed_at IS NULL AND m.seat_id = %s AND s.game_id = %s "
    "AND s.state_id = %s AND m.name = %s AND m.is_captain = %s) "
    "FROM (SELECT 1 AS one) AS one LEFT JOIN negotiation_channel c ON c.game_id = %s AND c.key = %s")


def _channel_for_remembered(game: Game, key: str, viewer: Viewer, token: str) -> Channel:
    """``channel_get`` for a post whose viewer the session remembered; StaleViewer if the member
    row no longer matches it."""
    with connection.cursor() as cursor:
        cursor.execute(_CHANNEL_CHECKED_SQL, [viewer.member_id, token, viewer.seat_id, game.pk, viewer.state_id,
                                              viewer.label, viewer.is_captain, game.pk, key])
        row = cursor.fetchone()
    assert row is not None  # the one-row source
    if not row[8]:
        raise StaleViewer
    if row[0] is None:  # a channel that exists by definition, created on first use
        return channel_get(game, key)
    values = list(row[:8])
    values[5], values[6] = _json(values[5]), _json(values[6])
    return _instance(Channel, _CHANNEL_COLUMNS, values)


class _AlreadyPosted(Exception):
    """A retried post: its token is stored already. Raised inside the transaction so that the
    sequence number it took is rolled back with it."""

    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.token = token


def chat_rate_key(game_id: int, viewer: Viewer) -> str:
    """What a chat post counts against in the rate limit: one author in one game."""
    return f"chat:{game_id}:{viewer.role}:{viewer.member_id}"


def message_post(*, game_id: int, viewer: Viewer, body: str, channel: str = "plenary",
                 client_token: str = "", remembered_token: str | None = None,
                 counted: bool = False) -> Message:
    """Post to a channel the viewer may write in. Retried posts (same client token) are stored once.
    ``remembered_token``: the viewer is a player the session remembered (not read this request);
    the post checks it against the member row under the game's lock (StaleViewer if it changed).
    ``counted``: this request's first attempt counted the post against the rate limit already
    (its remembered viewer was stale, and this is the same post as the viewer read again)."""
    text = body.strip()
    limit = cfg("CHAT_MAX_LENGTH")
    if not text:
        raise InvalidInput(gettext("The message is empty."))
    if len(text) > limit:
        raise InvalidInput(gettext("Messages are at most %(limit)s characters (this one has %(n)s).") % {"limit": limit, "n": len(text)})
    if viewer.role is not Role.OBSERVER and not counted:
        # Counted before the post's transaction, so the game's row is never locked while the
        # shared cache (Redis) answers. A refused post changes nothing; only a retry of a post
        # stored already is answered with its row, as when the limit is not reached.
        try:
            rate_limit(chat_rate_key(game_id, viewer), cfg("CHAT_RATE_PER_MINUTE"))
        except RateLimited:
            token = _scoped_token(viewer, channel, client_token)
            stored = Message.objects.filter(game_id=game_id, client_token=token).first() if token else None
            if stored is None:
                raise
            return stored
    try:
        return _message_insert(game_id, viewer, text, channel, client_token, remembered_token)
    except _AlreadyPosted as retry:
        existing = Message.objects.filter(game_id=game_id, client_token=retry.token).first()
        if existing is None:  # the first post's row is gone (its game was reset): say so
            raise InvalidInput(gettext("That message could not be posted; send it again.")) from None
        return existing


# The hot path of a chat post is hand-written SQL that PostgreSQL and SQLite (3.35+) both run:
# the ORM spent more CPU compiling these statements than the database spent running them
# (docs/performance.md). Each statement stays a plain parameterised query.
_GAME_COLUMNS = ("id", "last_seq", "phase", "press", "scenario_slug", "observers_read_all")
_SEQ_SQL = ("UPDATE negotiation_game SET last_seq = last_seq + 1 WHERE id = %s "
            "RETURNING id, last_seq, phase, press, scenario_slug, observers_read_all")
_MESSAGE_SQL = ("INSERT INTO negotiation_message (game_id, seq, channel, author_seat_id, author_member_id, "
                "author_label, body, client_token, created_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) "
                "ON CONFLICT (game_id, client_token) DO NOTHING RETURNING id")
_EVENT_SQL = ("INSERT INTO negotiation_gameevent (game_id, seq, kind, actor, audience, data, created_at) "
              "VALUES (%s, %s, %s, %s, %s, %s, %s)")
_READ_SQL = ("UPDATE negotiation_channelread SET last_seq = %s "
             "WHERE channel_id = %s AND reader = %s AND last_seq < %s")
# On PostgreSQL the three writes above go as one statement (data-modifying CTEs): the message, then,
# only if it was inserted (not a retry), its log entry and the poster's read mark. Returns the
# message's id (no row for a retry) and how many read marks moved (0: the poster has none yet).
_POST_SQL_PG = (
    "WITH m AS (" + _MESSAGE_SQL + "), "  # noqa: S608 (constant text, no input)
    "e AS (INSERT INTO negotiation_gameevent (game_id, seq, kind, actor, audience, data, created_at) "
    "SELECT %s, %s, %s, %s, %s, jsonb_build_object('message', m.id, 'channel', %s::text, 'body', %s::text), %s "
    "FROM m), "
    "r AS (UPDATE negotiation_channelread SET last_seq = %s WHERE channel_id = %s AND reader = %s "
    "AND last_seq < %s AND EXISTS (SELECT 1 FROM m) RETURNING 1) "
    "SELECT m.id, (SELECT COUNT(*) FROM r) FROM m")


@transaction.atomic
def _message_insert(game_id: int, viewer: Viewer, text: str, key: str, client_token: str,
                    remembered_token: str | None = None) -> Message:
    # One statement takes the game's write lock (the row lock on PostgreSQL; on SQLite the
    # IMMEDIATE transaction holds the write lock already), hands out the next sequence number and
    # returns what the access check reads, all under that lock.
    with connection.cursor() as cursor:
        cursor.execute(_SEQ_SQL, [game_id])
        locked = cursor.fetchone()
    if locked is None:
        raise InvalidInput(gettext("There is no such game."))
    values = list(locked)
    values[3], values[5] = _json(values[3]) or {}, bool(values[5])
    game = _instance(Game, _GAME_COLUMNS, values)
    seq = game.last_seq
    if remembered_token is not None and viewer.member_id is not None:
        target = _channel_for_remembered(game, key, viewer, remembered_token)
    else:
        target = channel_get(game, key)
    target.game = game  # the push reads observers_read_all from here: no second read
    refusal = channels.post_refusal(viewer, target, game)
    if refusal:
        raise PhaseClosed(refusal) if game.phase == Phase.FINISHED else InvalidInput(refusal)
    # A retry is matched only after the access check, and only among the same author's posts in
    # the same channel: someone else's token never returns someone else's message.
    token = _scoped_token(viewer, target.key, client_token)
    # The viewer was read from the session with its member this request: no second lookup.
    if viewer.member_id is not None and viewer.state_id:
        label = f"{viewer.label} ({state_name(game.scenario_slug, viewer.state_id)})"
    else:
        label = viewer.label
    author_seat = viewer.seat_id if viewer.member_id else None
    now = timezone.now()
    ops = connection.ops
    at = ops.adapt_datetimefield_value(now)
    audience = channels.audience(target)
    audience_json = None if audience is None else ops.adapt_json_value(audience, None)
    reader = f"member:{viewer.member_id}" if viewer.member_id is not None else None
    message_values: list[Any] = [game.pk, seq, target.key, author_seat, viewer.member_id, label, text, token, at]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_POST_SQL_PG, [*message_values, game.pk, seq, "message.posted", label, audience_json,
                                          target.key, text, at, seq, target.pk, reader, seq])
            row = cursor.fetchone()
            marked = bool(row and row[1])
        else:
            cursor.execute(_MESSAGE_SQL, message_values)
            row = cursor.fetchone()
            marked = False
        if row is None:  # the unique (game, token) rule: this post is stored already
            assert token is not None
            raise _AlreadyPosted(token)
        if connection.vendor != "postgresql":
            cursor.execute(_EVENT_SQL, [
                game.pk, seq, "message.posted", label, audience_json,
                ops.adapt_json_value({"message": row[0], "channel": target.key, "body": text}, None), at])
        if reader is not None and not marked:
            # the poster has read up to their own message (the mark exists once the channel was
            # opened; a first post in a never-opened channel creates it through the ORM)
            if connection.vendor != "postgresql":
                cursor.execute(_READ_SQL, [seq, target.pk, reader, seq])
            if connection.vendor == "postgresql" or cursor.rowcount == 0:
                _mark_read(game, target, reader, seq)
    message = Message(id=row[0], game_id=game.pk, seq=seq, channel=target.key, author_seat_id=author_seat,
                      author_member_id=viewer.member_id, author_label=label, body=text, client_token=token,
                      created_at=now)
    message._state.adding = False
    message._state.db = connection.alias
    message.__dict__[_POSTED_IN] = target
    publish(MessagePosted(game.pk, message, target))
    return message


_POSTED_IN = "_posted_in"


def posted_channel(message: Message) -> Channel | None:
    """The channel a message was just posted in, as the post read it under the game's lock (its
    ``game`` holds the columns the access check read), or None for a retried post's stored row:
    the reply to a post renders its form from this instead of reading the channels again."""
    channel = message.__dict__.get(_POSTED_IN)
    return channel if isinstance(channel, Channel) else None


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
