"""The only module that talks to the channel layer, and the only one that knows which fragments a
change redraws. Services publish typed changes (negotiation/changes.py); ``deliver`` maps each one
to fragments and audiences and runs after commit. Call nothing here inside a transaction.

The layer is a doorbell that may drop messages: clients resync from the database whenever they
(re)connect. Public fragments are rendered once per change and sent as HTML to the game's public
group (public data only). Private fragments never travel through a group wider than their
audience: the fragments every member of a seat sees alike (forces, private report and news, map)
are rendered once per seat and sent as HTML to that seat's group; per-member ones are a doorbell
naming fragments, which each socket renders for its own viewer.

Pushes are rendered in the default language and in each other language a socket of the game has
said it speaks (``language_listening``, a marker in the shared cache); a socket whose language a
push lacks (its marker evicted, or it connected while the push was rendered) renders the push's
fragments itself, so every socket gets its own language whatever the cache holds.

Groups:  game.<id>.public   every socket of the game (players, facilitator, observers)
         game.<id>.players  every seated player's socket (doorbells only)
         game.<id>.fac      the facilitator's sockets (doorbells only)
         seat.<id>          one seat's sockets (that seat's shared private fragments, doorbells)
         member.<id>        one member's sockets (closed when the member is removed)
         game.<id>.observers observers' sockets: the projector page (its public map; private
                             channels, when the game lets them read)
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Mapping
from typing import Any, assert_never

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from negotiation import breaker, rendering
from negotiation.changes import (
    BotChanged,
    CaptainChanged,
    Change,
    ChannelsChanged,
    DeadlineMoved,
    GameEnded,
    GameStarted,
    HeldNewsChanged,
    MemberMoved,
    MemberRemoved,
    MessagePosted,
    NewsReleased,
    OrdersChanged,
    PauseChanged,
    PhaseAdvanced,
    PhaseRolledBack,
    PresenceChanged,
    PressRulesChanged,
    ProposalChanged,
    ReadinessChanged,
    ReviewAccessChanged,
    SeatAssigned,
    SeatJoined,
    TurnResolved,
)
from negotiation.channels import PUBLIC_KINDS
from negotiation.models import Channel, Game, Message, Seat
from negotiation.rendering import PrivateFragment, PublicFragment

logger = logging.getLogger("treatycraft.broadcasts")

# Fragment names equal DOM ids (see templates/negotiation/_public.html and _private.html); the
# lists are rendering's, named once there.
PUBLIC_ALL = rendering.PUBLIC_FRAGMENTS
PRIVATE_ALL = rendering.PUSHED_PRIVATE_FRAGMENTS


def deliver(change: Change) -> None:
    """What each change redraws, and for whom: the one place that maps the services' changes to
    fragments and audiences. Runs after commit (negotiation.changes.publish). Private fragments
    go to the seats named (None = every player); the facilitator's console is rung on every
    change (game_changed)."""
    match change:
        case GameStarted() | PhaseAdvanced() | TurnResolved() | PhaseRolledBack() | GameEnded():
            game_changed(game_id=change.game_id, public=PUBLIC_ALL, private=PRIVATE_ALL)
        case DeadlineMoved():
            game_changed(game_id=change.game_id, public=("game-status",))
        case PauseChanged():
            game_changed(game_id=change.game_id, public=("game-status",), private=("order-panel",))
        case PressRulesChanged():
            game_changed(game_id=change.game_id, public=("game-status",), private=("channel-list",))
        case ReviewAccessChanged():  # the players' rooms show (or hide) the debrief link at once
            game_changed(game_id=change.game_id, public=("scoreboard",))
        case MessagePosted():
            message_posted(game_id=change.game_id, message_id=change.message.pk, message=change.message,
                           channel=change.channel)
        case ChannelsChanged():
            game_changed(game_id=change.game_id, private=("channel-list",), seats=_seats_of(change.game_id, change.states))
        case ProposalChanged():
            game_changed(game_id=change.game_id, private=("proposals",), seats=_seats_of(change.game_id, change.parties))
        case NewsReleased() if change.states is None:
            game_changed(game_id=change.game_id, public=("news",), private=("my-forces",))
        case NewsReleased():
            game_changed(game_id=change.game_id, private=("news-private", "my-forces"),
                         seats=_seats_of(change.game_id, change.states or ()))
        case HeldNewsChanged():
            game_changed(game_id=change.game_id)  # the console alone
        case SeatJoined() | PresenceChanged():
            game_changed(game_id=change.game_id, public=("seat-list",), seats=())
        case MemberRemoved():
            member_revoked(member_id=change.member_id)
            game_changed(game_id=change.game_id, public=("seat-list",), private=("order-panel",), seats=(change.seat_id,))
        case SeatAssigned() | BotChanged() | ReadinessChanged() | OrdersChanged():
            game_changed(game_id=change.game_id, public=("seat-list",), private=("order-panel",), seats=(change.seat_id,))
        case MemberMoved():
            game_changed(game_id=change.game_id, public=("seat-list",), private=("order-panel",),
                         seats=(change.to_seat_id, change.from_seat_id))
        case CaptainChanged():
            game_changed(game_id=change.game_id, private=("order-panel",), seats=(change.seat_id,))
        case _:
            assert_never(change)


def _seats_of(game_id: int, states: tuple[str, ...]) -> tuple[int, ...]:
    return tuple(Seat.objects.filter(game_id=game_id, state_id__in=states).values_list("pk", flat=True))


def public_group(game_id: int) -> str:
    return f"game.{game_id}.public"


def players_group(game_id: int) -> str:
    return f"game.{game_id}.players"


def facilitator_group(game_id: int) -> str:
    return f"game.{game_id}.fac"


def observers_group(game_id: int) -> str:
    return f"game.{game_id}.observers"


def seat_group(seat_id: int) -> str:
    return f"seat.{seat_id}"


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def member_group(member_id: int) -> str:
    return f"member.{member_id}"


def push_timeout() -> float:
    return int(settings.TREATYCRAFT.get("PUSH_TIMEOUT_MS", 2000)) / 1000


async def _bounded_group_send(layer: object, group: str, message: dict[str, object]) -> None:
    await asyncio.wait_for(layer.group_send(group, message), timeout=push_timeout())  # type: ignore[attr-defined]


def _send(group: str, message: Mapping[str, object]) -> None:
    """One push, bounded: it runs in the request after commit, so a Redis that accepts connections
    but never answers (stopped, partitioned) would otherwise hold the request and its database
    connection forever. After a failure the layer's breaker drops pushes at once for a few seconds
    (see negotiation/breaker.py); clients resync from the database when they reconnect."""
    layer = get_channel_layer()
    if layer is None:
        return
    if not breaker.LAYER.allow():
        logger.debug("channel layer marked down; push to %s dropped", group)
        return
    try:
        async_to_sync(_bounded_group_send)(layer, group, dict(message))
    except Exception:
        # A dead Redis must not undo a committed action; clients resync when they reconnect.
        breaker.LAYER.failure()
        logger.warning("channel layer unavailable; push to %s dropped", group, exc_info=True)
    else:
        breaker.LAYER.success()


# A language's marker outlives a class session; one left behind costs a render per change.
LISTENING_SECONDS = 12 * 3600


def _listening_key(game_id: int, language: str) -> str:
    return f"tc:listening:{game_id}:{language}"


def default_language() -> str:
    codes = [code for code, _name in settings.LANGUAGES]
    return settings.LANGUAGE_CODE if settings.LANGUAGE_CODE in codes else codes[0]


def language_listening(game_id: int, language: str) -> None:
    """A socket of this game speaks ``language``: render the game's pushes in it from now on (the
    default language always is). Called when a socket opens; a cache that fails only costs that
    socket a render of its own per push (see the consumer's ``push_html``)."""
    if language == default_language():
        return
    try:
        cache.set(_listening_key(game_id, language), 1, LISTENING_SECONDS)
    except Exception:
        logger.warning("cache unavailable; language marker of game %s not set", game_id, exc_info=True)


def push_languages(game_id: int) -> list[str]:
    """The languages a push of this game is rendered in: the default, and every other language a
    socket of the game has marked (a Spanish class's pushes in Spanish, an English one's in English
    only: each language is a full render of the fragments)."""
    default = default_language()
    others = [code for code, _name in settings.LANGUAGES if code != default]
    if not others:
        return [default]
    keys = {_listening_key(game_id, code): code for code in others}
    try:
        found = cache.get_many(list(keys))
    except Exception:
        found = {}
    return [default, *(code for key, code in keys.items() if key in found)]


def _rendered(languages: list[str], render: Callable[[], str]) -> dict[str, object]:
    """A push.html message: ``render()`` once per language, the default's as ``html``."""
    by_language = {}
    for code in languages:
        with translation.override(code):
            by_language[code] = render()
    return {"type": "push.html", "html": by_language[languages[0]], "by_language": by_language}


def game_changed(
    *,
    game_id: int,
    public: tuple[PublicFragment, ...] = (),
    private: tuple[PrivateFragment, ...] = (),
    seats: tuple[int, ...] | None = None,
) -> None:
    """Push public fragments to everyone; ring private doorbells for `seats` (None = all players).
    The facilitator's console is rung on every change."""
    # The projector's own fragments (the public map, ~20 KB) go to observers' sockets only: other
    # pages have no target for them (htmx:oobErrorNoTarget).
    everyone = tuple(n for n in public if n not in rendering.PROJECTOR_ONLY)
    projector = tuple(n for n in public if n in rendering.PROJECTOR_ONLY)
    languages = push_languages(game_id) if everyone or private else []
    if everyone:
        # Rendered once per language listening; each socket sends the one in its own language, or
        # renders the named fragments itself when its language is missing.
        push = _rendered(languages, lambda: rendering.public_fragments_html(game_id, everyone))
        _send(public_group(game_id), {**push, "fragments": list(everyone)})
    if projector:
        # The projector's public map: a doorbell its own socket renders (usually no projector is
        # open, and a turn would render a map per language for nobody).
        _send(observers_group(game_id), {"type": "push.public", "fragments": list(projector)})
    projector_changed(game_id=game_id, public=public)
    # The console first: its controls carry the phase the facilitator's next click names.
    _send(facilitator_group(game_id), {"type": "push.refresh", "fragments": ["console"]})
    if private and seats != ():
        # Fragments that are the same for every member of a seat are rendered once per seat and
        # sent as HTML to that seat's group; only per-member ones stay doorbells.
        shared = tuple(n for n in private if n in rendering.SEAT_FRAGMENTS)
        personal = [n for n in private if n not in rendering.SEAT_FRAGMENTS]
        if shared:
            game = Game.objects.get(pk=game_id)
            listening = Seat.objects.filter(game_id=game_id, connections__gt=0)
            if seats is not None:
                listening = listening.filter(pk__in=seats)
            for seat_id, state_id in listening.values_list("pk", "state_id"):
                push = _rendered(languages, functools.partial(rendering.seat_fragments_html, game, seat_id,
                                                              state_id, shared))
                _send(seat_group(seat_id), {**push, "fragments": list(shared), "seat": True})
        if personal:
            bell = {"type": "push.refresh", "fragments": personal}
            if seats is None:
                _send(players_group(game_id), bell)
            else:
                for seat_id in seats:
                    _send(seat_group(seat_id), bell)


# The projector page's big screen (templates/negotiation/projector.html#projector-stage): the lobby's
# list of who has joined, the stability index and countdown in play, the results after a turn. It
# summarises these public fragments, and is re-rendered when any of them changes.
PROJECTOR_STAGE_SOURCES = ("game-status", "seat-list", "public-results", "scoreboard", "news")


def projector_changed(*, game_id: int, public: tuple[str, ...]) -> None:
    """Ring the projectors' sockets when their stage (public data only) changed. A doorbell, not
    HTML: each projector's own socket renders the stage (``consumers.push_stage``), so a write
    pays nothing for a wall that may not be open, and a game with no projector renders nothing."""
    if any(name in PROJECTOR_STAGE_SOURCES for name in public):
        _send(observers_group(game_id), {"type": "push.stage"})


def message_posted(*, game_id: int, message_id: int, message: Message | None = None,
                   channel: Channel | None = None) -> None:
    """Render a message once and deliver it to everyone entitled to its channel: the public group
    for public channels; otherwise each member state's seat group and the facilitator. The service
    hands over the rows it just wrote (``message``, ``channel``) so the push reads nothing again."""
    if message is None:
        message = Message.objects.get(pk=message_id)
    html = rendering.chat_message_push_html(message)
    push: dict[str, Any] = {"type": "push.html", "html": html}
    if message.intent:  # a bot's message is worded in each reader's language
        by_language = {}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                by_language[code] = rendering.chat_message_push_html(message)
        push["by_language"] = by_language
    if channel is None or channel.key != message.channel:
        channel = Channel.objects.filter(game_id=game_id, key=message.channel).first()
    audience = None if channel is None else channel_audience(channel)
    if audience is None:
        _send(public_group(game_id), push)
        return
    for seat_id in Seat.objects.filter(game_id=game_id, state_id__in=audience).values_list("pk", flat=True):
        _send(seat_group(seat_id), push)
    _send(facilitator_group(game_id), push)
    if channel is not None and channel.game.observers_read_all:
        _send(observers_group(game_id), push)


def channel_audience(channel: Channel) -> list[str] | None:
    """The states that may read a channel (None: everyone, a public channel)."""
    return None if channel.kind in PUBLIC_KINDS else list(channel.members or [])


def member_revoked(*, member_id: int) -> None:
    """Close every socket of a removed member."""
    _send(member_group(member_id), {"type": "session.revoked"})


def user_logged_out(*, user_id: int) -> None:
    """Close every socket a facilitator opened while logged in."""
    _send(user_group(user_id), {"type": "session.revoked"})
