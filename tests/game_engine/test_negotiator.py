"""Bots that negotiate (issue #15): directional tests of the pure negotiation policies."""

from __future__ import annotations

from dataclasses import replace

import pytest
from ge_helpers import fresh

import game_engine as ge
from game_engine import cli
from game_engine.bots import _View
from game_engine.negotiator import NEGOTIATING_POLICIES, Act, Offer, Record, decide, negotiating_bot_orders
from game_engine.negotiator.appraise import Appraiser
from game_engine.negotiator.orders import detection_estimate
from game_engine.state import Agreement
from game_engine.visibility import view_json


def _offer(terms: dict, template: str = "OFFENSE_CAP") -> Offer:
    return Offer("P1", template, ("aurel", "borun"), terms, "borun", 1, ("borun",))


def test_a_bot_signs_what_its_projection_says_helps_it_and_refuses_what_hurts_it():
    s = fresh()
    ap = Appraiser(s, "aurel")
    # Borun must cut its MRBMs to 8, Aurel gives up nothing; inspections make the cut credible.
    helps = {"caps": {"MRBM": 8}, "inspection_quota": 2, "data_exchange": True}
    # Aurel must scrap most of its IRBMs and ICBMs, with no way to check Borun's cuts.
    hurts = {"caps": {"IRBM": 2, "ICBM": 1, "MRBM": 17}, "inspection_quota": 0, "data_exchange": False}
    assert ap.appraise("OFFENSE_CAP", ("aurel", "borun"), helps).gain > 0
    assert ap.appraise("OFFENSE_CAP", ("aurel", "borun"), hurts).gain < 0
    for policy in ("reciprocator", "verifier", "richardson"):
        yes = decide(policy, s, "aurel", [_offer(helps)], seed="t", table=False)
        assert [m.act for m in yes] == [Act.SIGN], policy
        no = decide(policy, s, "aurel", [_offer(hurts)], seed="t", table=False)
        assert no and all(m.act is not Act.SIGN for m in no), policy
    rejected = decide("hawk", s, "aurel", [_offer(hurts)], seed="t", table=False)
    assert [m.act for m in rejected] == [Act.REJECT]
    assert rejected[0].intent.id.startswith("reject_")


def test_an_unverified_cap_is_amended_to_add_inspections():
    s = fresh()
    terms = {"caps": {"MRBM": 8}, "inspection_quota": 0, "data_exchange": False}
    moves = decide("verifier", s, "aurel", [_offer(terms)], seed="t", table=False)
    assert [m.act for m in moves] == [Act.AMEND]
    assert moves[0].intent.id == "amend_inspections"
    assert moves[0].terms["inspection_quota"] >= 1 and moves[0].terms["caps"] == {"MRBM": 8}


def test_decisions_use_only_the_bots_own_view_and_are_deterministic():
    s = fresh(mode="stochastic")
    b = s.nations["borun"]
    hidden = replace(s, nations={**s.nations, "borun": replace(b, missiles={**b.missiles, "MRBM": 99}, budget=999)})
    offer = _offer({"caps": {"MRBM": 12, "SRBM": 15}, "inspection_quota": 1})
    for policy in NEGOTIATING_POLICIES:
        a = decide(policy, s, "aurel", [offer], seed="x")
        assert a == decide(policy, hidden, "aurel", [offer], seed="x") == decide(policy, s, "aurel", [offer], seed="x")
        assert negotiating_bot_orders(policy, s, "aurel", "x") == negotiating_bot_orders(policy, hidden, "aurel", "x")


def test_a_rival_deploying_defenses_within_reach_draws_offence_unless_transparency_comes_with_them():
    s = fresh()
    assert "aurel" in _View(view_json(s, "borun")).rivals()
    site = next(x for x in s.sites if x.owner == "aurel" and x.host == "aurel")
    deployed = replace(
        s,
        sites=tuple(
            replace(x, interceptors={"MIDCOURSE": 12, "TERMINAL": 0}) if x.id == site.id else x for x in s.sites
        ),
    )

    def builds(state: ge.GameState) -> int:
        return sum(
            int(o["qty"]) for o in negotiating_bot_orders("reciprocator", state, "borun", "x") if o["type"] == "BUILD"
        )

    assert builds(s) == 0
    assert builds(deployed) > 0
    reassured = replace(
        deployed, agreements=(*deployed.agreements, Agreement(kind="DATA_EXCHANGE", a="aurel", b="borun", since=0))
    )
    assert builds(reassured) == 0


def _with_cap(quota: int) -> ge.GameState:
    s = fresh()
    terms = {
        "caps": {"SRBM": 30, "MRBM": 30, "IRBM": 12, "ICBM": 8},
        "inspection_quota": quota,
        "data_exchange": False,
        "challenge": False,
    }
    s, _, h = ge.add_treaty_draft(s, "OFFENSE_CAP", ["aurel", "borun"], terms)
    signs = {sid: [{"type": "SIGN", "terms_hash": h}] if sid in ("aurel", "borun") else [] for sid in s.state_ids}
    s = ge.resolve(s, {sid: ge.validate_orders(s, sid, o) for sid, o in signs.items()}, "x").state
    assert any(t.status == "in_force" and t.terms_hash == h for t in s.treaties)
    return s


def test_a_cheater_stops_cheating_when_the_inspection_quota_rises():
    def covert(state: ge.GameState) -> int:
        return sum(
            int(o["qty"])
            for o in negotiating_bot_orders("cheater", state, "borun", "x")
            if o["type"] == "BUILD" and o.get("covert") is True
        )

    lax, strict = _with_cap(0), _with_cap(4)
    assert covert(lax) > 0
    assert covert(strict) == 0
    v_lax, v_strict = _View(view_json(lax, "borun")), _View(view_json(strict, "borun"))
    assert detection_estimate(strict, v_strict, 1) > detection_estimate(lax, v_lax, 1)


@pytest.mark.parametrize("slug", ["meridian-sea", "peninsula-and-straits"])
def test_two_reciprocators_converge_on_a_matched_cbm_package_within_three_turns(slug):
    s = fresh(slug=slug)
    policies = dict.fromkeys(s.state_ids, "reciprocator")
    history: list[Record] = []
    for _ in range(3):
        s, orders, _ = cli.play_turn(s, policies, "cbm", None, history=history)
        s = ge.resolve(s, orders, "cbm").state
    pairs: dict[tuple[str, str], set[str]] = {}
    for g in s.agreements:
        pairs.setdefault((g.a, g.b), set()).add(g.kind)
    assert any(kinds == {"HOTLINE", "NOTIFICATION", "DATA_EXCHANGE"} for kinds in pairs.values()), pairs
    offers = [r for r in history if r.move.act is Act.OFFER_CBM]
    accepts = [r for r in history if r.move.act is Act.ACCEPT_CBM]
    assert offers and accepts


def test_a_table_of_negotiating_bots_brings_a_reducing_treaty_into_force_with_verified_cuts():
    s = fresh()
    policies = dict.fromkeys(s.state_ids, "reciprocator")
    history: list[Record] = []
    verified = 0
    for _ in range(3):
        s, orders, _ = cli.play_turn(s, policies, "red", None, history=history)
        r = ge.resolve(s, orders, "red")
        s = r.state
        verified += sum(1 for e in r.events if e.kind == "reduce" and e.msg.id == "event.reduce_verified")
    assert any(t.status == "in_force" and t.template == "OFFENSE_CAP" for t in s.treaties)
    assert verified > 0
    assert any(r.move.intent.id == "table_reduction" for r in history)


def test_the_richardson_bot_builds_along_positive_pressure_only():
    s = fresh()
    calm = negotiating_bot_orders("richardson", s, "aurel", "x")
    assert not any(o["type"] == "BUILD" for o in calm)  # the scenario starts in equilibrium
    nat = s.nations["aurel"]
    pressed = replace(s, nations={**s.nations, "aurel": replace(nat, arp=0.3)})
    assert any(o["type"] == "BUILD" for o in negotiating_bot_orders("richardson", pressed, "aurel", "x"))
    relaxed = replace(s, nations={**s.nations, "aurel": replace(nat, arp=-0.3)})
    assert any(o["type"] == "REDUCE" for o in negotiating_bot_orders("richardson", relaxed, "aurel", "x"))


def test_a_bot_that_wants_defense_tables_a_host_nation_agreement_and_loads_the_site():
    from game_engine.negotiator import HOSTING, run_table

    s = fresh()  # Meridian Sea: Aurel extends deterrence to Calla, whose site CAL-1 hosts nobody
    assert s.site("CAL-1").owner == "" and s.nations["aurel"].store.get("MIDCOURSE", 0) > 0

    def hosting_moves(policy: str, hosting: bool = True) -> list:
        return [m for m in decide(policy, s, "aurel", seed="t", hosting=hosting) if m.template == HOSTING]

    (offer,) = hosting_moves("hawk")
    assert offer.act is Act.TABLE and offer.to == ("calla",) and offer.intent.id == "table_hosting"
    assert offer.terms["site"] == "CAL-1" and offer.terms["forward_allowed"] is False
    assert hosting_moves("dove") == [] and hosting_moves("hawk", hosting=False) == []
    # A reciprocator wants defense only once a rival provoked it (caught cheating).
    borun = next(x for x in view_json(s, "aurel")["states"] if x["id"] == "borun")
    assert borun["compliance"] is None or borun["compliance"] >= 90
    assert hosting_moves("reciprocator") == []

    # The host answers by its policy: a reciprocator with rivals signs, a dove declines.
    o = Offer("H1", HOSTING, offer.parties, dict(offer.terms), "aurel", 1, ("aurel",))
    assert [m.act for m in decide("reciprocator", s, "calla", [o], seed="t", table=False)] == [Act.SIGN]
    assert [m.intent.id for m in decide("dove", s, "calla", [o], seed="t", table=False)] == ["reject_hosting"]

    # At the headless table the agreement is concluded: Calla consents, Aurel loads CAL-1.
    policies = {"aurel": "hawk", "borun": "hawk", "calla": "reciprocator", "dresk": "dove"}
    res = run_table(s, policies, "t")
    assert {"type": "CONSENT_HOSTING", **{k: v for k, v in offer.terms.items() if k != "host"}} in res.orders["calla"]
    state, orders, notes = cli.play_turn(s, policies, "t", None, history=[])
    after = ge.resolve(state, orders, "t").state
    site = after.site("CAL-1")
    assert site.owner == "aurel" and sum(site.interceptors.values()) > 0, notes
    # With a dove host nothing is consented and the site stays empty.
    calm = ge.resolve(*cli.play_turn(s, {**policies, "calla": "dove"}, "t", None, history=[])[:2], "t").state
    assert calm.site("CAL-1").owner == ""


def test_bots_never_sign_a_defense_limit_they_cannot_keep_and_keep_the_ones_they_sign():
    s = fresh()  # Aurel holds 12 midcourse interceptors in store, Borun has a loaded home site
    held = sum(s.nations["aurel"].store.values()) + sum(
        sum(x.interceptors.values()) for x in s.sites if x.owner == "aurel"
    )
    below = Offer("D1", "DEFENSE_LIMIT", ("aurel", "borun"), {"max_interceptors": held - 1}, "borun", 1, ("borun",))
    at = Offer("D2", "DEFENSE_LIMIT", ("aurel", "borun"), {"max_interceptors": held + 4}, "borun", 1, ("borun",))
    for policy in ("dove", "reciprocator", "verifier"):
        # Interceptors cannot be scrapped: a total below what it holds would be a breach.
        assert all(m.act is not Act.SIGN for m in decide(policy, s, "aurel", [below], seed="t", table=False)), policy
        assert [m.act for m in decide("dove", s, "aurel", [at], seed="t", table=False)] == [Act.SIGN]
    # A whole cooperative game: the defense limits the bots agree are never breached.
    policies = dict.fromkeys(s.state_ids, "reciprocator")
    state, history = s, []
    while not state.game_over:
        state, orders, _ = cli.play_turn(state, policies, "t", None, history=history)
        state = ge.resolve(state, orders, "t").state
    limits = {t.id for t in state.treaties if t.template == "DEFENSE_LIMIT" and t.created_turn > 0}
    assert limits, "the reciprocators agreed no defense limit"
    assert [v for v in state.violations if v.treaty in limits] == []


def _turns(slug: str, n: int, mode: str = "stochastic") -> list[ge.GameState]:
    """The states of the first ``n`` turns of a game of all six negotiating policies."""
    s = ge.new_game(ge.load_scenario(slug), game_id="speed", seed="speed", mode=mode)
    policies = cli._policies(s, ",".join(NEGOTIATING_POLICIES))
    history: list[Record] = []
    out = [s]
    for _ in range(n):
        s, orders, _ = cli.play_turn(s, policies, "speed", None, history=history)
        s = ge.resolve(s, orders, "speed").state
        out.append(s)
    return out


@pytest.mark.parametrize("slug", ["meridian-sea", "shield-of-the-east", "peninsula-and-straits"])
def test_the_belief_state_is_the_one_a_full_evaluate_rebuilds(slug, monkeypatch):
    # belief_state re-derives others' perceptions with the perception phase alone (speed): the
    # belief must be exactly the one the whole evaluate (perception, metrics, stability) gives.
    from game_engine import whatif
    from game_engine.pipeline.stability import evaluate

    for s in _turns(slug, 2):
        for viewer in s.state_ids:
            fast = whatif.belief_state(s, viewer)
            with monkeypatch.context() as mp:
                # the whole evaluate, every pair perceived (the viewer's own ones too)
                mp.setattr(whatif, "phase_perception", lambda ctx, inertia, skip=None: evaluate(ctx, inertia))
                full = whatif.belief_state(s, viewer)
            assert fast == full, (slug, s.turn, viewer)


@pytest.mark.parametrize("slug", ["meridian-sea", "shield-of-the-east", "peninsula-and-straits"])
def test_an_appraisers_remembered_values_equal_fresh_ones(slug):
    # Appraiser memoises projections and postures (speed): asking again, in another order, or
    # with the text normalised must give exactly what a fresh appraiser computes.
    from game_engine.engine import normalize_terms

    for s in _turns(slug, 2):
        a, b = s.state_ids[0], s.state_ids[1]
        texts = [
            ("OFFENSE_CAP", {"caps": {"SRBM": 5, "MRBM": 6}, "inspection_quota": 2, "data_exchange": True}),
            ("OFFENSE_CAP", {"caps": {"SRBM": 50, "MRBM": 60}}),
            ("OFFENSE_CAP", {"caps": {"MRBM": 6, "SRBM": 5}, "inspection_quota": 0, "data_exchange": False}),
            ("CLASS_BAN", {"classes": ["IRBM"], "inspection_quota": 1}),
            ("DEFENSE_LIMIT", {"max_interceptors": 4}),
            ("DEFENSE_LIMIT", {"max_interceptors": 40, "max_per_site": 2, "no_foreign_basing": True}),
        ]
        texts += [(t, normalize_terms(t, x, s.scenario.params)) for t, x in texts]
        for viewer, bluff in ((a, False), (b, True)):
            shared = Appraiser(s, viewer, bluff=bluff)
            for template, terms in texts * 2:
                fresh_ap = Appraiser(s, viewer, bluff=bluff)
                assert shared.appraise(template, (a, b), terms) == fresh_ap.appraise(template, (a, b), terms)


def test_a_package_of_cbms_is_signed_trimmed_to_what_the_policy_believes_in_or_rejected():
    from game_engine.negotiator import CBM

    s = fresh()
    all3 = {"measures": ["HOTLINE", "NOTIFICATION", "DATA_EXCHANGE"]}
    package = Offer("C1", CBM, ("aurel", "borun"), all3, "borun", 1, ("borun",))

    def answer(policy: str, offer: Offer = package) -> list:
        return decide(policy, s, "aurel", [offer], seed="t", table=False)

    for policy in ("dove", "reciprocator", "verifier", "richardson"):
        (move,) = answer(policy)
        assert move.act is Act.SIGN and move.intent.as_dict()["params"]["template"] == CBM, policy
    # The cheater keeps the cheap measures and strikes the data exchange out (it would expose it).
    (trimmed,) = answer("cheater")
    assert trimmed.act is Act.AMEND and trimmed.intent.id == "amend_cbm"
    assert trimmed.terms["measures"] == ["HOTLINE", "NOTIFICATION"] and trimmed.proposal == "C1"
    # ... and signs the package so amended, which the hawk rejects.
    v2 = replace(package, terms=dict(trimmed.terms), version=2, author="aurel", signed=("aurel",))
    assert [m.act for m in decide("cheater", s, "aurel", [replace(v2, signed=("borun",))], seed="t",
                                  table=False)] == [Act.SIGN]
    assert [m.intent.id for m in answer("hawk")] == ["reject_cbm"]
    # A measure in an open package is not offered again through the chat.
    offered = decide("dove", s, "aurel", [replace(package, signed=("aurel", "borun"))], seed="t")
    assert not any(m.act is Act.OFFER_CBM and m.to == ("borun",) for m in offered)
    assert any(m.act is Act.OFFER_CBM for m in decide("dove", s, "aurel", [], seed="t"))


def test_a_bot_asked_to_load_an_allys_site_signs_when_it_wants_defense():
    from game_engine.negotiator import HOSTING

    s = fresh()
    terms = {"owner": "aurel", "host": "calla", "site": "CAL-1", "max_interceptors": 4,
             "forward_allowed": False, "sensor_sharing_allowed": False, "compensation": 0, "notice_turns": 1}
    o = Offer("H1", HOSTING, ("aurel", "calla"), terms, "calla", 1, ("calla",))
    assert [m.act for m in decide("hawk", s, "aurel", [o], seed="t", table=False)] == [Act.SIGN]
    assert [m.intent.id for m in decide("dove", s, "aurel", [o], seed="t", table=False)] == ["reject_hosting"]


def test_the_interceptors_an_agreement_loads_are_kept_in_store_before_the_bots_own_deployments():
    from game_engine.negotiator import hosting_deployments, reserve_store

    s = fresh()  # Meridian Sea: Aurel loads Calla's CAL-1 under an agreement
    store = s.nations["aurel"].store["MIDCOURSE"]
    loads = hosting_deployments(s, {"owner": "aurel", "host": "calla", "site": "CAL-1", "max_interceptors": store - 2})
    assert loads == [{"type": "DEPLOY", "site": "CAL-1", "itype": "MIDCOURSE", "qty": store - 2}]
    own = [{"type": "DEPLOY", "site": "AUR-1", "itype": "MIDCOURSE", "qty": 5},
           {"type": "DEPLOY", "site": "AUR-2", "itype": "MIDCOURSE", "qty": 5},
           {"type": "BUILD", "itype": "MIDCOURSE", "qty": 4}]
    # Two are left for the bot's own sites: the first deployment is clipped, the second dropped.
    assert reserve_store(s, "aurel", own, loads) == [
        {"type": "DEPLOY", "site": "AUR-1", "itype": "MIDCOURSE", "qty": 2},
        {"type": "BUILD", "itype": "MIDCOURSE", "qty": 4}]
