"""What a resolution returns: events (past tense, with an audience) and the reports (B4.14)."""

from __future__ import annotations

from dataclasses import dataclass

from game_engine.jsontypes import JSONDict
from game_engine.messages import Message, message_to_json
from game_engine.state import GameState


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """Something that happened. ``audience`` None = public, else the state ids that may see it.
    ``msg`` says it (a message id and parameters, shown in the reader's language)."""

    kind: str
    audience: tuple[str, ...] | None
    msg: Message
    data: JSONDict

    @property
    def text(self) -> JSONDict:
        """The message's JSON form: what a turn record stores under ``"text"``."""
        return message_to_json(self.msg)


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
