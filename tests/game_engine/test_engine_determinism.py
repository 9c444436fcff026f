"""B6/B7 determinism: byte-identical output, no input mutation, snapshots round-trip."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from ge_helpers import canon, fresh, orders_for

import game_engine as ge
from game_engine.events import event_to_json

SCRIPT = [
    {
        "borun": [
            {"type": "BUILD", "class": "MRBM", "qty": 2},
            {"type": "TEST", "class": "HGV"},
            {"type": "BUILD", "class": "SRBM", "qty": 2, "covert": True},
        ],
        "aurel": [
            {"type": "DEPLOY", "site": "AUR-1", "itype": "MIDCOURSE", "qty": 8},
            {"type": "DECLARE", "counts": {"IRBM": 10, "ICBM": 6}},
        ],
        "calla": [{"type": "BUY_INTERCEPTORS", "itype": "TERMINAL", "qty": 2}],
        "dresk": [{"type": "REDUCE", "class": "SRBM", "qty": 1}],
    },
    {
        "borun": [
            {"type": "TEST", "class": "HGV", "notify": True},
            {"type": "DECLARE", "counts": {"SRBM": 20, "MRBM": 18}},
        ],
        "aurel": [{"type": "BUY_INTERCEPTORS", "itype": "MIDCOURSE", "qty": 2}],
        "dresk": [{"type": "TEST", "class": "MRBM"}],
    },
    {
        "borun": [{"type": "BUILD", "class": "HGV", "qty": 1}],
        "calla": [{"type": "DECLARE", "counts": {"SRBM": 8}}],
    },
]


def run_game(mode: str, seed: str = "det-seed") -> str:
    s = fresh(mode=mode, seed=seed)
    out = [canon(ge.state_to_json(s))]
    for raw in SCRIPT:
        r = ge.resolve(s, orders_for(s, raw), seed)
        s = r.state
        out.append(canon(ge.state_to_json(s)))
        out.append(canon([event_to_json(e) for e in r.events]))
        out.append(canon([r.public_report, r.private_reports, list(r.explanation), r.audit]))
        for v in (None, *s.state_ids, ge.FACILITATOR):
            out.append(canon(ge.view_json(s, v)))
    return "\n".join(out)


@pytest.mark.parametrize("mode", ["expected", "stochastic"])
def test_same_inputs_give_byte_identical_output(mode):
    assert run_game(mode) == run_game(mode)


def test_output_is_identical_across_processes_and_hash_seeds():
    here = hashlib.sha256(run_game("stochastic").encode()).hexdigest()
    code = (
        f"import sys, hashlib; sys.path.insert(0, {str(Path(__file__).parent)!r}); sys.path.insert(0, {str(Path(ge.__file__).parent.parent)!r});"
        "import test_engine_determinism as t;"
        "print(hashlib.sha256(t.run_game('stochastic').encode()).hexdigest())"
    )
    for hs in ("0", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": hs}
        res = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            env=env,
            check=True,
            timeout=120,
        )
        assert res.stdout.strip() == here


def test_resolve_does_not_mutate_its_input():
    s = fresh(mode="stochastic")
    before = canon(ge.state_to_json(s))
    orders = orders_for(s, SCRIPT[0])
    ge.resolve(s, orders, "det-seed")
    ge.view_json(s, "borun")
    assert canon(ge.state_to_json(s)) == before


def test_snapshot_round_trip_is_identity_and_replays_identically():
    s = fresh(mode="stochastic")
    for raw in SCRIPT:
        data = ge.state_to_json(s)
        again = ge.state_from_json(data)
        assert again == s
        assert canon(ge.state_to_json(again)) == canon(data)
        assert data["schema_version"] == 1
        r1 = ge.resolve(s, orders_for(s, raw), "det-seed")
        r2 = ge.resolve(again, orders_for(again, raw), "det-seed")
        assert canon(ge.state_to_json(r1.state)) == canon(ge.state_to_json(r2.state))
        s = r1.state


def test_permuting_submission_order_changes_nothing():
    s = fresh(mode="stochastic")
    raw = SCRIPT[0]
    a = ge.resolve(s, orders_for(s, raw), "p")
    rev = {k: list(reversed(v)) for k, v in reversed(list(raw.items()))}
    b = ge.resolve(s, orders_for(s, rev), "p")
    assert canon(ge.state_to_json(a.state)) == canon(ge.state_to_json(b.state))
    assert canon(a.public_report) == canon(b.public_report)


def test_order_json_round_trip():
    for raw in SCRIPT:
        for lst in raw.values():
            for item in lst:
                o = ge.order_from_json(item)
                assert ge.order_from_json(ge.order_to_json(o)) == o


def test_state_from_json_rejects_garbage():
    data = ge.state_to_json(fresh())
    data["schema_version"] = 99
    with pytest.raises(ge.RuleViolation):
        ge.state_from_json(data)
    data = ge.state_to_json(fresh())
    data["nations"] = "oops"
    with pytest.raises(ge.RuleViolation):
        ge.state_from_json(data)
