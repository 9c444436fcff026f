"""Golden rule tests in the spirit of Diplomacy's DATC: one small case per rule or tricky
interaction, its orders and the expected events and metrics as data (tests/game_engine/golden/).

A rule change shows up as a diff of ``cases/*.expected.json``. Regenerate after an intended
change with ``GOLDEN_UPDATE=1 python -m pytest tests/game_engine/golden -p no:django`` and review
the diff; see README.md.
"""

from __future__ import annotations

import json
import os

import pytest
from runner import CASES, case_names, claims_hold, load_case, play_case, under_rules

from game_engine.params import Params

CURRENT_RULES = Params().rules

UPDATE = os.environ.get("GOLDEN_UPDATE") == "1"


def dump(data: object) -> str:
    return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("name", case_names())
def test_golden_case(name: str) -> None:
    case = load_case(name)
    observed = play_case(case)
    assert claims_hold(case, observed) == [], f"{name}: the case no longer shows its rule"
    path = CASES / f"{name}.expected.json"
    if UPDATE or not path.exists():
        path.write_text(dump(observed), encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"{path.name} did not exist and was written: review it and commit it")
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert observed == expected, f"{name}: the rules changed what this case produces; diff {path.name}"


def test_every_case_has_a_rule_and_claims() -> None:
    for name in case_names():
        case = load_case(name)
        assert case.get("rule") and case.get("must"), name


def pinned_case_names() -> list[str]:
    """The cases pinned to an earlier rules version (the others are played under the current
    rules by the exact test already)."""
    return [
        n
        for n in case_names()
        if (load_case(n).get("params") or {}).get("rules", CURRENT_RULES) != CURRENT_RULES
    ]


@pytest.mark.parametrize("name", pinned_case_names())
def test_every_case_still_shows_its_rule_under_the_current_rules(name: str) -> None:
    """A case pinned to an earlier rules version keeps its exact expected file; played under the
    current version (rules 4: the crisis calibration of rules 3 and the verified restraint of
    rules 4) its claims must still hold."""
    case = load_case(name)
    now = under_rules(case, CURRENT_RULES)
    assert claims_hold(now, play_case(now)) == [], name
