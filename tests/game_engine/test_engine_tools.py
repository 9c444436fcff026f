"""Bots, what-if projections and the command line (milestone 2 tools)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from ge_helpers import canon, fresh

import game_engine as ge
from game_engine import cli
from game_engine.bots import negotiate
from game_engine.negotiator import NEGOTIATING_POLICIES

SLUGS = ("meridian-sea", "shield-of-the-east", "peninsula-and-straits")


@pytest.mark.parametrize("slug", SLUGS)
@pytest.mark.parametrize("policy", ge.POLICIES)
def test_bot_orders_are_legal_for_every_policy_and_scenario(slug, policy):
    s = fresh(slug=slug, mode="stochastic", seed="bots")
    for _ in range(3):
        orders = {}
        for sid in s.state_ids:
            raw = ge.bot_orders(policy, s, sid, "bots")
            assert isinstance(raw, list)
            orders[sid] = ge.validate_orders(s, sid, raw)
        s = ge.resolve(s, orders, "bots").state


def test_bots_only_use_their_own_view():
    s = fresh(mode="stochastic")
    b = s.nations["borun"]
    hidden = replace(s, nations={**s.nations, "borun": replace(b, missiles={**b.missiles, "MRBM": 99}, budget=999)})
    for policy in ge.POLICIES:
        assert ge.bot_orders(policy, s, "aurel", "x") == ge.bot_orders(policy, hidden, "aurel", "x")


def test_bot_answers_to_proposals():
    view = ge.view_json(fresh(), "borun")
    cap = {
        "template": "OFFENSE_CAP",
        "parties": ["aurel", "borun"],
        "terms": {"caps": {"IRBM": 10}, "inspection_quota": 2},
    }
    assert ge.bot_answer_proposal("hawk", view, cap) is False
    assert ge.bot_answer_proposal("dove", view, cap) is True
    assert ge.bot_answer_proposal("verifier", view, cap) is True
    assert ge.bot_answer_proposal("verifier", view, {**cap, "terms": {"caps": {"IRBM": 10}}}) is False
    assert isinstance(ge.bot_answer_proposal("reciprocator", view, cap), bool)


def test_cooperative_bots_negotiate_treaties_into_force():
    s = fresh()
    policies = dict.fromkeys(s.state_ids, "dove")
    s2, signs = negotiate(s, policies, "n")
    assert len(s2.treaties) > len(s.treaties) and signs
    orders = {
        sid: ge.validate_orders(s2, sid, ge.bot_orders("dove", s2, sid, "n") + signs.get(sid, []))
        for sid in s2.state_ids
    }
    r = ge.resolve(s2, orders, "n")
    assert any(e.kind == "treaty_in_force" for e in r.events)
    hawks = dict.fromkeys(s.state_ids, "hawk")
    assert negotiate(s, hawks, "n")[0] == s


# ---------------------------------------------------------------- what-if


def test_expected_outcome_projects_from_the_viewers_information_only():
    s = fresh(mode="stochastic")
    plan = {"aurel": [{"type": "DEPLOY", "site": "AUR-1", "itype": "MIDCOURSE", "qty": 12}]}
    out = ge.expected_outcome(s, "aurel", plan)
    canon(out)
    assert out["mode"] == "expected" and out["me"]["security"]["after"] > 0
    b = s.nations["borun"]
    secret = replace(
        s,
        nations={
            **s.nations,
            "borun": replace(b, missiles={**b.missiles, "SRBM": 55}, budget=777, ntm=0.9, conceal=0.8),
        },
        pairs={**s.pairs, ("borun", "aurel"): replace(s.pairs[("borun", "aurel")], alpha=9.0, threat=99.0)},
    )
    assert canon(ge.expected_outcome(secret, "aurel", plan)) == canon(out)


def test_expected_outcome_shows_the_value_of_reassurance():
    s = fresh()
    base = {
        "calla": [{"type": "CONSENT_HOSTING", "owner": "aurel", "site": "CAL-1", "max_interceptors": 12}],
        "aurel": [{"type": "DEPLOY", "site": "CAL-1", "itype": "MIDCOURSE", "qty": 12}],
    }
    calm = {
        **base,
        "aurel": [
            *base["aurel"],
            {
                "type": "DECLARE_LIMITS",
                "site": "CAL-1",
                "max_interceptors": 12,
                "terminal_only": True,
                "no_sensor_sharing": True,
            },
        ],
    }
    a = ge.expected_outcome(s, "aurel", base)
    b = ge.expected_outcome(
        s,
        "aurel",
        calm,
        drafts=[{"template": "DEFENSE_LIMIT", "parties": ["aurel", "borun"], "terms": {"max_interceptors": 24}}],
    )
    assert b["rsi_pub"]["after"] > a["rsi_pub"]["after"]
    assert b["draft_hashes"] and b["treaties_in_force"]
    bad = ge.expected_outcome(s, "aurel", {"aurel": [{"type": "BUILD", "class": "HGV", "qty": 1}]})
    assert bad["dropped"]["aurel"]
    assert ge.expected_outcome(s, None)["me"] is None


# ---------------------------------------------------------------- command line


def test_cli_validate_reports_ok_and_field_paths(tmp_path: Path, capsys):
    good = Path(ge.__file__).parent / "scenarios" / "meridian-sea.toml"
    assert cli.main(["validate", str(good)]) == 0
    assert "OK" in capsys.readouterr().out
    bad = tmp_path / "bad.toml"
    bad.write_text(
        good.read_text().replace(
            "missiles = { SRBM = 20, MRBM = 16, IRBM = 6 }", 'missiles = { SRBM = 20, MRBM = "x" }'
        )
    )
    assert cli.main(["validate", str(bad)]) == 1
    assert "states[1].missiles.MRBM: must be an integer >= 0" in capsys.readouterr().out
    broken = tmp_path / "broken.toml"
    broken.write_text("turns = [")
    assert cli.main(["validate", str(broken)]) == 1


@pytest.mark.parametrize("slug", SLUGS)
def test_cli_simulate_prints_one_json_line_per_turn(slug, capsys):
    assert (
        cli.main(["simulate", "--scenario", slug, "--seed", "7", "--turns", "3", "--bots", "hawk,dove,verifier"]) == 0
    )
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [x.get("turn") for x in lines[:4]] == [0, 1, 2, 3]
    assert "final_scores" in lines[-1]
    # The bots bargained at a table: each turn line says what they did and meant.
    moves = [m for x in lines[1:4] for m in x["negotiation"]]
    assert moves and all(m["intent"]["id"] for m in moves)


def test_cli_simulate_plays_scripted_orders(tmp_path: Path, capsys):
    script = {
        "scenario": "meridian-sea",
        "seed": "42",
        "mode": "expected",
        "turns": [
            {
                "drafts": [
                    {
                        "id": "cap",
                        "template": "OFFENSE_CAP",
                        "parties": ["aurel", "borun"],
                        "terms": {"caps": {"IRBM": 10}},
                    }
                ],
                "orders": {"aurel": [{"type": "SIGN", "draft": "cap"}], "borun": [{"type": "SIGN", "draft": "cap"}]},
            },
            {"borun": [{"type": "BUILD", "class": "MRBM", "qty": 2}]},
        ],
    }
    path = tmp_path / "script.json"
    path.write_text(json.dumps(script))
    assert cli.main(["simulate", "--orders", str(path), "--turns", "2"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert any("entered into force" in e for e in lines[1]["events"])
    assert "Borun built 2 MRBM." in lines[2]["events"]


def test_cli_balance_small_run(capsys):
    assert cli.main(["balance", "--scenario", "meridian-sea", "--games", "4", "--workers", "1", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["games"] == 4 and set(report["vp_by_policy"]) <= set(NEGOTIATING_POLICIES)
    assert 0 <= report["final_rsi"]["mean"] <= 100


@pytest.mark.parametrize("fmt", [["--json"], []], ids=["json", "text"])
def test_cli_balance_same_output_for_any_number_of_jobs(capsys, fmt):
    """Games are seeded by index and reported in index order: one worker or two (and --jobs or
    its old name --workers) print byte-identical tables, homogeneous tables included."""
    base = ["balance", "--scenario", "meridian-sea", "--games", "3", "--homogeneous", "1", *fmt]
    assert cli.main([*base, "--jobs", "1"]) == 0
    serial = capsys.readouterr().out
    assert cli.main([*base, "--jobs", "2"]) == 0
    parallel = capsys.readouterr().out
    assert cli.main([*base, "--workers", "2"]) == 0
    assert capsys.readouterr().out == parallel
    assert serial == parallel and "hawk" in serial
