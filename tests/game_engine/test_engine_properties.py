"""Hypothesis properties for the B7 invariants (kept small: the whole suite stays < 60 s)."""

from __future__ import annotations

import contextlib
from dataclasses import replace

import pytest
from ge_helpers import ENGINE_SETTINGS, canon, fresh, scenario_from
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

import game_engine as ge
from game_engine import formulas as f
from game_engine.orders import parse_order
from game_engine.params import CLASS_ORDER, ITYPE_ORDER

ACTORS = ("aurel", "borun", "calla", "dresk")
SITES = ("AUR-1", "BOR-1", "CAL-1")
probs = st.floats(0, 1, allow_nan=False)


def _raw_orders() -> st.SearchStrategy[dict[str, object]]:
    cls = st.sampled_from(CLASS_ORDER)
    qty = st.integers(0, 8)
    who = st.sampled_from(ACTORS)
    site = st.sampled_from(SITES)
    itype = st.sampled_from(ITYPE_ORDER)
    return st.one_of(
        st.fixed_dictionaries({"type": st.just("BUILD"), "class": cls, "qty": qty, "covert": st.booleans()}),
        st.fixed_dictionaries({"type": st.just("REDUCE"), "class": cls, "qty": qty}),
        st.fixed_dictionaries({"type": st.just("TEST"), "class": cls, "notify": st.booleans()}),
        st.fixed_dictionaries({"type": st.just("BUY_INTERCEPTORS"), "itype": itype, "qty": qty}),
        st.fixed_dictionaries({"type": st.just("DEPLOY"), "site": site, "itype": itype, "qty": qty}),
        st.fixed_dictionaries({"type": st.just("WITHDRAW_DEPLOYMENT"), "site": site, "itype": itype, "qty": qty}),
        st.fixed_dictionaries(
            {"type": st.just("DECLARE"), "counts": st.dictionaries(cls, st.integers(0, 40), max_size=3)}
        ),
        st.fixed_dictionaries(
            {"type": st.sampled_from(["AGREE_HOTLINE", "AGREE_NOTIFICATION", "AGREE_DATA_EXCHANGE"]), "with": who}
        ),
        st.fixed_dictionaries({"type": st.just("INVITE_OBSERVERS"), "with": who}),
        st.fixed_dictionaries({"type": st.just("ACCEPT"), "with": who, "what": st.just("INVITE_OBSERVERS")}),
        st.fixed_dictionaries({"type": st.just("PAYMENT"), "to": who, "amount": st.integers(1, 30)}),
        st.fixed_dictionaries(
            {
                "type": st.just("CONSENT_HOSTING"),
                "owner": st.just("aurel"),
                "site": st.just("CAL-1"),
                "max_interceptors": st.integers(0, 24),
                "compensation": st.integers(0, 4),
            }
        ),
        st.fixed_dictionaries({"type": st.just("REVOKE_CONSENT"), "owner": st.just("aurel"), "site": st.just("CAL-1")}),
        st.fixed_dictionaries(
            {"type": st.just("EXPORT"), "to": who, "class": cls, "qty": qty, "covert": st.booleans()}
        ),
        st.fixed_dictionaries({"type": st.just("ACCEPT_IMPORT"), "from": who, "class": cls, "qty": qty}),
        st.fixed_dictionaries({"type": st.just("SET_CONCEALMENT"), "level": st.integers(0, 9)}),
        st.fixed_dictionaries({"type": st.just("INVEST_NTM"), "points": st.sampled_from([5, 10])}),
        st.fixed_dictionaries(
            {"type": st.just("RESEARCH"), "tech": st.sampled_from(["cm", "discrimination", "program", "HGV", "MRBM"])}
        ),
        st.fixed_dictionaries(
            {"type": st.just("WITHDRAW"), "treaty": st.sampled_from(["T1", "T2"]), "immediate": st.booleans()}
        ),
        st.fixed_dictionaries({"type": st.just("SET_CHALLENGE_POLICY"), "allow": st.booleans()}),
    )


ORDER_SETS = st.dictionaries(st.sampled_from(ACTORS), st.lists(_raw_orders(), max_size=5), max_size=4)


def typed(raw: dict[str, list[dict[str, object]]]) -> dict[str, list[ge.Order]]:
    out: dict[str, list[ge.Order]] = {}
    for sid, lst in raw.items():
        out[sid] = []
        for o in lst:
            with contextlib.suppress(ge.MalformedOrder):
                out[sid].append(parse_order(o))
    return out


def interceptors_of(state: ge.GameState, sid: str) -> int:
    return sum(state.nations[sid].store.values()) + sum(
        sum(s.interceptors.values()) for s in state.sites if s.owner == sid
    )


def check_invariants(before: ge.GameState, r: ge.Resolution) -> None:
    after = r.state
    assert 0 <= after.rsi_pub <= 100 and 0 <= after.rsi_true <= 100
    for comps in (after.rsi_components, after.rsi_components_true):
        assert all(0.05 <= v <= 1 for v in comps.values())
    for p in after.pairs.values():
        assert 0 <= p.threat <= 100 and 0 <= p.tau <= 1 and 0 <= p.chi <= 0.9
        assert 0 <= p.vcov <= 1 and 0 <= p.ev <= 1 and p.alpha > 0 and p.beta > 0
        assert all(isinstance(n, int) and n >= 0 for n in p.est.values())
    for t in after.treaties:
        assert all(0 <= v <= 100 for v in t.cs.values())
    for sid in after.state_ids:
        n, b = after.nations[sid], before.nations[sid]
        assert 0 <= n.ds <= 100 and 0 <= n.sec <= 100
        assert isinstance(n.budget, int) and n.budget >= 0
        assert all(isinstance(x, int) and x >= 0 for x in (*n.missiles.values(), *n.store.values()))
        # B7.11 budget: exact integer ledger
        ledger = r.private_reports[sid]["budget"]["ledger"]
        assert n.budget == b.budget + sum(ledger.values())
        # B7.9 missiles: built - reduced - exported + imported
        acc = [a["order"] for a in r.private_reports[sid]["accepted"]]
        for c in CLASS_ORDER:
            delta = sum(o["qty"] for o in acc if o["type"] == "BUILD" and o["class"] == c)
            delta -= sum(o["qty"] for o in acc if o["type"] == "REDUCE" and o["class"] == c)
            delta -= sum(o["qty"] for o in acc if o["type"] == "EXPORT" and o["class"] == c and not o["tech"])
            delta += sum(o["qty"] for o in acc if o["type"] == "ACCEPT_IMPORT" and o["class"] == c and not o["tech"])
            assert n.missiles.get(c, 0) == b.missiles.get(c, 0) + delta
        # B7.10 interceptors: DEPLOY moves, BUY creates
        bought = sum(o["qty"] for o in acc if o["type"] == "BUY_INTERCEPTORS")
        assert interceptors_of(after, sid) == interceptors_of(before, sid) + bought
    comp_in = sum(r.private_reports[s]["budget"]["ledger"].get("compensation_in", 0) for s in after.state_ids)
    comp_out = sum(r.private_reports[s]["budget"]["ledger"].get("compensation_out", 0) for s in after.state_ids)
    assert comp_in == -comp_out
    # B7.3 / B7.13 sites and consents
    for site in after.sites:
        here = sum(site.interceptors.values())
        assert here <= site.capacity
        if site.owner and site.owner != site.host and here:
            cons = [c for c in after.consents if c.site == site.id and c.owner == site.owner]
            assert cons and here <= cons[0].max_interceptors


@settings(ENGINE_SETTINGS, max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(raw=ORDER_SETS, mode=st.sampled_from(["expected", "stochastic"]))
def test_random_orders_keep_bounds_conservation_and_determinism(raw, mode):
    s = fresh(mode=mode)
    orders = typed(raw)
    r = ge.resolve(s, orders, "prop")
    check_invariants(s, r)
    again = ge.resolve(s, orders, "prop")
    assert canon(ge.state_to_json(again.state)) == canon(ge.state_to_json(r.state))
    # B7.5 permutation invariance
    shuffled = {k: list(reversed(v)) for k, v in reversed(list(orders.items()))}
    perm = ge.resolve(s, shuffled, "prop")
    assert canon(ge.state_to_json(perm.state)) == canon(ge.state_to_json(r.state))
    # B7.18 rejected orders have no effect
    keep = {
        sid: [orders[sid][a["index"]] for a in rep["accepted"]]
        for sid, rep in r.private_reports.items()
        if sid in orders
    }
    clean = ge.resolve(s, keep, "prop")
    assert canon(ge.state_to_json(clean.state)) == canon(ge.state_to_json(r.state))


@settings(ENGINE_SETTINGS, max_examples=15)
@given(raw=ORDER_SETS)
def test_rng_locality_adding_an_order_for_one_state_keeps_other_draws(raw):
    s = fresh(mode="stochastic")
    orders = typed(raw)
    r1 = ge.resolve(s, orders, "loc")
    extra = dict(orders)
    extra["calla"] = [*orders.get("calla", []), parse_order({"type": "DECLARE", "counts": {"SRBM": 8}})]
    r2 = ge.resolve(s, extra, "loc")
    d1 = {d["key"]: d["u"] for d in r1.audit["draws"] if "key" in d and "calla" not in d["key"]}
    d2 = {d["key"]: d["u"] for d in r2.audit["draws"] if "key" in d and "calla" not in d["key"]}
    for k in set(d1) & set(d2):
        assert d1[k] == d2[k]


class EngineMachine(RuleBasedStateMachine):
    """Random multi-turn games; after every turn the B7 invariants must hold."""

    @initialize(mode=st.sampled_from(["expected", "stochastic"]), slug=st.sampled_from(["meridian-sea"]))
    def start(self, mode: str, slug: str) -> None:
        self.state = fresh(mode=mode, slug=slug, seed="machine")

    @rule(raw=ORDER_SETS)
    def play_turn(self, raw: dict[str, list[dict[str, object]]]) -> None:
        if self.state.game_over:
            with pytest.raises(ge.RuleViolation):
                ge.resolve(self.state, {}, "machine")
            return
        before = self.state
        r = ge.resolve(before, typed(raw), "machine")
        check_invariants(before, r)
        assert r.state.turn in (before.turn + 1, before.turn)
        self.state = r.state

    @rule()
    def snapshot_round_trip(self) -> None:
        assert ge.state_from_json(ge.state_to_json(self.state)) == self.state

    @invariant()
    def views_are_json_and_private(self) -> None:
        if not hasattr(self, "state"):
            return
        for viewer in (None, "aurel"):
            v = ge.view_json(self.state, viewer)
            canon(v)
            if not self.state.game_over:
                assert v["truth"] is None and v["seed"] is None


TestEngineMachine = EngineMachine.TestCase
TestEngineMachine.settings = settings(ENGINE_SETTINGS, max_examples=20, stateful_step_count=8)


# ---------------------------------------------------------------- unit monotonicity (B7 20-27)


@ENGINE_SETTINGS
@given(p=probs, q=probs, n=st.integers(1, 4), rho=probs)
def test_pk_is_monotone(p, q, n, rho):
    lo, hi = sorted((p, q))
    assert f.pk_per_warhead(lo, n, rho) <= f.pk_per_warhead(hi, n, rho) + 1e-12
    assert f.pk_per_warhead(p, n, rho) <= f.pk_per_warhead(p, min(4, n + 1), rho) + 1e-12
    assert 0 <= f.pk_per_warhead(p, n, rho) <= 1


@ENGINE_SETTINGS
@given(p0=probs, kappa=probs, cm=probs, d1=probs, d2=probs)
def test_sspk_falls_with_countermeasures_and_rises_with_discrimination(p0, kappa, cm, d1, d2):
    lo, hi = sorted((d1, d2))
    assert f.p_eff(p0, kappa, cm, lo) <= f.p_eff(p0, kappa, cm, hi) + 1e-12
    assert f.p_eff(p0, kappa, min(1, cm + 0.1), lo) <= f.p_eff(p0, kappa, cm, lo) + 1e-12


@ENGINE_SETTINGS
@given(w=st.integers(0, 60), i=st.integers(0, 60), p=probs)
def test_leakers_monotone_in_interceptors_and_salvo(w, i, p):
    a = f.salvo(w, i, p, 2, 0.9)
    assert f.salvo(w, i + 1, p, 2, 0.9).leakers <= a.leakers + 1e-9
    assert f.salvo(w + 1, i, p, 2, 0.9).leakers >= a.leakers - 1e-9
    assert 0 <= a.d <= 1 and 0 <= a.p0 <= 1


@ENGINE_SETTINGS
@given(eta=st.floats(0, 5), ntm=probs, conceal=probs, m=st.floats(0, 40))
def test_ntm_detection_monotone(eta, ntm, conceal, m):
    p = f.p_ntm(eta, ntm, conceal, m)
    assert 0 <= p <= 1
    assert f.p_ntm(eta, min(1, ntm + 0.1), conceal, m) >= p - 1e-12
    assert f.p_ntm(eta, ntm, min(1, conceal + 0.1), m) <= p + 1e-12
    assert f.p_ntm(eta, ntm, conceal, m + 1) >= p - 1e-12


@ENGINE_SETTINGS
@given(n=st.integers(1, 20), r=st.integers(0, 20), k=st.integers(0, 20), q=probs)
def test_osi_detection_monotone_in_visits(n, r, k, q):
    r = min(r, n)
    p = f.p_osi(n, r, k, q)
    assert 0 <= p <= 1 + 1e-12
    assert f.p_osi(n, r, k + 1, q) >= p - 1e-12
    assert f.combine([p, 0.3]) >= max(p, 0.3) - 1e-12


@ENGINE_SETTINGS
@given(d=st.floats(0.01, 100), b=st.floats(0.01, 100))
def test_deterrence_threshold_monotone(d, b):
    t = f.deterrence_threshold(d, b)
    assert f.deterrence_threshold(d * 1.1, b) >= t and f.deterrence_threshold(d, b * 1.1) <= t


@ENGINE_SETTINGS
@given(h=probs, e=probs, chi=probs, hh=probs, tau=probs, ev=probs)
def test_threat_target_monotone(h, e, chi, hh, tau, ev):
    t = f.threat_target(h, e, chi, hh, tau, ev)
    assert 0 <= t <= 100
    assert f.threat_target(min(1, h + 0.1), e, chi, hh, tau, ev) >= t - 1e-9
    assert f.threat_target(h, e, chi, hh, min(1, tau + 0.1), ev) <= t + 1e-9
    assert f.threat_target(h, e, min(1, chi + 0.1), hh, tau, ev) <= t + 1e-9


@ENGINE_SETTINGS
@given(prior=st.floats(0.01, 0.99), pd=st.floats(0.01, 1), alpha=st.floats(0.001, 0.5))
def test_posterior_violation_monotone(prior, pd, alpha):
    post = f.posterior_violation(prior, pd, alpha)
    assert f.posterior_violation(min(0.99, prior + 0.05), pd, alpha) >= post - 1e-12
    assert f.posterior_violation(prior, pd, alpha * 1.5) <= post + 1e-12


@ENGINE_SETTINGS
@given(a1=st.floats(0.01, 1), a2=st.floats(0.01, 1), k12=st.floats(0, 1), k21=st.floats(0, 1))
def test_richardson_two_state_stability_condition(a1, a2, k12, k21):
    rho = f.spectral_radius_2(a1, a2, k12, k21)
    if abs(a1 * a2 - k12 * k21) > 1e-6:
        assert (rho < 1) == (a1 * a2 > k12 * k21)


@ENGINE_SETTINGS
@given(comps=st.lists(probs, min_size=6, max_size=6), k=st.integers(0, 5))
def test_rsi_monotone_in_each_component(comps, k):
    w = (0.3, 0.2, 0.15, 0.15, 0.1, 0.1)
    base = f.rsi_geometric(comps, w, 0.05)
    up = list(comps)
    up[k] = min(1.0, up[k] + 0.1)
    assert f.rsi_geometric(up, w, 0.05) >= base - 1e-9 and 0 <= base <= 100


@ENGINE_SETTINGS
@given(a1=st.floats(0.05, 0.4), a2=st.floats(0.05, 0.4), k12=st.floats(0, 0.5), k21=st.floats(0, 0.5))
def test_power_iteration_agrees_with_the_closed_form(a1, a2, k12, k21):
    m = [[1 - a1, k12, 0.0], [k21, 1 - a2, 0.0], [0.0, 0.0, 0.1]]
    # B5.5 prescribes 200 power iterations; defective matrices (a1 == a2 with one K = 0)
    # converge only like 1/k, hence the 1 % tolerance.
    assert f.spectral_radius(m) == pytest.approx(f.spectral_radius_2(a1, a2, k12, k21), rel=1e-2)


# ---------------------------------------------------------------- symmetry and expectation


def _mirror(first: dict[str, int], second: dict[str, int], names: tuple[str, str]) -> ge.Scenario:
    a, b = names

    def st_(sid: str, mis: dict[str, int]) -> dict[str, object]:
        return {
            "id": sid,
            "name": sid.upper(),
            "nuclear": True,
            "missiles": mis,
            "tech": sorted(mis),
            "budget": 50,
            "income": 30,
        }

    return scenario_from(
        {
            "schema_version": 1,
            "slug": "mirror",
            "title": "Mirror",
            "turns": 3,
            "params": {"crisis_enabled": False},
            "states": [st_(a, first), st_(b, second)],
            "relations": [{"from": a, "to": b, "mutual": True, "h": 0.3, "rival": True}],
            "reach": {a: {b: sorted(first)}, b: {a: sorted(second)}},
        }
    )


def test_label_symmetry_in_expected_mode():
    s1 = ge.new_game(_mirror({"IRBM": 12}, {"MRBM": 20}, ("x", "y")), game_id="m", seed="m")
    s2 = ge.new_game(_mirror({"MRBM": 20}, {"IRBM": 12}, ("x", "y")), game_id="m", seed="m")
    r1 = ge.resolve(s1, {"x": [parse_order({"type": "BUILD", "class": "IRBM", "qty": 1})]}, "m")
    r2 = ge.resolve(s2, {"y": [parse_order({"type": "BUILD", "class": "IRBM", "qty": 1})]}, "m")
    assert r1.state.nations["x"].sec == pytest.approx(r2.state.nations["y"].sec, abs=1e-9)
    assert r1.state.nations["y"].sec == pytest.approx(r2.state.nations["x"].sec, abs=1e-9)
    assert r1.state.pairs[("x", "y")].threat == pytest.approx(r2.state.pairs[("y", "x")].threat, abs=1e-9)
    assert r1.state.rsi_pub == pytest.approx(r2.state.rsi_pub, abs=1e-9)


@pytest.mark.slow
def test_expected_mode_matches_the_stochastic_mean_for_detections():
    from ge_helpers import scenario_dict

    data = scenario_dict()
    s_exp = ge.new_game(scenario_from(data), game_id="mc", seed="e", mode="expected")
    s_exp, tid, h = ge.add_treaty_draft(
        s_exp, "OFFENSE_CAP", ["aurel", "borun"], {"caps": {"MRBM": 16}, "inspection_quota": 4}
    )
    signs = {x: [parse_order({"type": "SIGN", "terms_hash": h})] for x in ("aurel", "borun")}
    s_exp = ge.resolve(s_exp, signs, "e").state
    orders = {
        "borun": [parse_order({"type": "BUILD", "class": "MRBM", "qty": 4, "covert": True})],
        "aurel": [parse_order({"type": "INSPECT", "target": "borun", "treaty": tid, "visits": 2})],
    }
    expected = sum(e.weight for e in ge.resolve(s_exp, orders, "e").state.evidence if e.holder == "aurel" and e.is_true)
    hits = 0
    n = 150
    for k in range(n):
        s = replace(s_exp, mode="stochastic")
        r = ge.resolve(s, orders, f"mc{k}")
        hits += any(e.holder == "aurel" and e.is_true for e in r.state.evidence)
    freq = hits / n
    sd = (expected * (1 - expected) / n) ** 0.5
    assert abs(freq - expected) < 4 * sd + 0.01
