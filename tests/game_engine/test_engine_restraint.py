"""B5.12's verified-restraint term (rules 4, issue 14): a verified reduction paired with a
verified cap and one's own defense pays the reducer a noticeable amount in every scenario.

Paired whole games from the same start and seed (restraint_scripts.py): the same inspected
offense cap and the reducer's own defense, with and without the reducer eliminating part of
its arsenal under the rival's observation on turn 2. Under rules 3 the reduction was worth
-0.2 to +0.1 of a point to the reducer; under rules 4 it must be worth at least 2.
"""

from __future__ import annotations

import pytest
from restraint_scripts import PACKAGES, play_package

import game_engine as ge
from game_engine import formulas as f
from game_engine.pipeline.scoring import final_scores

SLUGS = tuple(PACKAGES)
NOTICEABLE = 2.0


def _gain(slug: str, mode: str, seed: str, rules: int) -> tuple[dict[str, float], bool]:
    """Final score with the reduction minus without it, per state; and whether a crisis escalated
    in either game (a catastrophe halves every score, so the pair no longer compares)."""
    pk = PACKAGES[slug]
    params = {"rules": rules}
    a, ra = play_package(pk, False, mode, seed, params)
    b, rb = play_package(pk, True, mode, seed, params)
    for r in ra + rb:
        assert not any(e.kind == "order_rejected" for e in r.events), r.state.turn
    assert any(e.kind == "reduce" and e.msg.id == "event.reduce_verified" for e in rb[1].events)
    fa, fb = final_scores(a), final_scores(b)
    escalated = any(c.get("escalated") is True for s in (a, b) for c in s.crises)
    return {k: fb[k] - fa[k] for k in fa}, escalated


@pytest.mark.parametrize("slug", SLUGS)
def test_a_verified_reduction_pays_the_reducer_noticeably(slug):
    pk = PACKAGES[slug]
    gain, escalated = _gain(slug, "expected", "s1", 4)
    assert not escalated
    assert gain[pk.reducer] >= NOTICEABLE, gain
    assert gain[pk.rival] > 0, gain  # the rival is safer and trusts more


@pytest.mark.parametrize("slug", SLUGS)
def test_rules_3_games_keep_the_old_worth(slug):
    """Stored games (rules <= 3) replay unchanged: there the reduction was worth under a point."""
    pk = PACKAGES[slug]
    gain, _ = _gain(slug, "expected", "s1", 3)
    assert abs(gain[pk.reducer]) < 0.5, gain


@pytest.mark.parametrize("slug", SLUGS)
def test_the_reduction_pays_in_stochastic_mode_over_several_seeds(slug):
    pk = PACKAGES[slug]
    compared = 0
    for n in range(1, 6):
        gain, escalated = _gain(slug, "stochastic", f"s{n}", 4)
        if escalated:
            assert gain[pk.reducer] > 0, (n, gain)  # halved with everyone else's, still positive
            continue
        assert gain[pk.reducer] >= NOTICEABLE, (n, gain)
        compared += 1
    assert compared >= 3


def test_an_unobserved_reduction_earns_no_restraint_credit():
    pk = PACKAGES["meridian-sea"]
    s = ge.new_game(ge.load_scenario(pk.slug), game_id="g", seed="s", mode="expected")
    cls, qty = pk.cut
    raw = [{"type": "REDUCE", "class": cls, "qty": qty, "verified": False}]
    r = ge.resolve(s, {pk.reducer: ge.validate_orders(s, pk.reducer, raw)}, "s")
    assert r.state.nations[pk.reducer].verified_cut == 0.0
    raw = [
        {"type": "REDUCE", "class": cls, "qty": qty, "verified": True},
        {"type": "INVITE_OBSERVERS", "with": pk.rival},
    ]
    orders = {
        pk.reducer: ge.validate_orders(s, pk.reducer, raw),
        pk.rival: ge.validate_orders(s, pk.rival, [{"type": "ACCEPT", "with": pk.reducer, "what": "INVITE_OBSERVERS"}]),
    }
    r = ge.resolve(s, orders, "s")
    w = next(c.w for c in s.scenario.classes if c.name == cls)
    assert r.state.nations[pk.reducer].verified_cut == pytest.approx(w * qty)


def test_the_restraint_index_grows_with_the_share_cut_and_is_capped():
    assert f.verified_restraint(0.0, 30.0, 0.25) == 0.0
    small, big = f.verified_restraint(3.0, 27.0, 0.25), f.verified_restraint(6.0, 24.0, 0.25)
    assert 0 < small < big <= 100.0
    assert f.verified_restraint(20.0, 10.0, 0.25) == 100.0


def test_snapshots_carry_the_restraint_only_once_there_is_one():
    """Stored games (and games without a verified elimination) keep their exact snapshot form, so
    issue 13's replay of games stored before rules 4 finds no new key; a cut round-trips."""
    pk = PACKAGES["meridian-sea"]
    s = ge.new_game(ge.load_scenario(pk.slug), game_id="g", seed="s", mode="expected")
    data = ge.state_to_json(s)
    assert all("verified_cut" not in n for n in _nations(data))
    assert ge.state_from_json(data) == s
    _, results = play_package(pk, True)
    cut = results[1].state
    data = ge.state_to_json(cut)
    assert [n["verified_cut"] for n in _nations(data) if "verified_cut" in n] == [3.0]
    assert ge.state_from_json(data) == cut


def _nations(data: object) -> list[dict]:
    nations = data["nations"]  # type: ignore[index]
    return list(nations.values()) if isinstance(nations, dict) else list(nations)
