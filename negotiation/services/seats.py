"""Seats (a state's place in the game) and their members (the people playing it)."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

import game_engine
from game_engine.negotiator import NEGOTIATING_POLICIES
from negotiation.changes import (
    BotChanged,
    CaptainChanged,
    MemberMoved,
    MemberRemoved,
    PresenceChanged,
    ReadinessChanged,
    SeatAssigned,
    SeatJoined,
    publish,
)
from negotiation.errors import InvalidInput, PhaseClosed, SeatTaken
from negotiation.models import Game, GameEvent, Member, Phase, Seat
from negotiation.scenarios import scenario
from negotiation.services.common import bump_version, cfg, lock_game, log, rate_limit
from negotiation.services.games import advance_if_all_ready

# The bots a seat can be handed to: the engine's negotiating policies (one list, the engine's).
BOT_POLICIES = NEGOTIATING_POLICIES


def join_attempt_check(client_key: str) -> None:
    """Rate-limit join-code guesses per client address."""
    rate_limit(f"join:{client_key}", cfg("JOIN_ATTEMPTS_PER_MINUTE"))


def _clean_name(name: str) -> str:
    clean = " ".join(name.split())
    if not clean:
        raise InvalidInput(gettext("Please type a display name."))
    if len(clean) > 40:
        raise InvalidInput(gettext("Display names are at most 40 characters."))
    return clean


def _active(seat: Seat) -> list[Member]:
    return list(seat.members.filter(removed_at=None))


def _seat_label(seat: Seat) -> None:
    names = [m.name for m in _active(seat)]
    seat.display_name = ", ".join(names)[:80]
    seat.save(update_fields=["display_name"])


def _new_member(seat: Seat, name: str, captain: bool) -> Member:
    return Member.objects.create(seat=seat, name=name, token=secrets.token_urlsafe(32), is_captain=captain)


@transaction.atomic
def seat_claim(*, game_id: int, state_id: str, display_name: str, as_team_member: bool = False) -> Member:
    """Take a state for a player. An open state makes the player its captain; joining a played
    state as a team member needs the game to allow teams."""
    game = lock_game(game_id)
    name = _clean_name(display_name)
    if game.phase == Phase.FINISHED:
        raise PhaseClosed(gettext("This game has ended."))
    seat = Seat.objects.filter(game=game, state_id=state_id).first()
    if seat is None:
        raise InvalidInput(gettext("That state is not part of this scenario."))
    members = _active(seat)
    npc = not members and seat.bot_policy == "hawk" and any(
        i.id == state_id and i.npc for i in scenario(game.scenario_slug).info.states)
    if npc:
        # A person takes over a state the scenario lets a bot play by default.
        seat.bot_policy = ""
        seat.is_ready = False
        seat.save(update_fields=["bot_policy", "is_ready"])
        member = _new_member(seat, name, captain=True)
    elif members or seat.bot_policy:
        if not (as_team_member and game.allow_teams and members):
            raise SeatTaken(gettext("That state has already been taken; please choose another."))
        member = _new_member(seat, name, captain=False)
    else:
        member = _new_member(seat, name, captain=True)
    _seat_label(seat)
    log(game, "seat.claimed", f"player:{name}",
        {"state": state_id, "seat": seat.pk, "member": member.pk, "captain": member.is_captain})
    publish(SeatJoined(game.pk, seat.pk))
    return member


@transaction.atomic
def seat_assign(*, game_id: int, state_id: str, name: str, actor: str) -> Member:
    """The facilitator gives an open (or bot-played) state to a named student; returns the
    member whose personal link the facilitator hands out."""
    game = lock_game(game_id)
    seat = Seat.objects.filter(game=game, state_id=state_id).first()
    if seat is None:
        raise InvalidInput(gettext("That state is not part of this scenario."))
    clean = _clean_name(name)
    captain = not _active(seat)
    member = _new_member(seat, clean, captain=captain)
    if seat.bot_policy and captain:
        seat.bot_policy = ""
        seat.save(update_fields=["bot_policy"])
    _seat_label(seat)
    log(game, "seat.assigned", actor, {"state": state_id, "member": member.pk, "name": clean},
        audience=[game_engine.FACILITATOR])
    publish(SeatAssigned(game.pk, seat.pk))
    return member


@transaction.atomic
def member_remove(*, game_id: int, member_id: int, actor: str, reason: str = "") -> Member:
    """Kick a member: the token stops working and open sockets close within seconds. If the
    captain leaves, the longest-serving remaining member becomes captain."""
    game = lock_game(game_id)
    member = Member.objects.select_related("seat").get(pk=member_id, seat__game=game)
    if member.removed_at is None:
        member.removed_at = timezone.now()
        member.is_captain = False
        member.save(update_fields=["removed_at", "is_captain"])
        rest = _active(member.seat)
        if rest and not any(m.is_captain for m in rest):
            Member.objects.filter(pk=rest[0].pk).update(is_captain=True)
        _seat_label(member.seat)
        log(game, "member.removed", actor, {"member": member.pk, "state": member.seat.state_id, "reason": reason},
            audience=[game_engine.FACILITATOR])
        publish(MemberRemoved(game.pk, member.seat_id, member.pk))
    return member


@transaction.atomic
def member_make_captain(*, game_id: int, member_id: int, actor: str) -> Member:
    game = lock_game(game_id)
    member = Member.objects.select_related("seat").get(pk=member_id, seat__game=game, removed_at=None)
    Member.objects.filter(seat=member.seat).update(is_captain=False)
    Member.objects.filter(pk=member.pk).update(is_captain=True)
    log(game, "member.captain", actor, {"member": member.pk, "state": member.seat.state_id},
        audience=[game_engine.FACILITATOR])
    publish(CaptainChanged(game.pk, member.seat_id))
    member.refresh_from_db()
    return member


@transaction.atomic
def seat_set_bot(*, game_id: int, state_id: str, policy: str, actor: str) -> Seat:
    """Let a reference bot play a state (policy in BOT_POLICIES), or hand it back (policy "")."""
    game = lock_game(game_id)
    if policy and policy not in BOT_POLICIES:
        raise InvalidInput(gettext("Unknown bot policy %(policy)r.") % {"policy": policy})
    seat = Seat.objects.get(game=game, state_id=state_id)
    seat.bot_policy = policy
    seat.is_ready = bool(policy)
    seat.save(update_fields=["bot_policy", "is_ready"])
    bump_version(game)
    log(game, "seat.bot" if policy else "seat.handed_back", actor, {"state": state_id, "policy": policy})
    publish(BotChanged(game.pk, seat.pk))
    advance_if_all_ready(game)
    return seat


# A socket opening (+1) or closing (-1): the seat's count (never below 0) and last-seen time, and
# the member's last-seen time, in one statement on PostgreSQL (two in one transaction elsewhere).
_PRESENCE_SEAT_SQL = ("UPDATE negotiation_seat SET connections = CASE WHEN connections + %s < 0 THEN 0 "
                      "ELSE connections + %s END, last_seen_at = %s WHERE id = %s "
                      "RETURNING game_id, state_id, connections")
_PRESENCE_MEMBER_SQL = "UPDATE negotiation_member SET last_seen_at = %s WHERE id = %s"
_PRESENCE_SQL_PG = ("WITH s AS (" + _PRESENCE_SEAT_SQL + "), m AS (" + _PRESENCE_MEMBER_SQL + " RETURNING 1) "  # noqa: S608 (constant text)
                    "SELECT game_id, state_id, connections, (SELECT COUNT(*) FROM m) FROM s")


def seat_presence(*, seat_id: int, member_id: int | None, delta: int) -> None:
    """Count a socket opening (+1) or closing (-1) for a seat, log it, and show it to the room.

    The counts are one write without the game's lock. Only a socket that changed the seat's online
    state (the first one in, the last one out), or an event of a seat whose last change the log
    coalesced (a marker in the cache), takes the game's lock to check the log and ring the room:
    another tab or team member of an online seat writes nothing else (docs/performance.md)."""
    now = timezone.now()
    at = connection.ops.adapt_datetimefield_value(now)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_PRESENCE_SQL_PG, [delta, delta, at, seat_id, at, member_id])
        else:
            cursor.execute(_PRESENCE_SEAT_SQL, [delta, delta, at, seat_id])
        row = cursor.fetchone()
        if row is not None and member_id is not None and connection.vendor != "postgresql":
            cursor.execute(_PRESENCE_MEMBER_SQL, [at, member_id])
    if row is None:
        return
    game_id, state_id, connections = row[0], row[1], row[2]
    # The room sees "online" per seat: ring only when this socket changed it (first one in, last
    # one out), not for every tab or team member.
    changed = (delta > 0 and connections == delta) or (delta < 0 and connections == 0)
    pending = not changed and bool(cache.get(_presence_pending_key(seat_id)))
    if not changed and not pending:
        return
    with transaction.atomic():
        game = Game.objects.select_for_update().defer("state").get(pk=game_id)  # the lock, without the engine state
        connections = Seat.objects.values_list("connections", flat=True).get(pk=seat_id)  # now, under the lock
        coalesced = _log_presence(game, seat_id, state_id, member_id, online=connections > 0, now=now)
        if changed:
            publish(PresenceChanged(game_id, seat_id))
    if pending and not coalesced:
        cache.delete(_presence_pending_key(seat_id))


PRESENCE_EVENTS = ("seat.connected", "seat.disconnected")
PRESENCE_COALESCE = timedelta(seconds=10)
PRESENCE_PENDING_SECONDS = 24 * 3600


def _presence_pending_key(seat_id: int) -> str:
    return f"tc:presence-pending:{seat_id}"


def _log_presence(game: Game, seat_id: int, state_id: str, member_id: int | None, *, online: bool,
                  now: datetime) -> bool:
    """Log a seat going online or offline: once per change of state (not per socket, tab or team
    member), and coalesced: a change less than PRESENCE_COALESCE after the last logged one is not
    logged on its own; the next socket event of the seat logs the state it has then, so a reconnect
    loop writes a bounded number of events and the log catches up with the seat's real state. A
    coalesced change leaves a marker in the cache, so that the seat's next socket event checks the
    log even when it changes nothing (another tab); a lost marker only delays that check until the
    seat next goes online or offline. Returns whether the change was coalesced (not logged yet)."""
    last = (GameEvent.objects.filter(game=game, kind__in=PRESENCE_EVENTS, data__state=state_id)
            .order_by("-seq").values_list("kind", "created_at").first())
    logged_online = last is not None and last[0] == "seat.connected"
    if online == logged_online:
        return False
    if last is not None and now - last[1] < PRESENCE_COALESCE:
        cache.set(_presence_pending_key(seat_id), 1, PRESENCE_PENDING_SECONDS)
        return True
    log(game, "seat.connected" if online else "seat.disconnected", f"player:{state_id}",
        {"state": state_id, "member": member_id}, audience=[game_engine.FACILITATOR])
    return False


@transaction.atomic
def seat_set_ready(*, game_id: int, seat_id: int, member_id: int, ready: bool) -> Seat:
    game = lock_game(game_id)
    if game.phase not in (Phase.NEGOTIATION, Phase.ORDERS, Phase.REPORT):
        raise PhaseClosed(gettext("There is nothing to be ready for right now."))
    seat = Seat.objects.get(pk=seat_id, game=game)
    if not Member.objects.filter(pk=member_id, seat=seat, is_captain=True, removed_at=None).exists():
        raise InvalidInput(gettext("Only your team's captain can say the team is ready."))
    if seat.is_ready != ready:
        seat.is_ready = ready
        seat.save(update_fields=["is_ready"])
        log(game, "seat.ready" if ready else "seat.unready", f"player:{seat.state_id}",
            {"turn": game.turn, "phase": game.phase, "member": member_id,
             "seconds_left": round((game.deadline_at - timezone.now()).total_seconds())
             if game.deadline_at else None})
        publish(ReadinessChanged(game.pk, seat.pk))
        if ready:
            advance_if_all_ready(game)
    return seat


def seat_is_played(seat: Seat) -> bool:
    return bool(seat.bot_policy) or Member.objects.filter(seat=seat, removed_at=None).exists()


@transaction.atomic
def seat_merge(*, game_id: int, member_id: int, state_id: str, actor: str) -> Member:
    """Let a student also play another (open or bot-played) state while its players are absent.
    Their browser switches between the two; the facilitator undoes it by removing the new member."""
    game = lock_game(game_id)
    person = Member.objects.select_related("seat").get(pk=member_id, seat__game=game, removed_at=None)
    seat = Seat.objects.filter(game=game, state_id=state_id).first()
    if seat is None or seat.pk == person.seat_id:
        raise InvalidInput(gettext("Choose another state of this game."))
    if _active(seat):
        raise SeatTaken(gettext("That state still has players; remove them first, or let a bot play it."))
    member = _new_member(seat, person.name, captain=True)
    member.linked_to = person.linked_to or person
    member.save(update_fields=["linked_to"])
    if seat.bot_policy:
        seat.bot_policy = ""
        seat.is_ready = False
        seat.save(update_fields=["bot_policy", "is_ready"])
    _seat_label(seat)
    log(game, "seat.merged", actor, {"member": person.pk, "name": person.name, "from": person.seat.state_id,
                                      "state": state_id, "new_member": member.pk},
        audience=[game_engine.FACILITATOR])
    publish(MemberMoved(game.pk, person.seat_id, seat.pk))
    return member
