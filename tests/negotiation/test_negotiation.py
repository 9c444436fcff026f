"""Channels, press rules, proposals, signatures and entry into force."""

from __future__ import annotations

import pytest
from django.urls import reverse

import game_engine
from negotiation import selectors, services
from negotiation.errors import InvalidInput, StaleVersion
from negotiation.models import GameEvent, Message, Proposal
from negotiation.viewer import Role, Viewer
from tests.helpers import resolve, seat_client

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def viewer(member) -> Viewer:
    return Viewer(role=Role.PLAYER, game_id=member.seat.game_id, seat_id=member.seat_id,
                  state_id=member.seat.state_id, label=member.name, member_id=member.pk, is_captain=member.is_captain)


@pytest.fixture
def trio(started_game):
    _, ana = seat_client(started_game, "aurel", "Ana")
    _, bo = seat_client(started_game, "borun", "Bo")
    _, cy = seat_client(started_game, "calla", "Cy")
    return started_game, ana, bo, cy


class TestChannels:
    def test_a_bilateral_message_reaches_only_its_two_states(self, trio):
        game, ana, bo, cy = trio
        services.message_post(game_id=game.pk, viewer=viewer(ana), body="secret-bi-7731", channel="bi:aurel:borun")
        assert [r.body for r in selectors.channel_page(game, viewer(bo), "bi:aurel:borun")] == ["secret-bi-7731"]
        assert selectors.channel_page(game, viewer(cy), "bi:aurel:borun") == []
        with pytest.raises(InvalidInput, match="not a member"):
            services.message_post(game_id=game.pk, viewer=viewer(cy), body="let me in", channel="bi:aurel:borun")
        event = GameEvent.objects.get(kind="message.posted")
        assert event.audience == ["aurel", "borun", "@facilitator"]

    def test_unread_counts_and_search_never_reveal_other_channels(self, trio):
        game, ana, bo, cy = trio
        services.message_post(game_id=game.pk, viewer=viewer(ana), body="marker-unread-5531", channel="bi:aurel:borun")
        services.message_post(game_id=game.pk, viewer=viewer(ana), body="hello all", channel="plenary")
        rows_bo = {r.key: r.unread for r in selectors.channel_rows(game, viewer(bo))}
        rows_cy = {r.key: r.unread for r in selectors.channel_rows(game, viewer(cy))}
        assert rows_bo["bi:aurel:borun"] == 1 and rows_bo["plenary"] == 1
        assert "bi:aurel:borun" not in rows_cy and rows_cy["plenary"] == 1
        assert selectors.message_search(game, viewer(cy), "marker-unread") == []
        assert len(selectors.message_search(game, viewer(bo), "marker-unread")) == 1
        services.channel_open(game_id=game.pk, viewer=viewer(bo), key="bi:aurel:borun")
        assert {r.key: r.unread for r in selectors.channel_rows(game, viewer(bo))}["bi:aurel:borun"] == 0

    def test_a_coalition_is_joined_by_invitation(self, trio):
        game, ana, bo, cy = trio
        channel = services.coalition_create(game_id=game.pk, viewer=viewer(ana), title="Sea lanes", invite=["calla"])
        with pytest.raises(InvalidInput):
            services.message_post(game_id=game.pk, viewer=viewer(cy), body="hi", channel=channel.key)
        services.coalition_respond(game_id=game.pk, viewer=viewer(cy), key=channel.key, accept=True)
        services.message_post(game_id=game.pk, viewer=viewer(cy), body="coalition-marker-991", channel=channel.key)
        assert selectors.channel_page(game, viewer(bo), channel.key) == []
        assert [r.body for r in selectors.channel_page(game, viewer(ana), channel.key)] == ["coalition-marker-991"]

    def test_press_rules_are_enforced_by_the_server(self, trio):
        game, ana, _, _ = trio
        services.press_set(game_id=game.pk, actor="facilitator:t", phase="negotiation", rule="public")
        with pytest.raises(InvalidInput, match="Public press only"):
            services.message_post(game_id=game.pk, viewer=viewer(ana), body="psst", channel="bi:aurel:borun")
        services.message_post(game_id=game.pk, viewer=viewer(ana), body="in the open", channel="plenary")
        services.press_set(game_id=game.pk, actor="facilitator:t", phase="negotiation", rule="none")
        with pytest.raises(InvalidInput, match="No press"):
            services.message_post(game_id=game.pk, viewer=viewer(ana), body="hello", channel="plenary")
        services.message_post(game_id=game.pk, viewer=viewer(ana), body="help, teacher", channel="fac:aurel")

    def test_only_the_facilitator_broadcasts_and_reads_everything(self, trio):
        game, ana, _bo, _ = trio
        fac = Viewer(role=Role.FACILITATOR, game_id=game.pk, label="Facilitator")
        with pytest.raises(InvalidInput, match="Only the facilitator"):
            services.message_post(game_id=game.pk, viewer=viewer(ana), body="hear ye", channel="broadcast")
        services.message_post(game_id=game.pk, viewer=fac, body="Five minutes left", channel="broadcast")
        services.message_post(game_id=game.pk, viewer=viewer(ana), body="bi-for-fac", channel="bi:aurel:borun")
        assert [r.body for r in selectors.channel_page(game, fac, "bi:aurel:borun")] == ["bi-for-fac"]

    def test_bilateral_text_never_appears_in_a_third_states_pages(self, trio):
        game, ana, _bo, _cy = trio
        client_cy, _ = seat_client(game, "dresk", "Dee")
        services.message_post(game_id=game.pk, viewer=viewer(ana), body="bi-marker-2207", channel="bi:aurel:borun")
        page = client_cy.get(reverse("negotiation:room", kwargs={"code": game.code})).content.decode()
        history = client_cy.get(reverse("negotiation:chat-history", args=[game.pk]),
                                {"channel": "bi:aurel:borun"}).content.decode()
        search = client_cy.get(reverse("negotiation:chat-search", args=[game.pk]), {"q": "bi-marker"}).content.decode()
        opened = client_cy.post(reverse("negotiation:channel-open", args=[game.pk]), {"channel": "bi:aurel:borun"},
                                **HX)
        for html in (page, history, search, opened.content.decode()):
            assert "bi-marker-2207" not in html
        assert opened.status_code == 422


def treaty(game, author, parties, caps):
    return services.proposal_create(game_id=game.pk, viewer=viewer(author), kind="treaty", title="Sea cap",
                                    parties=parties, template="OFFENSE_CAP", clauses={"caps": caps}, text="")


class TestProposals:
    def test_a_proposal_is_seen_only_by_its_parties(self, trio):
        game, ana, bo, cy = trio
        treaty(game, ana, ["borun"], {"MRBM": 20})
        assert [p.number for p in selectors.proposals_for(game, viewer(bo))] == [1]
        assert selectors.proposals_for(game, viewer(cy)) == []
        assert GameEvent.objects.get(kind="proposal.tabled").audience == ["aurel", "borun", "@facilitator"]

    def test_invalid_terms_get_the_engines_reason(self, trio):
        game, ana, _, _ = trio
        with pytest.raises(InvalidInput):
            services.proposal_create(game_id=game.pk, viewer=viewer(ana), kind="treaty", title="Bad",
                                     parties=["borun"], template="CLASS_BAN", clauses={}, text="")

    def test_two_parties_amending_at_once_lose_nothing_and_the_loser_is_told(self, trio):
        game, ana, bo, _ = trio
        p = treaty(game, ana, ["borun"], {"MRBM": 20})
        services.proposal_amend(game_id=game.pk, viewer=viewer(bo), number=p.number, expected_version=1,
                                clauses={"caps": {"MRBM": 16}}, text="")
        with pytest.raises(StaleVersion, match="version 2"):
            services.proposal_amend(game_id=game.pk, viewer=viewer(ana), number=p.number, expected_version=1,
                                    clauses={"caps": {"MRBM": 30}}, text="")
        p.refresh_from_db()
        assert p.version == 2
        assert p.versions.get(version=2).clauses == {"caps": {"MRBM": 16}}
        row = selectors.proposals_for(game, viewer(ana))[0]
        assert ("changed", "Missile caps: MRBM ≤ 20 → MRBM ≤ 16") in row.diff

    def test_signing_an_old_version_is_refused(self, trio):
        game, ana, bo, _ = trio
        p = treaty(game, ana, ["borun"], {"MRBM": 20})
        services.proposal_amend(game_id=game.pk, viewer=viewer(bo), number=p.number, expected_version=1,
                                clauses={"caps": {"MRBM": 18}}, text="")
        with pytest.raises(StaleVersion):
            services.proposal_sign(game_id=game.pk, viewer=viewer(ana), number=p.number, expected_version=1)

    def test_a_treaty_signed_by_all_enters_into_force_at_the_next_resolution(self, trio):
        game, ana, bo, _ = trio
        p = treaty(game, ana, ["borun"], {"MRBM": 30, "SRBM": 30})
        services.proposal_sign(game_id=game.pk, viewer=viewer(ana), number=p.number, expected_version=1)
        resolve(game)
        p.refresh_from_db()
        assert p.status == "open"  # Borun has not signed yet
        services.proposal_sign(game_id=game.pk, viewer=viewer(bo), number=p.number, expected_version=1)
        resolve(game)
        p.refresh_from_db()
        assert p.status == "in_force"
        view = game_engine.view_for(game_engine.state_from_json(game.state), None)
        treaty_view = next(t for t in view.treaties if t.id == p.engine_treaty_id)
        assert treaty_view.status == "in_force" and sorted(treaty_view.parties) == ["aurel", "borun"]
        assert GameEvent.objects.filter(kind="proposal.in_force").exists()

    def test_an_order_that_would_break_a_treaty_in_force_is_warned_not_blocked(self, trio):
        game, ana, bo, _ = trio
        p = treaty(game, ana, ["borun"], {"MRBM": 18})
        for m in (ana, bo):
            services.proposal_sign(game_id=game.pk, viewer=viewer(m), number=p.number, expected_version=1)
        resolve(game)
        game.refresh_from_db()
        services.order_add(game_id=game.pk, seat_id=bo.seat_id, member_id=bo.pk,
                           raw={"type": "BUILD", "class": "MRBM", "qty": 3})
        view = selectors.private_view(game, viewer(bo))
        assert "cap of 18 MRBM" in view.warnings[0]
        assert any("Sea cap" in line or "Offense" in line or "MRBM" in line for line in view.obligations)

    def test_a_hosting_agreement_lets_the_owner_deploy_on_the_hosts_soil(self, trio):
        game, ana, _, cy = trio
        p = services.proposal_create(
            game_id=game.pk, viewer=viewer(ana), kind="hosting", title="CAL-1 basing", parties=["aurel", "calla"],
            template="", clauses={"owner": "aurel", "host": "calla", "site": "CAL-1", "max_interceptors": 12,
                                  "forward_allowed": False, "sensor_sharing_allowed": False}, text="")
        for m in (ana, cy):
            services.proposal_sign(game_id=game.pk, viewer=viewer(m), number=p.number, expected_version=1)
        resolve(game)
        p.refresh_from_db()
        assert p.status == "in_force"
        view = game_engine.view_for(game_engine.state_from_json(game.state), None)
        assert any(c.site == "CAL-1" and c.owner == "aurel" for c in view.consents)

    def test_proposals_over_http_escape_text(self, trio):
        game, _ana, _bo, _ = trio
        client, _ = seat_client(game, "dresk", "Dee")
        # Dresk tables a proposal with a script in its title and text, to Aurel.
        response = client.post(reverse("negotiation:proposal-create", args=[game.pk]), {
            "kind": "treaty", "title": "<script>x()</script>", "template": "OFFENSE_CAP", "parties": ["aurel"],
            "cap__SRBM": "5", "text": "<img src=x onerror=y()>"}, **HX)
        assert response.status_code == 200, response.content
        html = response.content.decode()
        assert "<script>x()" not in html and "<img src=x" not in html
        assert Proposal.objects.get().title == "<script>x()</script>"
        assert Message.objects.count() == 0


class TestProjection:
    def test_what_if_we_sign_projects_from_the_players_knowledge_only(self, trio):
        game, ana, bo, cy = trio
        p = treaty(game, ana, ["borun"], {"MRBM": 18})
        client_bo, _ = seat_client(game, "dresk", "Dee")
        projection = selectors.proposal_projection(game, viewer(bo), p.number)
        assert projection is not None
        labels = [r["label"] for r in projection["rows"]]
        assert labels[0] == "Regional stability (public)" and "Your security" in labels
        stability = projection["rows"][0]
        assert stability["with"] > stability["without"]  # a cap with data exchange steadies the region
        assert selectors.proposal_projection(game, viewer(cy), p.number) is None
        response = client_bo.get(reverse("negotiation:proposal-what-if", args=[game.pk]), {"number": p.number})
        assert response.status_code == 404
