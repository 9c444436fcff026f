"""Public API (milestone 1): scenarios, new_game, validation codes, resolve, view keys."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from ge_helpers import canon, fresh, play, said, scenario_dict, scenario_from, toml_dict

import game_engine as ge
from game_engine.errors import RuleCode
from game_engine.orders import Build


def test_list_scenarios_is_sorted_by_slug_and_describes_states():
    infos = ge.list_scenarios()
    slugs = [i.slug for i in infos]
    assert slugs == sorted(slugs)
    meridian = next(i for i in infos if i.slug == "meridian-sea")
    assert meridian.turns == 8
    assert [s.id for s in meridian.states] == ["aurel", "borun", "calla", "dresk"]
    for s in meridian.states:
        assert s.name and s.role and s.public_briefing and s.secret_briefing and s.objectives
        assert s.color.startswith("#")


def test_load_scenario_reports_every_error_with_its_field_path(tmp_path: Path):
    text = (Path(ge.__file__).parent / "scenarios" / "meridian-sea.toml").read_text()
    text = text.replace(
        "missiles = { SRBM = 20, MRBM = 16, IRBM = 6 }",
        "missiles = { SRBM = 20, MRBM = -1, IRBM = 6 }",
    )
    text = text.replace("turns = 8", "turns = 0")
    bad = tmp_path / "bad.toml"
    bad.write_text(text)
    with pytest.raises(ge.ScenarioError) as info:
        ge.load_scenario(str(bad))
    assert "states[1].missiles.MRBM: must be an integer >= 0" in info.value.errors
    assert any(e.startswith("turns:") for e in info.value.errors)


def test_load_scenario_rejects_unknown_slug():
    with pytest.raises(ge.ScenarioError):
        ge.load_scenario("no-such-scenario")


def test_new_game_starts_at_turn_one_with_initial_rsi():
    s = fresh()
    assert (s.turn, s.max_turns, s.game_over, s.mode) == (1, 8, False, "expected")
    assert s.state_ids == ("aurel", "borun", "calla", "dresk")
    assert len(s.rsi_history) == 1 and 0 <= s.rsi_pub <= 100
    assert s.game_over_reason == ""
    assert len(s.seed_commit) == 64 and "seed-1" not in s.seed_commit


def test_new_game_rejects_unknown_mode():
    with pytest.raises(ge.RuleViolation) as info:
        ge.new_game(ge.load_scenario("meridian-sea"), game_id="g", seed="s", mode="chaotic")
    assert info.value.code == RuleCode.E_BAD_PARAM


def test_validate_order_coerces_form_strings():
    s = fresh()
    o = ge.validate_order(s, "borun", {"type": "build", "class": "mrbm", "qty": "2", "covert": "false"})
    assert o == Build(cls="MRBM", qty=2, covert=False)
    assert ge.order_from_json(ge.order_to_json(o)) == o
    assert ge.order_to_json(o) == {"type": "BUILD", "class": "MRBM", "covert": False, "qty": 2}


@pytest.mark.parametrize(
    ("actor", "raw", "code"),
    [
        ("dresk", {"type": "BUILD", "class": "MRBM", "qty": 1}, RuleCode.E_NO_TECH),
        ("borun", {"type": "BUILD", "class": "IRBM", "qty": 3}, RuleCode.E_CAPACITY),
        ("calla", {"type": "REDUCE", "class": "SRBM", "qty": 9}, RuleCode.E_NEGATIVE),
        (
            "aurel",
            {"type": "DEPLOY", "site": "NOWHERE", "itype": "MIDCOURSE", "qty": 1},
            RuleCode.E_UNKNOWN,
        ),
        (
            "aurel",
            {"type": "DEPLOY", "site": "AUR-1", "itype": "MIDCOURSE", "qty": 13},
            RuleCode.E_NEGATIVE,
        ),
        (
            "aurel",
            {"type": "DEPLOY", "site": "BOR-1", "itype": "TERMINAL", "qty": 1},
            RuleCode.E_NO_CONSENT,
        ),
        ("calla", {"type": "BUY_INTERCEPTORS", "itype": "MIDCOURSE", "qty": 2}, RuleCode.E_BUDGET),
        ("borun", {"type": "TEST", "class": "ICBM"}, RuleCode.E_NO_TECH),
        ("nobody", {"type": "DECLARE", "counts": {}}, RuleCode.E_UNKNOWN),
    ],
)
def test_validate_order_error_codes(actor, raw, code):
    with pytest.raises(ge.RuleViolation) as info:
        ge.validate_order(fresh(), actor, raw)
    assert info.value.code == code
    assert info.value.order_index is None
    assert info.value.message and info.value.message[0].isupper()


@pytest.mark.parametrize(
    ("raw", "code", "path"),
    [
        ({"type": "BUILD", "class": "SRBM", "qty": -1}, RuleCode.E_NEGATIVE, "qty"),
        ({"type": "BUILD", "class": "XRBM", "qty": 1}, RuleCode.E_UNKNOWN, "class"),
        ({"type": "LAUNCH", "class": "SRBM"}, RuleCode.E_UNKNOWN, "type"),
        ({"type": "BUILD", "class": "SRBM", "qty": "two"}, RuleCode.E_BAD_PARAM, "qty"),
        ({"type": "BUILD", "class": "SRBM"}, RuleCode.E_BAD_PARAM, "qty"),
        ({"type": "DECLARE", "counts": {"SRBM": -3}}, RuleCode.E_NEGATIVE, "counts.SRBM"),
        ({"type": "BUILD", "class": "SRBM", "qty": 1, "priority": "first"}, RuleCode.E_BAD_PARAM, "priority"),
        (["BUILD"], RuleCode.E_BAD_PARAM, ""),
    ],
)
def test_a_malformed_order_is_not_a_rule_violation_and_names_its_field(raw, code, path):
    with pytest.raises(ge.MalformedOrder) as info:
        ge.validate_order(fresh(), "calla", raw)
    assert not isinstance(info.value, ge.RuleViolation)
    assert (info.value.code, info.value.path) == (code, path)
    assert info.value.message and info.value.message[0].isupper()


def test_a_malformed_order_in_a_list_keeps_its_position_and_path():
    with pytest.raises(ge.MalformedOrder) as info:
        ge.validate_orders(fresh(), "calla", [{"type": "TEST", "class": "SRBM"}, {"type": "BUILD", "class": "SRBM"}])
    assert (info.value.order_index, info.value.path) == (1, "qty")


def test_budget_message_is_plain_english():
    s = fresh()
    orders = [
        {"type": "BUILD", "class": "SRBM", "qty": 6},
        {"type": "BUILD", "class": "MRBM", "qty": 4},
        {"type": "BUILD", "class": "IRBM", "qty": 2},
    ]
    with pytest.raises(ge.RuleViolation) as info:
        ge.validate_orders(s, "borun", orders)
    assert info.value.code == RuleCode.E_BUDGET
    # canonical order walks IRBM (12), MRBM (16), then SRBM: 30 - 28 = 2 left
    assert info.value.message == "Borun cannot afford 6 SRBM: costs 12, budget left 2."
    assert info.value.order_index == 0


def test_covert_build_costs_a_quarter_more():
    s = fresh()
    poor = replace(s, nations={**s.nations, "borun": replace(s.nations["borun"], budget=19)})
    ge.validate_order(poor, "borun", {"type": "BUILD", "class": "MRBM", "qty": 4})
    with pytest.raises(ge.RuleViolation) as info:
        ge.validate_order(poor, "borun", {"type": "BUILD", "class": "MRBM", "qty": 4, "covert": True})
    assert info.value.code == RuleCode.E_BUDGET
    assert "costs 20" in info.value.message


def test_validate_orders_uses_running_inventory_and_reports_order_index():
    s = fresh()
    orders = [
        {"type": "DECLARE", "counts": {"IRBM": 10}},
        {"type": "DEPLOY", "site": "AUR-1", "itype": "MIDCOURSE", "qty": 8},
        {"type": "DEPLOY", "site": "AUR-1", "itype": "MIDCOURSE", "qty": 8},
    ]
    with pytest.raises(ge.RuleViolation) as info:
        ge.validate_orders(s, "aurel", orders)
    assert info.value.code == RuleCode.E_NEGATIVE
    assert info.value.order_index in (1, 2)
    ok = ge.validate_orders(s, "aurel", orders[:2])
    assert [o.type for o in ok] == ["DECLARE", "DEPLOY"]


def test_too_many_tests_in_one_turn():
    s = fresh()
    with pytest.raises(ge.RuleViolation) as info:
        ge.validate_orders(s, "borun", [{"type": "TEST", "class": "SRBM"}] * 4)
    assert info.value.code == RuleCode.E_TOO_MANY_TESTS and info.value.order_index == 3


def test_site_capacity_is_enforced():
    s = fresh()
    with pytest.raises(ge.RuleViolation) as info:
        ge.validate_order(s, "borun", {"type": "DEPLOY", "site": "BOR-1", "itype": "TERMINAL", "qty": 17})
    assert info.value.code in (RuleCode.E_SITE_CAPACITY, RuleCode.E_NEGATIVE)


def test_resolve_reports_public_and_private_events():
    s = fresh()
    r = play(
        s,
        {
            "borun": [
                {"type": "BUILD", "class": "MRBM", "qty": 2},
                {"type": "BUILD", "class": "SRBM", "qty": 1, "covert": True},
            ],
            "aurel": [{"type": "BUY_INTERCEPTORS", "itype": "TERMINAL", "qty": 4}],
        },
    )
    texts = {(said(s, e), e.audience) for e in r.events}
    assert ("Borun built 2 MRBM.", None) in texts
    assert ("Borun secretly built 1 SRBM.", ("borun",)) in texts
    assert r.state.turn == 2
    assert r.state.nations["borun"].missiles["SRBM"] == 21
    assert r.state.nations["borun"].public_ledger["SRBM"] == 20
    assert r.state.nations["borun"].public_ledger["MRBM"] == 18
    pub = r.public_report
    assert pub["turn"] == 1 and set(pub["rsi_pub"]) == {"before", "after"}
    assert set(pub["components"]) == {
        "S_crisis",
        "S_race",
        "S_trust",
        "S_regime",
        "S_transp",
        "S_percep",
    }
    assert all("secretly" not in said(s, a["text"]) for a in pub["actions"])
    priv = r.private_reports["borun"]
    assert [a["order"]["type"] for a in priv["accepted"]] == ["BUILD", "BUILD"]
    assert priv["budget"]["before"] == 30
    assert set(priv) >= {"accepted", "rejected", "detections", "estimates", "security"}
    for item in r.explanation:
        assert set(item) >= {"metric", "component", "delta", "text"}
        assert "secretly" not in said(s, item["text"])
    canon(r.public_report), canon(r.private_reports), canon(r.audit)  # JSON-safe


def test_resolve_rejects_invalid_orders_without_raising():
    s = fresh()
    bad = Build(cls="MRBM", qty=99)
    r = ge.resolve(s, {"borun": [bad]}, "seed-1")
    rej = r.private_reports["borun"]["rejected"]
    assert rej and rej[0]["code"] == "E_CAPACITY"
    assert r.state.nations["borun"].missiles["MRBM"] == 16


def test_game_ends_after_the_last_turn_and_refuses_more():
    s = fresh()
    for _ in range(s.max_turns):
        assert not s.game_over
        s = ge.resolve(s, {}, "seed-1").state
    assert s.game_over and "8 turns" in s.game_over_reason
    with pytest.raises(ge.RuleViolation) as info:
        ge.resolve(s, {}, "seed-1")
    assert info.value.code == RuleCode.E_GAME_OVER
    with pytest.raises(ge.RuleViolation) as info:
        ge.validate_order(s, "aurel", {"type": "DECLARE", "counts": {}})
    assert info.value.code == RuleCode.E_GAME_OVER
    scores = ge.final_scores(s)
    assert set(scores) == set(s.state_ids)
    v = ge.view_json(s, "aurel")
    assert v["final_scores"] == scores and v["seed"] == "seed-1" and v["truth"] is not None


VIEW_KEYS = {
    "turn",
    "max_turns",
    "game_over",
    "game_over_reason",
    "mode",
    "seed_commit",
    "rsi_pub",
    "rsi_components",
    "rsi_history",
    "classes",
    "interceptor_types",
    "states",
    "treaties",
    "me",
    "truth",
    "final_scores",
    "seed",
}
STATE_KEYS = {
    "id",
    "name",
    "role",
    "color",
    "nuclear",
    "public_ledger",
    "declared",
    "declared_turn",
    "compliance",
    "reputation",
    "ds",
    "public_interceptors",
    "sites",
}
ME_KEYS = {
    "id",
    "name",
    "missiles",
    "interceptors_store",
    "sites",
    "budget",
    "income",
    "ds",
    "tech",
    "prod_cap",
    "cm",
    "ntm",
    "conceal",
    "security",
    "threat",
    "trust",
    "estimates",
    "evidence",
    "vp_history",
    "objectives",
    "secret_briefing",
    "deterrence_threshold",
}


@pytest.mark.parametrize("viewer", [None, "aurel", ge.FACILITATOR])
def test_view_for_has_the_documented_keys(viewer):
    s = play(fresh(), {"aurel": [{"type": "DEPLOY", "site": "AUR-1", "itype": "MIDCOURSE", "qty": 6}]}).state
    v = ge.view_json(s, viewer)
    assert set(v) >= VIEW_KEYS
    assert v["classes"] == ["SRBM", "MRBM", "IRBM", "ICBM", "HGV", "GLCM"]
    assert v["interceptor_types"] == ["TERMINAL", "MIDCOURSE"]
    for st in v["states"]:
        assert set(st) >= STATE_KEYS
        assert st["ds"] % 5 == 0
        for site in st["sites"]:
            assert set(site) >= {"id", "host", "owner", "kind", "capacity", "interceptors_public"}
    assert len(v["rsi_history"]) == 2
    assert all(0 <= x <= 1 for x in v["rsi_components"].values())
    if viewer == "aurel":
        assert set(v["me"]) >= ME_KEYS and v["truth"] is None
    elif viewer is None:
        assert v["me"] is None and v["truth"] is None
    else:
        assert v["me"] is None and set(v["truth"]) >= {"aurel", "violations", "rsi_true"}
    assert v["final_scores"] is None and v["seed"] is None
    canon(v)


def test_view_for_rejects_unknown_viewer():
    with pytest.raises(ge.RuleViolation):
        ge.view_for(fresh(), "mallory")


def test_a_view_is_typed_and_read_only_and_its_json_is_the_same_data():
    s = play(fresh(), {"aurel": [{"type": "DEPLOY", "site": "AUR-1", "itype": "MIDCOURSE", "qty": 6}]}).state
    v = ge.view_for(s, "aurel")
    assert isinstance(v, ge.View) and isinstance(v.me, ge.OwnView) and v.truth is None
    assert v.me.sites[0].interceptors["MIDCOURSE"] == 6
    assert v.state("aurel") is not None and v.state("aurel").public_interceptors["MIDCOURSE"] == 12
    with pytest.raises(AttributeError):
        v.me.budget = 999  # type: ignore[misc]
    as_json = v.to_json()
    assert as_json == ge.view_json(s, "aurel")
    assert as_json["me"]["budget"] == v.me.budget and as_json["states"][0]["name"] == v.states[0].name
    fac = ge.view_for(s, ge.FACILITATOR)
    assert fac.truth is not None and set(fac.truth.states) == set(s.state_ids)
    assert fac.to_json()["truth"]["aurel"]["missiles"] == dict(fac.truth.states["aurel"].missiles)


def test_order_specs_cover_the_milestone_one_orders():
    types = {s.type for s in ge.ORDER_SPECS}
    assert {"BUILD", "REDUCE", "BUY_INTERCEPTORS", "DEPLOY", "TEST", "DECLARE"} <= types
    kinds = {
        "int",
        "bool",
        "missile_class",
        "interceptor_type",
        "state",
        "site",
        "treaty",
        "text",
        "counts",
    }
    for spec in ge.ORDER_SPECS:
        assert spec.label and spec.group and spec.help
        for p in spec.params:
            assert p.kind in kinds


def test_scenario_toml_parses_to_the_loaded_scenario():
    assert toml_dict()["slug"] == "meridian-sea"


def test_state_info_marks_the_npc_states_of_the_bundled_scenarios():
    npcs = {info.slug: [s.id for s in info.states if s.npc] for info in ge.list_scenarios()}
    assert npcs == {
        "meridian-sea": [],
        "peninsula-and-straits": ["dprk"],
        "shield-of-the-east": ["south"],
    }
    v = ge.view_json(fresh(slug="shield-of-the-east"), None)
    assert {st["id"]: st["npc"] for st in v["states"]}["south"] is True
    assert ge.new_game(
        ge.load_scenario("peninsula-and-straits"), game_id="g", seed="s"
    ).nations["dprk"].npc


def test_npc_flag_round_trips_through_the_scenario_schema():
    data = scenario_dict("shield-of-the-east")
    again = scenario_from(data)
    assert [s.npc for s in again.info.states] == [s.npc for s in ge.load_scenario("shield-of-the-east").info.states]
    assert again == ge.load_scenario("shield-of-the-east")
