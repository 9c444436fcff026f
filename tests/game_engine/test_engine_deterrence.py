"""B5.6 deterrence threshold d / (d + b) in each player's own view, per treaty in force."""

from __future__ import annotations

from dataclasses import replace

import pytest
from ge_helpers import canon, fresh, orders_for

import game_engine as ge


def with_treaty(template: str, terms: dict[str, object], slug: str = "meridian-sea") -> tuple[ge.GameState, str]:
    s = fresh(slug=slug)
    s, tid, h = ge.add_treaty_draft(s, template, ["aurel", "borun"], terms)
    sign = [{"type": "SIGN", "terms_hash": h}]
    s = ge.resolve(s, orders_for(s, {"aurel": sign, "borun": sign}), "seed-1").state
    assert s.treaty(tid).status == "in_force"
    return s, tid


def test_a_party_sees_the_threshold_of_an_offense_cap_it_could_break():
    s, tid = with_treaty("OFFENSE_CAP", {"caps": {"MRBM": 16, "SRBM": 20}})
    entry = ge.view_json(s, "borun")["me"]["deterrence_threshold"][tid]
    d, b, thr = entry["gain"], entry["sanction"], entry["threshold"]
    assert d > 0 and b > 0 and 0 < thr < 1
    assert thr == pytest.approx(d / (d + b), abs=1e-3)
    assert "covert build" in entry["breach"] and "beyond the cap" in entry["breach"]
    assert f"{100 * thr:.0f}%" in entry["text"]


def test_the_threshold_is_private_to_the_party():
    s, tid = with_treaty("OFFENSE_CAP", {"caps": {"MRBM": 16, "SRBM": 20}})
    borun = ge.view_json(s, "borun")["me"]["deterrence_threshold"][tid]
    for viewer in (None, "calla", "dresk"):
        v = ge.view_json(s, viewer)
        me = v["me"]
        assert me is None or tid not in me["deterrence_threshold"]
        assert borun["text"] not in canon(v)


def test_the_threshold_uses_only_the_viewers_own_information():
    s, _ = with_treaty("OFFENSE_CAP", {"caps": {"MRBM": 16, "SRBM": 20}})
    a = s.nations["aurel"]
    hidden = replace(
        s,
        nations={**s.nations, "aurel": replace(a, missiles={**a.missiles, "IRBM": 40}, budget=999, cm=0.8)},
    )
    assert (
        ge.view_json(hidden, "borun")["me"]["deterrence_threshold"]
        == ge.view_json(s, "borun")["me"]["deterrence_threshold"]
    )


def test_a_class_ban_on_a_class_the_party_cannot_build_has_no_threshold():
    s, tid = with_treaty("CLASS_BAN", {"classes": ["GLCM"]})
    entry = ge.view_json(s, "borun")["me"]["deterrence_threshold"][tid]
    assert entry["threshold"] is None and "cannot build" in entry["text"]


def test_a_defense_limit_threshold_counts_interceptors_beyond_the_limit():
    s, tid = with_treaty("DEFENSE_LIMIT", {"max_interceptors": 12})
    entry = ge.view_json(s, "aurel")["me"]["deterrence_threshold"][tid]
    assert "interceptors at AUR-1 beyond the limit" in entry["breach"]
    assert entry["gain"] >= 0 and entry["sanction"] > 0
    assert 0 <= entry["threshold"] < 1


def test_treaties_without_a_direct_vp_gain_explain_why():
    v = ge.view_json(fresh(), "calla")["me"]["deterrence_threshold"]
    texts = {e["name"]: e for e in v.values()}
    assert all(e["threshold"] is None for e in texts.values())
    assert any("exports" in e["text"] for e in texts.values())
    assert any("nuclear programmes" in e["text"] for e in texts.values())
    borun = ge.view_json(fresh(), "borun")["me"]["deterrence_threshold"]
    assert any("non-nuclear parties" in e["text"] for e in borun.values())


def test_a_bigger_sanction_lowers_the_threshold():
    s, tid = with_treaty("OFFENSE_CAP", {"caps": {"MRBM": 16, "SRBM": 20}})
    base = ge.view_json(s, "borun")["me"]["deterrence_threshold"][tid]
    harsher = replace(s, scenario=replace(s.scenario, params=replace(s.scenario.params, cs_new_public=100.0)))
    hard = ge.view_json(harsher, "borun")["me"]["deterrence_threshold"][tid]
    assert hard["sanction"] > base["sanction"] and hard["threshold"] < base["threshold"]


def test_shield_of_the_east_cap_shows_thresholds_for_both_superpowers():
    s = fresh(slug="shield-of-the-east")
    for sid in ("usa", "russia"):
        entries = ge.view_json(s, sid)["me"]["deterrence_threshold"]
        caps = [e for e in entries.values() if e["threshold"] is not None]
        assert len(caps) == 1 and "ICBM" in caps[0]["breach"]
