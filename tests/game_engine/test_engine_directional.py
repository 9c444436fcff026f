"""Directional tests (B7, B8): the model moves the right way for the right reasons."""

from __future__ import annotations

from collections.abc import Callable

from ge_helpers import fresh, play, scenario_from

import game_engine as ge
from game_engine.engine import add_treaty_draft

HOST = {"type": "CONSENT_HOSTING", "owner": "aurel", "site": "CAL-1", "max_interceptors": 12, "compensation": 3}


def _defense_world(reassure: bool) -> ge.GameState:
    s = fresh()
    aurel: list[dict[str, object]] = [{"type": "DEPLOY", "site": "CAL-1", "itype": "MIDCOURSE", "qty": 12}]
    borun: list[dict[str, object]] = []
    if reassure:
        aurel += [
            {
                "type": "DECLARE_LIMITS",
                "site": "CAL-1",
                "max_interceptors": 12,
                "terminal_only": True,
                "no_sensor_sharing": True,
            },
            {"type": "AGREE_DATA_EXCHANGE", "with": "borun"},
            {"type": "INVITE_OBSERVERS", "with": "borun", "site": "CAL-1"},
        ]
        borun += [
            {"type": "AGREE_DATA_EXCHANGE", "with": "aurel"},
            {"type": "ACCEPT", "with": "aurel", "what": "INVITE_OBSERVERS"},
        ]
    return play(s, {"calla": [HOST], "aurel": aurel, "borun": borun}).state


def test_unilateral_defense_without_transparency_raises_rival_threat_and_lowers_rsi_more():
    base = ge.resolve(fresh(), {}, "seed-1").state
    bare = _defense_world(reassure=False)
    calm = _defense_world(reassure=True)
    t = lambda s, a, b: s.pairs[(a, b)].threat  # noqa: E731
    # Borun fears the owner of the new site more, and less so when the site is reassuring.
    assert t(bare, "borun", "aurel") > t(base, "borun", "aurel") + 5
    assert t(bare, "borun", "aurel") > t(calm, "borun", "aurel")
    assert bare.nations["borun"].sec < base.nations["borun"].sec
    assert bare.rsi_pub < base.rsi_pub
    assert calm.rsi_pub > bare.rsi_pub
    assert calm.pairs[("borun", "calla")].chi > bare.pairs[("borun", "calla")].chi


def test_inspections_push_detection_past_the_deterrence_threshold():
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
                "conceal": 0.3,
                "budget": 100,
                "income": 50,
                "missile_sites": 12,
            },
        ],
        "relations": [{"from": "a", "to": "b", "mutual": True, "h": 0.2, "rival": True}],
        "reach": {"a": {"b": ["IRBM"]}, "b": {"a": ["IRBM"]}},
        "treaties": [
            {
                "template": "OFFENSE_CAP",
                "parties": ["a", "b"],
                "terms": {"caps": {"IRBM": 10}, "data_exchange": False, "notification": False},
            }
        ],
    }
    state = ge.new_game(scenario_from(data), game_id="d", seed="s")
    threshold = 10 / (10 + 25)

    def detected(inspect: bool, conceal: float) -> float:
        from dataclasses import replace

        st = replace(state, nations={**state.nations, "b": replace(state.nations["b"], conceal=conceal)})
        orders = {"b": ge.validate_orders(st, "b", [{"type": "BUILD", "class": "IRBM", "qty": 6, "covert": True}])}
        if inspect:
            orders["a"] = ge.validate_orders(st, "a", [{"type": "INSPECT", "target": "b", "treaty": "T1", "visits": 3}])
        r = ge.resolve(st, orders, "s")
        return sum(e.weight for e in r.state.evidence if e.holder == "a")

    assert detected(False, 0.8) < threshold < detected(True, 0.8)
    assert detected(True, 0.3) > detected(True, 0.8)


def _run(script: Callable[[ge.GameState], dict[str, list[dict[str, object]]]], state: ge.GameState) -> ge.GameState:
    while not state.game_over:
        state = play(state, script(state)).state
    return state


def _race(s: ge.GameState) -> dict[str, list[dict[str, object]]]:
    b = s.nations["borun"].budget
    a = s.nations["aurel"].budget
    return {
        "borun": [{"type": "BUILD", "class": "MRBM", "qty": min(4, b // 4)}, {"type": "TEST", "class": "IRBM"}],
        "aurel": [{"type": "BUILD", "class": "IRBM", "qty": min(2, a // 6)}]
        + ([{"type": "DEPLOY", "site": "AUR-1", "itype": "MIDCOURSE", "qty": 12}] if s.turn == 1 else []),
    }


def test_negotiated_cap_and_cbms_beat_a_runaway_race_for_both():
    race = _run(_race, fresh())
    s = fresh()
    s, _, cap = add_treaty_draft(s, "OFFENSE_CAP", ["aurel", "borun"], {"caps": {"IRBM": 10, "MRBM": 16, "ICBM": 6}})
    s, _, lim = add_treaty_draft(s, "DEFENSE_LIMIT", ["aurel", "borun"], {"max_interceptors": 12})

    def deal(st: ge.GameState) -> dict[str, list[dict[str, object]]]:
        if st.turn == 1:
            sign = [{"type": "SIGN", "terms_hash": cap}, {"type": "SIGN", "terms_hash": lim}]
            cbm = [
                {"type": "AGREE_HOTLINE", "with": "borun"},
                {"type": "AGREE_NOTIFICATION", "with": "borun"},
                {"type": "AGREE_DATA_EXCHANGE", "with": "borun"},
            ]
            mirror = [{**o, "with": "aurel"} for o in cbm]
            return {"aurel": sign + cbm, "borun": sign + mirror}
        decl_a = {"type": "DECLARE", "counts": dict(st.nations["aurel"].missiles)}
        decl_b = {"type": "DECLARE", "counts": dict(st.nations["borun"].missiles)}
        return {
            "aurel": [
                decl_a,
                {"type": "INVITE_OBSERVERS", "with": "borun"},
                {"type": "ACCEPT", "with": "borun", "what": "INVITE_OBSERVERS"},
            ],
            "borun": [
                decl_b,
                {"type": "INVITE_OBSERVERS", "with": "aurel"},
                {"type": "ACCEPT", "with": "aurel", "what": "INVITE_OBSERVERS"},
            ],
        }

    calm = _run(deal, s)
    race_vp, calm_vp = ge.final_scores(race), ge.final_scores(calm)
    assert calm_vp["aurel"] > race_vp["aurel"]
    assert calm_vp["borun"] > race_vp["borun"]
    assert calm.rsi_pub > race.rsi_pub
    assert calm.rho_pub < race.rho_pub


def test_forward_radar_with_sensor_sharing_helps_allies_but_alarms_the_rival():
    s = fresh(slug="peninsula-and-straits")
    s_open = play(
        s,
        {
            "rok": [
                {
                    "type": "CONSENT_HOSTING",
                    "owner": "usa",
                    "site": "SEO",
                    "max_interceptors": 48,
                    "forward_allowed": True,
                    "sensor_sharing_allowed": True,
                }
            ]
        },
        seed="x",
    ).state
    fwd = play(
        s_open,
        {
            "usa": [
                {"type": "SET_RADAR_MODE", "site": "SEO", "mode": "forward"},
                {"type": "SET_SENSOR_SHARING", "site": "SEO", "sharing": True},
            ]
        },
        seed="x",
    ).state
    stay = play(s_open, {}, seed="x").state
    assert fwd.nations["japan"].sec >= stay.nations["japan"].sec
    assert (
        fwd.pairs[("china", "rok")].chi < stay.pairs[("china", "rok")].chi
        or fwd.pairs[("china", "usa")].chi < stay.pairs[("china", "usa")].chi
    )
