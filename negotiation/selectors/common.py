"""Small readers every subject shares: state names, and engine texts in the viewer's language."""

from __future__ import annotations

from typing import Any

from negotiation import orderforms
from negotiation.engine_texts import EngineTexts
from negotiation.models import Game
from negotiation.scenarios import state_infos


def event_text(texts: EngineTexts, event: dict[str, Any]) -> str:
    """A stored engine event (a message) in the viewer's language."""
    data = event.get("data")
    return texts.event(str(event.get("kind", "")), event.get("text", ""), data if isinstance(data, dict) else None)


def explained(texts: EngineTexts, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**e, "text": texts.explanation(str(e.get("component", "")), e.get("text", ""))} for e in items]


def rejected_rows(texts: EngineTexts, report: dict[str, Any]) -> dict[str, Any]:
    rows = report.get("rejected") or []
    return {**report, "rejected": [
        {**r, "message": texts.rule_error(str(r.get("code", "")), r.get("message", ""))} if isinstance(r, dict) else r
        for r in rows]}



def describe_order(raw: dict[str, Any]) -> str:
    return orderforms.describe(raw)



def state_names(game: Game) -> dict[str, str]:
    return {sid: info.name for sid, info in state_infos(game.scenario_slug).items()}
