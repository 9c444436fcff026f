"""What a resolution returns: events (past tense, with an audience) and the reports (B4.14)."""

from __future__ import annotations

from dataclasses import dataclass

from game_engine.jsontypes import JSONDict
from game_engine.state import GameState


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """Something that happened. ``audience`` None = public, else the state ids that may see it."""

    kind: str
    audience: tuple[str, ...] | None
    text: str
    data: JSONDict


@dataclass(frozen=True, slots=True, kw_only=True)
class Resolution:
    """Result of :func:`game_engine.resolve`."""

    state: GameState
    events: tuple[Event, ...]
    public_report: JSONDict
    private_reports: dict[str, JSONDict]
    explanation: tuple[JSONDict, ...]
    audit: JSONDict


def event_to_json(e: Event) -> JSONDict:
    """JSON form of an event."""
    return {
        "kind": e.kind,
        "audience": None if e.audience is None else list(e.audience),
        "text": e.text,
        "data": e.data,
    }
