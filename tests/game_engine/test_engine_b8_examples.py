"""B8 worked examples, reproduced to the stated rounding (engine-model.md)."""

from __future__ import annotations

import pytest
from ge_helpers import two_state_scenario

import game_engine as ge
from game_engine import formulas as f
from game_engine import metrics as m
from game_engine.params import Params
from game_engine.pipeline.context import half_up, thaw


def engine_for(scenario: ge.Scenario) -> m.Engine:
    state = ge.new_game(scenario, game_id="b8", seed="s")
    return m.Engine.build(thaw(state, "s", 1).world())


def leakers(n_mrbm: int = 10, cls: str = "MRBM", radar_q: float = 0.6, doctrine: str = "barrage") -> float:
    sc = two_state_scenario(
        att_missiles={cls: n_mrbm},
        def_interceptors={"TERMINAL": 24},
        radar_q=radar_q,
        cm=0.5,
        doctrine=doctrine,
    )
    return engine_for(sc).arriving("atk", "dfd", {cls: n_mrbm})


# ---------------------------------------------------------------- Example 1 (formulas)


def test_example1_effective_sspk_and_kill_probability():
    p = f.p_eff(0.60, 0.0, 0.5, 0.6, 1.0)
    assert p == pytest.approx(0.48)
    rho = 0.80 + 0.15 * 0.6
    assert rho == pytest.approx(0.89)
    assert round(f.pk_per_warhead(p, 2, rho), 3) == 0.649


def test_example1_ten_mrbm_all_engaged():
    s = f.salvo(10, 24, 0.48, n=2, rho=0.89)
    assert s.engaged == 10
    assert round(s.leakers, 2) == 3.51
    assert round(s.d, 3) == 0.649
    assert round(s.p0, 3) == 0.013


def test_example1_twenty_mrbm_saturate_barrage_and_sls():
    bar = f.salvo(20, 24, 0.48, n=2, rho=0.89)
    assert bar.engaged == 12 and round(bar.leakers, 1) == 12.2 and round(bar.d, 2) == 0.39
    assert round(f.shots_per_warhead(0.48, 2, True), 2) == 1.52
    sls = f.salvo(20, 24, 0.48, n=2, rho=0.89, sls=True)
    assert sls.engaged == 15 and round(sls.leakers, 1) == 10.3 and round(sls.d, 2) == 0.49


def test_example1_radar_upgrade_to_full_quality():
    p = f.p_eff(0.60, 0.0, 0.5, 1.0)
    s = f.salvo(10, 24, p, n=2, rho=0.95)
    assert p == pytest.approx(0.60)
    assert round(s.pk, 3) == 0.798 and round(s.leakers, 2) == 2.02 and round(s.p0, 3) == 0.105


def test_example1_hypersonic_glide_vehicles():
    p = f.p_eff(0.50, 0.6, 0.5, 0.6)
    assert round(p, 2) == 0.16
    s = f.salvo(10, 24, p, n=2, rho=0.89)
    assert round(s.pk, 3) == 0.262 and round(s.leakers, 1) == 7.4


# ---------------------------------------------------------------- Example 1 (full engine)


def test_example1_through_the_engine_defense_table():
    assert round(leakers(10), 2) == 3.51
    assert round(leakers(20), 1) == 12.2
    assert round(leakers(20, doctrine="sls"), 1) == 10.3
    assert round(leakers(10, radar_q=1.0), 2) == 2.02
    assert round(leakers(10, cls="HGV"), 1) == 7.4


def test_example1_effectiveness_falls_against_hypersonics_and_countermeasures():
    base = two_state_scenario(att_missiles={"MRBM": 10}, def_interceptors={"TERMINAL": 24}, radar_q=0.6, cm=0.0)
    heavy = two_state_scenario(att_missiles={"MRBM": 10}, def_interceptors={"TERMINAL": 24}, radar_q=0.6, cm=0.8)
    l_base = engine_for(base).arriving("atk", "dfd", {"MRBM": 10})
    l_cm = engine_for(heavy).arriving("atk", "dfd", {"MRBM": 10})
    assert l_cm > l_base
    assert leakers(10, cls="HGV") > leakers(10)


# ---------------------------------------------------------------- Example 2


def test_example2_ntm_and_inspection_probabilities():
    assert round(f.p_ntm(0.6, 0.5, 0.3, 6), 3) == 0.402
    q = 0.8 * (1 - 0.5 * 0.3)
    assert round(q, 2) == 0.68
    assert round(f.p_osi(12, 2, 3, q), 3) == 0.319
    combined = f.combine([f.p_ntm(0.6, 0.5, 0.3, 6), f.p_osi(12, 2, 3, q)])
    assert round(combined, 3) == 0.593
    assert round(f.deterrence_threshold(10, 25), 3) == 0.286
    assert round(10 * (1 - combined) - 25 * combined, 2) == -10.75


def test_example2_concealment_and_ntm_only():
    q = 0.8 * (1 - 0.5 * 0.8)
    assert round(q, 2) == 0.48
    p_osi = f.p_osi(12, 2, 3, q)
    p_ntm = f.p_ntm(0.6, 0.5, 0.8, 6)
    assert (round(p_osi, 3), round(p_ntm, 3)) == (0.230, 0.137)
    both = f.combine([p_osi, p_ntm])
    assert round(both, 3) == 0.335
    assert round(10 * (1 - both) - 25 * both, 2) == -1.72
    assert round(10 * (1 - p_ntm) - 25 * p_ntm, 2) == 5.22


def test_example2_bayesian_trust_updates():
    assert round(6 / (6 + 2 + 3), 3) == 0.545
    post = f.posterior_violation(0.25, 0.68, 0.02)
    assert round(post, 3) == 0.919
    alpha, beta = 6 + 2 * (1 - post), 2 + 2 * post
    assert (round(alpha, 2), round(beta, 2)) == (6.16, 3.84)
    assert round(alpha / (alpha + beta), 3) == 0.616


def test_example2_covert_build_detection_through_the_engine():
    """B covertly builds 6 IRBM above an OFFENSE_CAP; A inspects 3 sites of 12 (expected mode)."""
    from ge_helpers import scenario_from

    data = {
        "schema_version": 1,
        "slug": "ex2",
        "title": "Example 2",
        "turns": 3,
        "params": {"crisis_enabled": False},
        "states": [
            {
                "id": "a",
                "name": "A",
                "nuclear": True,
                "missiles": {"IRBM": 10},
                "tech": ["IRBM"],
                "ntm": 0.5,
                "conceal": 0.1,
                "budget": 100,
                "income": 50,
            },
            {
                "id": "b",
                "name": "B",
                "nuclear": True,
                "missiles": {"IRBM": 10},
                "tech": ["IRBM"],
                "prod_cap": {"IRBM": 6},
                "ntm": 0.5,
                "conceal": 0.3,
                "budget": 100,
                "income": 50,
                "missile_sites": 12,
            },
        ],
        "relations": [{"from": "a", "to": "b", "mutual": True, "h": 0.2, "trust": [6, 2], "rival": True}],
        "reach": {"a": {"b": ["IRBM"]}, "b": {"a": ["IRBM"]}},
        "treaties": [
            {
                "template": "OFFENSE_CAP",
                "parties": ["a", "b"],
                "terms": {"caps": {"IRBM": 10}, "inspection_quota": 4, "data_exchange": False, "notification": False},
            }
        ],
    }
    state = ge.new_game(scenario_from(data), game_id="ex2", seed="s")
    orders = {
        "b": ge.validate_orders(state, "b", [{"type": "BUILD", "class": "IRBM", "qty": 6, "covert": True}]),
        "a": ge.validate_orders(state, "a", [{"type": "INSPECT", "target": "b", "treaty": "T1", "visits": 3}]),
    }
    r = ge.resolve(state, orders, "s")
    ev = {e.channel: e for e in r.state.evidence}
    assert round(ev["osi"].weight, 3) == 0.319
    assert round(ev["osi"].weight + ev["ntm"].weight, 3) == 0.593
    assert ev["osi"].published and not ev["ntm"].published


# ---------------------------------------------------------------- Example 3


def duel3(a_int: int = 0, b_irbm: int = 20) -> tuple[m.Engine, dict[str, dict[str, float]]]:
    sc = two_state_scenario(
        att_missiles={"IRBM": 20},
        def_interceptors={"MIDCOURSE": a_int} if a_int else {},
        radar_q=1.0,
        cm=0.0,
        env=0.96,
        def_missiles={"IRBM": b_irbm},
        l_half=6.0,
        u=0.5,
    )
    # "dfd" plays A (it owns the defenses); "atk" plays B.
    eng = engine_for(sc)
    return eng, {"dfd": {"IRBM": 20}, "atk": {"IRBM": b_irbm}}


def security_pair(a_int: int, b_irbm: int) -> tuple[float, float, float, float]:
    eng, view = duel3(a_int, b_irbm)
    view["atk"] = {"IRBM": b_irbm}
    sec_a = m.security(eng, view, "dfd", {})
    sec_b = m.security(eng, view, "atk", {})
    dy = eng.dyad("dfd", "atk", view["dfd"], view["atk"])
    return sec_a.sec, sec_b.sec, sec_b.det["dfd"], dy.fsi


@pytest.mark.parametrize(
    ("world", "a_int", "b_irbm", "sec_a", "sec_b", "det_b", "fsi"),
    [
        ("3a baseline", 0, 20, 63.0, 63.0, 1.00, 0.761),
        ("3b unilateral defense", 24, 20, 67.8, 56.9, 0.88, 0.517),
        ("3c answering build-up", 24, 30, 60.5, 65.0, 1.00, 0.722),
        ("3d capped at 12", 12, 20, 64.8, 63.0, 1.00, 0.679),
    ],
)
def test_example3_security_dilemma_table(world, a_int, b_irbm, sec_a, sec_b, det_b, fsi):
    got = security_pair(a_int, b_irbm)
    assert (round(got[0], 1), round(got[1], 1), round(got[2], 2), round(got[3], 3)) == (sec_a, sec_b, det_b, fsi), world


def test_example3_threat_targets_and_race_regime():
    eng, view = duel3(0, 20)
    dy = eng.dyad("dfd", "atk", view["dfd"], view["atk"])
    t_base = f.threat_target(dy.f_ij, 0.0, 0.0, 0.2, 0.5, 0.0)
    assert round(t_base, 1) == 54.0
    assert round(f.spectral_radius_2(0.15, 0.15, 0.2 * t_base / 100, 0.2 * t_base / 100), 3) == 0.958
    eng, view = duel3(24, 20)
    dy = eng.dyad("dfd", "atk", view["dfd"], view["atk"])
    det_b = min(1.0, dy.r_ij / 0.5)
    t_ab = f.threat_target(dy.f_ij, 0.0, 0.0, 0.2, 0.5, 0.0)
    t_ba = f.threat_target(dy.f_ji, 1 - det_b, 0.0, 0.2, 0.5, 0.2)
    assert (round(t_ab, 1), round(t_ba, 1)) == (44.4, 73.0)
    assert round(f.spectral_radius_2(0.15, 0.15, 0.2 * t_ab / 100, 0.2 * t_ba / 100), 3) == 0.964
    assert round(f.spectral_radius_2(0.15, 0.15, 0.2 * 0.771, 0.2 * 0.757), 3) == 1.003
    assert round(f.spectral_radius_2(0.15, 0.15, 0.2 * 0.403, 0.2 * 0.432), 3) == 0.933


def test_example3_catastrophe_risk_per_turn():
    p_cr = 0.01 + 0.15 * 0.54**2
    p_esc = 0.30 * (1 - 0.761)
    assert round(100 * p_cr * p_esc, 2) == 0.39
    t_bar = (44.4 + 73.0) / 2
    p_cr = 0.01 + 0.15 * (t_bar / 100) ** 2
    p_esc = 0.30 * (1 - 0.517) * (1 - 0.3 * 0.32)
    assert round(100 * p_cr * p_esc, 2) == 0.81


def test_example3_third_party_damage_limitation():
    """A faces B (weight 0.40) and an NPC with 6 missiles (0.60): DL 0.338 / 0.547 / 0.587."""
    values = []
    for n in (0, 12, 24):
        eng, _view = duel3(n, 20)
        f_b = eng.damage("atk", "dfd", {"IRBM": 20})
        f_npc = eng.damage("atk", "dfd", {"IRBM": 6})
        values.append(1 - 0.40 * f_b - 0.60 * f_npc)
    assert values == pytest.approx([0.338, 0.547, 0.587], abs=0.003)
    assert values[1] - values[0] > 0.8 * (values[2] - values[0])  # "keeps most of the benefit"


@pytest.mark.parametrize(
    ("world", "a_int", "b_irbm", "tau", "chi_ba", "t_ab", "t_ba"),
    [
        ("3a baseline", 0, 20, 0.5, 0.0, 55.8, 55.8),
        ("3b unilateral defense", 24, 20, 0.5, 0.0, 49.0, 57.1),
        ("3c answering build-up", 24, 30, 0.5, 0.0, 56.9, 56.4),
        ("3d capped at 12, limits", 12, 20, 0.65, 0.5, 41.9, 44.4),
    ],
)
def test_example3_threats_recomputed_with_worst_case_bias_and_no_incident(
    world, a_int, b_irbm, tau, chi_ba, t_ab, t_ba
):
    """docs/rules.md#security: B8's threat column assumes an incident in 3b and leaves out the
    worst-case estimate bias; recomputed from the formulas (with the posture term) it reads so."""
    p = Params()
    bias = p.est_bias * (1 - tau)
    eng, _ = duel3(a_int, b_irbm)
    dy_a = eng.dyad("dfd", "atk", {"IRBM": 20}, {"IRBM": half_up(b_irbm * (1 + bias))})
    got_ab = f.threat_target(dy_a.f_ij, 1 - min(1.0, dy_a.r_ji / 0.5), 0.0, 0.2, tau, 0.0)
    dy_b = eng.dyad("atk", "dfd", {"IRBM": b_irbm}, {"IRBM": half_up(20 * (1 + bias))})
    post = p.er_load * min(1.0, a_int / p.er_load_ref)
    e_b = 1 - min(1.0, dy_b.r_ji / 0.5) * (1 - post)
    got_ba = f.threat_target(dy_b.f_ij, e_b, chi_ba, 0.2, tau, 0.0)
    assert (round(got_ab, 1), round(got_ba, 1)) == (t_ab, t_ba), world
