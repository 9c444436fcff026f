"""E-mail to players over days, through a real SMTP server (aiosmtpd) started by the test: the
outbox sends once, retries on failure, rate-limits per address and survives a restart; a game
played over simulated days sends exactly the expected mails; opt-out works from the mail; no mail
carries another state's private content."""

from __future__ import annotations

import collections
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.test import Client

from negotiation import clock, mail, notifications, services
from negotiation.models import Game, Member, MemberContact, OutboundEmail
from negotiation.viewer import Role, Viewer
from tests.smtp import Inbox, smtp  # noqa: F401 (fixture)

ROOT = Path(__file__).resolve().parents[2]
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def _viewer(member: Member) -> Viewer:
    return Viewer(role=Role.PLAYER, game_id=member.seat.game_id, seat_id=member.seat_id,
                  state_id=member.seat.state_id, label=member.name, member_id=member.pk, is_captain=member.is_captain)


def _join(game: Game, state_id: str, name: str, email: str) -> Member:
    member = services.seat_claim(game_id=game.pk, state_id=state_id, display_name=name)
    notifications.contact_set(member, email)
    return member


def _kinds(inbox: Inbox) -> collections.Counter[tuple[str, str]]:
    return collections.Counter((str(m["To"]), OutboundEmail.objects.get(pk=int(m["X-Treatycraft-Mail"])).kind)
                               for m in inbox.messages)


@pytest.mark.django_db
def test_the_outbox_sends_once_and_retries_after_an_smtp_failure(smtp):
    rendered = mail.Rendered(subject="Hello", body="Body\n")
    assert mail.enqueue(key="k1", kind="test", to="p@home.test", mail=rendered) is not None
    assert mail.enqueue(key="k1", kind="test", to="p@home.test", mail=rendered) is None  # queued once
    smtp.refuse = True
    now = datetime.now(UTC)
    assert mail.process(now) == 0
    row = OutboundEmail.objects.get(key="k1")
    assert row.attempts == 1 and row.sent_at is None and "451" in row.last_error
    smtp.refuse = False
    assert mail.process(now + timedelta(seconds=5)) == 0  # waits for its backoff
    assert mail.process(now + timedelta(minutes=2)) == 1
    assert mail.process(now + timedelta(hours=3)) == 0
    assert len(smtp.messages) == 1 and smtp.messages[0]["Subject"] == "Hello"


@pytest.mark.django_db
def test_an_address_gets_at_most_its_hourly_allowance_and_the_rest_later(smtp, settings):
    settings.TREATYCRAFT = settings.TREATYCRAFT | {"EMAIL_PER_ADDRESS_PER_HOUR": 3}
    for n in range(5):
        mail.enqueue(key=f"k{n}", kind="test", to="busy@home.test", mail=mail.Rendered(f"n{n}", "b\n"))
    mail.enqueue(key="other", kind="test", to="calm@home.test", mail=mail.Rendered("o", "b\n"))
    now = datetime.now(UTC)
    assert mail.process(now) == 4
    assert len(smtp.to("busy@home.test")) == 3 and len(smtp.to("calm@home.test")) == 1
    assert mail.process(now + timedelta(minutes=30)) == 0
    assert mail.process(now + timedelta(hours=1, seconds=5)) == 2
    assert sorted(m["Subject"] for m in smtp.to("busy@home.test")) == ["n0", "n1", "n2", "n3", "n4"]


@pytest.mark.django_db(transaction=True)
def test_a_restart_between_queuing_and_sending_loses_and_duplicates_nothing(smtp, game):
    """Mail queued by this process is sent by a fresh clock process; a second run sends nothing again."""
    services.game_start(game_id=game.pk, actor="test")
    _join(game, "aurel", "Ana", "ana@home.test")
    _join(game, "borun", "Bo", "bo@home.test")
    assert smtp.messages == []
    env = os.environ | {
        "SQLITE_PATH": str(django_settings.DATABASES["default"]["NAME"]), "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(django_settings.EMAIL_PORT), "EMAIL_USE_TLS": "0", "EMAIL_USE_SSL": "0",
        "TREATYCRAFT_SITE_URL": "http://testserver", "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    if django_settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        env.pop("DATABASE_URL", None)
    for _ in range(2):
        done = subprocess.run([sys.executable, "manage.py", "clock", "--once"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    assert _kinds(smtp) == {("ana@home.test", "signin"): 1, ("bo@home.test", "signin"): 1,
                            ("ana@home.test", "turn"): 1, ("bo@home.test", "turn"): 1}
    assert OutboundEmail.objects.filter(sent_at=None).count() == 0


def _run(days: float, step: timedelta, traveller) -> None:
    """Move the clock forward in steps, running the clock process's work at each."""
    end = datetime.now(UTC) + timedelta(days=days)
    while datetime.now(UTC) < end:
        traveller.shift(step)
        clock.tick()
        clock.mail_tick(force=True)


@pytest.mark.django_db
def test_a_game_over_simulated_days_sends_exactly_the_expected_mails(smtp, facilitator):
    with time_machine.travel(START, tick=False) as traveller:
        game = services.game_create(facilitator=facilitator, scenario_slug="meridian-sea", title="Remote week",
                                    mode="expected", negotiation_seconds=86400, orders_seconds=43200,
                                    report_seconds=7200)
        Game.objects.filter(pk=game.pk).update(reminder_hours=6)
        ana = _join(game, "aurel", "Ana", "ana@home.test")
        bo = _join(game, "borun", "Bo", "bo@home.test")
        # Hawk bots fill the other seats: they table and offer nothing (negotiating bots would
        # add their own proposals and messages to the mail counted here).
        for state in ("calla", "dresk"):
            services.seat_set_bot(game_id=game.pk, state_id=state, policy="hawk", actor="test")
        services.game_start(game_id=game.pk, actor="test")
        clock.mail_tick(force=True)
        # Day 1, morning: Ana writes in the plenary and tables a treaty for Bo to sign; Bo is away.
        traveller.shift(timedelta(hours=1))
        services.message_post(game_id=game.pk, viewer=_viewer(ana), body="Shall we cap missiles?")
        services.proposal_create(game_id=game.pk, viewer=_viewer(ana), kind="treaty", title="Missile cap",
                                 parties=["borun"], template="OFFENSE_CAP", clauses={"caps": {"MRBM": 20}}, text="")
        _run(days=1.6, step=timedelta(minutes=30), traveller=traveller)
        game.refresh_from_db()
        assert (game.turn, game.phase) == (2, "negotiation")  # 24 h + 12 h + 2 h = 38 h: turn 2 is open
    expected = {
        ("ana@home.test", "signin"): 1, ("bo@home.test", "signin"): 1,
        ("ana@home.test", "turn"): 2, ("bo@home.test", "turn"): 2,  # turns 1 and 2 opened
        ("ana@home.test", "deadline"): 2, ("bo@home.test", "deadline"): 2,  # talks and orders of turn 1
        ("bo@home.test", "signature"): 1,  # the treaty Ana tabled
        ("bo@home.test", "digest"): 1,  # Ana's plenary message, while Bo was away
    }
    assert _kinds(smtp) == expected
    # Every notification carries a one-click opt-out; Bo switches reminders off from the mail.
    [reminder] = [m for m in smtp.to("bo@home.test") if "left" in str(m["Subject"])][:1]
    off = re.search(r"http://testserver(/mail/off/\S+)", Inbox.body(reminder))
    assert off is not None and off.group(1) in str(reminder["List-Unsubscribe"])
    page = Client().get(off.group(1))
    assert page.status_code == 200 and "mail-off-confirm" in page.content.decode()
    assert MemberContact.objects.get(member=bo).muted == []  # a link preview or scanner changes nothing
    page = Client().post(off.group(1))  # the page's one button, or the mail client's RFC 8058 POST
    assert page.status_code == 200
    assert MemberContact.objects.get(member=bo).muted == ["deadline"]
    smtp.clear()
    with time_machine.travel(START + timedelta(hours=40), tick=False) as traveller:
        _run(days=1.4, step=timedelta(hours=1), traveller=traveller)  # to turn 2's orders deadline
    assert _kinds(smtp) == {("ana@home.test", "deadline"): 2}


@pytest.mark.django_db
def test_no_mail_carries_another_states_private_content(smtp, facilitator):
    """Unique markers in every private place of Borun and Calla; Ana's mail must contain none, and
    each kind of mail is among those checked."""
    with time_machine.travel(START, tick=False) as traveller:
        game = services.game_create(facilitator=facilitator, scenario_slug="meridian-sea", title="Markers",
                                    mode="expected", negotiation_seconds=86400, orders_seconds=43200,
                                    report_seconds=7200)
        Game.objects.filter(pk=game.pk).update(reminder_hours=6)
        ana = _join(game, "aurel", "Ana", "ana@home.test")
        bo = _join(game, "borun", "Bo", "bo@home.test")
        cy = _join(game, "calla", "Cy", "cy@home.test")
        services.game_start(game_id=game.pk, actor="test")
        traveller.shift(timedelta(minutes=5))
        services.message_post(game_id=game.pk, viewer=_viewer(bo), body="MARKER-BC-CHAT", channel="bi:borun:calla")
        services.message_post(game_id=game.pk, viewer=_viewer(ana), body="Public hello", channel="plenary")
        services.proposal_create(game_id=game.pk, viewer=_viewer(bo), kind="treaty", title="MARKER-BC-TREATY",
                                 parties=["calla"], template="OFFENSE_CAP", clauses={"caps": {"MRBM": 20}}, text="")
        services.proposal_create(game_id=game.pk, viewer=_viewer(bo), kind="treaty", title="Cap for Ana",
                                 parties=["aurel"], template="OFFENSE_CAP", clauses={"caps": {"MRBM": 20}}, text="")
        services.inject_send(game_id=game.pk, actor="facilitator:t", title="MARKER-C-INJECT",
                             text="MARKER-C-INJECT-TEXT", targets=["calla"])
        _run(days=1.6, step=timedelta(hours=1), traveller=traveller)
    kinds = {kind for (_, kind) in _kinds(smtp)}
    assert kinds >= {"signin", "turn", "deadline", "signature", "digest"}
    to_ana = "\n".join(f"{m['Subject']}\n{Inbox.body(m)}" for m in smtp.to("ana@home.test"))
    assert "Cap for Ana" in to_ana  # her own proposal to sign does reach her
    for marker in ("MARKER-BC-CHAT", "MARKER-BC-TREATY", "MARKER-C-INJECT", str(bo.token), str(cy.token)):
        assert marker not in to_ana
    to_bo = "\n".join(f"{m['Subject']}\n{Inbox.body(m)}" for m in smtp.to("bo@home.test"))
    assert "MARKER-C-INJECT" not in to_bo and str(cy.token) not in to_bo and str(ana.token) not in to_bo
    # Message bodies never travel by mail, not even to their readers: digests give counts.
    assert "MARKER-BC-CHAT" not in "\n".join(Inbox.body(m) for m in smtp.messages)


@pytest.mark.django_db
def test_a_player_gives_an_email_on_join_and_gets_back_to_the_seat_from_another_device(smtp, game):
    services.game_start(game_id=game.pk, actor="test")
    browser = Client()
    response = browser.post(f"/join/{game.code}/", {"display_name": "Ana", "state_id": "aurel",
                                                    "email": "ana@home.test"})
    assert response.status_code == 302
    assert Client().post(f"/join/{game.code}/", {"display_name": "Bo", "state_id": "borun",
                                                  "email": "not-an-address"}).status_code == 422
    # The address is never shown to other players.
    other, _ = services.seat_claim(game_id=game.pk, state_id="calla", display_name="Cy"), None
    from negotiation.selectors import SESSION_SEATS
    cy = Client()
    session = cy.session
    session[SESSION_SEATS] = {str(game.pk): {"member": other.pk, "token": other.token}}
    session.save()
    assert b"ana@home.test" not in cy.get(f"/play/{game.code}/").content
    # Another device asks for its links on the "my games" page.
    phone = Client()
    assert phone.post("/my-games/", {"email": "ana@home.test"}).status_code == 200
    assert phone.post("/my-games/", {"email": "nobody@home.test"}).status_code == 200
    mail.process()
    links = [re.search(r"http://testserver(/seat/\S+/)", Inbox.body(m)) for m in smtp.to("ana@home.test")]
    assert len(links) == 2 and all(links)
    assert smtp.to("nobody@home.test") == []
    path = links[-1].group(1)  # type: ignore[union-attr]
    assert phone.post(path).status_code == 302
    page = phone.get(f"/play/{game.code}/")
    assert page.status_code == 200 and b"Ana" in page.content


@pytest.mark.django_db
def test_a_player_who_joined_in_spanish_gets_mail_in_spanish(smtp, game):
    services.game_start(game_id=game.pk, actor="test")
    browser = Client(HTTP_ACCEPT_LANGUAGE="es")
    try:
        assert browser.post(f"/join/{game.code}/", {"display_name": "Ana", "state_id": "aurel",
                                                     "email": "ana@home.test"}).status_code == 302
    finally:
        from django.utils import translation

        translation.activate("en")
    clock.mail_tick(force=True)
    subjects = sorted(str(m["Subject"]) for m in smtp.to("ana@home.test"))
    assert subjects == ["El turno 1 está abierto en Class 3B", "Tu puesto en Class 3B"]
    assert "Dejar de recibir correos cuando se abre un turno" in Inbox.body(
        next(m for m in smtp.to("ana@home.test") if "turno" in str(m["Subject"])))
