"""Bad input to ``python -m game_engine``: one clear line naming the problem, exit status 2,
no traceback and nothing silently ignored (issue 14)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from game_engine import cli

REPO = Path(__file__).resolve().parents[2]


def _run(capsys, argv: list[str]) -> tuple[int, str, str]:
    code = cli.main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def _script(tmp_path: Path, data: object, raw: str | None = None) -> str:
    path = tmp_path / "orders.json"
    path.write_text(raw if raw is not None else json.dumps(data))
    return str(path)


def _fails_with(capsys, argv: list[str], *needles: str) -> str:
    code, out, err = _run(capsys, argv)
    assert code == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for n in needles:
        assert n in lines[0], lines[0]
    return lines[0]


def test_missing_orders_file(tmp_path, capsys):
    missing = str(tmp_path / "nope.json")
    _fails_with(capsys, ["simulate", "--orders", missing], "nope.json", "no such orders file")


def test_truncated_orders_file(tmp_path, capsys):
    path = _script(tmp_path, None, raw='{"scenario": "meridian-sea", "turns": [{"aurel": [')
    _fails_with(capsys, ["simulate", "--orders", path], "not valid JSON", "line 1")


def test_unknown_scenario_in_the_orders_file(tmp_path, capsys):
    path = _script(tmp_path, {"scenario": "atlantis", "turns": []})
    _fails_with(capsys, ["simulate", "--orders", path], "unknown scenario 'atlantis'", "meridian-sea")


def test_unknown_mode_in_the_orders_file(tmp_path, capsys):
    path = _script(tmp_path, {"mode": "random", "turns": []})
    _fails_with(capsys, ["simulate", "--orders", path], "unknown mode 'random'", "stochastic")


def test_unknown_top_level_key_is_not_ignored(tmp_path, capsys):
    path = _script(tmp_path, {"scenaro": "shield-of-the-east", "turns": []})
    _fails_with(capsys, ["simulate", "--orders", path], "unknown key(s) 'scenaro'")


def test_unknown_state_key(tmp_path, capsys):
    path = _script(tmp_path, {"turns": [{"atlantis": [{"type": "BUILD", "class": "MRBM", "qty": 1}]}]})
    _fails_with(capsys, ["simulate", "--orders", path], "turn 1", "unknown state 'atlantis'", "aurel")


def test_orders_not_a_list(tmp_path, capsys):
    path = _script(tmp_path, {"turns": [{"borun": {"type": "BUILD", "class": "MRBM", "qty": 1}}]})
    _fails_with(capsys, ["simulate", "--orders", path], "orders of 'borun' must be a list")


def test_an_order_that_is_not_an_object(tmp_path, capsys):
    path = _script(tmp_path, {"turns": [{"borun": ["BUILD"]}]})
    _fails_with(capsys, ["simulate", "--orders", path], "order 1 of 'borun' must be a JSON object")


def test_turns_not_a_list_and_turn_not_an_object(tmp_path, capsys):
    _fails_with(capsys, ["simulate", "--orders", _script(tmp_path, {"turns": {}})], "'turns' must be a list")
    _fails_with(capsys, ["simulate", "--orders", _script(tmp_path, [3])], "turn 1 must be a JSON object")


def test_malformed_order_names_the_state_and_order(tmp_path, capsys):
    path = _script(tmp_path, {"turns": [{"borun": [{"type": "BUILD", "class": "MRBM", "qty": 1}, {"type": "FLY"}]}]})
    _fails_with(capsys, ["simulate", "--orders", path], "turn 1: borun order 2", "Unknown order type 'FLY'")


def test_an_order_key_the_type_does_not_take_is_not_ignored(tmp_path, capsys):
    """A typo ("quantity" for "qty", "colour") used to be dropped and the order played without it."""
    order = {"type": "BUILD", "class": "MRBM", "qty": 1, "covert": True, "colour": "red"}
    path = _script(tmp_path, {"turns": [{"borun": [order]}]})
    _fails_with(capsys, ["simulate", "--orders", path], "turn 1: borun order 1 (BUILD)", "unknown key(s) 'colour'", "qty")
    sign = {"type": "SIGN", "draft": "d", "hash": "x"}
    path = _script(tmp_path, {"turns": [{"orders": {"aurel": [sign]}}]})
    _fails_with(capsys, ["simulate", "--orders", path], "(SIGN)", "unknown key(s) 'hash'")


def test_bad_command_line_arguments_are_one_line(capsys):
    for argv, needle in (
        (["simulate", "--scenario", "atlantis"], "invalid choice: 'atlantis'"),
        (["simulate", "--mode", "random"], "invalid choice: 'random'"),
        (["simulate", "--turns", "three"], "invalid int value: 'three'"),
        (["balance", "--gmaes", "3"], "unrecognized arguments: --gmaes"),
    ):
        try:
            cli.main(argv)
        except SystemExit as exc:
            assert exc.code == 2
        else:
            raise AssertionError(argv)
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and needle in err, err


def test_signing_an_unknown_draft(tmp_path, capsys):
    path = _script(tmp_path, {"turns": [{"orders": {"aurel": [{"type": "SIGN", "draft": "capp"}]}}]})
    line = _fails_with(capsys, ["simulate", "--orders", path], "signs unknown draft 'capp'")
    assert "Terms hash" not in line


def test_signing_a_refused_draft_says_why(tmp_path, capsys):
    script = {
        "turns": [
            {
                "drafts": [{"id": "d", "template": "NO_SUCH", "parties": ["aurel", "borun"], "terms": {}}],
                "orders": {"aurel": [{"type": "SIGN", "draft": "d"}]},
            }
        ]
    }
    _fails_with(capsys, ["simulate", "--orders", _script(tmp_path, script)], "signs draft 'd', which was refused")


def test_too_many_scripted_turns(tmp_path, capsys):
    path = _script(tmp_path, {"turns": [{}] * 9})
    _fails_with(capsys, ["simulate", "--orders", path], "9 scripted turns", "8")


def test_unknown_bot_and_bad_game_count(capsys):
    _fails_with(capsys, ["simulate", "--bots", "hawk,falcon"], "unknown bot 'falcon'")
    _fails_with(capsys, ["balance", "--games", "0"], "--games must be at least 1")


def test_illegal_orders_are_refused_and_each_one_named(tmp_path, capsys):
    """A legal-looking order that breaks a rule is a game outcome, not a CLI error: every
    refused order is named in the turn's notes and the others still run."""
    script = {
        "turns": [
            {
                "borun": [
                    {"type": "BUILD", "class": "MRBM", "qty": 400},
                    {"type": "BUILD", "class": "SRBM", "qty": 1},
                    {"type": "BUILD", "class": "ICBM", "qty": 1},
                ]
            }
        ]
    }
    code, out, _ = _run(capsys, ["simulate", "--orders", _script(tmp_path, script), "--turns", "1"])
    assert code == 0
    turn1 = json.loads(out.splitlines()[1])
    notes = " ".join(turn1["notes"])
    assert "borun: order 1" in notes and "borun: order 3" in notes
    assert "Borun built 1 SRBM." in turn1["events"]


def test_no_traceback_from_the_real_command(tmp_path):
    bad = tmp_path / "t.json"
    bad.write_text('{"turns": [')
    proc = subprocess.run(
        [sys.executable, "-m", "game_engine", "simulate", "--orders", str(bad)],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_expected_mode_balance_reports_the_probability_of_a_catastrophe():
    """Expected mode draws nothing, so a game's catastrophe figure is 1 - prod(survival), not 0."""
    r = cli.play_game(("peninsula-and-straits", "expected", "t", 0, ("hawk",)))
    assert 0.0 < float(str(r["catastrophe"])) < 1.0
    report = cli.balance_report([r])
    assert report["catastrophe_rate"] == round(float(str(r["catastrophe"])), 4)
