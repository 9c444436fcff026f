"""Who is asking: the viewer a request or socket acts as, from the session or the account,
and the games a browser or a teacher has."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext

from negotiation.models import CoFacilitator, Game, Member
from negotiation.scenarios import state_infos
from negotiation.seat_session import SESSION_SEATS
from negotiation.selectors.common import members_of, sharing
from negotiation.viewer import Role, Viewer

# --- Who is asking -------------------------------------------------------------------------------


def session_member_id(session: Any, game_id: int) -> int | None:
    """The member id this browser's session claims in the game (not checked: see member_for_session)."""
    held = (session.get(SESSION_SEATS) or {}).get(str(game_id))
    return held["member"] if isinstance(held, dict) and isinstance(held.get("member"), int) else None


def member_for_session(session: Any, game: Game) -> Member | None:
    """The member this browser is in the game, if any (the session keeps member id and token;
    a removed member's token no longer works)."""
    held = (session.get(SESSION_SEATS) or {}).get(str(game.pk))
    if not isinstance(held, dict) or not isinstance(held.get("member"), int):
        return None
    if sharing(game):  # a page: the render reads every member of the game anyway, once
        token = str(held.get("token"))
        return next((m for m in members_of(game) if m.pk == held["member"] and m.removed_at is None
                     and secrets.compare_digest(m.token.encode(), token.encode())), None)
    return (Member.objects.select_related("seat")
            .filter(pk=held["member"], seat__game_id=game.pk, token=str(held.get("token")), removed_at=None).first())


def remembered_viewer(session: Any, game_id: int) -> tuple[Viewer, str] | None:
    """The player this browser plays as in the game, as the session remembered it when it was
    seated (seat_session.remember_member), with the member's token; not read from the database,
    so whoever acts on it must check it there (services.message_post's ``remembered_token``)."""
    held = (session.get(SESSION_SEATS) or {}).get(str(game_id))
    if not isinstance(held, dict) or not isinstance(held.get("member"), int):
        return None
    seen = held.get("viewer")
    if not isinstance(seen, dict) or not isinstance(seen.get("seat"), int):
        return None
    viewer = Viewer(role=Role.PLAYER, game_id=game_id, seat_id=seen["seat"], state_id=str(seen.get("state")),
                    label=str(seen.get("name")), member_id=held["member"], is_captain=seen.get("captain") is True)
    return viewer, str(held.get("token"))


def can_facilitate(user: User | AnonymousUser) -> bool:
    """Whether an account has the facilitator role: a staff account (teachers are staff accounts
    an administrator invited; a superuser is one too, for its own games)."""
    return bool(user.is_authenticated and user.is_active and (user.is_staff or user.is_superuser))


def is_facilitator(user: User | AnonymousUser, game: Game) -> bool:
    """The game's own facilitator or a co-facilitator they added. Nobody else, superusers included:
    a superuser's powers over other teachers' games stay in the admin."""
    if not user.is_authenticated or not user.is_active:
        return False
    return game.facilitator_id == user.pk or CoFacilitator.objects.filter(game=game, user_id=user.pk).exists()


def viewer_for(*, user: User | AnonymousUser, session: Any, game: Game, observer_key: str = "") -> Viewer | None:
    """The viewer a request or socket acts as: the game's facilitator, its seated player, or nobody."""
    if is_facilitator(user, game):
        return Viewer(role=Role.FACILITATOR, game_id=game.pk, label=f"Facilitator ({user.get_username()})",
                      user_id=user.pk)
    member = member_for_session(session, game)
    if member is not None:
        return Viewer(role=Role.PLAYER, game_id=game.pk, seat_id=member.seat_id, state_id=member.seat.state_id,
                      label=member.name, member_id=member.pk, is_captain=member.is_captain)
    if observer_key and secrets.compare_digest(observer_key, game.observer_key):
        return Viewer(role=Role.OBSERVER, game_id=game.pk, label=gettext("Observer"))
    return None


def viewer_for_request(request: HttpRequest, game: Game) -> Viewer | None:
    return viewer_for(user=request.user, session=request.session, game=game,
                      observer_key=str(request.GET.get("key", "")))



def games_for_facilitator(user: User) -> list[Game]:
    """The teacher's own games and those they co-facilitate."""
    qs = Game.objects.filter(Q(facilitator=user) | Q(co_facilitators__user=user)).distinct()
    return list(qs.select_related("facilitator").order_by("-created_at")[:100])


def co_facilitators(game: Game) -> list[CoFacilitator]:
    return list(CoFacilitator.objects.filter(game=game).select_related("user"))



def games_for_session(session: Any) -> list[tuple[Game, str]]:
    """The games this browser has a seat in, newest first, with the state it plays."""
    held = session.get(SESSION_SEATS) or {}
    ids = [int(k) for k in held if str(k).isdigit()]
    result = []
    for game in Game.objects.filter(pk__in=ids).order_by("-created_at")[:20]:
        member = member_for_session(session, game)
        if member is not None:
            info = state_infos(game.scenario_slug).get(member.seat.state_id)
            result.append((game, info.name if info else member.seat.state_id))
    return result


def linked_members(member: Member) -> list[Member]:
    """Every active membership of the same person in the game (merged seats), including this one."""
    root = member.linked_to or member
    people = [root, *root.links.all()]
    return [m for m in people if m.removed_at is None and m.seat.game_id == member.seat.game_id]
