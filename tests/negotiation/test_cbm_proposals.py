"""Packages of confidence-building measures as proposals (issue #15): a student tables a hotline,
launch notification and/or data exchange with one other state; both sign; each measure becomes
both states' AGREE_* order at the next resolution and the package is in force."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.translation import override

import game_engine
from negotiation import proposalforms, services
from negotiation.errors import InvalidInput
from negotiation.models import Proposal, TurnRecord
from negotiation.services.proposals import signature_orders
from tests.helpers import resolve, seat_client
from tests.negotiation.test_negotiation import viewer
from tests.negotiation.test_treaty_terms import HX, card, clauses_lines

pytestmark = pytest.mark.django_db
BOTH = ["HOTLINE", "DATA_EXCHANGE"]


def agreements(game) -> set[tuple[str, str, str]]:
    game.refresh_from_db()
    return {(a.kind, a.a, a.b) for a in game_engine.state_from_json(game.state).agreements}


def test_a_student_tables_a_cbm_package_from_the_form_and_both_signatures_put_it_in_force(started_game):
    ana_client, ana = seat_client(started_game, "aurel", "Ana")
    bo_client, bo = seat_client(started_game, "borun", "Bo")
    url = reverse("negotiation:proposal-create", args=[started_game.pk])
    response = ana_client.post(url, {"kind": "cbm", "title": "Talk first", "parties": ["borun"],
                                     "measures": ["DATA_EXCHANGE", "HOTLINE"], "text": ""}, **HX)
    assert response.status_code == 200, response.content
    html = response.content.decode()
    assert 'id="new-cbm"' in html and 'data-testid="table-cbm"' in html
    assert clauses_lines(card(html, 1)) == ["Hotline", "Data exchange (force data every turn)"]
    p = Proposal.objects.get()
    assert p.kind == "cbm" and p.parties == ["aurel", "borun"] and p.versions.get().clauses == {"measures": BOTH}

    # Borun amends it: the launch notification added, the data exchange struck out; the card's
    # "what changed" says so, and the amend form shows the ticked measures.
    act = reverse("negotiation:proposal-act", args=[started_game.pk])
    response = bo_client.post(act, {"action": "amend", "number": 1, "version": 1,
                                    "measures": ["HOTLINE", "NOTIFICATION"], "text": "", "note": ""}, **HX)
    assert response.status_code == 200, response.content
    html = card(response.content.decode(), 1)
    assert "Launch notification (missile tests notified in advance)" in html
    assert 'class="diff-removed"' in html and 'value="NOTIFICATION" checked' in html

    # One signature gives no order yet (an AGREE order needs its mirror); both give both.
    services.proposal_sign(game_id=started_game.pk, viewer=viewer(ana), number=1, expected_version=2)
    assert signature_orders(started_game) == {}
    services.proposal_sign(game_id=started_game.pk, viewer=viewer(bo), number=1, expected_version=2)
    assert signature_orders(started_game) == {
        "aurel": [{"type": "AGREE_HOTLINE", "with": "borun"}, {"type": "AGREE_NOTIFICATION", "with": "borun"}],
        "borun": [{"type": "AGREE_HOTLINE", "with": "aurel"}, {"type": "AGREE_NOTIFICATION", "with": "aurel"}],
    }
    resolve(started_game)
    assert {("HOTLINE", "aurel", "borun"), ("NOTIFICATION", "aurel", "borun")} <= agreements(started_game)
    assert ("DATA_EXCHANGE", "aurel", "borun") not in agreements(started_game)
    p.refresh_from_db()
    assert p.status == Proposal.Status.IN_FORCE


def test_a_measure_given_as_an_order_too_is_given_once(started_game):
    _, ana = seat_client(started_game, "aurel", "Ana")
    _, bo = seat_client(started_game, "borun", "Bo")
    services.proposal_create(game_id=started_game.pk, viewer=viewer(ana), kind="cbm", title="Hotline",
                             parties=["borun"], template="", clauses={"measures": ["HOTLINE"]}, text="")
    services.order_add(game_id=started_game.pk, seat_id=ana.seat_id, member_id=ana.pk,
                       raw={"type": "AGREE_HOTLINE", "with": "borun"})
    for member in (ana, bo):
        services.proposal_sign(game_id=started_game.pk, viewer=viewer(member), number=1, expected_version=1)
    resolve(started_game)
    assert ("HOTLINE", "aurel", "borun") in agreements(started_game)
    given = TurnRecord.objects.get(game=started_game, turn=1).orders
    assert [o["type"] for o in given["aurel"]].count("AGREE_HOTLINE") == 1
    assert [o["type"] for o in given["borun"]].count("AGREE_HOTLINE") == 1


def test_a_cbm_package_is_between_two_states_holds_a_measure_and_none_already_agreed(started_game):
    _, ana = seat_client(started_game, "aurel", "Ana")
    _, bo = seat_client(started_game, "borun", "Bo")

    def table(parties: list[str], measures: list[str]) -> Proposal:
        return services.proposal_create(game_id=started_game.pk, viewer=viewer(ana), kind="cbm", title="CBMs",
                                        parties=parties, template="", clauses={"measures": measures}, text="")

    with pytest.raises(InvalidInput, match="two states"):
        table(["borun", "calla"], ["HOTLINE"])
    with pytest.raises(InvalidInput, match="at least one"):
        table(["borun"], [])
    with pytest.raises(InvalidInput, match="at least one"):
        table(["borun"], ["ALLIANCE"])
    table(["borun"], ["HOTLINE"])
    for member in (ana, bo):
        services.proposal_sign(game_id=started_game.pk, viewer=viewer(member), number=1, expected_version=1)
    resolve(started_game)
    with pytest.raises(InvalidInput):
        table(["borun"], ["HOTLINE", "NOTIFICATION"])  # the hotline exists already
    assert table(["borun"], ["NOTIFICATION"]).number == 2


def test_cbm_measures_have_words_in_english_and_spanish():
    english = proposalforms.clause_lines("CBM", {"measures": ["NOTIFICATION"]}, {})
    with override("es"):
        spanish = proposalforms.clause_lines("CBM", {"measures": ["NOTIFICATION"]}, {})
    assert english == ["Launch notification (missile tests notified in advance)"] and spanish != english


def test_what_if_we_sign_a_cbm_package_projects_both_sides_agreement_orders(started_game):
    from negotiation import selectors

    _, ana = seat_client(started_game, "aurel", "Ana")
    seat_client(started_game, "borun", "Bo")
    services.proposal_create(game_id=started_game.pk, viewer=viewer(ana), kind="cbm", title="Hotline",
                             parties=["borun"], template="", clauses={"measures": ["HOTLINE"]}, text="")
    projection = selectors.proposal_projection(started_game, viewer(ana), 1)
    assert projection is not None
    rows = {r["label"]: r for r in projection["rows"]}
    # A hotline costs each side a point this turn and raises transparency: the projection moves.
    assert any(abs(r["delta"]) > 0 for r in rows.values()), rows
