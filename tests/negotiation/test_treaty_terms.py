"""No treaty term binds unseen: every term the engine will apply (the type's defaults included)
is on the proposal card, in the diff and in the amend form, and each can be switched off."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

import game_engine
from negotiation import proposalforms, selectors, services
from negotiation.models import Proposal
from tests.helpers import resolve, seat_client
from tests.negotiation.test_negotiation import viewer

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def card(html: str, number: int) -> str:
    start = html.index(f'id="proposal-{number}-title"')
    return html[start:html.index("</article>", start)]


def clauses_lines(html: str) -> list[str]:
    block = re.search(r'<ul class="clauses">(.*?)</ul>', html, re.S)
    assert block
    return [re.sub(r"<[^>]+>", "", li).strip() for li in re.findall(r"<li>(.*?)</li>", block.group(1), re.S)]


def test_a_cap_tabled_with_every_box_unticked_binds_only_what_its_card_shows(started_game):
    ana_client, ana = seat_client(started_game, "aurel", "Ana")
    _bo_client, bo = seat_client(started_game, "borun", "Bo")
    response = ana_client.post(reverse("negotiation:proposal-create", args=[started_game.pk]), {
        "kind": "treaty", "title": "Offense cap", "template": "OFFENSE_CAP", "parties": ["borun"],
        "cap__MRBM": "16"}, **HX)
    assert response.status_code == 200, response.content
    lines = clauses_lines(card(response.content.decode(), 1))
    # The type's defaults that bind are listed, the unticked measures are not.
    assert "Routine inspection visits per turn: 4" in lines
    assert "Turns before obligations start: 1" in lines
    assert not [line for line in lines if line.startswith(("Challenge", "Exchange force data", "Notify missile"))]

    p = Proposal.objects.get()
    for member in (ana, bo):
        services.proposal_sign(game_id=started_game.pk, viewer=viewer(member), number=p.number, expected_version=1)
    resolve(started_game)
    started_game.refresh_from_db()
    state = game_engine.state_from_json(started_game.state)
    terms = dict(next(t for t in state.treaties if t.name == "Offense cap").terms)
    assert terms["challenge"] is False and terms["data_exchange"] is False and terms["notification"] is False
    assert terms["inspection_quota"] == 4 and terms["caps"] == {"MRBM": 16}


def test_defaults_of_an_older_proposal_are_shown_and_can_be_switched_off(started_game):
    ana_client, ana = seat_client(started_game, "aurel", "Ana")
    seat_client(started_game, "borun", "Bo")
    # Tabled with the caps only (as before every box was explicit, or by a bot): the type's
    # verification measures would apply.
    services.proposal_create(game_id=started_game.pk, viewer=viewer(ana), kind="treaty", title="Sea cap",
                             parties=["borun"], template="OFFENSE_CAP", clauses={"caps": {"MRBM": 16}}, text="")
    html = ana_client.get(reverse("negotiation:room", args=[started_game.code])).content.decode()
    proposal_card = card(html, 1)
    lines = clauses_lines(proposal_card)
    assert "Challenge inspections allowed: yes" in lines
    assert "Exchange force data every turn: yes" in lines
    assert "Notify missile tests in advance: yes" in lines
    # The amend form starts from the terms that bind: the boxes are ticked, the numbers filled in.
    assert re.search(r'<input type="checkbox" name="challenge"[^>]* checked', proposal_card)
    assert re.search(r'name="inspection_quota"[^>]*value="4"', proposal_card)

    response = ana_client.post(reverse("negotiation:proposal-act", args=[started_game.pk]), {
        "action": "amend", "number": "1", "version": "1", "cap__MRBM": "16", "inspection_quota": "0",
        "grace_turns": "1", "notice_turns": "1", "data_exchange": "on", "notification": "on"}, **HX)
    assert response.status_code == 200, response.content
    row = selectors.proposals_for(started_game, viewer(ana))[0]
    assert row.version == 2
    assert ("changed", "Challenge inspections allowed: yes → no") in row.diff
    assert ("changed", "Routine inspection visits per turn: 4 → 0") in row.diff
    assert not [line for line in row.lines if line.startswith("Challenge")]


def test_every_box_of_the_form_is_a_term():
    terms = proposalforms.treaty_clauses({"cap__MRBM": "16", "challenge": "on"}, ["SRBM", "MRBM"], lambda _k: [])
    assert terms["caps"] == {"MRBM": 16}
    assert terms["challenge"] is True
    assert {k: terms[k] for k in proposalforms.BOOL_TERMS if k != "challenge"} == dict.fromkeys(
        [k for k in proposalforms.BOOL_TERMS if k != "challenge"], False)
