"""B7.17: no view or report addressed to j contains k's private data (canary values)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from ge_helpers import canon, fresh, orders_for

import game_engine as ge
from game_engine.state import Evidence

MARK_MISSILES = 987_651
MARK_BUDGET = 876_543
MARK_DS = 66.123_457
MARK_EVIDENCE = "E-CANARY-42"


def marked_state() -> ge.GameState:
    """Borun with canary values in every private field."""
    s = fresh(mode="stochastic")
    b = s.nations["borun"]
    borun = replace(
        b,
        missiles={**b.missiles, "SRBM": MARK_MISSILES},
        budget=MARK_BUDGET,
        ds=MARK_DS,
        ntm=0.432_198,
        conceal=0.321_987,
    )
    pair = s.pairs[("borun", "aurel")]
    pairs = {**s.pairs, ("borun", "aurel"): replace(pair, est={"IRBM": 765_432}, threat=43.219_876)}
    ev = Evidence(
        id=MARK_EVIDENCE,
        holder="borun",
        target="aurel",
        treaty="",
        kind="cap",
        channel="ntm",
        magnitude=3.0,
        quality=0.9,
        p_channel=0.5,
        alpha_channel=0.005,
        is_true=False,
        violation="",
        turn=1,
        weight=1.0,
    )
    return replace(s, nations={**s.nations, "borun": borun}, pairs=pairs, evidence=(ev,))


CANARIES = [
    str(MARK_MISSILES),
    str(MARK_BUDGET),
    "66.123457",
    MARK_EVIDENCE,
    "765432",
    "43.219876",
    "0.432198",
    "0.321987",
]


@pytest.mark.parametrize("viewer", [None, "aurel", "calla", "dresk"])
def test_views_of_others_contain_no_private_canary(viewer):
    text = canon(ge.view_for(marked_state(), viewer))
    for c in CANARIES:
        assert c not in text, (viewer, c)


def test_own_view_and_facilitator_view_contain_the_canaries():
    own = canon(ge.view_for(marked_state(), "borun"))
    fac = canon(ge.view_for(marked_state(), ge.FACILITATOR))
    for c in (str(MARK_MISSILES), str(MARK_BUDGET), MARK_EVIDENCE):
        assert c in own and c in fac


def test_reports_addressed_to_others_contain_no_canary():
    s = marked_state()
    raw = {
        "borun": [{"type": "BUILD", "class": "MRBM", "qty": 3, "covert": True}],
        "aurel": [{"type": "DEPLOY", "site": "AUR-1", "itype": "MIDCOURSE", "qty": 4}],
    }
    r = ge.resolve(s, orders_for(s, raw), "seed-1")
    public = canon([r.public_report, list(r.explanation)])
    others = [canon(r.private_reports[k]) for k in ("aurel", "calla", "dresk")]
    events_for = {
        k: canon([e.text for e in r.events if e.audience is None or k in e.audience])
        for k in ("aurel", "calla", "dresk")
    }
    for c in (str(MARK_MISSILES), str(MARK_MISSILES + 0), MARK_EVIDENCE):
        assert c not in public
        assert all(c not in o for o in others)
        assert all(c not in t for t in events_for.values())
    assert all("secretly" not in t for t in events_for.values())
    for k in ("aurel", None):
        assert "secretly" not in canon(ge.view_for(r.state, k))


def test_public_report_is_identical_for_everyone():
    s = fresh()
    r = ge.resolve(s, orders_for(s, {"borun": [{"type": "BUILD", "class": "MRBM", "qty": 1}]}), "x")
    assert isinstance(r.public_report, dict)
    assert (
        r.public_report
        == ge.resolve(s, orders_for(s, {"borun": [{"type": "BUILD", "class": "MRBM", "qty": 1}]}), "x").public_report
    )


def test_truth_is_revealed_to_everyone_at_game_end():
    s = fresh()
    while not s.game_over:
        s = ge.resolve(s, {}, "seed-1").state
    v = ge.view_for(s, None)
    assert v["truth"] is not None and v["seed"] == "seed-1" and v["final_scores"] is not None
