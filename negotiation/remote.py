"""Games played over days: phase lengths in minutes, hours or days; the viewer's time zone; an
.ics calendar of a game's deadlines."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from negotiation.errors import InvalidInput
from negotiation.models import Game, Phase
from negotiation.scenarios import info as scenario_info

UNITS = {"minutes": 60, "hours": 3600, "days": 86400}
REMINDER_CHOICES = (1, 2, 6, 12, 24, 48)
TZ_COOKIE = "treatycraft_tz"
CALENDAR_SALT = "treatycraft.calendar"
PHASE_ORDER = (Phase.NEGOTIATION, Phase.ORDERS, Phase.REPORT)


def phase_length(amount: str, unit: str) -> int | None:
    """Seconds of a phase from the form's number and unit; empty means 'I advance it by hand'."""
    amount = amount.strip().replace(",", ".")
    if not amount:
        return None
    if unit not in UNITS:
        raise InvalidInput(gettext("Choose minutes, hours or days."))
    try:
        value = float(amount)
    except ValueError as exc:
        raise InvalidInput(gettext("A phase length is a number.")) from exc
    seconds = round(value * UNITS[unit])
    if not 60 <= seconds <= 7 * 86400:
        raise InvalidInput(gettext("A phase lasts between 1 minute and 7 days."))
    return seconds


def reminder_hours(value: str) -> int | None:
    try:
        hours = int(value)
    except ValueError:
        return None
    return hours if hours in REMINDER_CHOICES else None


class TimeZoneMiddleware:
    """Dates render in the viewer's time zone: the browser reports it in a cookie (static/js/remote.js)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name = request.COOKIES.get(TZ_COOKIE, "")
        zone = None
        if name and len(name) < 64:
            try:
                zone = zoneinfo.ZoneInfo(name)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                zone = None
        if zone is not None:
            timezone.activate(zone)
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


def calendar_key(game: Game) -> str:
    return signing.Signer(salt=CALENDAR_SALT).sign(str(game.pk)).split(":", 1)[1]


def calendar_key_ok(game: Game, key: str) -> bool:
    try:
        signing.Signer(salt=CALENDAR_SALT).unsign(f"{game.pk}:{key}")
    except signing.BadSignature:
        return False
    return True


def calendar_url(game: Game) -> str:
    return reverse("negotiation:calendar", kwargs={"code": game.code}) + f"?key={calendar_key(game)}"


def _phase_seconds(game: Game, phase: str) -> int | None:
    return {Phase.NEGOTIATION: game.negotiation_seconds, Phase.ORDERS: game.orders_seconds,
            Phase.REPORT: game.report_seconds}.get(Phase(phase))


def deadlines(game: Game) -> list[tuple[int, str, datetime, bool]]:
    """(turn, phase, when, expected) for the open phase's deadline and, projected from the phase
    lengths, every later one to the scenario's last turn (expected=True: it moves if a phase ends early
    or is extended)."""
    if game.phase not in PHASE_ORDER or game.deadline_at is None or game.paused_at is not None:
        return []
    result = [(game.turn, str(game.phase), game.deadline_at, False)]
    last_turn = scenario_info(game.scenario_slug).turns
    turn, index, when = game.turn, PHASE_ORDER.index(Phase(game.phase)), game.deadline_at
    while len(result) < 200:
        index += 1
        if index == len(PHASE_ORDER):
            index, turn = 0, turn + 1
            if turn > last_turn:
                break
        seconds = _phase_seconds(game, PHASE_ORDER[index])
        if not seconds:
            break  # the facilitator advances that phase by hand: later deadlines are unknown
        when = when + timedelta(seconds=seconds)
        result.append((turn, str(PHASE_ORDER[index]), when, True))
    return result


def _ics_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    out, data = [], line.encode()
    while len(data) > 73:
        cut = 73
        while (data[cut] & 0xC0) == 0x80:  # never split a UTF-8 character
            cut -= 1
        out.append(data[:cut].decode())
        data = data[cut:]
    out.append(data.decode())
    return "\r\n ".join(out)


def ics(game: Game, room_url: str) -> str:
    """An iCalendar (RFC 5545) file of the game's deadlines, in UTC."""
    labels = {Phase.NEGOTIATION: gettext("Negotiation closes"), Phase.ORDERS: gettext("Orders are due"),
              Phase.REPORT: gettext("Turn report ends")}
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Treatycraft//Game deadlines//EN", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", f"X-WR-CALNAME:{_ics_text(game.title)}"]
    for turn, phase, when, expected in deadlines(game):
        start = when.astimezone(UTC)
        summary = gettext("%(what)s · turn %(turn)s · %(title)s") % {
            "what": labels[Phase(phase)], "turn": turn, "title": game.title}
        note = gettext("Expected: it moves if a phase ends early or is extended.") if expected else ""
        lines += ["BEGIN:VEVENT", f"UID:{game.code}-{turn}-{phase}@treatycraft", f"DTSTAMP:{stamp}",
                  f"DTSTART:{start.strftime('%Y%m%dT%H%M%SZ')}",
                  f"DTEND:{(start + timedelta(minutes=15)).strftime('%Y%m%dT%H%M%SZ')}",
                  f"SUMMARY:{_ics_text(summary)}", f"DESCRIPTION:{_ics_text(note)}", f"URL:{room_url}",
                  "BEGIN:VALARM", "ACTION:DISPLAY", "TRIGGER:-PT1H", f"DESCRIPTION:{_ics_text(summary)}", "END:VALARM",
                  "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
