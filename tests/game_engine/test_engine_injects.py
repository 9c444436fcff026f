"""Ad-hoc injects: the facilitator's news with an engine effect, applied once at the next resolve."""

from __future__ import annotations

from dataclasses import replace

import pytest
from ge_helpers import canon, fresh, orders_for, said

import game_engine as ge
from game_engine.errors import RuleCode
from game_engine.events import event_to_json
from game_engine.scenario import Inject, InjectEffect

PROTEST = {"ds_change": {"calla": -7}}


def test_an_inject_changes_nothing_until_the_next_resolution():
    s = fresh()
    s2 = ge.add_inject(s, title="Protests", text="Crowds gather.", targets=["calla"], effect=PROTEST)
    assert s2.nations == s.nations and s2.turn == s.turn
    assert len(s2.pending_injects) == 1
    assert s.pending_injects == ()  # the input state is untouched


def test_the_effect_is_applied_once_at_the_next_resolution_and_then_cleared():
    s = fresh()
    plain = ge.resolve(s, {}, "seed-1").state
    r = ge.resolve(
        ge.add_inject(s, title="Protests", text="Crowds gather.", targets=["calla"], effect=PROTEST),
        {},
        "seed-1",
    )
    assert r.state.nations["calla"].ds < plain.nations["calla"].ds
    assert r.state.pending_injects == ()
    # The turn after, nothing more happens: both games continue identically from there.
    gap = plain.nations["calla"].ds - r.state.nations["calla"].ds
    nxt = ge.resolve(r.state, {}, "seed-1")
    after_plain = ge.resolve(plain, {}, "seed-1").state
    assert nxt.state.pending_injects == ()
    assert not [e for e in nxt.events if e.data.get("title") == "Protests"]
    assert after_plain.nations["calla"].ds - nxt.state.nations["calla"].ds <= gap + 1e-9


def test_an_adhoc_inject_emits_the_same_event_as_a_scheduled_one():
    s = fresh()
    r = ge.resolve(
        ge.add_inject(s, title="Protests", text="Crowds gather.", targets=["calla"], effect=PROTEST),
        {},
        "seed-1",
    )
    ev = [e for e in r.events if e.kind == "inject"]
    assert [(e.audience, said(s, e), e.data) for e in ev] == [
        (("calla",), "Protests: Crowds gather.", {"title": "Protests"})
    ]
    assert "Protests" in canon(r.private_reports["calla"]["events"])
    assert all("Protests" not in canon(r.private_reports[k]["events"]) for k in ("aurel", "borun"))
    assert r.private_reports["calla"]["budget"]["ledger"].get("inject") is None


def test_an_adhoc_inject_matches_the_same_inject_scheduled_in_the_scenario():
    """Same effect, same events, same resulting state as writing the inject into the file."""
    s = fresh()
    effect = {"budget_change": {"dresk": -4}, "incident": {"borun>calla": 0.2}, "radar_outage": "AUR-1"}
    adhoc = ge.resolve(ge.add_inject(s, title="Storm", text="A storm.", targets=None, effect=effect), {}, "seed-1")
    sched = Inject(
        turn=1,
        targets=("all",),
        title="Storm",
        text="A storm.",
        effect=InjectEffect(radar_outage="AUR-1", budget_change={"dresk": -4}, incident={"borun>calla": 0.2}),
    )
    sc = replace(s.scenario, injects=(sched, *s.scenario.injects))
    scheduled = ge.resolve(replace(s, scenario=sc), {}, "seed-1")
    assert canon([event_to_json(e) for e in adhoc.events]) == canon([event_to_json(e) for e in scheduled.events])
    assert adhoc.state.nations == scheduled.state.nations
    assert adhoc.state.pairs == scheduled.state.pairs
    assert adhoc.private_reports["dresk"]["budget"]["ledger"]["inject"] == -4


def test_several_injects_apply_in_the_order_they_were_added():
    s = fresh()
    s = ge.add_inject(s, title="First", text="", targets=["aurel"], effect={"ds_change": {"aurel": -2}})
    s = ge.add_inject(s, title="Second", text="", targets=None, effect={"ds_change": {"aurel": -3}})
    r = ge.resolve(s, {}, "seed-1")
    titles = [e.data["title"] for e in r.events if e.kind == "inject"]
    assert titles == ["First", "Second"]
    assert [e.audience for e in r.events if e.kind == "inject"] == [("aurel",), None]


def test_targets_may_be_everyone_and_effects_may_be_empty():
    s = fresh()
    for targets in (None, [], ["all"], ["calla", "all"]):
        s2 = ge.add_inject(s, title="News", text="", targets=targets, effect={})
        assert s2.pending_injects[-1].targets == ("all",)
    s3 = ge.add_inject(s, title="News", text="", targets=["dresk", "aurel"], effect={})
    assert s3.pending_injects[0].targets == ("aurel", "dresk")  # scenario order


def test_effect_values_may_arrive_as_form_strings():
    s = ge.add_inject(
        fresh(),
        title="T",
        text="",
        targets=None,
        effect={"ds_change": {"calla": "-2.5"}, "budget_change": {"aurel": "3"}},
    )
    eff = s.pending_injects[0].effect
    assert eff.ds_change == {"calla": -2.5} and eff.budget_change == {"aurel": 3}


@pytest.mark.parametrize(
    ("effect", "code", "words"),
    [
        ({"earthquake": 3}, RuleCode.E_BAD_PARAM, "Unknown inject effect 'earthquake'"),
        ({"radar_outage": "NOPE-1"}, RuleCode.E_UNKNOWN, "Unknown site 'NOPE-1'"),
        ({"radar_outage": 7}, RuleCode.E_BAD_PARAM, "needs the id of a site"),
        ({"ds_change": {"atlantis": -3}}, RuleCode.E_UNKNOWN, "Unknown state 'atlantis' (states: Aurel"),
        ({"ds_change": {"calla": 250}}, RuleCode.E_BAD_PARAM, "between -100 and 100"),
        ({"ds_change": {"calla": "lots"}}, RuleCode.E_BAD_PARAM, "domestic support for Calla"),
        ({"ds_change": {"calla": True}}, RuleCode.E_BAD_PARAM, "must be a number"),
        ({"ds_change": {"calla": float("nan")}}, RuleCode.E_BAD_PARAM, "must be a number"),
        ({"ds_change": [1, 2]}, RuleCode.E_BAD_PARAM, "change of domestic support maps states"),
        ({"budget_change": {"dresk": 2.5}}, RuleCode.E_BAD_PARAM, "whole number"),
        ({"budget_change": {"dresk": 10**9}}, RuleCode.E_BAD_PARAM, "whole number"),
        ({"incident": {"borun-calla": 0.2}}, RuleCode.E_BAD_PARAM, "two different states"),
        ({"incident": {"borun>borun": 0.2}}, RuleCode.E_BAD_PARAM, "two different states"),
        ({"incident": {"borun>mars": 0.2}}, RuleCode.E_UNKNOWN, "Unknown state 'mars'"),
        ({"incident": {"borun>calla": 1.5}}, RuleCode.E_BAD_PARAM, "between 0 and 1"),
    ],
)
def test_invalid_effects_are_rejected_in_plain_english(effect, code, words):
    s = fresh()
    with pytest.raises(ge.RuleViolation) as info:
        ge.add_inject(s, title="T", text="x", targets=None, effect=effect)
    assert info.value.code == code
    assert words in info.value.message
    assert info.value.message.endswith(")") or info.value.message.endswith(".")
    # a catalogue message (shown in the facilitator's language), never an English sentence
    assert info.value.msg.id.startswith("inject."), info.value.msg


def test_bad_title_targets_or_a_finished_game_are_rejected():
    s = fresh()
    with pytest.raises(ge.RuleViolation) as info:
        ge.add_inject(s, title="  ", text="x", targets=None, effect={})
    assert info.value.code == RuleCode.E_BAD_PARAM
    with pytest.raises(ge.RuleViolation) as info:
        ge.add_inject(s, title="T", text="x", targets=["narnia"], effect={})
    assert info.value.code == RuleCode.E_UNKNOWN
    while not s.game_over:
        s = ge.resolve(s, {}, "seed-1").state
    with pytest.raises(ge.RuleViolation) as info:
        ge.add_inject(s, title="T", text="x", targets=None, effect={})
    assert info.value.code == RuleCode.E_GAME_OVER


def test_pending_injects_survive_a_snapshot_round_trip():
    s = ge.add_inject(
        fresh(mode="stochastic"),
        title="Storm",
        text="Radar down.",
        targets=["aurel"],
        effect={"radar_outage": "AUR-1", "incident": {"borun>calla": 0.1}},
    )
    data = ge.state_to_json(s)
    again = ge.state_from_json(data)
    assert again == s
    assert canon(ge.state_to_json(again)) == canon(data)
    raw = {"borun": [{"type": "BUILD", "class": "MRBM", "qty": 1}]}
    a = ge.resolve(s, orders_for(s, raw), "x")
    b = ge.resolve(again, orders_for(again, raw), "x")
    assert canon(ge.state_to_json(a.state)) == canon(ge.state_to_json(b.state))


def test_snapshots_from_before_adhoc_injects_still_load():
    data = ge.state_to_json(fresh())
    del data["pending_injects"]
    assert ge.state_from_json(data) == fresh()


def test_pending_injects_are_seen_only_by_the_facilitator():
    marker = "INJECT-CANARY-5521"
    s = ge.add_inject(fresh(), title=marker, text=marker, targets=["calla"], effect=PROTEST)
    fac = ge.view_json(s, ge.FACILITATOR)
    assert isinstance(fac["pending_injects"], list) and fac["pending_injects"][0]["title"] == marker
    for viewer in (None, "aurel", "borun", "calla", "dresk"):
        v = ge.view_json(s, viewer)
        assert v["pending_injects"] is None
        assert marker not in canon(v)
        if viewer is not None:
            assert marker not in canon(ge.expected_outcome(s, viewer))
    # The target learns of it at resolution, through the event; others never do.
    r = ge.resolve(s, {}, "seed-1")
    assert marker in canon(r.private_reports["calla"]["events"])
    assert marker not in canon(r.public_report)


def test_whatif_projection_ignores_pending_injects():
    s = fresh()
    hit = ge.add_inject(s, title="T", text="", targets=None, effect={"ds_change": {"calla": -40}})
    assert canon(ge.expected_outcome(hit, "calla")) == canon(ge.expected_outcome(s, "calla"))


@pytest.mark.parametrize("mode", ["expected", "stochastic"])
def test_adding_an_inject_keeps_resolution_deterministic(mode):
    def run() -> str:
        s = fresh(mode=mode, seed="inj")
        out = []
        for turn in range(3):
            if turn == 1:
                s = ge.add_inject(s, title="Storm", text="", targets=None, effect={"radar_outage": "AUR-1"})
            r = ge.resolve(s, orders_for(s, {"borun": [{"type": "BUILD", "class": "SRBM", "qty": 1}]}), "inj")
            s = r.state
            out.append(canon(ge.state_to_json(s)))
            out.append(canon([event_to_json(e) for e in r.events]))
        return "\n".join(out)

    assert run() == run()
