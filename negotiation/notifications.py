"""Player notifications by e-mail, for games played over days.

A player who gave an address when joining (MemberContact) hears that a turn opened, that a deadline
is N hours away (N set per game), that a proposal awaits their state's signature, and gets a digest of
unread messages while away. Each kind can be switched off from a link in the mail.

Everything is derived from the database by the clock (`schedule_due`), not hooked into the services:
a mail is queued when its condition holds, under a key that names the occasion, so it is queued once
however many clocks look and whatever restarts happen in between (mail.enqueue is idempotent). Each
mail is built only from what the recipient's own seat sees: public game facts, their own channels'
unread counts (selectors.channel_rows with their viewer) and proposals their state is party to.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from negotiation import mail, selectors
from negotiation.models import (
    OPEN_PHASES,
    Member,
    MemberContact,
    Message,
    OutboundEmail,
    Phase,
    Proposal,
    Signature,
)
from negotiation.viewer import Role, Viewer

KINDS = ("turn", "deadline", "signature", "digest")
# A player counts as away when no page of theirs was open for this long; a digest goes out at most
# this often.
AWAY = timedelta(hours=2)
DIGEST_EVERY = timedelta(hours=12)


def kind_label(kind: str) -> str:
    return {
        "turn": gettext("a turn opened"),
        "deadline": gettext("a deadline is near"),
        "signature": gettext("a proposal awaits your signature"),
        "digest": gettext("digest of unread messages"),
    }.get(kind, kind)


def seat_url(member: Member) -> str:
    return mail.site_url(reverse("negotiation:seat-link", kwargs={"token": member.token}))


def _viewer(member: Member) -> Viewer:
    return Viewer(role=Role.PLAYER, game_id=member.seat.game_id, seat_id=member.seat_id,
                  state_id=member.seat.state_id, label=member.name, member_id=member.pk,
                  is_captain=member.is_captain)


def _queue(contact: MemberContact, kind: str, key: str, template: str, context: dict[str, Any]) -> None:
    if kind in (contact.muted or []):
        return
    member = contact.member
    game = member.seat.game
    off = mail.opt_out_url(member.pk, kind)
    context = context | {
        "game": game, "member": member, "seat_url": seat_url(member), "off_url": off, "kind_label": kind_label(kind),
        "state_name": selectors.state_names(game).get(member.seat.state_id, member.seat.state_id),
    }
    mail.enqueue(key=key, kind=kind, to=contact.email, mail=mail.render(template, context, contact.language),
                 headers={"List-Unsubscribe": f"<{off}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"})


def contact_set(member: Member, email: str) -> MemberContact | None:
    """Record a joining player's address and mail them the link back to their seat."""
    email = email.strip()
    if not email:
        return None
    with transaction.atomic():
        contact, _ = MemberContact.objects.update_or_create(
            member=member, defaults={"email": email, "language": translation.get_language() or "en"})
        sign_in_mail(contact)
    return contact


def sign_in_mail(contact: MemberContact, occasion: str = "join") -> None:
    """The link that brings a player back to their seat from any device."""
    member = contact.member
    game = member.seat.game
    stamp = timezone.now().strftime("%Y%m%d%H%M") if occasion != "join" else "join"
    mail.enqueue(key=f"signin:{member.pk}:{stamp}", kind="signin", to=contact.email,
                 mail=mail.render("sign_in", {
                     "game": game, "member": member, "seat_url": seat_url(member),
                     "state_name": selectors.state_names(game).get(member.seat.state_id, member.seat.state_id)},
                     contact.language))


def my_seats_mail(email: str) -> int:
    """Mail every seat link of this address (the 'my games' page asks for it). Returns how many."""
    contacts = list(_contacts().filter(email__iexact=email.strip(), member__seat__game__finished_at=None))
    for contact in contacts:
        sign_in_mail(contact, occasion="asked")
    return len(contacts)


def _contacts() -> QuerySet[MemberContact]:
    return MemberContact.objects.select_related("member__seat__game").filter(member__removed_at=None)


def schedule_due(now: datetime | None = None) -> int:
    """Queue every notification whose moment has come. Idempotent; the clock calls it each tick."""
    now = now or timezone.now()
    before = OutboundEmail.objects.count()
    contacts = list(_contacts().filter(member__seat__game__phase__in=OPEN_PHASES))
    for contact in contacts:
        game = contact.member.seat.game
        if game.paused_at is not None:
            continue
        with translation.override(contact.language):  # names and labels in the mail, in the player's language
            _turn_opened(contact, now)
            _deadline_near(contact, now)
            _signatures(contact)
            _digest(contact, now)
    return OutboundEmail.objects.count() - before


def _turn_opened(contact: MemberContact, now: datetime) -> None:
    game = contact.member.seat.game
    if game.phase != Phase.NEGOTIATION:
        return
    _queue(contact, "turn", f"turn:{contact.member_id}:{game.pk}:{game.turn}", "turn_opened",
           {"deadline": game.deadline_at, "turn": game.turn})


def _deadline_near(contact: MemberContact, now: datetime) -> None:
    game = contact.member.seat.game
    hours = game.reminder_hours
    if not hours or game.deadline_at is None or not now < game.deadline_at <= now + timedelta(hours=hours):
        return
    if game.phase == Phase.REPORT or contact.member.seat.is_ready:
        return
    _queue(contact, "deadline", f"deadline:{contact.member_id}:{game.pk}:{game.turn}:{game.phase}", "deadline",
           {"deadline": game.deadline_at, "hours": hours, "phase": game.get_phase_display(), "turn": game.turn})


def _signatures(contact: MemberContact) -> None:
    member = contact.member
    state = member.seat.state_id
    if not member.is_captain:
        return
    for proposal in Proposal.objects.filter(game_id=member.seat.game_id, status=Proposal.Status.OPEN):
        if state not in (proposal.parties or []) or state == proposal.author:
            continue
        if Signature.objects.filter(proposal=proposal, version=proposal.version, state_id=state).exists():
            continue
        _queue(contact, "signature", f"sign:{member.pk}:{proposal.pk}:{proposal.version}", "signature",
               {"proposal": proposal})


def _digest(contact: MemberContact, now: datetime) -> None:
    member = contact.member
    away_since = max(filter(None, (member.last_seen_at, contact.created_at)))
    if member.seat.connections > 0 or away_since > now - AWAY:
        return
    game = member.seat.game
    # The reader's own channels and unread counts, as their room shows them.
    rows = [r for r in selectors.channel_rows(game, _viewer(member)) if r.unread]
    if not rows:
        return
    newest = Message.objects.filter(game=game, channel__in=[r.key for r in rows]).aggregate(n=Max("seq"))["n"] or 0
    if newest <= contact.digest_seq:
        return  # nothing new since the last digest
    key = f"digest:{member.pk}:{int(now.timestamp() // DIGEST_EVERY.total_seconds())}"
    if OutboundEmail.objects.filter(key=key).exists():
        return  # one digest per period; what is new since waits for the next
    with transaction.atomic():
        if MemberContact.objects.filter(pk=contact.pk, digest_seq__lt=newest).update(digest_seq=newest):
            _queue(contact, "digest", key, "digest", {"rows": rows, "total": sum(r.unread for r in rows)})


def mute(member_id: int, kind: str, muted: bool = True) -> bool:
    """Switch one kind of notification off (or back on) for a player. False if unknown."""
    if kind not in KINDS:
        return False
    with transaction.atomic():
        contact = MemberContact.objects.select_for_update().filter(member_id=member_id).first()
        if contact is None:
            return False
        kinds = [k for k in (contact.muted or []) if k != kind] + ([kind] if muted else [])
        contact.muted = sorted(kinds)
        contact.save(update_fields=["muted"])
    return True
