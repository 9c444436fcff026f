"""What-if: from a past turn, re-run the rest of the game in a sandbox with changed orders and
compare the outcome with what happened. Nothing is written: the engine is pure and the stored
snapshots are only read."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext, ngettext

import game_engine
from negotiation import engine_views
from negotiation.errors import InvalidInput
from negotiation.models import Game, Phase, TurnRecord
from negotiation.review.access import ReviewAccess, lens_view
from negotiation.review.charts import Chart, Series
from negotiation.review.common import state_meta
from negotiation.review.replay import MUTATIONS, ReplayError, apply_mutation, log_steps, recorded_orders
from negotiation.selectors import describe_order

MAX_ADDED_ORDERS = 40


@dataclass(frozen=True, slots=True)
class RecordedOrder:
    index: int
    text: str
    raw: str


@dataclass(frozen=True, slots=True)
class WhatIfState:
    state_id: str
    name: str
    orders: list[RecordedOrder]
    editable: bool


def whatif_turns(game: Game) -> list[int]:
    return list(TurnRecord.objects.filter(game=game).order_by("turn").values_list("turn", flat=True))


def whatif_form(game: Game, access: ReviewAccess, turn: int) -> list[WhatIfState]:
    """The orders each state gave in `turn`; a player sees (and may change) only their own."""
    record = TurnRecord.objects.filter(game=game, turn=turn).only("orders").first()
    rows = []
    for meta in state_meta(game):
        mine = access.is_facilitator or meta.id == access.state_id
        raws = (record.orders.get(meta.id, []) if record else []) if mine else []
        rows.append(WhatIfState(
            state_id=meta.id, name=meta.name, editable=mine,
            orders=[RecordedOrder(i, describe_order(o, game), json.dumps(o, sort_keys=True)) for i, o in enumerate(raws)],
        ))
    return [r for r in rows if r.editable]


def parse_changes(access: ReviewAccess, state: game_engine.GameState, recorded: dict[str, list[dict[str, Any]]],
                  kept: dict[str, set[int]], added: dict[str, str]) -> dict[str, tuple[game_engine.Order, ...]]:
    """The changed orders per state: the recorded ones kept, plus the ones typed in (one JSON
    object a line). Raises InvalidInput with a message naming the state and the line."""
    changed: dict[str, tuple[game_engine.Order, ...]] = {}
    for sid in state.state_ids:
        if not (access.is_facilitator or sid == access.state_id):
            continue
        raws: list[dict[str, Any]] = [o for i, o in enumerate(recorded.get(sid, [])) if i in kept.get(sid, set())]
        lines = [line.strip() for line in added.get(sid, "").splitlines() if line.strip()]
        if len(lines) > MAX_ADDED_ORDERS:
            raise InvalidInput(gettext("%(state)s: at most %(n)s added orders.") % {"state": state.name_of(sid), "n": MAX_ADDED_ORDERS})
        for number, line in enumerate(lines, start=1):
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InvalidInput(gettext("%(state)s, added order %(number)s: not valid JSON (%(error)s).") % {
                    "state": state.name_of(sid), "number": number, "error": exc.msg}) from exc
            if not isinstance(value, dict):
                raise InvalidInput(gettext("%(state)s, added order %(number)s: write one JSON object, like %(example)s.") % {
                    "state": state.name_of(sid), "number": number, "example": '{"type": "BUILD", "class": "IRBM", "qty": 2}'})
            raws.append(value)
        if raws == recorded.get(sid, []):
            continue
        try:
            changed[sid] = tuple(game_engine.validate_orders(state, sid, raws))
        except game_engine.OrderError as exc:
            reason = engine_views.texts_for(state.scenario).rule_error(exc.code, exc.message)
            raise InvalidInput(f"{state.name_of(sid)}: {reason}") from exc
    return changed


@dataclass(frozen=True, slots=True)
class OutcomeRow:
    name: str
    actual_score: float
    whatif_score: float
    actual_security: float | None
    whatif_security: float | None
    actual_missiles: int | None
    whatif_missiles: int | None

    @property
    def score_delta(self) -> float:
        return self.whatif_score - self.actual_score


@dataclass(slots=True)
class WhatIfResult:
    from_turn: int
    last_turn: int
    changes: list[tuple[str, list[str]]]
    rows: list[OutcomeRow]
    chart: Chart
    actual_end: str
    whatif_end: str
    notes: list[str] = field(default_factory=list)
    actual_rsi: float | None = None
    whatif_rsi: float | None = None


def _rejections(reports: dict[str, Any]) -> int:
    return sum(len(r["rejected"]) for r in reports.values() if isinstance(r, dict) and isinstance(r.get("rejected"), list))


def _rsi(view: game_engine.View) -> tuple[float | None, float | None]:
    """Public and (where the lens shows it) true stability of a view."""
    return view.rsi_pub, view.truth.rsi_true if view.truth else None


def _change_lines(state: game_engine.GameState, sid: str, recorded: list[dict[str, Any]],
                  orders: tuple[game_engine.Order, ...]) -> list[str]:
    """What the what-if changed for one state: the recorded orders left out and the orders added
    (not the orders kept as they were)."""
    try:
        before_orders = [game_engine.order_to_json(o) for o in game_engine.validate_orders(state, sid, recorded)]
    except game_engine.RuleViolation:
        before_orders = list(recorded)
    before = Counter(describe_order(o) for o in before_orders)
    after = Counter(describe_order(game_engine.order_to_json(o)) for o in orders)
    lines = [gettext("left out: %(order)s") % {"order": o} for o in (before - after).elements()]
    lines += [gettext("added: %(order)s") % {"order": o} for o in (after - before).elements()]
    return lines or [gettext("no change")]


def run_whatif(game: Game, access: ReviewAccess, from_turn: int,
               changed: dict[str, tuple[game_engine.Order, ...]]) -> WhatIfResult:
    """Re-run turns from_turn..end with `changed` orders in from_turn and the recorded orders
    after it, re-applying the changes logged between turns."""
    records = {r.turn: r for r in TurnRecord.objects.filter(game=game, turn__gte=from_turn).order_by("turn")}
    if from_turn not in records:
        raise InvalidInput(gettext("Choose a turn that was played."))
    start = records[from_turn]
    state = game_engine.state_from_json(start.state_before)
    notes: list[str] = []
    actual: list[tuple[int, game_engine.GameState]] = [(from_turn - 1, state)]
    alternative: list[tuple[int, game_engine.GameState]] = [(from_turn - 1, state)]
    started = ended = False
    for _, kind, data in log_steps(game):
        if kind.startswith("engine."):
            continue
        if kind == "turn.resolved":
            turn = data.get("turn")
            if not isinstance(turn, int) or turn < from_turn or turn not in records:
                continue
            started = True
            actual.append((turn, game_engine.state_from_json(records[turn].state_after)))
            if state.game_over:
                if not ended:
                    notes.append(gettext("The what-if game ended before turn %(turn)s; the real game went on.") % {"turn": turn})
                ended = True
                continue
            orders = recorded_orders(records[turn].orders)
            if turn == from_turn:
                orders |= changed
            resolution = game_engine.resolve(state, orders, records[turn].seed)
            rejected = _rejections(resolution.private_reports)
            was = _rejections(records[turn].private_reports)
            if rejected > was and turn != from_turn:
                notes.append(ngettext(
                    "Turn %(turn)s: %(n)s recorded order no longer fits the what-if game and was rejected.",
                    "Turn %(turn)s: %(n)s recorded orders no longer fit the what-if game and were rejected.",
                    rejected - was) % {"turn": turn, "n": rejected - was})
            state = resolution.state
            alternative.append((turn, state))
        elif started and not ended and kind in MUTATIONS:
            try:
                state = apply_mutation(game, state, kind, data)
            except (ReplayError, game_engine.RuleViolation) as exc:
                notes.append(gettext("A change logged as “%(kind)s” could not be re-applied in the what-if: %(error)s") % {
                    "kind": kind, "error": exc})
    real_final = game_engine.state_from_json(game.state) if game.phase == Phase.FINISHED else actual[-1][1]
    return _compare(game, access, from_turn, changed, actual, alternative, real_final, state, notes)


def _compare(game: Game, access: ReviewAccess, from_turn: int, changed: dict[str, tuple[game_engine.Order, ...]],
             actual: list[tuple[int, game_engine.GameState]], alternative: list[tuple[int, game_engine.GameState]],
             real_final: game_engine.GameState, alt_final: game_engine.GameState, notes: list[str]) -> WhatIfResult:
    actual_views = [lens_view(s, access) for _, s in actual]
    alt_views = [lens_view(s, access) for _, s in alternative]
    labels = [gettext("Start of T%(turn)s") % {"turn": from_turn} if t < from_turn else gettext("T%(turn)s") % {"turn": t}
              for t, _ in actual]
    pad = len(actual_views) - len(alt_views)
    series = [
        Series(gettext("What happened (public)"), [_rsi(v)[0] for v in actual_views]),
        Series(gettext("What-if (public)"), [_rsi(v)[0] for v in alt_views] + [None] * pad),
        Series(gettext("What happened (true)"), [_rsi(v)[1] for v in actual_views]),
        Series(gettext("What-if (true)"), [_rsi(v)[1] for v in alt_views] + [None] * pad),
    ]
    chart = Chart(id="whatif", title=gettext("Stability from turn %(turn)s: what happened and the what-if") % {"turn": from_turn},
                  description=gettext("Regional Stability Index by turn in the real game and in the what-if sandbox."),
                  x_labels=labels, series=[s for s in series if any(v is not None for v in s.values)],
                  y_label=gettext("index"), y_min=0, y_max=100)
    real_view, alt_view = lens_view(real_final, access), lens_view(alt_final, access)
    real_scores, alt_scores = game_engine.final_scores(real_final), game_engine.final_scores(alt_final)
    rows = []
    for meta in state_meta(game):
        rows.append(OutcomeRow(
            name=meta.name,
            actual_score=real_scores.get(meta.id, 0.0), whatif_score=alt_scores.get(meta.id, 0.0),
            actual_security=_truth_number(real_view, meta.id, "security"),
            whatif_security=_truth_number(alt_view, meta.id, "security"),
            actual_missiles=_missiles(real_view, meta.id), whatif_missiles=_missiles(alt_view, meta.id),
        ))
    recorded = TurnRecord.objects.filter(game=game, turn=from_turn).values_list("orders", flat=True).first() or {}
    changes = [(real_final.name_of(sid), _change_lines(actual[0][1], sid, list(recorded.get(sid, [])), orders))
               for sid, orders in changed.items()]
    texts = engine_views.texts_for(real_final.scenario)
    return WhatIfResult(
        from_turn=from_turn, last_turn=alternative[-1][0], changes=changes, rows=rows, chart=chart,
        actual_end=texts.game_over(real_final.game_over_reason) or gettext("The game had not ended."),
        whatif_end=texts.game_over(alt_final.game_over_reason) or gettext("The what-if game had not ended."),
        notes=notes, actual_rsi=_rsi(real_view)[0], whatif_rsi=_rsi(alt_view)[0],
    )


def _truth_entry(view: game_engine.View, sid: str) -> game_engine.OwnView | None:
    return view.truth.states.get(sid) if view.truth else None


def _truth_number(view: game_engine.View, sid: str, key: str) -> float | None:
    entry = _truth_entry(view, sid)
    value = getattr(entry, key) if entry is not None else None
    return float(value) if isinstance(value, (int, float)) else None


def _missiles(view: game_engine.View, sid: str) -> int | None:
    entry = _truth_entry(view, sid)
    return sum(entry.missiles.values()) if entry is not None else None
