"""A treaty that expires can be renewed from the order composer: "Sign a treaty" offers the texts
the state may sign by name (never a hash to type), an expiring treaty in force among them, and
both parties' signatures in the same turn renew it (Shield of the East's offensive-arms cap)."""

from __future__ import annotations

import pytest
from django.utils import translation

import game_engine
from negotiation import orderforms, selectors, services
from negotiation.models import Game
from negotiation.viewer import Role, Viewer
from tests.helpers import resolve, seat_client, to_orders

pytestmark = pytest.mark.django_db


@pytest.fixture
def shield(facilitator) -> Game:
    game = services.game_create(facilitator=facilitator, scenario_slug="shield-of-the-east", title="Renewal",
                                mode="expected")
    services.game_start(game_id=game.pk, actor="test")
    game.refresh_from_db()
    return game


def _cap(game: Game) -> game_engine.Treaty:
    state = game_engine.state_from_json(Game.objects.get(pk=game.pk).state)
    return next(t for t in state.treaties if t.template == "OFFENSE_CAP")


def _sign_options(game: Game, state_id: str) -> tuple[tuple[str, str], ...]:
    view = game_engine.view_for(game_engine.state_from_json(game.state), state_id, lang=translation.get_language())
    forms = [f for g in orderforms.order_groups(view, state_id) for f in g.forms if f.type == "SIGN"]
    return forms[0].fields[0].options


def test_both_parties_sign_the_expiring_cap_again_from_the_composer_and_it_is_renewed(shield):
    cap = _cap(shield)
    expires = cap.terms["expires_turn"]
    members = {sid: seat_client(shield, sid, name)[1] for sid, name in (("usa", "Ana"), ("russia", "Bo"))}
    with translation.override("en"):
        options = _sign_options(shield, "usa")
    assert (cap.terms_hash, f"{cap.name} (in force until the end of turn {expires}: sign again to renew)") in options
    with translation.override("es"):
        label = dict(_sign_options(shield, "usa"))[cap.terms_hash]
    assert label.startswith("Límite al estilo del Nuevo START")
    assert cap.terms_hash not in dict(_sign_options(shield, "poland"))  # not a party
    to_orders(shield)
    for member in members.values():
        services.order_add(game_id=shield.pk, seat_id=member.seat_id, member_id=member.pk,
                           raw={"type": "SIGN", "terms_hash": cap.terms_hash})
    viewer = Viewer(role=Role.PLAYER, game_id=shield.pk, seat_id=members["usa"].seat_id, state_id="usa",
                    label="Ana", member_id=members["usa"].pk, is_captain=True)
    with translation.override("en"):
        lines = [o.text for o in selectors.order_plan(Game.objects.get(pk=shield.pk), viewer).orders]
    assert lines == [f"Sign {cap.name}"]
    resolve(shield)
    renewed = _cap(shield)
    assert renewed.status == "in_force" and renewed.terms["expires_turn"] > expires


@pytest.mark.parametrize(("policy", "renewed"), [("reciprocator", True), ("hawk", False)])
def test_a_bot_partner_signs_the_expiring_cap_again_when_its_policy_renews(shield, policy, renewed):
    cap = _cap(shield)
    services.seat_set_bot(game_id=shield.pk, state_id="russia", policy=policy, actor="test")
    _client, ana = seat_client(shield, "usa", "Ana")
    to_orders(shield)
    services.order_add(game_id=shield.pk, seat_id=ana.seat_id, member_id=ana.pk,
                       raw={"type": "SIGN", "terms_hash": cap.terms_hash})
    resolve(shield)
    after = _cap(shield)
    assert (after.terms["expires_turn"] > cap.terms["expires_turn"]) is renewed
