"""The speed-ups of issue 14's balance target compute exactly what the plain code computes.

- ``resolve_vp(state, orders, seed, viewer)`` equals ``resolve(...).private_reports[viewer]["vp"]``
  (the bots' projections read nothing else), on mid-game states of every scenario, with and
  without a signed draft;
- ``state.replace`` gives the same object as ``dataclasses.replace``;
- the content-memoised exchange model (``Engine.dyad``, ``Engine.damage``, kill tables) gives
  the same floats as a computation from scratch.
"""

from __future__ import annotations

import dataclasses
import math
import random

import pytest

import game_engine as ge
import game_engine.metrics as m
from game_engine import formulas as f
from game_engine import visibility
from game_engine.cli import play_turn
from game_engine.engine import add_treaty_draft, resolve_vp
from game_engine.errors import OrderError, RuleViolation
from game_engine.negotiator.types import Record
from game_engine.orders import canonical_positions, parse_order
from game_engine.pipeline import perception
from game_engine.pipeline.context import thaw
from game_engine.state import replace
from game_engine.whatif import WHAT_IF_SEED, belief_state

SLUGS = ("meridian-sea", "shield-of-the-east", "peninsula-and-straits")
POLICIES = ("hawk", "dove", "reciprocator", "verifier", "cheater", "richardson")


def _states(slug: str, mode: str, turns: int = 4) -> list[ge.GameState]:
    """The states of a bot-only game's first turns (every policy seated)."""
    state = ge.new_game(ge.load_scenario(slug), game_id="g-eq", seed="eq", mode=mode)
    policies = {sid: POLICIES[k % len(POLICIES)] for k, sid in enumerate(state.state_ids)}
    history: list[Record] = []
    out = [state]
    for t in range(turns):
        state, orders, _ = play_turn(state, policies, "eq", history=history, turn=t + 1)
        state = ge.resolve(state, orders, f"eq-{t}").state
        out.append(state)
        if state.game_over:
            break
    return out


@pytest.mark.parametrize("slug", SLUGS)
@pytest.mark.parametrize("mode", ["expected", "stochastic"])
def test_resolve_vp_is_the_full_resolutions_vp(slug: str, mode: str) -> None:
    checked = 0
    for state in _states(slug, mode):
        if state.game_over:
            continue
        for viewer in state.state_ids:
            # the real world, no orders
            empty = dict.fromkeys(state.state_ids, ())
            full = ge.resolve(state, empty, "s").private_reports[viewer]["vp"]
            assert resolve_vp(state, empty, "s", viewer) == full
            # a bot's projection: its belief world with a treaty signed by both parties
            b = belief_state(state, viewer)
            other = next(x for x in b.state_ids if x != viewer)
            b2, _, h = add_treaty_draft(b, "OFFENSE_CAP", [viewer, other], {"caps": {"SRBM": 5}, "data_exchange": True})
            raw = {sid: [] for sid in b2.state_ids}
            for x in (viewer, other):
                raw[x] = [{"type": "SIGN", "terms_hash": h}]
            try:
                orders = {sid: ge.validate_orders(b2, sid, lst) for sid, lst in raw.items()}
            except (OrderError, RuleViolation):
                continue  # cannot ratify now (as Appraiser._project_vp, no projection)
            full = ge.resolve(b2, orders, WHAT_IF_SEED).private_reports[viewer]["vp"]
            assert resolve_vp(b2, orders, WHAT_IF_SEED, viewer) == full
            checked += 1
    assert checked >= 3 * 4


def test_state_replace_equals_dataclasses_replace() -> None:
    state = _states("peninsula-and-straits", "stochastic", turns=2)[-1]
    for obj, change in (
        (state.nations["usa"], {"ds": 12.5, "sec": 3.0}),
        (state.pairs[("china", "usa")], {"threat": 1.25, "est": {"ICBM": 3}}),
        (state.sites[0], {"radar_mode": "forward"}),
        (state, {"turn": 9}),
        *((t, {"name": "x"}) for t in state.treaties[:1]),
        *((g, {"since": 9}) for g in state.agreements[:1]),
        (m.World(scenario=state.scenario, turn=1, nations=state.nations, pairs=state.pairs,
                 sites={}, consents=(), treaties={}, agreements=()), {"turn": 2}),
    ):
        a = replace(obj, **change)
        b = dataclasses.replace(obj, **change)
        assert a == b and type(a) is type(b)
        assert a is not obj
        # the copy made through a twin class is a real, frozen instance of the class
        assert repr(a) == repr(b)
        if type(a).__dataclass_params__.frozen:  # type: ignore[union-attr]
            with pytest.raises(dataclasses.FrozenInstanceError):
                setattr(a, dataclasses.fields(a)[0].name, None)  # type: ignore[arg-type]
        assert {f.name: getattr(a, f.name) for f in dataclasses.fields(a)} == {  # type: ignore[arg-type]
            f.name: getattr(b, f.name) for f in dataclasses.fields(b)  # type: ignore[arg-type]
        }
    with pytest.raises(TypeError):
        replace(state.pairs[("china", "usa")], nope=1)
    with pytest.raises(TypeError):
        replace(state.nations["usa"], nope=1)


@pytest.mark.parametrize("slug", SLUGS)
def test_memoised_exchange_model_equals_a_fresh_computation(slug: str) -> None:
    for state in _states(slug, "stochastic", turns=3):
        w = m.World(
            scenario=state.scenario,
            turn=state.turn,
            nations=state.nations,
            pairs=state.pairs,
            sites={s.id: s for s in state.sites},
            consents=state.consents,
            treaties={t.id: t for t in state.treaties},
            agreements=state.agreements,
        )
        for view in (
            {s: state.nations[s].missiles for s in state.state_ids},
            {s: state.nations[s].public_ledger for s in state.state_ids},
            {s: {c: n * 0.7 for c, n in state.nations[s].missiles.items()} for s in state.state_ids},
        ):
            pairs = [(i, j) for i in state.state_ids for j in state.state_ids if i != j]
            # through the memo (a second engine of the same world hits it)
            memo_eng = m.Engine.build(w)
            seen = {(i, j): memo_eng.dyad(i, j, view[i], view[j]) for i, j in pairs}
            again = {(i, j): m.Engine.build(w).dyad(i, j, view[i], view[j]) for i, j in pairs}
            # from scratch: an empty memo before each pair
            plain = {}
            for i, j in pairs:
                m._DYADS.clear()
                plain[(i, j)] = m.Engine.build(w)._dyad(i, j, view[i], view[j])
            assert seen == again == plain
            for i, j in pairs:
                m._DYADS.clear()
                eng = m.Engine.build(w)
                direct = f.damage(eng.arriving(j, i, view[j]), state.nations[i].l_half)
                assert memo_eng.damage(j, i, view[j]) == direct


def _drafts(b: ge.GameState, viewer: str) -> list[ge.GameState]:
    """``b`` and its world with each of a few treaties signed by ``viewer`` and one other."""
    out = [b]
    for other in [x for x in b.state_ids if x != viewer][:2]:
        for terms in (
            {"caps": {"SRBM": 5}, "data_exchange": True},
            {"caps": {"SRBM": 5}, "inspection_quota": 2},
        ):
            out.append(add_treaty_draft(b, "OFFENSE_CAP", [viewer, other], terms)[0])
    return out


@pytest.mark.parametrize("slug", SLUGS)
@pytest.mark.parametrize("mode", ["expected", "stochastic"])
def test_remembered_perception_equals_a_fresh_one(slug: str, mode: str) -> None:
    """Perception recalled from the pairs already perceived (phase_perception's memo) gives
    the same resolution - every pair, every report - as perception from an empty memo."""
    checked = 0
    for state in _states(slug, mode, turns=3):
        if state.game_over:
            continue
        for viewer in state.state_ids[:3]:
            worlds = [*_drafts(belief_state(state, viewer), viewer), state]
            for w in worlds:
                raw: dict[str, list[dict[str, object]]] = {sid: [] for sid in w.state_ids}
                for t in w.treaties:
                    if t.status == "draft":
                        for x in t.parties:
                            raw[x].append({"type": "SIGN", "terms_hash": t.terms_hash})
                try:
                    orders = {sid: ge.validate_orders(w, sid, lst) for sid, lst in raw.items()}
                except (OrderError, RuleViolation):
                    continue
                remembered = ge.resolve(w, orders, WHAT_IF_SEED)  # memo as the run left it
                perception._SEEN.clear()
                fresh = ge.resolve(w, orders, WHAT_IF_SEED)
                assert remembered.state.pairs == fresh.state.pairs
                assert remembered.private_reports == fresh.private_reports
                assert remembered.public_report == fresh.public_report
                again = ge.resolve(w, orders, WHAT_IF_SEED)  # all pairs recalled
                assert again.state.pairs == fresh.state.pairs
                assert again.private_reports == fresh.private_reports
                checked += 1
    assert checked >= 10


@pytest.mark.parametrize("slug", SLUGS)
def test_shared_bot_view_equals_each_viewers_own(slug: str) -> None:
    """The bots' view with its public part shared between the viewers of one state equals
    each viewer's own ``view_json`` - with drafts only some viewers may see (a draft's parties),
    so a treaty list shared whole between viewers would fail - and after the state changes."""
    checked = 0
    for state in _states(slug, "stochastic", turns=3):
        a, b, c = state.state_ids[:3]
        with_draft = add_treaty_draft(state, "OFFENSE_CAP", [a, b], {"caps": {"SRBM": 5}})[0]
        for w in (state, with_draft, state):
            for deterrence in (False, True):
                for viewer in (*w.state_ids, c, a):
                    shared = visibility.bot_view_json(w, viewer, deterrence=deterrence)
                    own = visibility.view_json(w, viewer, deterrence=deterrence)
                    assert shared == own
                    assert list(shared) == list(own)  # the same keys in the same order
                    checked += 1
        assert visibility.bot_view_json(with_draft, a)["treaties"] != visibility.bot_view_json(
            with_draft, c
        )["treaties"]
    assert checked >= 40


def test_canonical_positions_equal_a_full_sort_by_sort_key() -> None:
    """Orders sorted with the content key only where (priority, type rank) ties are in the
    order a full sort by ``(sort_key(), position)`` gives - ties of one type in reverse content
    order, priorities, and single orders of a kind among them."""
    raws: list[dict[str, object]] = [
        {"type": "BUILD", "class": "SRBM", "qty": 2},
        {"type": "TEST", "class": "SRBM"},
        {"type": "BUILD", "class": "MRBM", "qty": 1},
        {"type": "BUILD", "class": "MRBM", "qty": 1, "priority": -1},
        {"type": "INVEST_NTM", "points": 15},
        {"type": "BUILD", "class": "ICBM", "qty": 5},
        {"type": "BUILD", "class": "SRBM", "qty": 2},
        {"type": "TEST", "class": "MRBM", "priority": 2},
        {"type": "INVEST_NTM", "points": 5},
    ]
    orders = [parse_order(r) for r in raws]
    for n in range(len(orders) + 1):
        for lst in (orders[:n], orders[n:], orders[::-1][:n], orders[n:] + orders[:n]):
            full = sorted(range(len(lst)), key=lambda i: (lst[i].sort_key(), i))
            assert canonical_positions(lst) == full
    # the case the shortcut must not get wrong: a tie decided by content, not by position
    assert canonical_positions(orders[:3]) != [0, 1, 2]


def _power_radius_by_loops(m: tuple[tuple[float, ...], ...], size: int, iterations: int) -> float:
    """The power iteration of ``formulas._power_radius`` written with plain loops."""
    p = [list(r) for r in m]
    scale = 0.0
    for _ in range(3):
        q = []
        for row in p:
            out = []
            for col in range(size):
                acc = 0.0
                for k in range(size):
                    acc += row[k] * p[k][col]
                out.append(acc)
            q.append(out)
        big = max(max(abs(x) for x in row) for row in q)
        if big == 0:
            return 0.0
        p = [[x / big for x in row] for row in q]
        scale = 2 * scale + math.log(big)
    v = [1.0] * size
    lam = 0.0
    for _ in range(max(1, iterations // 8)):
        nxt = []
        for row in p:
            acc = 0.0
            for k in range(size):
                acc += row[k] * v[k]
            nxt.append(acc)
        norm = max(abs(x) for x in nxt)
        if norm == 0:
            return 0.0
        lam = norm / max(abs(x) for x in v)
        v = [x / norm for x in nxt]
    return math.exp((math.log(lam) + scale) / 8)


def test_power_radius_adds_the_products_in_loop_order() -> None:
    """The spectral radius's dot products give bit for bit what a loop adding the same
    products in the same order gives (matrices of mixed magnitudes, zeros, 3-6 states)."""
    rnd = random.Random(14)
    for _ in range(2000):
        n = rnd.choice([3, 4, 5, 6])
        m = tuple(
            tuple(
                rnd.choice([0.0, rnd.random(), rnd.random() * 1e-3, 1 - rnd.random() * 1e-6])
                for _ in range(n)
            )
            for _ in range(n)
        )
        assert f._power_radius(m, n, 200) == _power_radius_by_loops(m, n, 200)


@pytest.mark.parametrize("slug", SLUGS)
def test_data_exchange_pairs_equal_each_pairs_own_answer(slug: str) -> None:
    """``Ctx.data_exchange_pairs`` (found once per phase by perception, verification and
    compliance) holds exactly the pairs for which ``Ctx.data_exchange`` is true - in worlds with
    a data-exchange treaty drafted and signed, so some pairs exchange data and others not."""
    checked = 0
    for state in _states(slug, "expected", turns=3):
        if state.game_over:
            continue
        a, b = state.state_ids[:2]
        signed = add_treaty_draft(state, "OFFENSE_CAP", [a, b], {"caps": {"SRBM": 5}, "data_exchange": True})[0]
        for w in (state, signed):
            raw: dict[str, list[dict[str, object]]] = {sid: [] for sid in w.state_ids}
            for t in w.treaties:
                if t.status == "draft":
                    for x in t.parties:
                        raw[x].append({"type": "SIGN", "terms_hash": t.terms_hash})
            orders = {sid: ge.validate_orders(w, sid, lst) for sid, lst in raw.items()}
            after = ge.resolve(w, orders, "de").state
            ctx = thaw(after, "de", after.turn)
            pairs = {(i, j) for i in ctx.ids for j in ctx.ids if i != j and ctx.data_exchange(i, j)}
            assert ctx.data_exchange_pairs() == pairs
            checked += 1
            if w is signed:
                assert (a, b) in pairs and (b, a) in pairs
    assert checked >= 4
