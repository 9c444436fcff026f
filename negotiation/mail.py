"""The e-mail outbox.

Services queue a mail (`enqueue`) in the same transaction as the change that causes it, so a mail
exists exactly when its cause was committed; the clock process sends what is due (`process`).
Queuing is idempotent (each mail has a unique key: a turn opening, a reminder, a digest is queued
once however often it is asked for); sending takes a short lease on the row, so two clocks never send
the same mail, and a sender that died mid-send leaves the lease to run out and the mail to be sent by
the next. A failed SMTP conversation is retried with backoff; an address that already received its
hourly allowance gets the rest later (nothing is dropped).
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from negotiation.models import OutboundEmail

logger = logging.getLogger("treatycraft.mail")

MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=2)
OPT_OUT_SALT = "treatycraft.mail.opt-out"


def _cfg(name: str, default: int) -> int:
    return int(settings.TREATYCRAFT.get(name, default))


def site_url(path: str) -> str:
    """An absolute link for a mail sent without a request (the clock): TREATYCRAFT_SITE_URL + path."""
    return str(settings.TREATYCRAFT_SITE_URL).rstrip("/") + path


def opt_out_token(member_id: int, kind: str) -> str:
    return signing.dumps({"m": member_id, "k": kind}, salt=OPT_OUT_SALT, compress=True)


def read_opt_out_token(token: str) -> tuple[int, str] | None:
    try:
        data = signing.loads(token, salt=OPT_OUT_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("m"), int) or not isinstance(data.get("k"), str):
        return None
    return data["m"], data["k"]


def opt_out_url(member_id: int, kind: str) -> str:
    return site_url(reverse("negotiation:mail-off", kwargs={"token": opt_out_token(member_id, kind)}))


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    body: str


def render(template: str, context: dict[str, Any], language: str | None = None) -> Rendered:
    """Subject and plain-text body from templates/mail/<template>.txt: its first line is the subject."""
    with translation.override(language or settings.LANGUAGE_CODE):
        text = render_to_string(f"mail/{template}.txt", context)
    subject, _, body = text.strip().partition("\n")
    return Rendered(subject=" ".join(subject.split())[:200], body=body.strip() + "\n")


def enqueue(*, key: str, kind: str, to: str, mail: Rendered, headers: dict[str, str] | None = None,
            send_after: datetime | None = None) -> OutboundEmail | None:
    """Queue a mail once per key; returns None if that key was queued before."""
    if not to:
        return None
    if OutboundEmail.objects.filter(key=key).exists():
        return None
    try:
        with transaction.atomic():
            return OutboundEmail.objects.create(
                key=key[:200], kind=kind, to=to, subject=mail.subject, body=mail.body, headers=headers or {},
                send_after=send_after or timezone.now())
    except IntegrityError:
        return None


def _claim(now: datetime, limit: int) -> list[OutboundEmail]:
    """Take a lease on up to `limit` due mails, postponing those over their address's hourly limit."""
    per_hour = _cfg("EMAIL_PER_ADDRESS_PER_HOUR", 10)
    claimed: list[OutboundEmail] = []
    with transaction.atomic():
        due = list(OutboundEmail.objects.select_for_update()
                   .filter(sent_at=None, failed_at=None, send_after__lte=now)
                   .filter(Q(claimed_until=None) | Q(claimed_until__lt=now)).order_by("send_after", "pk")[:limit])
        sent_recently: dict[str, list[datetime]] = {}
        for mail in due:
            if mail.to not in sent_recently:
                sent_recently[mail.to] = sorted(at for at in OutboundEmail.objects.filter(
                    to=mail.to, sent_at__gt=now - timedelta(hours=1)).values_list("sent_at", flat=True) if at)
            recent = sent_recently[mail.to]
            if len(recent) >= per_hour:
                # The earliest moment a slot frees up (the oldest of the last hour's mails turns an hour old).
                mail.send_after = recent[-per_hour] + timedelta(hours=1)
                mail.save(update_fields=["send_after"])
                continue
            recent.append(now)
            mail.claimed_until = now + LEASE
            mail.save(update_fields=["claimed_until"])
            claimed.append(mail)
    return claimed


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(3600, 30 * 2 ** max(0, attempts - 1)))


def process(now: datetime | None = None, limit: int = 50) -> int:
    """Send the mails that are due. Returns how many went out. Called by the clock every tick."""
    now = now or timezone.now()
    batch = _claim(now, limit)
    if not batch:
        return 0
    sent = 0
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except (smtplib.SMTPException, OSError) as exc:
        for mail in batch:
            _failed(mail, now, exc)
        return 0
    try:
        for mail in batch:
            message = EmailMessage(subject=mail.subject, body=mail.body, from_email=settings.DEFAULT_FROM_EMAIL,
                                   to=[mail.to], headers=mail.headers | {"X-Treatycraft-Mail": str(mail.pk)},
                                   connection=connection)
            try:
                message.send()
            except (smtplib.SMTPException, OSError) as exc:
                _failed(mail, now, exc)
                continue
            OutboundEmail.objects.filter(pk=mail.pk).update(sent_at=timezone.now(), claimed_until=None,
                                                           attempts=mail.attempts + 1, last_error="")
            sent += 1
    finally:
        try:
            connection.close()
        except (smtplib.SMTPException, OSError):
            logger.warning("mail: closing the SMTP connection failed", exc_info=True)
    return sent


def _failed(mail: OutboundEmail, now: datetime, exc: BaseException) -> None:
    attempts = mail.attempts + 1
    update: dict[str, Any] = {"attempts": attempts, "claimed_until": None, "last_error": str(exc)[:300],
                              "send_after": now + _backoff(attempts)}
    if attempts >= MAX_ATTEMPTS:
        update["failed_at"] = now
        logger.error("mail %s to %s failed %s times; giving up: %s", mail.pk, mail.to, attempts, exc)
    else:
        logger.warning("mail %s to %s failed (attempt %s), retrying: %s", mail.pk, mail.to, attempts, exc)
    OutboundEmail.objects.filter(pk=mail.pk).update(**update)
