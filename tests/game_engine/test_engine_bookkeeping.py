"""Bookkeeping the compliance ledger and the starting equilibrium get right (issue 14).

Each test here failed before the fix it names: the equilibrium start (B5.5, B9), a breach found
by two observers in one turn (B5.6, B5.8), inspection reports booked as accusations (B5.8), the
data-exchange bonus to NTM (B5.6), the clarity credits (B5.4) and radar orders on a site
consented the same turn (B3 step 3).
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest
from ge_helpers import fresh, play, scenario_dict, scenario_from

import game_engine as ge
from game_engine import formulas as f
from game_engine import metrics as m
from game_engine.engine import add_treaty_draft
from game_engine.state import Limits

SLUGS = ("meridian-sea", "shield-of-the-east", "peninsula-and-straits")


def _with_nation(state: ge.GameState, sid: str, **changes: object) -> ge.GameState:
    return replace(state, nations={**state.nations, sid: replace(state.nations[sid], **changes)})


def _signed(state: ge.GameState, parties: list[str], terms: dict) -> tuple[ge.GameState, str]:
    state, tid, h = add_treaty_draft(state, "OFFENSE_CAP", parties, terms)
    r = play(state, {p: [{"type": "SIGN", "terms_hash": h}] for p in parties}, seed="v")
    assert r.state.treaty(tid).status == "in_force"
    return r.state, tid


# ------------------------------------------------------------------ 1. equilibrium start


@pytest.mark.parametrize("slug", SLUGS)
def test_an_empty_first_turn_moves_nothing(slug):
    """Sites ready on turn 1 count when the start is computed, and an expected-mode start carries
    the crisis penalty every quiet turn carries: nobody acts, nothing moves (< 0.5 RSI)."""
    s0 = fresh(slug=slug)
    s1 = ge.resolve(s0, {}, "seed-1").state
    assert abs(s1.rsi_pub - s0.rsi_pub) < 0.5, (s0.rsi_pub, s1.rsi_pub)
    assert abs(s1.rsi_true - s0.rsi_true) < 0.5
    for sid in s0.state_ids:
        assert abs(s1.nations[sid].sec - s0.nations[sid].sec) < 0.5, sid
        assert abs(s1.nations[sid].arp) < 0.02, sid


# ------------------------------------------------------------------ 2. a found breach stays found


def _caught_world(mode: str, certain: bool) -> tuple[ge.GameState, str]:
    """Borun builds 4 MRBM covertly above a three-party cap; next turn Aurel inspects and Calla
    (a party with sharp NTM) watches, so two observers find the same breach in one turn."""
    data = scenario_dict()
    if certain:
        data["params"].update({"osi_q": 1.0, "osi_conceal_factor": 0.0, "eta_build": 10.0})
    s = ge.new_game(scenario_from(data), game_id="caught", seed="v", mode=mode)
    s = _with_nation(s, "borun", conceal=0.0, n_sites=1 if certain else s.nations["borun"].n_sites)
    s = _with_nation(s, "calla", ntm=1.0)
    s, tid = _signed(s, ["aurel", "borun", "calla"], {"caps": {"MRBM": 16}, "inspection_quota": 4})
    s = play(s, {"borun": [{"type": "BUILD", "class": "MRBM", "qty": 4, "covert": True}]}, seed="v").state
    return s, tid


@pytest.mark.parametrize("mode", ["expected", "stochastic"])
def test_a_breach_found_by_two_observers_stays_found_and_is_charged_once(mode):
    s, tid = _caught_world(mode, certain=mode == "stochastic")
    v0 = next(x for x in s.violations if x.state == "borun" and x.kind == "cap")
    cs_before = s.treaty(tid).cs["borun"]
    r = play(s, {"aurel": [{"type": "INSPECT", "target": "borun", "treaty": tid, "visits": 4}]}, seed="v")
    v1 = next(x for x in r.state.violations if x.id == v0.id)
    assert v1.published and "aurel" in v1.detected_by and "calla" in v1.detected_by
    announced = [e for e in r.events if e.kind == "violation_public" and e.data.get("state") == "borun"]
    assert len(announced) == 1
    w = v1.public_weight
    assert 0 < w <= 1
    # charged once: CS moves by the 10% recovery and one 60 s w charge, nothing more
    expected_cs = cs_before + 0.10 * (100 - cs_before) - 60 * v1.severity * w
    assert r.state.treaty(tid).cs["borun"] == pytest.approx(expected_cs, abs=1e-6)
    s = r.state
    while not s.game_over:
        r = ge.resolve(s, {}, "v")
        assert not [e for e in r.events if e.kind == "violation_public" and e.data.get("state") == "borun"]
        s = r.state
        assert next(x for x in s.violations if x.id == v0.id).published
    v_end = next(x for x in s.violations if x.id == v0.id)
    assert v_end.audit_weight == 0
    assert s.nations["borun"].audit_charge == 0


# ------------------------------------------------------------------ 3. inspection reports recover


def test_an_inspection_report_is_charged_once_then_the_score_recovers():
    """B5.8: about 94 after one finding, then recovery; a report of quality below 0.9 is not an
    unconfirmed accusation costing 10 w every turn."""
    s, tid = _caught_world("expected", certain=False)
    r = play(s, {"aurel": [{"type": "INSPECT", "target": "borun", "treaty": tid, "visits": 4}]}, seed="v")
    report = next(e for e in r.state.evidence if e.channel == "osi" and e.holder == "aurel")
    assert report.published and report.quality < 0.9
    cs = [r.state.treaty(tid).cs["borun"]]
    assert 90 < cs[0] < 100
    s = r.state
    for _ in range(3):
        s = ge.resolve(s, {}, "v").state
        cs.append(s.treaty(tid).cs["borun"])
    assert cs == sorted(cs) and cs[-1] > cs[0]
    for a, b in itertools.pairwise(cs):
        assert b == pytest.approx(a + 0.10 * (100 - a), abs=1e-6)


# ------------------------------------------------------------------ 4. NTM, clarity, same-turn radar


def test_data_exchange_raises_ntm_detection_beyond_an_ntm_of_one():
    """B5.6: ``ntm (1 + 0.3 DE)`` is not capped at 1, so a data exchange still helps a state whose
    own NTM is already 0.9."""
    data = scenario_dict()
    s = ge.new_game(scenario_from(data), game_id="de", seed="v", mode="expected")
    s = _with_nation(s, "borun", conceal=0.0)
    s = _with_nation(s, "aurel", ntm=0.9)
    s, _ = _signed(s, ["aurel", "borun"], {"caps": {"MRBM": 16}, "data_exchange": True})
    r = play(s, {"borun": [{"type": "BUILD", "class": "MRBM", "qty": 4, "covert": True}]}, seed="v")
    ev = next(e for e in r.state.evidence if e.holder == "aurel" and e.channel == "ntm")
    p = s.scenario.params
    assert ev.weight == pytest.approx(f.p_ntm(p.eta_build, 0.9 * (1 + p.ntm_de_bonus), 0.0, 4, p.gamma), abs=1e-9)
    assert ev.weight > f.p_ntm(p.eta_build, 1.0, 0.0, 4, p.gamma) + 0.01


def _world(state: ge.GameState) -> m.World:
    return m.World(
        scenario=state.scenario,
        turn=state.turn,
        nations=state.nations,
        pairs=state.pairs,
        sites={x.id: x for x in state.sites},
        consents=state.consents,
        treaties={t.id: t for t in state.treaties},
        agreements=state.agreements,
    )


def test_no_clarity_credit_without_a_relevant_site_or_a_pledge():
    s = fresh()  # Meridian: Calla's candidate site is empty, Aurel's home site does not see Borun's ally
    w = _world(s)
    # Dresk has no defense site at all: nothing to clarify
    assert m.relevant_sites(w, "borun", "dresk") == []
    assert m.clarity(w, "borun", "dresk", False, False, False) == 0.0
    # Borun's home radar is terminal and not sharing, but Borun pledged nothing: terminal only
    assert m.clarity(w, "aurel", "borun", False, False, False) == pytest.approx(s.scenario.params.chi_terminal)
    pledged = replace(
        s,
        sites=tuple(
            replace(
                x,
                limits=Limits(
                    max_interceptors=None,
                    terminal_only=False,
                    no_sensor_sharing=True,
                    note="",
                    declared_by="borun",
                    turn=1,
                ),
            )
            if x.id == "BOR-1"
            else x
            for x in s.sites
        ),
    )
    p = s.scenario.params
    chi = m.clarity(_world(pledged), "aurel", "borun", False, False, False)
    assert chi == pytest.approx(1 - (1 - p.chi_limits) * (1 - p.chi_terminal) * (1 - p.chi_no_sharing))


def test_radar_orders_on_a_site_consented_the_same_turn_are_accepted():
    s = fresh()
    host = {
        "type": "CONSENT_HOSTING",
        "owner": "aurel",
        "site": "CAL-1",
        "max_interceptors": 12,
        "forward_allowed": True,
        "sensor_sharing_allowed": True,
    }
    aurel = [
        {"type": "DEPLOY", "site": "CAL-1", "itype": "MIDCOURSE", "qty": 12},
        {"type": "SET_RADAR_MODE", "site": "CAL-1", "mode": "forward"},
        {"type": "SET_SENSOR_SHARING", "site": "CAL-1", "sharing": True},
    ]
    ge.validate_orders(s, "aurel", aurel)  # submission no longer refuses them
    r = play(s, {"calla": [host], "aurel": aurel})
    site = r.state.site("CAL-1")
    assert site.radar_mode == "forward" and site.sensor_sharing
    # without the host's consent the same orders are refused at resolution, not applied
    r2 = play(s, {"aurel": aurel})
    assert r2.state.site("CAL-1").radar_mode == "terminal"
    codes = [x["code"] for x in r2.private_reports["aurel"]["rejected"]]
    assert codes.count("E_NO_CONSENT") == 3
