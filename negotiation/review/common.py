"""Small shared readers of the review package: state names, and which turn a log entry belongs to."""

from __future__ import annotations

import json
from bisect import bisect_right
from dataclasses import dataclass
from typing import Any

from django.utils.translation import get_language

import game_engine
from negotiation import engine_views
from negotiation.models import Game, GameEvent

# Log entries that move the game from one turn to the next (see TurnMarks).
TURN_MARK_KINDS = ("game.started", "turn.resolved", "phase.advanced")


@dataclass(frozen=True, slots=True)
class StateMeta:
    id: str
    name: str
    color: str


def state_meta(game: Game) -> list[StateMeta]:
    """The game's states in scenario order, read from the game's own engine state (so a game
    stays reviewable even if its scenario file changes or is removed)."""
    scenario = (game.state or {}).get("scenario") or {}
    # Names in the reader's language where the game's scenario translates them.
    translated = {s.id: s.name for s in game_engine.localized_info(engine_views.state(game).scenario,
                                                                   get_language()).states} if scenario else {}
    return [
        StateMeta(id=str(s.get("id")), name=translated.get(str(s.get("id"))) or str(s.get("name", s.get("id"))),
                  color=str(s.get("color", "#555555")))
        for s in scenario.get("states", [])
        if isinstance(s, dict)
    ]


def state_names(game: Game) -> dict[str, str]:
    return {m.id: m.name for m in state_meta(game)}


@dataclass(frozen=True, slots=True)
class TurnMarks:
    """Where each turn starts in the log. A turn runs from its negotiation phase (or the start of
    the game) through its resolution and report; lobby entries are turn 0."""

    seqs: tuple[int, ...]
    turns: tuple[int, ...]

    def turn_of(self, seq: int) -> int:
        i = bisect_right(self.seqs, seq) - 1
        return self.turns[i] if i >= 0 else 0

    def seq_range(self, turn: int) -> tuple[int, int | None] | None:
        """[first, last) sequence numbers of `turn`'s entries (last None: up to now)."""
        if turn == 0:
            return (0, self.seqs[0]) if self.seqs else (0, None)
        indexes = [i for i, t in enumerate(self.turns) if t == turn]
        if not indexes:
            return None
        first = self.seqs[indexes[0]]
        after = indexes[-1] + 1
        return first, self.seqs[after] if after < len(self.seqs) else None

    @property
    def known_turns(self) -> list[int]:
        return sorted(set(self.turns))


def turn_marks(game: Game) -> TurnMarks:
    rows = GameEvent.objects.filter(game=game, kind__in=TURN_MARK_KINDS).order_by("seq").values_list(
        "seq", "kind", "data")
    return marks_from(rows)


def marks_from(rows: Any) -> TurnMarks:
    seqs: list[int] = []
    turns: list[int] = []
    for seq, kind, data in rows:
        info = data if isinstance(data, dict) else {}
        turn = info.get("turn")
        if not isinstance(turn, int):
            continue
        starts = kind in ("game.started", "turn.resolved") or (kind == "phase.advanced" and info.get("to") == "negotiation")
        if starts and (not turns or turns[-1] != turn):
            seqs.append(int(seq))
            turns.append(turn)
    return TurnMarks(seqs=tuple(seqs), turns=tuple(turns))


# A cell starting with one of these is a formula to a spreadsheet: CSV exports defuse it.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str | int | float:
    """A CSV cell: numbers as numbers, JSON for structures, text with formulas defused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return value
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
