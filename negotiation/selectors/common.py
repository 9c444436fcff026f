"""Small readers every subject shares: state names, and engine texts in the viewer's language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.utils.translation import get_language

from negotiation import engine_views, orderforms
from negotiation.engine_texts import EngineTexts
from negotiation.models import Game, Member
from negotiation.scenarios import state_infos

T = TypeVar("T")


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



def describe_order(raw: dict[str, Any], game: Game | None = None) -> str:
    """An order in words; with its game, the states and the public treaties it names are named
    in the reader's language (a draft's name stays private to its parties: "Sign a treaty")."""
    if game is None:
        return orderforms.describe(raw)
    memo = game.__dict__.setdefault("_order_words", {})
    lang = get_language()
    if lang not in memo:
        memo[lang] = orderforms.order_words(engine_views.state(game), None)
    treaties, names = memo[lang]
    return orderforms.describe(raw, treaties, names)



def state_names(game: Game) -> dict[str, str]:
    return {sid: info.name for sid, info in state_infos(game.scenario_slug).items()}


# --- Reads shared by one render ------------------------------------------------------------------

_SHARED = "_shared_reads"


def share_reads(game: Game, *, keep: bool = False) -> None:
    """From now on, the selectors called with this Game instance read each row set they share (the
    seats, members, injects, channels, proposals, the last turn record, a seat's orders) once and
    reuse it. A page, a resync or a push reads the same rows from several selectors; call this
    where the render starts, after any write of the request (a later write would not be seen by
    the rows already read: the instance's shared reads are a snapshot, like its own fields).
    ``keep``: go on with the rows this instance already shares (one push rendered for many seats)."""
    if not (keep and _SHARED in game.__dict__):
        game.__dict__[_SHARED] = {}


def shared(game: Game, key: tuple[Any, ...], read: Callable[[], T]) -> T:
    """``read()``, once per key for a game instance that shares its reads (``share_reads``);
    every time otherwise."""
    store = game.__dict__.get(_SHARED)
    if store is None:
        return read()
    if key not in store:
        store[key] = read()
    return cast(T, store[key])


def sharing(game: Game) -> bool:
    """Whether this Game instance shares its reads (a render started with ``share_reads``)."""
    return _SHARED in game.__dict__


def members_of(game: Game) -> list[Member]:
    """Every membership of the game (removed ones too), with its seat: read once per render."""
    return shared(game, ("members",), lambda: list(Member.objects.filter(seat__game=game).select_related("seat")))
