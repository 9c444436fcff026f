"""Conformance: one named test per tricky rule interaction (B3, B4, B5, B7 regression list)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from ge_helpers import fresh, play, said, scenario_dict, scenario_from

import game_engine as ge
from game_engine import formulas as f
from game_engine.engine import add_treaty_draft
from game_engine.errors import RuleCode


def table(state: ge.GameState, template: str, parties: list[str], terms: dict) -> tuple[ge.GameState, str, str]:
    return add_treaty_draft(state, template, parties, terms)


def signed(state: ge.GameState, template: str, parties: list[str], terms: dict) -> tuple[ge.GameState, str]:
    state, tid, h = table(state, template, parties, terms)
    r = play(state, {p: [{"type": "SIGN", "terms_hash": h}] for p in parties})
    assert r.state.treaty(tid).status == "in_force"
    return r.state, tid


def rejected(r: ge.Resolution, sid: str) -> list[str]:
    return [x["code"] for x in r.private_reports[sid]["rejected"]]


def with_nation(state: ge.GameState, sid: str, **changes: object) -> ge.GameState:
    return replace(state, nations={**state.nations, sid: replace(state.nations[sid], **changes)})


# ------------------------------------------------------------------ treaties


def test_treaty_needs_every_signature_in_the_same_turn():
    s, tid, h = table(fresh(), "OFFENSE_CAP", ["aurel", "borun"], {"caps": {"IRBM": 10}})
    r = play(s, {"aurel": [{"type": "SIGN", "terms_hash": h}]})
    assert rejected(r, "aurel") == ["E_NO_COUNTERPART"]
    assert r.state.treaty(tid).status == "draft"
    assert "Borun" in said(s, r.private_reports["aurel"]["rejected"][0]["message"])


def test_table_treaty_is_idempotent_and_validates_terms():
    s, tid, h = table(fresh(), "OFFENSE_CAP", ["aurel", "borun"], {"caps": {"IRBM": 10}})
    s2, tid2, h2 = table(s, "OFFENSE_CAP", ["borun", "aurel"], {"caps": {"IRBM": 10}})
    assert (tid2, h2, s2) == (tid, h, s)
    for bad in ({"caps": {"XRBM": 1}}, {"inspection_quota": -1, "caps": {"IRBM": 1}}, {"colour": "red"}, {}):
        with pytest.raises(ge.RuleViolation):
            table(s, "OFFENSE_CAP", ["aurel", "borun"], bad)


def test_simultaneous_signature_and_violation_waits_for_the_grace_period():
    s, tid, h = table(fresh(), "OFFENSE_CAP", ["aurel", "borun"], {"caps": {"MRBM": 16}})
    r = play(
        s,
        {
            "aurel": [{"type": "SIGN", "terms_hash": h}],
            "borun": [{"type": "SIGN", "terms_hash": h}, {"type": "BUILD", "class": "MRBM", "qty": 2}],
        },
    )
    assert r.state.treaty(tid).status == "in_force"
    assert not r.state.violations  # grace 1: the cap binds from next turn
    r2 = ge.resolve(r.state, {}, "seed-1")
    v = [x for x in r2.state.violations if x.treaty == tid]
    assert len(v) == 1 and v[0].kind == "cap" and v[0].magnitude == 2 and v[0].published
    assert r2.state.treaty(tid).cs["borun"] < 100


def test_grace_zero_clause_binds_an_act_after_phase_one_in_the_same_turn():
    s, tid, h = table(fresh(), "EXPORT_CONTROL", ["borun", "calla"], {})
    raw = {
        "borun": [{"type": "SIGN", "terms_hash": h}, {"type": "EXPORT", "to": "dresk", "class": "SRBM", "qty": 2}],
        "calla": [{"type": "SIGN", "terms_hash": h}],
        "dresk": [{"type": "ACCEPT_IMPORT", "from": "borun", "class": "SRBM", "qty": 2}],
    }
    r = play(s, raw)
    v = [x for x in r.state.violations if x.treaty == tid]
    assert len(v) == 1 and v[0].kind == "export" and v[0].published
    assert r.state.nations["dresk"].missiles["SRBM"] == 8


def test_withdrawal_with_notice_is_not_a_violation():
    s = fresh()
    r = play(s, {"borun": [{"type": "WITHDRAW", "treaty": "T2"}]})
    t = r.state.treaty("T2")
    assert t.withdrawing == {"borun": 2} and t.status == "in_force"
    assert ge.view_json(r.state, None)["treaties"][1]["status"] == "withdrawing"
    tau_before = s.pairs[("aurel", "borun")].tau
    assert r.state.pairs[("aurel", "borun")].tau < tau_before
    with pytest.raises(ge.RuleViolation) as info:
        ge.validate_order(r.state, "borun", {"type": "WITHDRAW", "treaty": "T2"})
    assert info.value.code == RuleCode.E_NOTICE
    r2 = ge.resolve(r.state, {}, "seed-1")
    assert "borun" in r2.state.treaty("T2").withdrawn
    assert not r2.state.violations


def test_abrupt_withdrawal_is_a_public_violation():
    r = play(fresh(), {"borun": [{"type": "WITHDRAW", "treaty": "T2", "immediate": True}]})
    v = r.state.violations
    assert len(v) == 1 and v[0].kind == "withdrawal" and v[0].severity == 1.0 and v[0].published
    assert r.state.pairs[("aurel", "borun")].beta > fresh().pairs[("aurel", "borun")].beta + 2.5


def test_expiring_treaty_lapses_unless_renewed():
    s = fresh(slug="shield-of-the-east")
    cap = next(t for t in s.treaties if t.template == "OFFENSE_CAP")
    lapsed = ge.resolve(ge.resolve(s, {}, "x").state, {}, "x").state
    assert lapsed.treaty(cap.id).status == "terminated"
    r = play(s, {x: [{"type": "SIGN", "terms_hash": cap.terms_hash}] for x in ("usa", "russia")}, seed="x")
    renewed = ge.resolve(r.state, {}, "x").state
    assert renewed.treaty(cap.id).status == "in_force"
    assert renewed.treaty(cap.id).terms["expires_turn"] == 6


# ------------------------------------------------------------------ sovereignty


def test_deployment_on_another_states_territory_without_consent_is_rejected_at_no_cost():
    s = fresh()
    ok = ge.validate_order(s, "aurel", {"type": "DEPLOY", "site": "CAL-1", "itype": "MIDCOURSE", "qty": 6})
    r = ge.resolve(s, {"aurel": [ok]}, "seed-1")
    assert rejected(r, "aurel") == ["E_NO_CONSENT"]
    assert r.state.nations["aurel"].store == s.nations["aurel"].store
    assert r.private_reports["aurel"]["budget"]["ledger"].get("order_costs", 0) == 0
    assert r.state.site("CAL-1").owner == ""


def test_consent_and_deployment_in_the_same_turn_match():
    r = play(
        fresh(),
        {
            "calla": [
                {"type": "CONSENT_HOSTING", "owner": "aurel", "site": "CAL-1", "max_interceptors": 8, "compensation": 3}
            ],
            "aurel": [{"type": "DEPLOY", "site": "CAL-1", "itype": "MIDCOURSE", "qty": 8}],
        },
    )
    assert rejected(r, "aurel") == []
    assert r.state.site("CAL-1").interceptors == {"MIDCOURSE": 8}
    assert r.state.site("CAL-1").owner == "aurel"
    over = play(
        fresh(),
        {
            "calla": [{"type": "CONSENT_HOSTING", "owner": "aurel", "site": "CAL-1", "max_interceptors": 4}],
            "aurel": [{"type": "DEPLOY", "site": "CAL-1", "itype": "MIDCOURSE", "qty": 8}],
        },
    )
    assert rejected(over, "aurel") == ["E_SITE_CAPACITY"]


def test_consent_revoked_in_the_turn_of_deployment():
    r = play(
        fresh(),
        {
            "calla": [{"type": "CONSENT_HOSTING", "owner": "aurel", "site": "CAL-1", "max_interceptors": 12}],
            "aurel": [{"type": "DEPLOY", "site": "CAL-1", "itype": "MIDCOURSE", "qty": 6}],
        },
    )
    r2 = play(
        r.state,
        {
            "calla": [{"type": "REVOKE_CONSENT", "owner": "aurel", "site": "CAL-1"}],
            "aurel": [{"type": "DEPLOY", "site": "CAL-1", "itype": "MIDCOURSE", "qty": 6}],
        },
    )
    assert rejected(r2, "aurel") == []  # notice period: consent still active this turn
    assert r2.state.site("CAL-1").interceptors == {"MIDCOURSE": 12}
    r3 = ge.resolve(r2.state, {}, "seed-1")
    assert r3.state.site("CAL-1").interceptors == {}
    assert r3.state.nations["aurel"].store["MIDCOURSE"] == 12
    assert any(e.kind == "site_inert" for e in r3.events)
    long = play(
        fresh(),
        {
            "calla": [
                {
                    "type": "CONSENT_HOSTING",
                    "owner": "aurel",
                    "site": "CAL-1",
                    "max_interceptors": 12,
                    "notice_turns": 2,
                }
            ]
        },
    ).state
    long = play(long, {"calla": [{"type": "REVOKE_CONSENT", "owner": "aurel", "site": "CAL-1"}]}).state
    with pytest.raises(ge.RuleViolation) as info:
        ge.validate_order(long, "calla", {"type": "REVOKE_CONSENT", "owner": "aurel", "site": "CAL-1"})
    assert info.value.code == RuleCode.E_NOTICE


def test_low_domestic_support_blocks_consent_and_signature():
    s = with_nation(fresh(), "calla", ds=30.0)
    with pytest.raises(ge.RuleViolation) as info:
        ge.validate_order(
            s, "calla", {"type": "CONSENT_HOSTING", "owner": "aurel", "site": "CAL-1", "max_interceptors": 4}
        )
    assert info.value.code == RuleCode.E_DS_TOO_LOW
    s, _, h = table(with_nation(s, "calla", ds=20.0), "OFFENSE_CAP", ["aurel", "calla"], {"caps": {"SRBM": 8}})
    with pytest.raises(ge.RuleViolation) as info:
        ge.validate_order(s, "calla", {"type": "SIGN", "terms_hash": h})
    assert info.value.code == RuleCode.E_DS_TOO_LOW


def test_domestic_support_below_twenty_revokes_a_foreign_consent():
    s = fresh(slug="shield-of-the-east")
    s = with_nation(s, "romania", ds=12.0)
    r = ge.resolve(s, {}, "x")
    dev = next(c for c in r.state.consents if c.site == "DEV")
    assert dev.revoke_effective == 2
    assert any("Public opposition" in said(s, e) for e in r.events)


def test_hosted_site_is_inert_until_ready():
    s = fresh(slug="shield-of-the-east")
    r = play(s, {"usa": [{"type": "DEPLOY", "site": "RED", "itype": "MIDCOURSE", "qty": 12}]}, seed="x")
    from game_engine import metrics as m
    from game_engine.pipeline.context import thaw

    w1 = thaw(s, "x", 1).world()
    assert not m.site_active(w1, r.state.site("RED"))
    w2 = thaw(r.state, "x", 2).world()
    assert m.site_active(w2, r.state.site("RED"))


# ------------------------------------------------------------------ tests, notification, agreements


def test_unnotified_test_under_a_notification_agreement_is_a_violation_and_incident():
    r = play(
        fresh(),
        {
            "aurel": [{"type": "AGREE_NOTIFICATION", "with": "borun"}],
            "borun": [{"type": "AGREE_NOTIFICATION", "with": "aurel"}],
        },
    )
    assert any(a.kind == "NOTIFICATION" for a in r.state.agreements)
    r2 = play(r.state, {"borun": [{"type": "TEST", "class": "IRBM", "notify": False}]})
    v = [x for x in r2.state.violations if x.kind == "test"]
    assert len(v) == 1 and v[0].published and v[0].treaty.startswith("AGR-NOTIFICATION")
    assert r2.state.pairs[("aurel", "borun")].ev > r.state.pairs[("aurel", "borun")].ev * 0.5
    assert r2.public_report["incident_penalty"] >= 3 + 8
    notified = play(r.state, {"borun": [{"type": "TEST", "class": "IRBM", "notify": True}]})
    assert not [x for x in notified.state.violations if x.kind == "test"]


def test_agreements_need_the_mirror_order():
    r = play(fresh(), {"aurel": [{"type": "AGREE_HOTLINE", "with": "borun"}]})
    assert rejected(r, "aurel") == ["E_NO_COUNTERPART"]
    assert not r.state.agreements


def test_research_then_two_tests_complete_a_programme():
    s = fresh()
    assert "HGV" not in s.nations["borun"].tech
    s = play(s, {"borun": [{"type": "TEST", "class": "HGV", "notify": True}]}).state
    s = play(s, {"borun": [{"type": "TEST", "class": "HGV", "notify": True}]}).state
    assert "HGV" in s.nations["borun"].tech and s.nations["borun"].prod_cap["HGV"] == 2
    ge.validate_order(s, "borun", {"type": "BUILD", "class": "HGV", "qty": 1})


def test_too_many_tests_are_refused():
    with pytest.raises(ge.RuleViolation) as info:
        ge.validate_orders(fresh(), "borun", [{"type": "TEST", "class": "SRBM"}] * 4)
    assert info.value.code == RuleCode.E_TOO_MANY_TESTS


# ------------------------------------------------------------------ exports


def test_export_needs_a_matching_import():
    r = play(
        fresh(),
        {
            "borun": [{"type": "EXPORT", "to": "dresk", "class": "SRBM", "qty": 2}],
            "dresk": [{"type": "ACCEPT_IMPORT", "from": "borun", "class": "SRBM", "qty": 3}],
        },
    )
    assert rejected(r, "borun") == ["E_NO_COUNTERPART"]
    assert rejected(r, "dresk") == ["E_NO_COUNTERPART"]
    assert r.state.nations["borun"].missiles["SRBM"] == 20


def test_covert_export_by_a_regime_member_creates_a_hidden_violation():
    r = play(
        fresh(),
        {
            "aurel": [{"type": "EXPORT", "to": "dresk", "class": "MRBM", "qty": 0, "tech": True, "covert": True}],
            "dresk": [{"type": "ACCEPT_IMPORT", "from": "aurel", "class": "MRBM", "qty": 0, "tech": True}],
        },
    )
    assert "MRBM" in r.state.nations["dresk"].tech
    v = [x for x in r.state.violations if x.kind == "export"]
    assert len(v) == 1 and not v[0].published and v[0].state == "aurel"
    assert all(e.kind not in ("export", "export_covert") for e in r.events if e.audience is None)


# ------------------------------------------------------------------ verification


def _cap_world(conceal_b: float = 0.3) -> tuple[ge.GameState, str]:
    data = scenario_dict()
    s = ge.new_game(scenario_from(data), game_id="cap", seed="v", mode="stochastic")
    s = with_nation(s, "borun", conceal=conceal_b)
    s, tid = signed(
        s, "OFFENSE_CAP", ["aurel", "borun"], {"caps": {"MRBM": 16}, "inspection_quota": 4, "challenge": True}
    )
    return s, tid


def test_refused_challenge_inspection_is_a_public_incident():
    s, tid = _cap_world()
    s = play(s, {"borun": [{"type": "SET_CHALLENGE_POLICY", "allow": False}]}, seed="v").state
    r = play(s, {"aurel": [{"type": "CHALLENGE_INSPECTION", "target": "borun", "treaty": tid}]}, seed="v")
    ev = [e for e in r.events if e.kind == "challenge_refused"]
    assert ev and ev[0].audience is None
    assert r.public_report["incident_penalty"] >= 4
    assert r.state.pairs[("calla", "borun")].beta > s.pairs[("calla", "borun")].beta
    assert r.private_reports["aurel"]["budget"]["ledger"]["order_costs"] == -2


def test_inspection_quota_and_parties_are_enforced():
    s, tid = _cap_world()
    with pytest.raises(ge.RuleViolation) as info:
        ge.validate_orders(s, "aurel", [{"type": "INSPECT", "target": "borun", "treaty": tid, "visits": 3}] * 2)
    assert info.value.code == RuleCode.E_QUOTA
    with pytest.raises(ge.RuleViolation) as info:
        ge.validate_order(s, "calla", {"type": "INSPECT", "target": "borun", "treaty": tid, "visits": 1})
    assert info.value.code == RuleCode.E_NOT_PARTY


def test_covert_build_above_the_cap_is_found_by_a_challenge_inspection():
    s, tid = _cap_world(conceal_b=0.9)  # undeclared facilities: hidden from routine visits
    s = play(s, {"borun": [{"type": "BUILD", "class": "MRBM", "qty": 4, "covert": True}]}, seed="v").state
    v = next(x for x in s.violations if x.kind == "cap")
    assert v.hidden_site and v.covert
    r = play(
        s,
        {
            "aurel": [
                {"type": "CHALLENGE_INSPECTION", "target": "borun", "treaty": tid},
                {"type": "INSPECT", "target": "borun", "treaty": tid, "visits": 4},
            ]
        },
        seed="v",
    )
    reports = [e for e in r.state.evidence if e.channel == "osi" and e.violation == v.id]
    public = [e for e in r.events if e.kind == "violation_public"]
    assert bool(reports) == bool(public)
    expected = ge.new_game(s.scenario, game_id="cap", seed="v", mode="expected")
    del expected  # the probability itself is checked below
    assert f.combine([0.0, 0.8]) == pytest.approx(0.8)


def test_published_evidence_makes_a_violation_public_and_costs_compliance():
    s, tid = _cap_world(conceal_b=0.0)
    s = replace(s, mode="expected")
    s = play(s, {"borun": [{"type": "BUILD", "class": "MRBM", "qty": 4, "covert": True}]}, seed="v").state
    holder = [e for e in s.evidence if e.holder == "aurel" and e.is_true and not e.published]
    assert holder and 0 < holder[0].weight < 1
    r = play(s, {"aurel": [{"type": "PUBLISH_EVIDENCE", "evidence": holder[0].id}]}, seed="v")
    assert any(e.kind == "accusation" for e in r.events)
    assert r.state.treaty(tid).cs["borun"] < s.treaty(tid).cs["borun"]
    view = ge.view_json(r.state, "calla")
    assert any(e["id"] == holder[0].id for e in view["public_evidence"])
    assert all("is_true" not in e for e in view["public_evidence"])


def test_false_alarm_creates_false_evidence_and_a_clean_inspection_refutes_it():
    data = scenario_dict()
    data["params"]["alpha_ntm"] = 1.0
    s = ge.new_game(scenario_from(data), game_id="fa", seed="f", mode="stochastic")
    r = ge.resolve(s, {}, "f")
    false_ev = [e for e in r.state.evidence if not e.is_true]
    assert false_ev and all(e.violation == "" for e in false_ev)
    assert not r.state.violations


def test_misdeclaration_under_data_exchange_is_a_hidden_violation():
    s, _tid = _cap_world()
    r = play(s, {"borun": [{"type": "DECLARE", "counts": {"SRBM": 10, "MRBM": 12, "IRBM": 6}}]}, seed="v")
    v = [x for x in r.state.violations if x.kind == "misdeclare"]
    assert len(v) == 1 and not v[0].published and v[0].magnitude == 4  # only treaty-limited classes count
    assert r.state.nations["borun"].public_ledger["MRBM"] == 12
    assert r.state.nations["borun"].missiles["MRBM"] == 16


def test_declassification_audit_charges_hidden_violations_at_the_end():
    s, _tid = _cap_world(conceal_b=0.9)
    s = replace(s, mode="expected")
    s = play(s, {"borun": [{"type": "BUILD", "class": "MRBM", "qty": 4, "covert": True}]}, seed="v").state
    while not s.game_over:
        s = ge.resolve(s, {}, "v").state
    hidden = [v for v in s.violations if not v.published]
    assert hidden and all(v.audit_weight == 0.5 for v in hidden)
    assert s.nations["borun"].audit_charge > 0
    assert any(e["kind"] == "cap" for e in ge.view_json(s, None)["truth"]["violations"])


# ------------------------------------------------------------------ economy and CBMs


def test_payment_and_compensation_move_points_between_states():
    r = play(
        fresh(),
        {
            "borun": [{"type": "PAYMENT", "to": "dresk", "amount": 7, "memo": "friendship"}],
            "calla": [
                {
                    "type": "CONSENT_HOSTING",
                    "owner": "aurel",
                    "site": "CAL-1",
                    "max_interceptors": 12,
                    "compensation": 3,
                }
            ],
            "aurel": [{"type": "DEPLOY", "site": "CAL-1", "itype": "MIDCOURSE", "qty": 4}],
        },
    )
    led = {k: v["budget"]["ledger"] for k, v in r.private_reports.items()}
    assert led["dresk"]["payments_in"] == 7
    assert led["calla"]["compensation_in"] == 3 and led["aurel"]["compensation_out"] == -3
    assert [e.audience for e in r.events if e.kind == "payment"] == [("borun", "dresk")]


def test_economic_pressure_is_a_scenario_option():
    with pytest.raises(ge.RuleViolation) as info:
        ge.validate_order(fresh(), "borun", {"type": "ECONOMIC_PRESSURE", "target": "calla", "amount": 5})
    assert info.value.code == RuleCode.E_DISABLED
    s = fresh(slug="peninsula-and-straits")
    r = play(s, {"china": [{"type": "ECONOMIC_PRESSURE", "target": "rok", "amount": 10}]}, seed="x")
    led = r.private_reports
    assert led["rok"]["budget"]["ledger"]["pressure_loss"] == -10
    assert led["china"]["budget"]["ledger"]["order_costs"] == -3


def test_verified_reduction_needs_accepted_observers():
    r = play(fresh(), {"borun": [{"type": "REDUCE", "class": "SRBM", "qty": 2, "verified": True}]})
    assert rejected(r, "borun") == ["E_NO_COUNTERPART"]
    r = play(
        fresh(),
        {
            "borun": [
                {"type": "REDUCE", "class": "SRBM", "qty": 2, "verified": True},
                {"type": "INVITE_OBSERVERS", "with": "calla"},
            ],
            "calla": [{"type": "ACCEPT", "with": "borun", "what": "INVITE_OBSERVERS"}],
        },
    )
    assert rejected(r, "borun") == []
    assert r.state.pairs[("calla", "borun")].alpha > fresh().pairs[("calla", "borun")].alpha + 1


def test_declared_limits_raise_clarity_and_breaking_them_is_public():
    s = play(
        fresh(),
        {
            "calla": [
                {
                    "type": "CONSENT_HOSTING",
                    "owner": "aurel",
                    "site": "CAL-1",
                    "max_interceptors": 24,
                    "forward_allowed": True,
                }
            ],
            "aurel": [{"type": "DEPLOY", "site": "CAL-1", "itype": "MIDCOURSE", "qty": 8}],
        },
    ).state
    chi0 = s.pairs[("borun", "calla")].chi
    s2 = play(
        s,
        {
            "aurel": [
                {
                    "type": "DECLARE_LIMITS",
                    "site": "CAL-1",
                    "max_interceptors": 8,
                    "terminal_only": True,
                    "no_sensor_sharing": True,
                }
            ]
        },
    ).state
    assert s2.pairs[("borun", "calla")].chi > chi0
    r = play(s2, {"aurel": [{"type": "SET_RADAR_MODE", "site": "CAL-1", "mode": "forward"}]})
    assert any(e.kind == "limits_broken" and e.audience is None for e in r.events)
    assert r.state.site("CAL-1").limits is None


def test_crisis_escalation_ends_the_game_and_halves_scores():
    data = scenario_dict()
    data["params"].update({"cr_base": 1.0, "cr_max": 1.0, "crisis_strength": 1.0, "esc_base": 1.0})
    sc = scenario_from(data)
    for n in range(30):
        s = ge.new_game(sc, game_id="cat", seed=f"c{n}", mode="stochastic")
        r = ge.resolve(s, {}, f"c{n}")
        if r.state.game_over:
            assert "catastrophe" in r.state.game_over_reason.lower()
            assert any(e.kind == "catastrophe" for e in r.events)
            scores = ge.final_scores(r.state)
            vp = {k: r.private_reports[k]["vp"] for k in scores}
            members = next(c for c in r.state.crises if c["escalated"])["members"]
            for k, v in scores.items():
                expect = vp[k] * 0.5 - (20 if k in members else 0)
                assert v == pytest.approx(expect + 0.5 * 0, abs=5.01)
            with pytest.raises(ge.RuleViolation):
                ge.resolve(r.state, {}, "x")
            return
    pytest.fail("no catastrophe in 30 seeds with certain crises")


def test_expected_mode_discounts_vp_by_survival_probability():
    data = scenario_dict()
    data["params"].update({"esc_base": 1.0, "crisis_strength": 1.0})
    risky = ge.resolve(ge.new_game(scenario_from(data), game_id="e", seed="e"), {}, "e")
    data["params"]["crisis_enabled"] = False
    safe = ge.resolve(ge.new_game(scenario_from(data), game_id="e", seed="e"), {}, "e")
    assert risky.audit["survival"] < 1 and safe.audit["survival"] == 1
    assert risky.private_reports["aurel"]["vp"] < safe.private_reports["aurel"]["vp"]
