"""Teachers' accounts: invitations from an administrator, and co-facilitators of a game.

A facilitator is an ordinary staff account (never a superuser by invitation). An administrator
invites a teacher by e-mail (a link) or hands out the invitation's short code; the teacher picks a
user name and password once; the invitation is then used up."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext

from negotiation import mail
from negotiation.errors import InvalidInput
from negotiation.models import CoFacilitator, Game, TeacherInvitation
from negotiation.services.common import cfg, lock_game, log

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))


@transaction.atomic
def invitation_create(*, by: User, email: str, base_url: str) -> TeacherInvitation:
    """A new invitation; with an e-mail address, the link is mailed (through the outbox)."""
    email = email.strip()
    if email and "@" not in email:
        raise InvalidInput(gettext("That is not an e-mail address."))
    invitation = TeacherInvitation.objects.create(
        email=email, code=_new_code(), token=secrets.token_urlsafe(32), created_by=by,
        expires_at=timezone.now() + timedelta(days=cfg("INVITATION_DAYS")))
    if email:
        link = base_url.rstrip("/") + reverse("invite-accept", kwargs={"token": invitation.token})
        mail.enqueue(key=f"invitation:{invitation.pk}", kind="invitation", to=email,
                     mail=mail.render("invitation", {"link": link, "code": invitation.code,
                                                     "inviter": by.get_full_name() or by.get_username(),
                                                     "days": cfg("INVITATION_DAYS")}, get_language()))
    return invitation


def invitation_usable(*, token: str = "", code: str = "") -> TeacherInvitation | None:
    """The unused, unexpired invitation with this link token or code, if any."""
    qs = TeacherInvitation.objects.filter(accepted_at=None, expires_at__gt=timezone.now())
    if token:
        return qs.filter(token=token).first()
    code = "".join(code.split()).upper()
    return qs.filter(code=code).first() if code else None


@transaction.atomic
def invitation_accept(*, invitation_id: int, username: str, email: str, password: str) -> User:
    """Open the teacher's account (the form validated name and password). Used once."""
    invitation = TeacherInvitation.objects.select_for_update().get(pk=invitation_id)
    if invitation.accepted_at is not None or invitation.expires_at <= timezone.now():
        raise InvalidInput(gettext("This invitation was already used or has expired; ask for a new one."))
    user_model = get_user_model()
    user = user_model.objects.create_user(username=username, email=email or invitation.email, password=password,
                                          is_staff=True, is_superuser=False)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return user


def _teacher(identifier: str) -> User:
    identifier = identifier.strip()
    user_model = get_user_model()
    found = list(user_model.objects.filter(is_active=True, is_staff=True, username__iexact=identifier)[:2]) or list(
        user_model.objects.filter(is_active=True, is_staff=True, email__iexact=identifier)[:2]) if identifier else []
    if len(found) != 1:
        raise InvalidInput(gettext("No teacher has that user name or e-mail address."))
    return found[0]


@transaction.atomic
def co_facilitator_add(*, game_id: int, by: User, identifier: str) -> CoFacilitator:
    """Only the game's own facilitator adds a co-facilitator (a teacher's account)."""
    game = lock_game(game_id)
    if game.facilitator_id != by.pk:
        raise InvalidInput(gettext("Only the teacher who created the game can add co-facilitators."))
    user = _teacher(identifier)
    if user.pk == game.facilitator_id:
        raise InvalidInput(gettext("You already run this game."))
    row, _ = CoFacilitator.objects.get_or_create(game=game, user=user, defaults={"added_by": by.get_username()})
    log(game, "facilitator.co_added", f"facilitator:{by.get_username()}", {"user": user.get_username()}, audience=[])
    return row


@transaction.atomic
def co_facilitator_remove(*, game_id: int, by: User, user_id: int) -> None:
    game: Game = lock_game(game_id)
    if game.facilitator_id != by.pk and by.pk != user_id:
        raise InvalidInput(gettext("Only the teacher who created the game can remove co-facilitators."))
    removed, _ = CoFacilitator.objects.filter(game=game, user_id=user_id).delete()
    if removed:
        log(game, "facilitator.co_removed", f"facilitator:{by.get_username()}", {"user_id": user_id}, audience=[])
