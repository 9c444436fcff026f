"""Games over days: phase lengths in hours and days, deadlines in the viewer's time zone, and an
.ics calendar of the deadlines."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client

from negotiation import remote, services
from negotiation.models import Game
from tests.helpers import seat_client

pytestmark = pytest.mark.django_db


def test_a_teacher_sets_phase_lengths_in_hours_and_days_and_a_reminder(fac_client):
    response = fac_client.post("/facilitate/new/", {
        "scenario": "meridian-sea", "title": "Week", "timing": "custom",
        "negotiation_amount": "2", "negotiation_unit": "days", "orders_amount": "12", "orders_unit": "hours",
        "report_amount": "", "report_unit": "minutes", "reminder_hours": "6"})
    assert response.status_code == 302
    game = Game.objects.get(title="Week")
    assert (game.negotiation_seconds, game.orders_seconds, game.report_seconds) == (172800, 43200, None)
    assert game.reminder_hours == 6
    for bad in ({"negotiation_amount": "8", "negotiation_unit": "days"},
                {"negotiation_amount": "ten", "negotiation_unit": "hours"},
                {"negotiation_amount": "1", "negotiation_unit": "fortnights"}):
        response = fac_client.post("/facilitate/new/", {"scenario": "meridian-sea", "title": "Bad", "timing": "custom",
                                                        **bad})
        assert response.status_code == 422
    assert not Game.objects.filter(title="Bad").exists()


def _remote_game(facilitator) -> Game:
    game = services.game_create(facilitator=facilitator, scenario_slug="meridian-sea", title="Remote, week 1",
                                mode="expected", negotiation_seconds=86400, orders_seconds=43200, report_seconds=7200)
    services.game_start(game_id=game.pk, actor="test")
    game.refresh_from_db()
    return game


def test_the_deadline_shows_in_the_viewers_time_zone(facilitator):
    with time_machine.travel(datetime(2026, 3, 2, 8, 0, tzinfo=UTC), tick=False):
        game = _remote_game(facilitator)
        client, _ = seat_client(game, "aurel", "Ana")
        page = client.get(f"/play/{game.code}/").content.decode()
        assert "Tue 3 Mar, 08:00 UTC" in page
        client.cookies["treatycraft_tz"] = "Asia/Tokyo"
        assert "Tue 3 Mar, 17:00 JST" in client.get(f"/play/{game.code}/").content.decode()
        client.cookies["treatycraft_tz"] = "Not/AZone"
        assert "Tue 3 Mar, 08:00 UTC" in client.get(f"/play/{game.code}/").content.decode()


def test_the_calendar_lists_this_and_the_expected_deadlines(facilitator):
    with time_machine.travel(datetime(2026, 3, 2, 8, 0, tzinfo=UTC), tick=False):
        game = _remote_game(facilitator)
        client, _ = seat_client(game, "aurel", "Ana")
        response = client.get(f"/play/{game.code}/calendar.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    text = response.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    starts = [line.removeprefix("DTSTART:") for line in text.split("\r\n") if line.startswith("DTSTART:")]
    # Talks close after a day, orders 12 h later, the report 2 h after that, then turn 2's talks...
    assert starts[:4] == ["20260303T080000Z", "20260303T200000Z", "20260303T220000Z", "20260304T220000Z"]
    turns = remote.scenario_info(game.scenario_slug).turns
    assert len(starts) == 3 * turns
    assert f"UID:{game.code}-1-negotiation@treatycraft" in text
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    # A calendar app subscribes with the signed link from the room, without a session.
    assert Client().get(remote.calendar_url(game)).status_code == 200
    assert Client().get(f"/play/{game.code}/calendar.ics?key=forged").status_code == 404


def test_a_paused_or_hand_advanced_game_lists_no_invented_deadline(facilitator, game):
    services.game_start(game_id=game.pk, actor="test")
    game.refresh_from_db()
    assert remote.deadlines(game) == []
    remote_game = _remote_game(facilitator)
    services.game_pause(game_id=remote_game.pk, actor="test")
    remote_game.refresh_from_db()
    assert remote.deadlines(remote_game) == []
