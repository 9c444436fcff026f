"""Reads. Every selector that can return private data takes the Viewer, and builds it only from
the engine's view_for(state, viewer): nothing private reaches a template any other way."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest

import game_engine
from negotiation import orderforms
from negotiation.models import Game, GameEvent, Inject, Member, Message, OrderSubmission, Phase, Seat, TurnRecord
from negotiation.scenarios import scenario, state_infos
from negotiation.viewer import Role, Viewer

SESSION_SEATS = "treatycraft_seats"


# --- Who is asking -------------------------------------------------------------------------------


def member_for_session(session: Any, game: Game) -> Member | None:
    """The member this browser is in the game, if any (the session keeps member id and token;
    a removed member's token no longer works)."""
    held = (session.get(SESSION_SEATS) or {}).get(str(game.pk))
    if not isinstance(held, dict) or not isinstance(held.get("member"), int):
        return None
    return (Member.objects.select_related("seat")
            .filter(pk=held["member"], seat__game=game, token=str(held.get("token")), removed_at=None).first())


def remember_member(session: Any, member: Member) -> None:
    seats = dict(session.get(SESSION_SEATS) or {})
    seats[str(member.seat.game_id)] = {"member": member.pk, "token": member.token}
    session[SESSION_SEATS] = seats


def is_facilitator(user: User | AnonymousUser, game: Game) -> bool:
    return bool(user.is_authenticated and (game.facilitator_id == user.pk or user.is_superuser))


def viewer_for(*, user: User | AnonymousUser, session: Any, game: Game, observer_key: str = "") -> Viewer | None:
    """The viewer a request or socket acts as: the game's facilitator, its seated player, or nobody."""
    if is_facilitator(user, game):
        return Viewer(role=Role.FACILITATOR, game_id=game.pk, label=f"Facilitator ({user.get_username()})")
    member = member_for_session(session, game)
    if member is not None:
        return Viewer(role=Role.PLAYER, game_id=game.pk, seat_id=member.seat_id, state_id=member.seat.state_id,
                      label=member.name, member_id=member.pk, is_captain=member.is_captain)
    if observer_key and secrets.compare_digest(observer_key, game.observer_key):
        return Viewer(role=Role.OBSERVER, game_id=game.pk, label="Observer")
    return None


def viewer_for_request(request: HttpRequest, game: Game) -> Viewer | None:
    return viewer_for(user=request.user, session=request.session, game=game,
                      observer_key=str(request.GET.get("key", "")))


# --- View models ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SeatRow:
    state_id: str
    state_name: str
    color: str
    player: str | None
    online: bool
    ready: bool


@dataclass(frozen=True, slots=True)
class OrderRow:
    index: int
    text: str


@dataclass(frozen=True, slots=True)
class NewsRow:
    seq: int
    turn: int
    title: str
    text: str
    private: bool


@dataclass(frozen=True, slots=True)
class ChatRow:
    seq: int
    author: str
    body: str
    created_at: Any
    mine: bool = False


@dataclass(slots=True)
class PublicView:
    """Everything any participant may see. Rendered once per change for the whole room."""

    game: Game
    view: dict[str, Any]
    title: str
    seats: list[SeatRow]
    phase_label: str
    phase_help: str
    news: list[NewsRow]
    last_turn: int | None
    report: dict[str, Any] | None
    explanation: list[dict[str, Any]]
    public_events: list[str]
    final_scores: list[tuple[str, str, float]] = field(default_factory=list)
    rsi_history: list[float] = field(default_factory=list)
    ledger_rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def rsi_width(self) -> int:
        return round(2 * max(0.0, min(100.0, float(self.view.get("rsi_pub", 0.0)))))

    @property
    def rsi_points(self) -> str:
        """Polyline points of the stability history in a 200x60 box (0 at the bottom)."""
        values = self.rsi_history
        if len(values) < 2:
            return ""
        step = 200 / (len(values) - 1)
        return " ".join(f"{i * step:.1f},{60 - 0.6 * v:.1f}" for i, v in enumerate(values))

    @property
    def compliance_rows(self) -> list[dict[str, str]]:
        table = (self.report or {}).get("compliance") or {}
        names = {s.state_id: s.state_name for s in self.seats}
        rows = []
        for entry in table.values():
            scores = entry.get("scores") or {}
            rows.append({
                "name": str(entry.get("name", "")),
                "status": str(entry.get("status", "")).replace("_", " "),
                "scores": ", ".join(f"{names.get(sid, sid)} {float(v):.0f}" for sid, v in scores.items()),
            })
        return rows

    @property
    def paused_remaining_text(self) -> str:
        seconds = int(self.game.paused_remaining or 0)
        return f"{seconds // 60}:{seconds % 60:02d}"

    @property
    def rsi_history_text(self) -> str:
        return ", ".join(f"{v:.0f}" for v in self.rsi_history)


@dataclass(slots=True)
class PrivateView:
    viewer: Viewer
    me: dict[str, Any] | None
    info: game_engine.StateInfo | None
    orders: list[OrderRow]
    revision: int
    ready: bool
    private_report: dict[str, Any] | None
    private_events: list[str]
    can_order: bool
    can_ready: bool = False
    is_captain: bool = False
    bot_playing: bool = False
    news: list[NewsRow] = field(default_factory=list)
    teammates: list[str] = field(default_factory=list)
    order_groups: tuple[orderforms.OrderGroup, ...] = ()
    truth: dict[str, Any] | None = None
    names: dict[str, str] = field(default_factory=dict)

    @property
    def missile_rows(self) -> list[tuple[str, int]]:
        if not self.me:
            return []
        return [(str(c), int(n)) for c, n in self.me.get("missiles", {}).items()]

    @property
    def threat_rows(self) -> list[dict[str, Any]]:
        if not self.me:
            return []
        threat = self.me.get("threat", {}) or {}
        trust = self.me.get("trust", {}) or {}
        estimates = self.me.get("estimates", {}) or {}
        rows = []
        for other in sorted(set(threat) | set(trust)):
            est = estimates.get(other, {}) or {}
            rows.append({
                "name": self.names.get(other, other),
                "threat": threat.get(other),
                "trust": trust.get(other),
                "estimate": ", ".join(f"{n} {c}" for c, n in est.items() if n) or "none",
            })
        return rows

    @property
    def rejected(self) -> list[str]:
        rows = (self.private_report or {}).get("rejected", [])
        return [str(r.get("message", r)) if isinstance(r, dict) else str(r) for r in rows]

    @property
    def budget_lines(self) -> str:
        ledger = ((self.private_report or {}).get("budget") or {}).get("ledger") or {}
        return ", ".join(f"{k.replace('_', ' ')} {v:+}" for k, v in ledger.items() if isinstance(v, int | float))

    @property
    def truth_rows(self) -> list[dict[str, Any]]:
        if not self.truth:
            return []
        rows = []
        for sid, entry in self.truth.items():
            if not isinstance(entry, dict) or "missiles" not in entry:
                continue
            missiles = entry.get("missiles", {})
            rows.append({
                "name": self.names.get(sid, sid),
                "missiles": ", ".join(f"{n} {c}" for c, n in missiles.items() if n) or "none",
                "budget": entry.get("budget"),
                "security": entry.get("security"),
            })
        return rows


PHASE_HELP = {
    Phase.LOBBY: "Waiting for the facilitator to start the game.",
    Phase.NEGOTIATION: "Talk, bargain and draft your orders. Press “I'm ready” when you are.",
    Phase.ORDERS: "Finish your secret orders. They are resolved together when the phase closes.",
    Phase.REPORT: "Read what happened and why. The next turn opens soon.",
    Phase.FINISHED: "The game is over: scores, the revealed seed and the debrief.",
}


def _phase_label(game: Game) -> str:
    if game.phase == Phase.LOBBY:
        return "Lobby: waiting for the facilitator to start"
    if game.phase == Phase.FINISHED:
        return "Game over"
    if game.phase == Phase.REPORT:
        label = f"Turn {game.turn - 1}: report"
    else:
        label = f"Turn {game.turn}: {'negotiation' if game.phase == Phase.NEGOTIATION else 'orders'}"
    return label + (" (paused)" if game.paused_at else "")


def seat_rows(game: Game) -> list[SeatRow]:
    infos = state_infos(game.scenario_slug)
    seats = {s.state_id: s for s in game.seats.all()}
    rows = []
    for state_id, info in infos.items():
        seat = seats.get(state_id)
        rows.append(SeatRow(
            state_id=state_id,
            state_name=info.name,
            color=info.color,
            player=(f"bot ({seat.bot_policy})" if seat.bot_policy else seat.display_name or None) if seat else None,
            online=bool(seat and (seat.connections > 0 or seat.bot_policy)),
            ready=bool(seat and seat.is_ready),
        ))
    return rows


def _last_record(game: Game) -> TurnRecord | None:
    return game.turns.order_by("-turn").first()


def public_view(game: Game) -> PublicView:
    state = game_engine.state_from_json(game.state)
    view = game_engine.view_for(state, None)
    record = _last_record(game)
    final: list[tuple[str, str, float]] = []
    scores = view.get("final_scores")
    if isinstance(scores, dict):
        infos = state_infos(game.scenario_slug)
        final = sorted(
            ((sid, infos[sid].name if sid in infos else sid, float(v)) for sid, v in scores.items()),
            key=lambda row: -row[2],
        )
    return PublicView(
        game=game,
        view=view,
        title=scenario(game.scenario_slug).info.title,
        seats=seat_rows(game),
        phase_label=_phase_label(game),
        phase_help=PHASE_HELP[Phase(game.phase)],
        news=news_rows(game, None),
        last_turn=record.turn if record else None,
        report=record.public_report if record else None,
        explanation=list(record.explanation) if record else [],
        public_events=[e["text"] for e in record.events if e["audience"] is None] if record else [],
        final_scores=final,
        rsi_history=[float(x) for x in view.get("rsi_history", [])],
        ledger_rows=_ledger_rows(view),
    )


def _ledger_rows(view: dict[str, Any]) -> list[dict[str, Any]]:
    classes = list(view.get("classes", []))
    rows = []
    for entry in view.get("states", []):
        ledger = entry.get("public_ledger", {})
        interceptors = entry.get("public_interceptors", {})
        rows.append({
            "id": entry.get("id"),
            "name": entry.get("name"),
            "counts": [ledger.get(c, 0) for c in classes],
            "interceptors": sum(int(v) for v in interceptors.values()) if isinstance(interceptors, dict) else 0,
            "compliance": entry.get("compliance"),
            "ds": entry.get("ds"),
        })
    return rows


def describe_order(raw: dict[str, Any]) -> str:
    return orderforms.describe(raw)


def private_view(game: Game, viewer: Viewer) -> PrivateView:
    state = game_engine.state_from_json(game.state)
    view = game_engine.view_for(state, viewer.engine_viewer)
    me = view.get("me") if viewer.role is Role.PLAYER else None
    info = state_infos(game.scenario_slug).get(viewer.state_id or "")
    orders: list[OrderRow] = []
    revision = 0
    ready = False
    bot_playing = False
    teammates: list[str] = []
    report = None
    private_events: list[str] = []
    if viewer.role is Role.PLAYER and viewer.seat_id is not None:
        submission = OrderSubmission.objects.filter(seat_id=viewer.seat_id, turn=game.turn).first()
        if submission is not None:
            orders = [OrderRow(i, describe_order(o)) for i, o in enumerate(submission.orders)]
            revision = submission.revision
        seat = Seat.objects.get(pk=viewer.seat_id)
        ready = seat.is_ready
        bot_playing = bool(seat.bot_policy)
        teammates = [m.name for m in seat.members.filter(removed_at=None) if m.pk != viewer.member_id]
        record = _last_record(game)
        if record is not None and viewer.state_id:
            report = record.private_reports.get(viewer.state_id)
            private_events = [
                e["text"] for e in record.events
                if e["audience"] is not None and viewer.state_id in e["audience"]
            ]
    truth = view.get("truth") if viewer.role is Role.FACILITATOR else None
    return PrivateView(
        viewer=viewer,
        me=me if isinstance(me, dict) else None,
        info=info,
        orders=orders,
        revision=revision,
        ready=ready,
        private_report=report,
        private_events=private_events,
        can_order=(viewer.role is Role.PLAYER and viewer.is_captain and not bot_playing
                   and game.phase in (Phase.NEGOTIATION, Phase.ORDERS)),
        can_ready=(viewer.role is Role.PLAYER and viewer.is_captain and not bot_playing
                   and game.phase in (Phase.NEGOTIATION, Phase.ORDERS, Phase.REPORT)),
        is_captain=viewer.is_captain,
        bot_playing=bot_playing,
        teammates=teammates,
        news=news_rows(game, viewer) if viewer.role is Role.PLAYER else [],
        order_groups=orderforms.order_groups(view, viewer.state_id) if viewer.role is Role.PLAYER else (),
        truth=truth if isinstance(truth, dict) else None,
        names={sid: i.name for sid, i in state_infos(game.scenario_slug).items()},
    )


def news_rows(game: Game, viewer: Viewer | None, *, limit: int = 20) -> list[NewsRow]:
    """Injects: the public ones (viewer None), or those addressed to the viewer's state only."""
    if viewer is None:
        qs = Inject.objects.filter(game=game, audience__isnull=True)
        rows = list(qs.order_by("-seq")[:limit])
    else:
        rows = [i for i in Inject.objects.filter(game=game, audience__isnull=False).order_by("-seq")
                if viewer.state_id in (i.audience or [])][:limit]
    return [NewsRow(seq=i.seq, turn=i.turn, title=i.title, text=i.text, private=i.audience is not None) for i in rows]


def chat_rows(game: Game, viewer: Viewer | None, *, before_seq: int | None = None) -> list[ChatRow]:
    """The latest plenary messages (a page of them), oldest first. Plenary is public."""
    qs = Message.objects.filter(game=game, channel="plenary")
    if before_seq is not None:
        qs = qs.filter(seq__lt=before_seq)
    page = list(qs.order_by("-seq")[: settings.TREATYCRAFT["CHAT_PAGE_SIZE"]])
    page.reverse()
    return [chat_row(m) for m in page]


def chat_row(message: Message) -> ChatRow:
    return ChatRow(seq=message.seq, author=message.author_label, body=message.body,
                   created_at=message.created_at)


def games_for_facilitator(user: User) -> list[Game]:
    qs = Game.objects.all() if user.is_superuser else Game.objects.filter(facilitator=user)
    return list(qs.order_by("-created_at")[:100])


def facilitator_seat_rows(game: Game) -> list[dict[str, Any]]:
    """Seats with order counts (never contents) for the console."""
    counts = {
        s.seat_id: len(s.orders) for s in OrderSubmission.objects.filter(game=game, turn=game.turn)
    }
    rows = []
    by_state = {s.state_id: s for s in game.seats.prefetch_related("members")}
    for row in seat_rows(game):
        seat = by_state.get(row.state_id)
        members = [m for m in seat.members.all() if m.removed_at is None] if seat else []
        rows.append({
            "row": row,
            "seat": seat,
            "members": members,
            "orders": counts.get(seat.pk, 0) if seat else 0,
            "last_seen": seat.last_seen_at if seat else None,
        })
    return rows


def catch_up(game: Game, viewer: Viewer, since: Any) -> dict[str, Any] | None:
    """What happened while a player was away (since their last socket closed)."""
    if since is None or viewer.role is not Role.PLAYER:
        return None
    events = GameEvent.objects.filter(game=game, created_at__gt=since)
    turns = sorted({int(e.data.get("turn", 0)) for e in events.filter(kind="turn.resolved")})
    messages = Message.objects.filter(game=game, channel="plenary", created_at__gt=since).count()
    news = Inject.objects.filter(game=game, created_at__gt=since).filter(audience__isnull=True).count()
    if not turns and not messages and not news:
        return None
    return {"turns": turns, "messages": messages, "news": news, "since": since}


@dataclass(frozen=True, slots=True)
class JoinChoice:
    info: game_engine.StateInfo
    open: bool
    players: str
    team_joinable: bool


def join_choices(game: Game) -> list[JoinChoice]:
    seats = {s.state_id: s for s in game.seats.prefetch_related("members")}
    choices = []
    for state_id, info in state_infos(game.scenario_slug).items():
        seat = seats.get(state_id)
        members = [m for m in seat.members.all() if m.removed_at is None] if seat else []
        played = bool(members) or bool(seat and seat.bot_policy)
        choices.append(JoinChoice(
            info=info,
            open=not played,
            players=", ".join(m.name for m in members) or ("a bot" if seat and seat.bot_policy else ""),
            team_joinable=game.allow_teams and bool(members),
        ))
    return choices


def games_for_session(session: Any) -> list[tuple[Game, str]]:
    """The games this browser has a seat in, newest first, with the state it plays."""
    held = session.get(SESSION_SEATS) or {}
    ids = [int(k) for k in held if str(k).isdigit()]
    result = []
    for game in Game.objects.filter(pk__in=ids).order_by("-created_at")[:20]:
        member = member_for_session(session, game)
        if member is not None:
            info = state_infos(game.scenario_slug).get(member.seat.state_id)
            result.append((game, info.name if info else member.seat.state_id))
    return result


def state_names(game: Game) -> dict[str, str]:
    return {sid: info.name for sid, info in state_infos(game.scenario_slug).items()}
