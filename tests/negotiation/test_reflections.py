"""Reflection prompts and the participation report: the facilitator sets questions (or takes the
scenario's), students answer in the room when the question opens, and the review shows what each
student did and wrote, on screen, as a CSV gradebook, and pseudonymised in the research export."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from negotiation import services
from negotiation.models import Member, ReflectionPrompt
from negotiation.review.export import build_export
from negotiation.viewer import Role, Viewer
from tests.helpers import resolve, seat_client, to_orders

pytestmark = pytest.mark.django_db


def _viewer(member: Member) -> Viewer:
    return Viewer(role=Role.PLAYER, game_id=member.seat.game_id, seat_id=member.seat_id,
                  state_id=member.seat.state_id, label=member.name, member_id=member.pk, is_captain=member.is_captain)


def test_the_facilitator_sets_questions_and_takes_the_scenarios_suggestions(fac_client, started_game):
    url = f"/facilitate/{started_game.pk}/reflections/"
    page = fac_client.get(url).content.decode()
    assert "The scenario suggests 3 questions" in page
    assert fac_client.post(url, {"turn": "1", "question": "What did you fear?"}).status_code == 200
    assert fac_client.post(url, {"turn": "99", "question": "Too late"}).status_code == 422
    assert fac_client.post(url, {"turn": "debrief", "question": "   "}).status_code == 422
    fac_client.post(url, {"action": "suggested"})
    prompts = list(ReflectionPrompt.objects.filter(game=started_game).values_list("turn", flat=True))
    assert sorted(prompts, key=lambda t: t or 99) == [1, 1, 3, None]
    assert "The scenario suggests" not in fac_client.get(url).content.decode()


def test_students_answer_when_the_question_opens_and_the_review_shows_it_by_student(fac_client, started_game):
    game = started_game
    ana_client, ana = seat_client(game, "aurel", "Ana")
    bo_client, _ = seat_client(game, "borun", "Bo")
    fac_client.post(f"/facilitate/{game.pk}/reflections/", {"turn": "1", "question": "What did you fear?"})
    prompt = ReflectionPrompt.objects.get(game=game)
    room_url = f"/g/{game.pk}/reflections/"
    assert "What did you fear?" not in ana_client.get(room_url).content.decode()  # turn 1 is still running
    assert ana_client.post(room_url, {"prompt": prompt.pk, "body": "Early"}).status_code == 422
    # Ana talks, tables and signs; Bo gives orders and is ready before the deadline.
    services.message_post(game_id=game.pk, viewer=_viewer(ana), body="Hello all", channel="plenary")
    services.message_post(game_id=game.pk, viewer=_viewer(ana), body="Just us", channel="bi:aurel:borun")
    services.proposal_create(game_id=game.pk, viewer=_viewer(ana), kind="treaty", title="Cap", parties=["borun"],
                             template="OFFENSE_CAP", clauses={"caps": {"MRBM": 20}}, text="")
    to_orders(game)
    assert bo_client.post(f"/g/{game.pk}/orders/add/", {"type": "BUY_INTERCEPTORS", "itype": "TERMINAL",
                                                       "qty": "1"}).status_code == 200
    assert bo_client.post(f"/g/{game.pk}/ready/", {"ready": "1"}).status_code == 200
    resolve(game)
    page = ana_client.get(room_url).content.decode()
    assert "What did you fear?" in page
    assert ana_client.post(room_url, {"prompt": prompt.pk, "body": "Borun's new radar."}).status_code == 200
    assert ana_client.post(room_url, {"prompt": prompt.pk, "body": "Borun's new radar, and its MRBMs."}).status_code == 200
    assert "Borun&#x27;s new radar, and its MRBMs." in ana_client.get(room_url).content.decode()
    # Bo cannot read Ana's answer.
    assert "radar" not in bo_client.get(room_url).content.decode()

    review = fac_client.get(f"/review/{game.pk}/participation/")
    assert review.status_code == 200
    text = review.content.decode()
    assert "Borun&#x27;s new radar, and its MRBMs." in text and f'data-testid="reflections-{ana.pk}"' in text
    rows = {r["student"]: r for r in csv.DictReader(io.StringIO(
        fac_client.get(f"/review/{game.pk}/participation/?format=csv").content.decode()))}
    assert rows["Ana"]["messages_plenary"] == "1" and rows["Ana"]["messages_bilateral"] == "1"
    assert rows["Ana"]["proposals_tabled"] == "1" and rows["Ana"]["order_revisions"] == "0"
    assert rows["Ana"]["reflections_answered"] == "1"
    assert rows["Ana"][f"reflection (turn 1) #{prompt.pk}: What did you fear?"] == "Borun's new radar, and its MRBMs."
    assert rows["Bo"]["order_revisions"] == "1" and rows["Bo"]["ready_marks"] == "1"
    assert rows["Bo"]["ready_before_deadline"] == "1" and rows["Bo"]["messages_total"] == "0"
    # The research export carries the same tables, pseudonymised on request.
    plain = build_export(game)
    assert {r["student"] for r in plain.tables["participation"]} == {"Ana", "Bo"}
    hidden = build_export(game, pseudonymize=True)
    assert all(r["student"].startswith("P-") for r in hidden.tables["participation"])
    assert [r["answer"] for r in hidden.tables["reflections"]] == ["Borun's new radar, and its MRBMs."]
    assert hidden.tables["reflections"][0]["student"].startswith("P-")


def test_a_question_with_answers_stays(fac_client, started_game):
    client, _ = seat_client(started_game, "aurel", "Ana")
    fac_client.post(f"/facilitate/{started_game.pk}/reflections/", {"turn": "1", "question": "Q?"})
    prompt = ReflectionPrompt.objects.get()
    resolve(started_game)
    client.post(f"/g/{started_game.pk}/reflections/", {"prompt": prompt.pk, "body": "A."})
    response = fac_client.post(f"/facilitate/{started_game.pk}/reflections/", {"action": "remove", "prompt": prompt.pk})
    assert response.status_code == 422 and ReflectionPrompt.objects.filter(pk=prompt.pk).exists()
    assert Client().get(f"/g/{started_game.pk}/reflections/").status_code == 404
