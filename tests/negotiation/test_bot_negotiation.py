"""Bot seats negotiate through the same services as players (issue #15)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.translation import override

import game_engine
from negotiation import bot_speech, selectors, services
from negotiation.models import Game, GameEvent, Message, Proposal
from negotiation.viewer import Role, Viewer
from tests.helpers import resolve, seat_client

pytestmark = pytest.mark.django_db

CAP = {"caps": {"SRBM": 20, "MRBM": 16, "IRBM": 10, "ICBM": 6}, "inspection_quota": 0,
       "data_exchange": False}


def player(member) -> Viewer:
    return Viewer(role=Role.PLAYER, game_id=member.seat.game_id, seat_id=member.seat_id,
                  state_id=member.seat.state_id, label=member.name, member_id=member.pk, is_captain=True)


def later(seconds: float = 60):
    return timezone.now() + timedelta(seconds=seconds)


@pytest.fixture
def table(started_game):
    for sid in ("calla", "dresk"):
        services.seat_set_bot(game_id=started_game.pk, state_id=sid, policy="dove", actor="test")
    services.seat_set_bot(game_id=started_game.pk, state_id="borun", policy="verifier", actor="test")
    _, student = seat_client(started_game, "aurel", "Student")
    return started_game, student


def test_a_student_cap_is_countered_with_inspections_then_signed_by_both_and_enters_into_force(table):
    game, student = table
    proposal = services.proposal_create(
        game_id=game.pk, viewer=player(student), kind="treaty", title="Missile cap", parties=["borun"],
        template="OFFENSE_CAP", clauses=CAP, text="")
    move = services.bot_step(game_id=game.pk, state_id="borun", now=later())
    assert move is not None and move.intent.id == "amend_inspections"
    proposal.refresh_from_db()
    assert proposal.version == 2
    v2 = proposal.versions.get(version=2)
    assert v2.author == "borun" and v2.clauses["inspection_quota"] >= 1 and v2.clauses["caps"] == CAP["caps"]
    # The bot said so in the bilateral line, in each reader's language.
    said = Message.objects.get(game=game, channel="bi:aurel:borun")
    assert said.intent["id"] == "amend_inspections" and said.author_label == "Borun (bot)"
    with override("es"):
        spanish = selectors.chat_row(said).body
    assert "inspecci" in spanish and spanish != said.body
    # The log marks the bot's action, visible to the parties and the facilitator only.
    entry = GameEvent.objects.get(game=game, kind="bot.move")
    assert entry.actor == "bot:verifier" and "calla" not in entry.audience
    services.proposal_sign(game_id=game.pk, viewer=player(student), number=proposal.number, expected_version=2)
    move = services.bot_step(game_id=game.pk, state_id="borun", now=later(120))
    assert move is not None and move.intent.id == "sign"
    resolve(game)
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.IN_FORCE


def test_a_bot_waits_a_human_pace_between_moves_and_only_when_the_table_changed(table):
    game, student = table
    services.proposal_create(game_id=game.pk, viewer=player(student), kind="treaty", title="Cap",
                             parties=["borun"], template="OFFENSE_CAP", clauses=CAP, text="")
    assert services.bot_step(game_id=game.pk, state_id="borun") is not None
    # The table changed (a new version), but a person would not answer within a second.
    assert services.bot_step(game_id=game.pk, state_id="borun") is None
    assert services.bot_step(game_id=game.pk, state_id="borun", now=later()) is not None


def test_a_facilitator_hands_a_seat_to_a_bot_mid_game_and_back(table):
    game, student = table
    services.proposal_create(game_id=game.pk, viewer=player(student), kind="treaty", title="Cap",
                             parties=["borun"], template="OFFENSE_CAP", clauses=CAP, text="")
    assert services.bot_step(game_id=game.pk, state_id="borun", now=later()) is not None  # amended
    # The student leaves mid-game: the facilitator hands Aurel to a bot, which answers Borun.
    services.seat_set_bot(game_id=game.pk, state_id="aurel", policy="reciprocator", actor="teacher")
    assert services.bot_step(game_id=game.pk, state_id="aurel", now=later()) is not None
    assert GameEvent.objects.filter(game=game, kind="bot.move", data__state="aurel").exists()
    services.seat_set_bot(game_id=game.pk, state_id="aurel", policy="", actor="teacher")
    assert services.bot_step(game_id=game.pk, state_id="aurel", now=later(600)) is None


def test_every_engine_intent_has_words_in_english_and_spanish():
    from game_engine.negotiator import HOSTING_INTENTS, INTENTS

    assert set(HOSTING_INTENTS) <= set(INTENTS)
    for iid in INTENTS:
        params = {"template": "OFFENSE_CAP", "quota": 2, "kind": "HOTLINE", "missile": "MRBM", "cap": 8,
                  "limit": 12, "percent": 20, "loss": 1.0, "kinds": "HOTLINE,NOTIFICATION", "site": "CAL-1"}
        english = bot_speech.say({"id": iid, "params": params})
        with override("es"):
            spanish = bot_speech.say({"id": iid, "params": params})
        assert english != bot_speech.say({"id": "unknown"}), iid
        assert spanish != english, iid


def test_the_tutorials_bots_negotiate_with_the_student():
    from django.test import Client

    Client().post("/tutorial/", {"name": "Visitor"})
    game = Game.objects.get()
    assert services.bots_tick(now=later()) > 0
    moves = GameEvent.objects.filter(game=game, kind="bot.move")
    # Borun's bot (a reciprocator) opens talks with the student's Aurel, its rival.
    assert any("aurel" in (e.data["move"]["to"] + e.data["move"]["parties"]) for e in moves)
    assert Message.objects.filter(game=game, intent__isnull=False).exists()


def test_a_refused_bot_move_is_noted_for_the_facilitator_and_not_retried(table, monkeypatch):
    game, student = table
    services.proposal_create(game_id=game.pk, viewer=player(student), kind="treaty", title="Cap",
                             parties=["borun"], template="OFFENSE_CAP", clauses=CAP, text="")
    from negotiation.errors import InvalidInput
    from negotiation.services import bots

    def refuse(**kwargs):
        raise InvalidInput("refused for the test")

    monkeypatch.setattr(bots, "proposal_amend", refuse)
    assert services.bot_step(game_id=game.pk, state_id="borun", now=later()) is None
    noted = GameEvent.objects.get(game=game, kind="bot.move")
    assert noted.data["refused"] == "refused for the test" and noted.audience == ["@facilitator"]
    monkeypatch.undo()
    move = services.bot_step(game_id=game.pk, state_id="borun", now=later(120))
    assert move is None or move.intent.id != "amend_inspections"


def test_a_student_cbm_package_is_trimmed_by_a_cheater_bot_then_signed_by_both_and_in_force(table):
    game, student = table
    services.seat_set_bot(game_id=game.pk, state_id="borun", policy="cheater", actor="test")
    proposal = services.proposal_create(
        game_id=game.pk, viewer=player(student), kind="cbm", title="Talk first", parties=["borun"], template="",
        clauses={"measures": ["HOTLINE", "NOTIFICATION", "DATA_EXCHANGE"]}, text="")
    # The cheater keeps the hotline and the notification and strikes the data exchange out.
    move = services.bot_step(game_id=game.pk, state_id="borun", now=later())
    assert move is not None and move.intent.id == "amend_cbm"
    proposal.refresh_from_db()
    assert proposal.version == 2 and proposal.versions.get(version=2).clauses == {
        "measures": ["HOTLINE", "NOTIFICATION"]}
    said = Message.objects.get(game=game, channel="bi:aurel:borun")
    assert "hotline" in said.body and "data exchange" not in said.body
    with override("es"):
        assert selectors.chat_row(said).body != said.body
    services.proposal_sign(game_id=game.pk, viewer=player(student), number=proposal.number, expected_version=2)
    move = services.bot_step(game_id=game.pk, state_id="borun", now=later(120))
    assert move is not None and move.intent.id == "sign"
    resolve(game)
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.IN_FORCE
    state = game_engine.state_from_json(Game.objects.get(pk=game.pk).state)
    assert {(a.kind, a.a, a.b) for a in state.agreements} >= {("HOTLINE", "aurel", "borun"),
                                                              ("NOTIFICATION", "aurel", "borun")}


def test_a_bot_tables_a_host_nation_agreement_to_a_student_ally_and_loads_the_site_once_signed(started_game):
    game = started_game
    # Meridian Sea: Aurel extends deterrence to Calla, whose site CAL-1 hosts nobody yet.
    services.seat_set_bot(game_id=game.pk, state_id="aurel", policy="hawk", actor="test")
    _, calla = seat_client(game, "calla", "Carla")
    move = services.bot_step(game_id=game.pk, state_id="aurel", now=later())
    assert move is not None and move.intent.id == "table_hosting"
    proposal = Proposal.objects.get(game=game)
    assert proposal.kind == "hosting" and proposal.parties == ["aurel", "calla"] and proposal.author == "aurel"
    clauses = proposal.versions.get().clauses
    assert clauses["owner"] == "aurel" and clauses["host"] == "calla" and clauses["site"] == "CAL-1"
    said = Message.objects.get(game=game, channel="bi:aurel:calla")
    assert "CAL-1" in said.body and said.intent["id"] == "table_hosting"
    with override("es"):
        assert "CAL-1" in selectors.chat_row(said).body and selectors.chat_row(said).body != said.body
    # Calla's captain signs (its consent); the bot loads the site the same turn.
    services.proposal_sign(game_id=game.pk, viewer=player(calla), number=proposal.number, expected_version=1)
    resolve(game)
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.IN_FORCE
    site = game_engine.state_from_json(Game.objects.get(pk=game.pk).state).site("CAL-1")
    assert site.owner == "aurel" and sum(site.interceptors.values()) > 0


def test_a_student_host_nation_agreement_is_signed_by_a_bot_host_that_takes_defenses_in(started_game):
    game = started_game
    services.seat_set_bot(game_id=game.pk, state_id="calla", policy="reciprocator", actor="test")
    _, ana = seat_client(game, "aurel", "Ana")
    clauses = {"owner": "aurel", "host": "calla", "site": "CAL-1", "max_interceptors": 6, "forward_allowed": False,
               "sensor_sharing_allowed": False, "compensation": 0, "notice_turns": 1}
    proposal = services.proposal_create(game_id=game.pk, viewer=player(ana), kind="hosting", title="CAL-1",
                                        parties=["aurel", "calla"], template="", clauses=clauses, text="")
    move = services.bot_step(game_id=game.pk, state_id="calla", now=later())
    assert move is not None and move.act.value == "sign"
    assert proposal.signatures.filter(state_id="calla", version=1).exists()
    # A dove host declines, with a reason in the bilateral line.
    services.seat_set_bot(game_id=game.pk, state_id="calla", policy="dove", actor="test")
    other = services.proposal_create(game_id=game.pk, viewer=player(ana), kind="hosting", title="CAL-1 again",
                                     parties=["aurel", "calla"], template="", clauses=clauses, text="")
    move = services.bot_step(game_id=game.pk, state_id="calla", now=later(120))
    assert move is not None and move.intent.id == "reject_hosting" and move.proposal == str(other.number)


def test_the_console_hands_a_seat_to_a_bot_mid_game_whose_orders_replace_the_students_and_back(table, fac_client):
    from django.urls import reverse

    from negotiation.models import Seat, TurnRecord

    game, student = table
    services.proposal_create(game_id=game.pk, viewer=player(student), kind="treaty", title="Cap",
                             parties=["borun"], template="OFFENSE_CAP", clauses=CAP, text="")
    services.order_add(game_id=game.pk, seat_id=student.seat_id, member_id=student.pk,
                       raw={"type": "BUILD", "class": "SRBM", "qty": 1, "covert": False})
    assert services.bot_step(game_id=game.pk, state_id="borun", now=later()) is not None  # amended
    url = reverse("negotiation:seat-action", args=[game.pk])
    response = fac_client.post(url, {"action": "bot", "state_id": "aurel", "policy": "reciprocator"},
                               HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "bot (reciprocator)" in response.content.decode()
    assert Seat.objects.get(game=game, state_id="aurel").bot_policy == "reciprocator"
    # The bot now answers Borun's amended cap for Aurel, and gives Aurel's orders at resolution.
    move = services.bot_step(game_id=game.pk, state_id="aurel", now=later(120))
    assert move is not None and move.proposal == "1"
    resolve(game)
    given = TurnRecord.objects.get(game=game, turn=1).orders["aurel"]
    assert {"type": "BUILD", "class": "SRBM", "qty": 1, "covert": False} not in given
    assert GameEvent.objects.filter(game=game, kind="orders.missed_policy", data__policy="bot:reciprocator",
                                    data__state="aurel").exists()
    response = fac_client.post(url, {"action": "handback", "state_id": "aurel"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "bot (reciprocator)" not in response.content.decode()
    assert Seat.objects.get(game=game, state_id="aurel").bot_policy == ""
    assert services.bot_step(game_id=game.pk, state_id="aurel", now=later(600)) is None
    assert list(GameEvent.objects.filter(game=game, kind__in=["seat.bot", "seat.handed_back"], data__state="aurel")
                .order_by("seq").values_list("kind", flat=True)) == ["seat.bot", "seat.handed_back"]


def test_a_bot_tables_the_cbms_it_offers_a_student_as_a_package_it_has_signed(table):
    game, student = table
    services.seat_set_bot(game_id=game.pk, state_id="borun", policy="dove", actor="test")
    move = services.bot_step(game_id=game.pk, state_id="borun", now=later())
    assert move is not None and move.intent.id == "table_cbm"
    package = Proposal.objects.get(game=game, kind="cbm")
    assert package.parties == ["aurel", "borun"] and package.author == "borun"
    assert package.versions.get().clauses == {"measures": ["HOTLINE", "NOTIFICATION", "DATA_EXCHANGE"]}
    assert list(package.signatures.values_list("state_id", flat=True)) == ["borun"]
    said = Message.objects.get(game=game, channel="bi:aurel:borun")
    assert said.intent["id"] == "table_cbm" and "hotline" in said.body and "sign it" in said.body
    with override("es"):
        assert selectors.chat_row(said).body != said.body
    # The offer stands in the package: the bot does not table it again, nor offer it in chat.
    services.bot_step(game_id=game.pk, state_id="borun", now=later(120))
    assert Proposal.objects.filter(game=game, kind="cbm").count() == 1
    assert not Message.objects.filter(game=game, intent__id="offer_cbm").exists()
    # The student only signs; the measures are in force after the turn.
    services.proposal_sign(game_id=game.pk, viewer=player(student), number=package.number, expected_version=1)
    resolve(game)
    package.refresh_from_db()
    assert package.status == Proposal.Status.IN_FORCE
    state = game_engine.state_from_json(Game.objects.get(pk=game.pk).state)
    assert {(a.kind, a.a, a.b) for a in state.agreements} >= {
        ("HOTLINE", "aurel", "borun"), ("NOTIFICATION", "aurel", "borun"), ("DATA_EXCHANGE", "aurel", "borun")}


def test_bots_still_offer_each_other_cbms_in_chat(started_game):
    game = started_game
    services.seat_set_bot(game_id=game.pk, state_id="aurel", policy="dove", actor="test")
    services.seat_set_bot(game_id=game.pk, state_id="borun", policy="dove", actor="test")
    move = services.bot_step(game_id=game.pk, state_id="borun", now=later())
    assert move is not None and move.intent.id == "offer_cbm"
    assert not Proposal.objects.filter(game=game, kind="cbm").exists()


def test_a_bots_proposal_reads_in_each_readers_language(table):
    # The clock's process tables in its own language; the student reads the card in theirs.
    game, student = table
    services.seat_set_bot(game_id=game.pk, state_id="borun", policy="dove", actor="test")
    with override("en"):
        services.bot_step(game_id=game.pk, state_id="borun", now=later())
    package = Proposal.objects.get(game=game, kind="cbm")
    assert package.title.startswith("Confidence-building measures: ")
    with override("es"):
        card = next(r for r in selectors.proposals_for(game, player(student)) if r.number == package.number)
    assert card.title.startswith("Medidas de confianza") and card.title != package.title
    assert card.text and card.text != package.versions.get().text  # the bot's text, worded in Spanish
    with override("en"):
        card = next(r for r in selectors.proposals_for(game, player(student)) if r.number == package.number)
    assert card.title == package.title and card.text == package.versions.get().text
    assert card.history == ["v1 by Borun"]


def test_a_bots_amendment_note_reads_in_each_readers_language(table):
    game, student = table
    proposal = services.proposal_create(
        game_id=game.pk, viewer=player(student), kind="treaty", title="Missile cap", parties=["borun"],
        template="OFFENSE_CAP", clauses=CAP, text="")
    with override("en"):
        services.bot_step(game_id=game.pk, state_id="borun", now=later())
    proposal.refresh_from_db()
    english = proposal.versions.get(version=2).note
    assert english
    with override("es"):
        notes = selectors.proposal_notes(game, player(student))
        card = next(r for r in selectors.proposals_for(game, player(student)) if r.number == proposal.number)
    assert notes[proposal.number]["note"] != english and "inspecci" in notes[proposal.number]["note"]
    assert card.title == "Missile cap"  # a person's title is theirs, in every language
    assert card.history[0] == "v1 por Aurel" and card.history[1].startswith("v2 por Borun: ")
