"""Channels and messages the viewer may read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection

from negotiation import bot_speech, channels, jsonrows
from negotiation.models import Channel, ChannelKind, ChannelRead, Game, Message
from negotiation.seat_session import SESSION_OPEN_CHANNEL
from negotiation.selectors.common import CHANNELS, shared, state_names
from negotiation.viewer import Role, Viewer


@dataclass(frozen=True, slots=True)
class ChatRow:
    seq: int
    author: str
    body: str
    created_at: Any
    mine: bool = False



def chat_row(message: Message) -> ChatRow:
    body = bot_speech.say(message.intent) if message.intent else message.body
    return ChatRow(seq=message.seq, author=message.author_label, body=body,
                   created_at=message.created_at)



# --- Channels ------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ChannelRow:
    key: str
    slug: str
    title: str
    kind: str
    unread: int
    can_post: bool
    refusal: str
    invited: bool = False
    members: str = ""


def _channel_candidates(game: Game, viewer: Viewer) -> list[Channel]:
    """Channels the viewer may read (existing or by definition), in display order."""
    names = state_names(game)
    state_ids = tuple(names)
    existing = {c.key: c for c in shared(game, (CHANNELS,), lambda: list(Channel.objects.filter(game=game)))}

    def get(key: str) -> Channel:
        if key in existing:
            return existing[key]
        fixed = channels.fixed_channel(key, state_ids, names)
        assert fixed is not None
        kind, title, members = fixed
        return Channel(game=game, key=key, kind=kind, title=title, members=members)

    keys = ["plenary", "broadcast"]
    if viewer.role is Role.PLAYER and viewer.state_id:
        me = viewer.state_id
        keys += [channels.facline_key(me)]
        if game.allow_teams:
            keys.append(channels.team_key(me))
        keys += [channels.bilateral_key(me, other) for other in state_ids if other != me]
    elif viewer.role is Role.FACILITATOR:
        keys += [channels.facline_key(s) for s in state_ids]
        keys += sorted(k for k in existing if k.startswith(("bi:", "team:")))
    result = [get(k) for k in keys]
    result += [c for k, c in sorted(existing.items(), key=lambda kv: kv[1].created_at)
               if c.kind == ChannelKind.COALITION and k not in keys]
    return [c for c in result if channels.can_read(viewer, c, game)
            or (c.kind == ChannelKind.COALITION and viewer.state_id in (c.invited or []))]


def _unread_counts(game_id: int, reader: str, keys: list[str]) -> dict[str, int]:
    """Messages after the reader's mark, per channel, marks and counts in one plain parameterised
    statement: a count per channel (an index range on (game, channel, seq) each) after the
    reader's mark in that channel, 0 where they have none. The ORM spent more compiling its OR
    of one condition per channel than the database spent answering it (every page, resync and
    channel-list push reads this)."""
    keys_sql = " UNION ALL ".join(["SELECT %s AS k"] * len(keys))
    sql = (f"SELECT ks.k, (SELECT COUNT(*) FROM {Message._meta.db_table} m WHERE m.game_id = %s "  # noqa: S608
           "AND m.channel = ks.k AND m.seq > COALESCE(r.last_seq, 0)) "
           f"FROM ({keys_sql}) ks "
           f"LEFT JOIN {Channel._meta.db_table} c ON c.game_id = %s AND c.key = ks.k "
           f"LEFT JOIN {ChannelRead._meta.db_table} r ON r.channel_id = c.id AND r.reader = %s")
    with connection.cursor() as cursor:
        cursor.execute(sql, [game_id, *keys, game_id, reader])
        return {str(key): int(n) for key, n in cursor.fetchall() if n}


def channel_rows(game: Game, viewer: Viewer, *, counts_wanted: bool = True) -> list[ChannelRow]:
    """The viewer's channels with unread counts (one grouped query for the counts)."""
    candidates = _channel_candidates(game, viewer)
    reader = channels.reader_key(viewer) if counts_wanted else None
    counts: dict[str, int] = {}
    if reader:
        readable = [c.key for c in candidates if channels.can_read(viewer, c, game)]
        if readable:
            counts = _unread_counts(game.pk, reader, readable)
    return [channel_row(game, viewer, c, counts.get(c.key, 0)) for c in candidates]


def channel_row(game: Game, viewer: Viewer, c: Channel, unread: int = 0) -> ChannelRow:
    """One channel as the viewer's list shows it (the chat form's open channel)."""
    names = state_names(game)
    invited = viewer.state_id in (c.invited or []) and viewer.state_id not in (c.members or [])
    refusal = "" if invited else (channels.post_refusal(viewer, c, game) or "")
    # Channels that exist by definition are titled in the reader's language.
    fixed = channels.fixed_channel(c.key, tuple(names), names) if c.kind != ChannelKind.COALITION else None
    return ChannelRow(
        key=c.key, slug=channels.slug(c.key), title=fixed[1] if fixed else c.title, kind=c.kind,
        unread=unread, can_post=not refusal and not invited, refusal=refusal, invited=invited,
        members=", ".join(names.get(s, s) for s in (c.members or [])),
    )


def open_channel_key(session: Any, game: Game) -> str:
    return str((session.get(SESSION_OPEN_CHANNEL) or {}).get(str(game.pk), "plenary"))


def channel_for_viewer(game: Game, viewer: Viewer, key: str) -> Channel | None:
    for c in _channel_candidates(game, viewer):
        if c.key == key and channels.can_read(viewer, c, game):
            return c
    return None


def channel_page(game: Game, viewer: Viewer, key: str, *, before_seq: int | None = None) -> list[ChatRow]:
    """A page of the channel's latest messages (oldest first), only if the viewer may read it."""
    if channel_for_viewer(game, viewer, key) is None:
        return []
    return _page(game.pk, key, before_seq, settings.TREATYCRAFT["CHAT_PAGE_SIZE"])


def _page(game_id: int, key: str, before_seq: int | None, size: int) -> list[ChatRow]:
    """The columns a chat item shows, in one plain parameterised statement (every page and resync
    reads a page: building fifty Message instances cost more than the database's answer)."""
    col = {f.name: f.column for f in Message._meta.concrete_fields}
    sql = (f"SELECT {col['seq']}, {col['author_label']}, {col['body']}, {col['intent']}, {col['created_at']} "  # noqa: S608
           f"FROM {Message._meta.db_table} WHERE {col['game']} = %s AND {col['channel']} = %s"
           + (f" AND {col['seq']} < %s" if before_seq is not None else "") + f" ORDER BY {col['seq']} DESC LIMIT %s")
    params: list[Any] = [game_id, key, *([before_seq] if before_seq is not None else []), size]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    rows.reverse()
    out = []
    for seq, author, body, raw_intent, created in rows:
        intent = jsonrows.loads(raw_intent)
        out.append(ChatRow(seq=seq, author=author, body=bot_speech.say(intent) if intent else body,
                           created_at=jsonrows.aware(created)))
    return out




def message_search(game: Game, viewer: Viewer, query: str, *, limit: int = 50) -> list[tuple[ChannelRow, ChatRow]]:
    """Messages containing `query` in the channels the viewer may read, newest first."""
    text = query.strip()
    if len(text) < 2:
        return []
    readable = {c.key: c for c in _channel_candidates(game, viewer) if channels.can_read(viewer, c, game)}
    rows = {r.key: r for r in channel_rows(game, viewer)}
    hits = Message.objects.filter(game=game, channel__in=list(readable), body__icontains=text).order_by("-seq")[:limit]
    return [(rows[m.channel], chat_row(m)) for m in hits if m.channel in rows]
