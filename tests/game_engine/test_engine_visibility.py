"""B7.17: no view or report addressed to j contains k's private data (canary values)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from ge_helpers import canon, fresh, orders_for, said

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
    text = canon(ge.view_json(marked_state(), viewer))
    for c in CANARIES:
        assert c not in text, (viewer, c)


def test_own_view_and_facilitator_view_contain_the_canaries():
    own = canon(ge.view_json(marked_state(), "borun"))
    fac = canon(ge.view_json(marked_state(), ge.FACILITATOR))
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
        k: canon([said(s, e) for e in r.events if e.audience is None or k in e.audience])
        for k in ("aurel", "calla", "dresk")
    }
    for c in (str(MARK_MISSILES), str(MARK_MISSILES + 0), MARK_EVIDENCE):
        assert c not in public
        assert all(c not in o for o in others)
        assert all(c not in t for t in events_for.values())
    assert all("secretly" not in t for t in events_for.values())
    for k in ("aurel", None):
        assert "secretly" not in canon(ge.view_json(r.state, k))


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
    v = ge.view_json(s, None)
    assert v["truth"] is not None and v["seed"] == "seed-1" and v["final_scores"] is not None


DRAFT_MARK = "DRAFT-CANARY-7731"


def drafted() -> tuple[ge.GameState, str, str]:
    """Aurel and Borun table a private offense-cap draft named with a unique marker."""
    s, tid, h = ge.add_treaty_draft(
        fresh(), "OFFENSE_CAP", ["aurel", "borun"], {"caps": {"IRBM": 9}, "name": DRAFT_MARK}
    )
    return s, tid, h


@pytest.mark.parametrize("viewer", [None, "calla", "dresk"])
def test_a_treaty_draft_is_invisible_to_non_parties_and_observers(viewer):
    s, tid, h = drafted()
    v = ge.view_json(s, viewer)
    text = canon(v)
    assert DRAFT_MARK not in text and h not in text
    assert tid not in [t["id"] for t in v["treaties"]] and tid not in v["parties"]
    assert all(t["status"] != "draft" for t in v["treaties"])
    if viewer is not None:
        assert DRAFT_MARK not in canon(ge.expected_outcome(s, viewer))
        assert h not in canon(ge.bot_orders("dove", s, viewer, "seed-1"))


@pytest.mark.parametrize("viewer", ["aurel", "borun", ge.FACILITATOR])
def test_a_treaty_draft_is_visible_to_its_parties_and_the_facilitator(viewer):
    s, tid, h = drafted()
    v = ge.view_json(s, viewer)
    mine = [t for t in v["treaties"] if t["id"] == tid]
    assert len(mine) == 1 and mine[0]["status"] == "draft"
    assert mine[0]["name"] == DRAFT_MARK and mine[0]["terms_hash"] == h
    assert v["parties"][tid] == ["aurel", "borun"]


def test_parties_can_still_sign_a_draft_hidden_from_others_and_then_everyone_sees_the_treaty():
    s, tid, h = drafted()
    sign = [{"type": "SIGN", "terms_hash": h}]
    orders = orders_for(s, {"aurel": sign, "borun": sign})
    r = ge.resolve(s, orders, "seed-1")
    assert r.state.treaty(tid) is not None and r.state.treaty(tid).status == "in_force"
    for viewer in (None, "calla", "dresk"):
        v = ge.view_json(r.state, viewer)
        assert [t["status"] for t in v["treaties"] if t["id"] == tid] == ["in_force"]
        assert tid in v["in_force"]


def test_an_unsigned_draft_stays_private_through_the_end_of_the_game():
    s, _, _ = drafted()
    while not s.game_over:
        s = ge.resolve(s, {}, "seed-1").state
    for viewer in (None, "calla", "dresk"):
        assert DRAFT_MARK not in canon(ge.view_json(s, viewer))
    assert DRAFT_MARK in canon(ge.view_json(s, "aurel"))


def test_a_party_projection_with_its_own_draft_signed_still_works():
    s, _, _ = drafted()
    out = ge.expected_outcome(
        s,
        "aurel",
        drafts=[
            {
                "template": "OFFENSE_CAP",
                "parties": ["aurel", "borun"],
                "terms": {"caps": {"IRBM": 9}, "name": DRAFT_MARK},
            }
        ],
    )
    assert out["treaties_in_force"]
