"""The game's log as a filtered, searchable timeline. Reads only; a player's timeline holds only
the entries whose audience includes their state (or everyone)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from math import ceil
from typing import Any

from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.http import QueryDict
from django.utils.translation import gettext, pgettext_lazy

import game_engine
from game_engine.messages import msg
from negotiation import engine_texts, engine_views, labels, orderforms
from negotiation.engine_texts import EngineTexts
from negotiation.models import Game, GameEvent, Message
from negotiation.review.access import ReviewAccess
from negotiation.review.common import TurnMarks, state_names, turn_marks

PAGE_SIZE = 100
MAX_QUERY_LENGTH = 100


@dataclass(frozen=True, slots=True)
class TimelineFilters:
    turn: int | None = None
    state: str = ""
    channel: str = ""
    kind: str = ""
    q: str = ""
    as_state: str = ""
    page: int = 1

    @classmethod
    def from_query(cls, query: QueryDict, access: ReviewAccess, state_ids: list[str]) -> TimelineFilters:
        def number(name: str) -> int | None:
            raw = str(query.get(name, "")).strip()
            return int(raw) if raw.isdigit() else None

        state = str(query.get("state", ""))
        as_state = str(query.get("as", "")) if access.is_facilitator else ""
        return cls(
            turn=number("turn"),
            state=state if state in state_ids else "",
            channel=str(query.get("channel", ""))[:60],
            kind=str(query.get("kind", ""))[:60],
            q=" ".join(str(query.get("q", "")).split())[:MAX_QUERY_LENGTH],
            as_state=as_state if as_state in state_ids else "",
            page=max(1, number("page") or 1),
        )

    def querystring(self, **changes: Any) -> str:
        values = {"turn": self.turn, "state": self.state, "channel": self.channel, "kind": self.kind,
                  "q": self.q, "as": self.as_state, "page": self.page} | changes
        query = QueryDict(mutable=True)
        for key, value in values.items():
            if value not in (None, "", 1) or (key != "page" and value == 1):
                query[key] = str(value)
        return query.urlencode()


@dataclass(frozen=True, slots=True)
class TimelineRow:
    seq: int
    turn: int
    created_at: Any
    kind: str
    family: str
    actor: str
    audience: str
    private: bool
    channel: str
    summary: str
    details: str


@dataclass(slots=True)
class TimelinePage:
    rows: list[TimelineRow]
    total: int
    filters: TimelineFilters
    pages: int
    turns: list[int] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    families: list[str] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)
    states: list[tuple[str, str]] = field(default_factory=list)

    @property
    def first_index(self) -> int:
        return (self.filters.page - 1) * PAGE_SIZE + 1 if self.rows else 0

    @property
    def last_index(self) -> int:
        return self.first_index + len(self.rows) - 1 if self.rows else 0

    @property
    def previous_query(self) -> str | None:
        return self.filters.querystring(page=self.filters.page - 1) if self.filters.page > 1 else None

    @property
    def next_query(self) -> str | None:
        return self.filters.querystring(page=self.filters.page + 1) if self.filters.page < self.pages else None


def _audience_text() -> Cast:
    return Cast("audience", output_field=TextField())


def visible_events(game: Game, access: ReviewAccess, as_state: str = "") -> QuerySet[GameEvent]:
    """The log entries this reviewer may read (for the facilitator, optionally as one state saw them)."""
    qs = GameEvent.objects.filter(game=game)
    lens = access.state_id if not access.is_facilitator else (as_state or None)
    if not access.is_facilitator and lens is None:
        return qs.none()
    if lens is not None:
        qs = qs.alias(audience_text=_audience_text()).filter(
            Q(audience__isnull=True) | Q(audience_text__contains=f'"{lens}"'))
    return qs


def _filtered(game: Game, access: ReviewAccess, filters: TimelineFilters, marks: TurnMarks) -> QuerySet[GameEvent]:
    qs = visible_events(game, access, filters.as_state)
    if filters.turn is not None:
        span = marks.seq_range(filters.turn)
        if span is None:
            return qs.none()
        qs = qs.filter(seq__gte=span[0])
        if span[1] is not None:
            qs = qs.filter(seq__lt=span[1])
    if filters.state:
        sid = filters.state
        authored = Message.objects.filter(game=game, author_seat__state_id=sid).values("seq")
        qs = qs.alias(audience_text2=_audience_text()).filter(
            Q(audience_text2__contains=f'"{sid}"') | Q(data__state=sid) | Q(actor=f"player:{sid}")
            | Q(seq__in=authored))
    if filters.channel:
        qs = qs.filter(data__channel=filters.channel)
    if filters.kind:
        if filters.kind.endswith(".*"):
            qs = qs.filter(kind__startswith=filters.kind[:-1])
        else:
            qs = qs.filter(kind=filters.kind)
    if filters.q:
        said = Message.objects.filter(game=game, body__icontains=filters.q).values("seq")
        qs = qs.alias(data_text=Cast("data", output_field=TextField())).filter(
            Q(kind__icontains=filters.q) | Q(actor__icontains=filters.q) | Q(data_text__icontains=filters.q)
            | Q(seq__in=said))
    return qs


def timeline_page(game: Game, access: ReviewAccess, filters: TimelineFilters) -> TimelinePage:
    """One page of the timeline with the choices for its filters (a bounded number of queries)."""
    names = state_names(game)
    marks = turn_marks(game)
    qs = _filtered(game, access, filters, marks)
    total = qs.count()
    pages = max(1, ceil(total / PAGE_SIZE))
    page = min(filters.page, pages)
    filters = TimelineFilters(turn=filters.turn, state=filters.state, channel=filters.channel, kind=filters.kind,
                              q=filters.q, as_state=filters.as_state, page=page)
    events = list(qs.order_by("seq")[(page - 1) * PAGE_SIZE: page * PAGE_SIZE])
    bodies = _message_bodies(game, [e.seq for e in events if e.kind.startswith("message.")])
    visible = visible_events(game, access, filters.as_state)
    titles = proposal_titles(visible) if any(e.kind.startswith("proposal.") for e in events) else {}
    texts = engine_views.texts(game)
    rows = [timeline_row(e, marks, names, bodies.get(e.seq), titles, texts) for e in events]
    # order_by() drops the model's default ordering, which DISTINCT would otherwise include.
    kinds = sorted(set(visible.order_by().values_list("kind", flat=True).distinct()))
    channels = {str(c) for c in visible.filter(data__has_key="channel").order_by()
                .values_list("data__channel", flat=True).distinct() if c}
    if access.is_facilitator and not filters.as_state:
        channels |= {str(c) for c in Message.objects.filter(game=game).order_by()
                     .values_list("channel", flat=True).distinct()}
    return TimelinePage(
        rows=rows, total=total, filters=filters, pages=pages,
        turns=marks.known_turns, kinds=kinds,
        families=sorted({k.split(".", 1)[0] for k in kinds}),
        channels=sorted(channels),
        states=list(names.items()),
    )


def _message_bodies(game: Game, seqs: list[int]) -> dict[int, Message]:
    if not seqs:
        return {}
    return {m.seq: m for m in Message.objects.filter(game=game, seq__in=seqs)}


def audience_label(audience: list[str] | None, names: dict[str, str]) -> str:
    if audience is None:
        return gettext("everyone")
    labels = [gettext("facilitator") if a == game_engine.FACILITATOR else names.get(a, a) for a in audience]
    return ", ".join(labels) or gettext("nobody")


def timeline_row(event: GameEvent, marks: TurnMarks, names: dict[str, str], message: Message | None = None,
                 titles: dict[int, str] | None = None, texts: EngineTexts | None = None) -> TimelineRow:
    data = event.data if isinstance(event.data, dict) else {}
    audience = event.audience if isinstance(event.audience, list) else None
    return TimelineRow(
        seq=event.seq,
        turn=marks.turn_of(event.seq),
        created_at=event.created_at,
        kind=event.kind,
        family=event.kind.split(".", 1)[0],
        actor=event.actor,
        audience=audience_label(audience, names),
        private=audience is not None,
        channel=str(data.get("channel") or (message.channel if message else "")),
        summary=summarize(event.kind, data, names, message, event.actor, titles, texts),
        details=json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False, default=str)[:4000],
    )


def _short(text: Any, limit: int = 300) -> str:
    value = " ".join(str(text).split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def proposal_titles(events: QuerySet[GameEvent]) -> dict[int, str]:
    """Titles of the proposals tabled among these (visible) log entries, by number."""
    rows = events.filter(kind="proposal.tabled").values_list("data", flat=True)
    return {int(d["proposal"]): str(d.get("title", "")) for d in rows
            if isinstance(d, dict) and isinstance(d.get("proposal"), int)}


def _proposal_line(kind: str, actor: str, data: dict[str, Any], names: dict[str, str], titles: dict[int, str]) -> str:
    number = data.get("proposal")
    title = data.get("title") or (titles.get(number) if isinstance(number, int) else None)
    if title:
        what = gettext("“%(title)s” (proposal %(number)s)") % {"title": title, "number": number}
    else:
        what = gettext("proposal %(number)s") % {"number": number}
    who = names.get(actor, actor)
    version = data.get("version")
    values = {"who": who, "what": what, "version": version}
    match kind.split(".", 1)[1]:
        case "tabled":
            parties = ", ".join(names.get(p, p) for p in data.get("parties", []))
            return gettext("%(who)s tabled %(what)s between %(parties)s.") % (values | {"parties": parties})
        case "amended":
            if version:
                return gettext("%(who)s amended %(what)s to version %(version)s.") % values
            return gettext("%(who)s amended %(what)s.") % values
        case "signed":
            if version:
                return gettext("%(who)s signed %(what)s version %(version)s.") % values
            return gettext("%(who)s signed %(what)s.") % values
        case "unsigned":
            if version:
                return gettext("%(who)s withdrew its signature from %(what)s version %(version)s.") % values
            return gettext("%(who)s withdrew its signature from %(what)s.") % values
        case "withdrawn":
            return gettext("%(who)s withdrew %(what)s.") % values
        case "in_force":
            sentence = gettext("%(what)s entered into force.") % values
            return sentence[0].upper() + sentence[1:]
        case "commented":
            return _short(gettext("%(who)s on %(what)s: %(body)s") % (values | {"body": data.get("body", "")}))
    return _short(f"{who}: {kind} {what}")


# Phase names inside a sentence; in English they are the stored values, as the exports keep them.
PHASE_WORDS = {
    "lobby": pgettext_lazy("phase in a sentence", "lobby"),
    "negotiation": pgettext_lazy("phase in a sentence", "negotiation"),
    "orders": pgettext_lazy("phase in a sentence", "orders"),
    "report": pgettext_lazy("phase in a sentence", "report"),
    "finished": pgettext_lazy("phase in a sentence", "finished"),
}


def _phase(value: Any) -> str:
    return str(PHASE_WORDS.get(str(value), value))


def summarize(kind: str, data: dict[str, Any], names: dict[str, str], message: Message | None = None,
              actor: str = "", titles: dict[int, str] | None = None,
              texts: EngineTexts | None = None) -> str:
    """One line a person can read for any log entry; unknown kinds fall back to their data.
    With `texts`, the engine's own event texts are shown in that language (exports pass none)."""
    def name(sid: Any) -> str:
        return names.get(str(sid), str(sid))

    if kind.startswith("proposal.") and "proposal" in data:
        return _proposal_line(kind, actor, data, names, titles or {})
    if kind.startswith("message."):
        body = data.get("body") or (message.body if message else "")
        return _short(body)
    if kind.startswith("engine."):
        raw = data.get("text", kind)
        if texts is not None:
            inner = data.get("data")
            text = texts.event(kind.removeprefix("engine."), raw, inner if isinstance(inner, dict) else None)
        else:
            text = engine_texts.in_english(raw, names)
        return _short(text)
    match kind:
        case "game.started":
            return gettext("The game started.")
        case "turn.resolved":
            return gettext("Turn %(turn)s resolved.") % {"turn": data.get("turn")}
        case "phase.advanced":
            moved = {"from": _phase(data.get("from")), "to": _phase(data.get("to")), "reason": data.get("reason")}
            if data.get("reason"):
                return gettext("Phase %(from)s → %(to)s (%(reason)s).") % moved
            return gettext("Phase %(from)s → %(to)s.") % moved
        case "phase.rolled_back":
            if data.get("reason"):
                return gettext("Orders phase sent back to negotiation: %(reason)s.") % {"reason": data["reason"]}
            return gettext("Orders phase sent back to negotiation.")
        case "orders.revised":
            orders = data.get("orders") or []
            listed = "; ".join(orderforms.describe(o, names=names) for o in orders if isinstance(o, dict)) or gettext("no orders")
            return _short(gettext("Revision %(revision)s: %(orders)s") % {"revision": data.get("revision"), "orders": listed})
        case "orders.missed_policy":
            return gettext("%(state)s: missed orders filled by “%(policy)s” (%(n)s orders).") % {
                "state": name(data.get("state")), "policy": data.get("policy"), "n": data.get("orders")}
        case "inject.sent":
            if texts is not None:  # a scenario's own inject in the reader's language
                return _short(texts.say(msg("event.inject", title=str(data.get("title", "")),
                                            text=str(data.get("text", "")))))
            return _short(f"{data.get('title', '')}: {data.get('text', '')}")
        case "seat.claimed" | "seat.assigned":
            if data.get("name"):
                return gettext("%(state)s taken by %(name)s.") % {"state": name(data.get("state")), "name": data["name"]}
            return gettext("%(state)s taken.") % {"state": name(data.get("state"))}
        case "seat.ready" | "seat.unready":
            when = {"phase": _phase(data.get("phase")), "turn": data.get("turn")}
            if kind == "seat.ready":
                return gettext("Ready (%(phase)s, turn %(turn)s).") % when
            return gettext("No longer ready (%(phase)s, turn %(turn)s).") % when
        case "treaty.drafted" if data.get("treaty"):
            return gettext("Treaty %(treaty)s drafted from proposal %(proposal)s, version %(version)s.") % {
                "treaty": data["treaty"], "proposal": data.get("proposal"), "version": data.get("version")}
        case "facilitator.bookmark":
            return _short(gettext("Bookmark: %(note)s") % {"note": data.get("note", "")})
        case "review.players_allowed":
            if data.get("allowed"):
                return gettext("Players may review the game after it ends.")
            return gettext("Players may not review the game.")
        case "game.ended":
            if data.get("reason"):
                return _short(gettext("Game ended: %(reason)s.") % {"reason": data["reason"]})
            return gettext("Game ended.")
    for key in ("text", "body", "note", "title", "summary", "reason"):
        if data.get(key):
            return _short(data[key])
    return _short(labels.details(data, names) or kind)
