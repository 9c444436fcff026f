"""Replay: rebuild every turn of a game from its log through the engine and check the stored
results. The engine is deterministic, so the initial state (new_game with the game's scenario,
id, seed and mode), the recorded orders of each turn and the changes logged between turns
(inject effects, treaty drafts tabled by a signature, the facilitator ending the game) must give back, byte for byte,
every stored TurnRecord and the game's current state.

Changes made to the engine state between turns must be logged and registered here with
register_mutation(kind); an unregistered change shows up as a difference."""

from __future__ import annotations

import dataclasses
import json
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext

import game_engine
from game_engine.params import with_legacy_values
from negotiation.labels import number_format
from negotiation.models import Game, GameEvent, Inject, ProposalKind, ProposalVersion, TurnRecord

Mutation = Callable[[Game, game_engine.GameState, dict[str, Any]], game_engine.GameState]
MUTATIONS: dict[str, Mutation] = {}
MISSING = "(missing)"
_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


class ReplayError(Exception):
    """A logged change that cannot be applied again."""


def register_mutation(kind: str) -> Callable[[Mutation], Mutation]:
    """Register how a log entry of `kind` changed the engine state between two resolutions."""
    def wrap(fn: Mutation) -> Mutation:
        MUTATIONS[kind] = fn
        return fn
    return wrap


@register_mutation("inject.sent")
def _inject_effect(game: Game, state: game_engine.GameState, data: dict[str, Any]) -> game_engine.GameState:
    """An inject with an effect is queued in the engine state for the next resolution
    (game_engine.add_inject, with the inject's title, text, audience and effect)."""
    effect = data.get("effect")
    if not effect:
        return state
    number = data.get("inject")
    inject = Inject.objects.filter(game=game, pk=number).first() if isinstance(number, int) else None
    if inject is None:
        raise ReplayError(f"inject {data.get('inject')} is not stored")
    return game_engine.add_inject(state, title=inject.title, text=inject.text, targets=inject.audience,
                                  effect=dict(inject.effect or effect))


@register_mutation("game.ended")
def _game_ended(game: Game, state: game_engine.GameState, data: dict[str, Any]) -> game_engine.GameState:
    if state.game_over:
        return state
    reason = str(data.get("reason") or "") or "The facilitator ended the game."
    return dataclasses.replace(state, game_over=True, game_over_reason=reason)


@register_mutation("treaty.drafted")
def _treaty_drafted(game: Game, state: game_engine.GameState, data: dict[str, Any]) -> game_engine.GameState:
    new_state, _, _ = game_engine.add_treaty_draft(
        state, str(data.get("template", "")), [str(p) for p in data.get("parties", [])], dict(data.get("terms") or {}))
    return new_state


@register_mutation("proposal.signed")
def _treaty_tabled_by_signature(game: Game, state: game_engine.GameState, data: dict[str, Any]) -> game_engine.GameState:
    """Signing a treaty proposal tables its version in the engine state (services.proposals._table).
    The log entry names the proposal and version; their text is in the proposal's stored versions.
    Tabling is idempotent in the engine, so every signature may table it again."""
    number, which = data.get("proposal"), data.get("version")
    version = None
    if isinstance(number, int) and isinstance(which, int):
        version = (ProposalVersion.objects.select_related("proposal")
                   .filter(proposal__game=game, proposal__number=number, version=which).first())
    if version is None:
        raise ReplayError(f"proposal {data.get('proposal')} version {data.get('version')} is not stored")
    proposal = version.proposal
    if proposal.kind != ProposalKind.TREATY:
        return state
    new_state, _, _ = game_engine.add_treaty_draft(
        state, version.template, [str(p) for p in proposal.parties], {**version.clauses, "name": proposal.title})
    return new_state


# --- Comparing JSON ------------------------------------------------------------------------------


def as_stored(value: Any) -> Any:
    """The value as a JSONField gives it back (tuples become lists, keys strings)."""
    return json.loads(json.dumps(value))


def _key_path(path: str, key: str) -> str:
    return f"{path}.{key}" if _PLAIN_KEY.match(key) else f"{path}[{json.dumps(key)}]"


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def first_difference(stored: Any, replayed: Any, path: str = "$") -> tuple[str, Any, Any] | None:
    """The first place (JSON path, stored value, replayed value) where two JSON values differ.
    Dict keys are visited in sorted order; numbers compare by value (1 == 1.0)."""
    if isinstance(stored, dict) and isinstance(replayed, dict):
        for key in sorted(set(stored) | set(replayed), key=str):
            where = _key_path(path, str(key))
            if key not in stored:
                return where, MISSING, replayed[key]
            if key not in replayed:
                return where, stored[key], MISSING
            found = first_difference(stored[key], replayed[key], where)
            if found:
                return found
        return None
    if isinstance(stored, list) and isinstance(replayed, list):
        for i in range(max(len(stored), len(replayed))):
            where = f"{path}[{i}]"
            if i >= len(stored):
                return where, MISSING, replayed[i]
            if i >= len(replayed):
                return where, stored[i], MISSING
            found = first_difference(stored[i], replayed[i], where)
            if found:
                return found
        return None
    if _is_number(stored) and _is_number(replayed):
        return None if stored == replayed else (path, stored, replayed)
    if type(stored) is not type(replayed) or stored != replayed:
        return path, stored, replayed
    return None


# --- The replay ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Difference:
    where: str
    path: str
    stored: Any
    replayed: Any
    labels: tuple[str, str] = ("stored", "replayed")

    def __str__(self) -> str:
        def short(value: Any) -> str:
            text = value if value == MISSING else json.dumps(value, ensure_ascii=False, default=str)
            return text if len(text) <= 200 else text[:199] + "…"
        first, second = self.labels
        return f"{self.where}: {self.path}: {first} {short(self.stored)}, {second} {short(self.replayed)}"


@dataclass(slots=True)
class ReplayReport:
    game_id: int
    turns: int = 0
    difference: Difference | None = None
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.difference is None


class _Stop(Exception):
    def __init__(self, difference: Difference) -> None:
        super().__init__(str(difference))
        self.difference = difference


def _with_legacy_params(stored: Any) -> Any:
    """A stored snapshot's parameter copy means the legacy value of every parameter added after
    the game began (game_engine.params.LEGACY_VALUES): the replay compares with that meaning."""
    if isinstance(stored, dict):
        out = {k: _with_legacy_params(v) for k, v in stored.items()}
        scenario = out.get("scenario")
        if isinstance(scenario, dict) and isinstance(scenario.get("params"), dict):
            out["scenario"] = {**scenario, "params": with_legacy_values(scenario["params"])}
        return out
    return stored


def _check(where: str, stored: Any, replayed: Any, labels: tuple[str, str] = ("stored", "replayed")) -> None:
    found = first_difference(_with_legacy_params(stored), as_stored(replayed))
    if found:
        raise _Stop(Difference(where, *found, labels=labels))


def log_steps(game: Game, after_seq: int = 0) -> list[tuple[int, str, dict[str, Any]]]:
    """The log entries a replay walks: resolutions, engine events and registered changes."""
    rows = (GameEvent.objects.filter(game=game, seq__gt=after_seq)
            .filter(Q(kind__in=["turn.resolved", *MUTATIONS]) | Q(kind__startswith="engine."))
            .order_by("seq").values_list("seq", "kind", "data"))
    return [(int(seq), str(kind), data if isinstance(data, dict) else {}) for seq, kind, data in rows]


def recorded_orders(orders: dict[str, Any]) -> dict[str, tuple[game_engine.Order, ...]]:
    return {str(sid): tuple(game_engine.order_from_json(o) for o in raws) for sid, raws in orders.items()}


def resolution_json(resolution: game_engine.Resolution) -> dict[str, Any]:
    """The parts of a resolution a TurnRecord stores, as stored."""
    stored: dict[str, Any] = as_stored({
        "state_after": game_engine.state_to_json(resolution.state),
        "events": [{"kind": e.kind, "audience": None if e.audience is None else list(e.audience), "text": e.text,
                    "data": dict(e.data)} for e in resolution.events],
        "public_report": resolution.public_report,
        "private_reports": resolution.private_reports,
        "explanation": list(resolution.explanation),
        "audit": resolution.audit,
    })
    return stored


def apply_mutation(game: Game, state: game_engine.GameState, kind: str, data: dict[str, Any]) -> game_engine.GameState:
    return MUTATIONS[kind](game, state, data)


def _initial_state(game: Game, first: TurnRecord | None, report: ReplayReport) -> game_engine.GameState:
    stored = (first.state_before if first else game.state) or {}
    stored_scenario = stored.get("scenario")
    try:
        scenario = game_engine.load_scenario(game.scenario_slug)
    except (game_engine.ScenarioError, FileNotFoundError, KeyError, ValueError):
        scenario = None
        report.notes.append(gettext("The scenario %(slug)r is not bundled; replayed with the copy stored in the game.") % {
            "slug": game.scenario_slug})
    if scenario is not None and stored_scenario is not None:
        found = first_difference(stored_scenario, as_stored(
            game_engine.state_to_json(game_engine.new_game(scenario, game_id="probe", seed="probe"))["scenario"]))
        if found:
            report.notes.append(gettext("The scenario file changed since this game was played (first at %(where)s); "
                                        "replayed with the copy stored in the game.") % {"where": found[0]})
            scenario = None
    if scenario is None:
        scenario = game_engine.state_from_json(stored).scenario
    return game_engine.new_game(scenario, game_id=f"game-{game.pk}", seed=game.seed, mode=game.mode)


def replay_game(game: Game) -> ReplayReport:
    """Replay the whole game; the report names the first difference, if any."""
    started = time.perf_counter()
    report = ReplayReport(game_id=game.pk)
    records = {r.turn: r for r in TurnRecord.objects.filter(game=game)}
    try:
        _replay(game, records, report)
    except _Stop as stop:
        report.difference = stop.difference
    report.seconds = time.perf_counter() - started
    return report


def _replay(game: Game, records: dict[int, TurnRecord], report: ReplayReport) -> None:
    state = _initial_state(game, records.get(min(records)) if records else None, report)
    if state.seed_commit != game.seed_commit:
        raise _Stop(Difference("initial state", "$.seed_commit", game.seed_commit, state.seed_commit))
    resolved: list[int] = []
    current: TurnRecord | None = None
    logged: list[dict[str, Any]] = []

    def check_logged_events() -> None:
        if current is not None:
            _check(f"turn {current.turn}: engine events in the log", current.events, logged,
                   labels=("stored result", "log"))

    for seq, kind, data in log_steps(game):
        if kind.startswith("engine."):
            logged.append(data)
            continue
        check_logged_events()
        current, logged = None, []
        if kind == "turn.resolved":
            turn = data.get("turn")
            record = records.get(turn) if isinstance(turn, int) else None
            if record is None:
                raise _Stop(Difference(f"log entry #{seq}", "$.turn", MISSING, turn))
            state = _resolve_and_check(game, record, state)
            resolved.append(record.turn)
            current = record
            report.turns += 1
        else:
            try:
                state = apply_mutation(game, state, kind, data)
            except (ReplayError, game_engine.RuleViolation) as exc:
                raise _Stop(Difference(f"log entry #{seq} ({kind})", "$", "a change to the game", str(exc))) from exc
    check_logged_events()
    unlogged = sorted(set(records) - set(resolved))
    if unlogged:
        raise _Stop(Difference(f"turn {unlogged[0]}", "$", "a stored result", "no turn.resolved entry in the log"))
    _check("current game state", game.state, game_engine.state_to_json(state))


def _resolve_and_check(game: Game, record: TurnRecord, state: game_engine.GameState) -> game_engine.GameState:
    where = f"turn {record.turn}"
    _check(f"{where}: state before resolution", record.state_before, game_engine.state_to_json(state))
    if record.seed != game.seed:
        raise _Stop(Difference(f"{where}: seed", "$", game.seed, record.seed))
    try:
        orders = recorded_orders(record.orders)
        resolution = game_engine.resolve(state, orders, record.seed)
    except game_engine.OrderError as exc:
        raise _Stop(Difference(f"{where}: engine input", "$.orders", "orders the engine accepts", str(exc))) from exc
    replayed = resolution_json(resolution)
    for name, label in (("state_after", "state after resolution"), ("events", "engine events"),
                        ("public_report", "public report"), ("private_reports", "private reports"),
                        ("explanation", "explanation"), ("audit", "audit")):
        _check(f"{where}: {label}", getattr(record, name), replayed[name])
    return resolution.state


def describe(report: ReplayReport) -> Iterable[str]:
    """Lines for the console or the page."""
    yield from report.notes
    if report.ok:
        yield gettext("Replayed %(n)s turn(s) from the log: every stored result matches (%(seconds)s s).") % {
            "n": report.turns, "seconds": number_format(report.seconds, 2)}
    else:
        yield gettext("Replay found a difference after %(n)s matching turn(s) (%(seconds)s s):") % {
            "n": report.turns, "seconds": number_format(report.seconds, 2)}
        yield f"  {report.difference}"
