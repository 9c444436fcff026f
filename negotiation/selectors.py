"""Reads. Every selector that can return private data takes the Viewer, and builds it only from
the engine's view_for(state, viewer): nothing private reaches a template any other way."""

from __future__ import annotations

import dataclasses
import secrets
from dataclasses import dataclass, field
from typing import Any, cast

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils.translation import get_language, gettext, gettext_lazy, pgettext

import game_engine
from negotiation import bot_speech, channels, engine_views, labels, orderforms, proposalforms
from negotiation.models import (
    Channel,
    ChannelKind,
    ChannelRead,
    CoFacilitator,
    Game,
    GameEvent,
    Inject,
    Member,
    Message,
    OrderSubmission,
    Phase,
    Proposal,
    Seat,
    TurnRecord,
)
from negotiation.scenarios import info as scenario_info
from negotiation.scenarios import scenario as bundled_scenario
from negotiation.scenarios import state_infos
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


def can_facilitate(user: User | AnonymousUser) -> bool:
    """Whether an account has the facilitator role: a staff account (teachers are staff accounts
    an administrator invited; a superuser is one too, for its own games)."""
    return bool(user.is_authenticated and user.is_active and (user.is_staff or user.is_superuser))


def is_facilitator(user: User | AnonymousUser, game: Game) -> bool:
    """The game's own facilitator or a co-facilitator they added. Nobody else, superusers included:
    a superuser's powers over other teachers' games stay in the admin."""
    if not user.is_authenticated or not user.is_active:
        return False
    return game.facilitator_id == user.pk or CoFacilitator.objects.filter(game=game, user_id=user.pk).exists()


def viewer_for(*, user: User | AnonymousUser, session: Any, game: Game, observer_key: str = "") -> Viewer | None:
    """The viewer a request or socket acts as: the game's facilitator, its seated player, or nobody."""
    if is_facilitator(user, game):
        return Viewer(role=Role.FACILITATOR, game_id=game.pk, label=f"Facilitator ({user.get_username()})",
                      user_id=user.pk)
    member = member_for_session(session, game)
    if member is not None:
        return Viewer(role=Role.PLAYER, game_id=game.pk, seat_id=member.seat_id, state_id=member.seat.state_id,
                      label=member.name, member_id=member.pk, is_captain=member.is_captain)
    if observer_key and secrets.compare_digest(observer_key, game.observer_key):
        return Viewer(role=Role.OBSERVER, game_id=game.pk, label=gettext("Observer"))
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
    view: game_engine.View
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
        return round(2 * max(0.0, min(100.0, self.view.rsi_pub)))

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
        from negotiation.review.history import treaty_status

        table = (self.report or {}).get("compliance") or {}
        names = {s.state_id: s.state_name for s in self.seats}
        rows = []
        for entry in table.values():
            scores = entry.get("scores") or {}
            rows.append({
                "name": str(entry.get("name", "")),
                "status": treaty_status(entry.get("status", "")),
                "scores": ", ".join(f"{names.get(sid, sid)} {float(v):.0f}" for sid, v in scores.items()),
            })
        return rows

    @property
    def review_open(self) -> bool:
        """Players may review the finished game (the facilitator allowed it)."""
        from negotiation.review.access import players_allowed

        return self.game.phase == Phase.FINISHED and players_allowed(self.game)

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
    me: game_engine.OwnView | None
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
    other_seats: list[tuple[int, str]] = field(default_factory=list)
    obligations: list[str] = field(default_factory=list)
    warnings: dict[int, str] = field(default_factory=dict)
    truth: game_engine.Truth | None = None
    names: dict[str, str] = field(default_factory=dict)
    texts: game_engine.EngineTexts | None = None

    @property
    def missile_rows(self) -> list[tuple[str, int]]:
        if not self.me:
            return []
        return list(self.me.missiles.items())

    @property
    def threat_rows(self) -> list[dict[str, Any]]:
        if not self.me:
            return []
        threat, trust, estimates = self.me.threat, self.me.trust, self.me.estimates
        rows = []
        for other in sorted(set(threat) | set(trust)):
            est = estimates.get(other, {})
            rows.append({
                "name": self.names.get(other, other),
                "threat": threat.get(other),
                "trust": trust.get(other),
                "estimate": ", ".join(f"{n} {c}" for c, n in est.items() if n) or pgettext("missiles", "none"),
            })
        return rows

    @property
    def rejected(self) -> list[str]:
        rows = (self.private_report or {}).get("rejected", [])
        return [str(r.get("message", r)) if isinstance(r, dict) else str(r) for r in rows]

    @property
    def budget_lines(self) -> str:
        ledger = ((self.private_report or {}).get("budget") or {}).get("ledger") or {}
        label = self.texts.ledger_label if self.texts is not None else (lambda k: k.replace("_", " "))
        return ", ".join(f"{label(k)} {v:+}" for k, v in ledger.items() if isinstance(v, int | float))

    @property
    def truth_rows(self) -> list[dict[str, Any]]:
        if not self.truth:
            return []
        rows = []
        for sid, entry in self.truth.states.items():
            rows.append({
                "name": self.names.get(sid, sid),
                "missiles": ", ".join(f"{n} {c}" for c, n in entry.missiles.items() if n) or pgettext("missiles", "none"),
                "budget": entry.budget,
                "security": entry.security,
            })
        return rows


PHASE_HELP = {
    Phase.LOBBY: gettext_lazy("Waiting for the facilitator to start the game."),
    Phase.NEGOTIATION: gettext_lazy("Talk, bargain and draft your orders. Press “I'm ready” when you are."),
    Phase.ORDERS: gettext_lazy("Finish your secret orders. They are resolved together when the phase closes."),
    Phase.REPORT: gettext_lazy("Read what happened and why. The next turn opens soon."),
    Phase.FINISHED: gettext_lazy("The game is over: scores, the revealed seed and the debrief."),
}


def _phase_label(game: Game) -> str:
    if game.phase == Phase.LOBBY:
        return gettext("Lobby: waiting for the facilitator to start")
    if game.phase == Phase.FINISHED:
        return gettext("Game over")
    if game.phase == Phase.REPORT:
        label = gettext("Turn %(turn)s: report") % {"turn": game.turn - 1}
    elif game.phase == Phase.NEGOTIATION:
        label = gettext("Turn %(turn)s: negotiation") % {"turn": game.turn}
    else:
        label = gettext("Turn %(turn)s: orders") % {"turn": game.turn}
    return label + (gettext(" (paused)") if game.paused_at else "")


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
            player=((gettext("bot (%(policy)s)") % {"policy": labels.bot_policy(seat.bot_policy)}) if seat.bot_policy
                    else seat.display_name or None) if seat else None,
            online=bool(seat and (seat.connections > 0 or seat.bot_policy)),
            ready=bool(seat and seat.is_ready),
        ))
    return rows


def _last_record(game: Game) -> TurnRecord | None:
    # the snapshots before and after, the orders and the audit are large and not shown here
    return game.turns.defer("state_before", "state_after", "orders", "audit").order_by("-turn").first()


def public_view(game: Game) -> PublicView:
    state = engine_views.state(game)
    view = engine_views.typed_view_of(state, None)
    record = _last_record(game)
    texts = engine_views.texts_for(state.scenario)
    if view.game_over_reason:
        view = dataclasses.replace(view, game_over_reason=texts.game_over(view.game_over_reason))
    final: list[tuple[str, str, float]] = []
    scores = view.final_scores
    if scores is not None:
        infos = state_infos(game.scenario_slug)
        final = sorted(
            ((sid, infos[sid].name if sid in infos else sid, float(v)) for sid, v in scores.items()),
            key=lambda row: -row[2],
        )
    return PublicView(
        game=game,
        view=view,
        title=scenario_info(game.scenario_slug).title,
        seats=seat_rows(game),
        phase_label=_phase_label(game),
        phase_help=str(PHASE_HELP[Phase(game.phase)]),
        news=news_rows(game, None),
        last_turn=record.turn if record else None,
        report=record.public_report if record else None,
        explanation=_explained(texts, record.explanation) if record else [],
        public_events=[_event_text(texts, e) for e in record.events if e["audience"] is None] if record else [],
        final_scores=final,
        rsi_history=list(view.rsi_history),
        ledger_rows=_ledger_rows(view),
    )


def _event_text(texts: game_engine.EngineTexts, event: dict[str, Any]) -> str:
    """A stored engine event in the viewer's language (the record itself stays English)."""
    data = event.get("data")
    return texts.event(str(event.get("kind", "")), str(event.get("text", "")), data if isinstance(data, dict) else None)


def _explained(texts: game_engine.EngineTexts, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**e, "text": texts.explanation(str(e.get("component", "")), str(e.get("text", "")))} for e in items]


def _rejected_rows(texts: game_engine.EngineTexts, report: dict[str, Any]) -> dict[str, Any]:
    rows = report.get("rejected") or []
    return {**report, "rejected": [
        {**r, "message": texts.rule_error(str(r.get("code", "")), str(r.get("message", "")))} if isinstance(r, dict) else r
        for r in rows]}


def _ledger_rows(view: game_engine.View) -> list[dict[str, Any]]:
    rows = []
    for entry in view.states:
        rows.append({
            "id": entry.id,
            "name": entry.name,
            "counts": [entry.public_ledger.get(c, 0) for c in view.classes],
            "interceptors": sum(entry.public_interceptors.values()),
            "compliance": entry.compliance,
            "ds": entry.ds,
        })
    return rows


def describe_order(raw: dict[str, Any]) -> str:
    return orderforms.describe(raw)


def private_view(game: Game, viewer: Viewer) -> PrivateView:
    state = engine_views.state(game)
    view = engine_views.typed_view_of(state, viewer.engine_viewer)
    me = view.me if viewer.role is Role.PLAYER else None
    info = state_infos(game.scenario_slug).get(viewer.state_id or "")
    orders: list[OrderRow] = []
    revision = 0
    raw_orders: list[dict[str, Any]] = []
    other_seats: list[tuple[int, str]] = []
    ready = False
    bot_playing = False
    teammates: list[str] = []
    report = None
    private_events: list[str] = []
    texts = engine_views.texts_for(state.scenario)
    if viewer.role is Role.PLAYER and viewer.seat_id is not None:
        submission = OrderSubmission.objects.filter(seat_id=viewer.seat_id, turn=game.turn).first()
        if submission is not None:
            orders = [OrderRow(i, describe_order(o)) for i, o in enumerate(submission.orders)]
            revision = submission.revision
            raw_orders = list(submission.orders)
        seat = Seat.objects.get(pk=viewer.seat_id)
        ready = seat.is_ready
        bot_playing = bool(seat.bot_policy)
        teammates = [m.name for m in seat.members.filter(removed_at=None) if m.pk != viewer.member_id]
        member = (Member.objects.select_related("seat", "linked_to").filter(pk=viewer.member_id).first()
                  if viewer.member_id is not None else None)
        if member is not None:
            from negotiation.services.seats import linked_members

            names = state_names(game)
            other_seats = [(m.pk, names.get(m.seat.state_id, m.seat.state_id))
                           for m in linked_members(member) if m.pk != member.pk]
        record = _last_record(game)
        if record is not None and viewer.state_id:
            report = record.private_reports.get(viewer.state_id)
            if isinstance(report, dict):
                report = _rejected_rows(texts, report)
            private_events = [
                _event_text(texts, e) for e in record.events
                if e["audience"] is not None and viewer.state_id in e["audience"]
            ]
    truth = view.truth if viewer.role is Role.FACILITATOR else None
    return PrivateView(
        viewer=viewer,
        me=me,
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
        obligations=obligations_for(game, viewer, view),
        other_seats=other_seats,
        warnings=orderforms.treaty_warnings(view, viewer.state_id, list(raw_orders)) if viewer.state_id else {},
        truth=truth,
        names={sid: i.name for sid, i in state_infos(game.scenario_slug).items()},
        texts=texts,
    )


def news_rows(game: Game, viewer: Viewer | None, *, limit: int = 20) -> list[NewsRow]:
    """Injects: the public ones (viewer None), or those addressed to the viewer's state only."""
    if viewer is None:
        qs = Inject.objects.filter(game=game, audience__isnull=True, pending=False)
        rows = list(qs.order_by("-seq")[:limit])
    else:
        rows = [i for i in Inject.objects.filter(game=game, audience__isnull=False, pending=False).order_by("-seq")
                if viewer.state_id in (i.audience or [])][:limit]
    localized = game_engine.localized_injects(bundled_scenario(game.scenario_slug), get_language()) if rows else ()
    out = []
    for i in rows:
        title, text = i.title, i.text
        # The scenario's own injects are stored in English; show them in the scenario's translation.
        index = i.scenario_key.removeprefix("scenario:")
        if i.scenario_key.startswith("scenario:") and index.isdigit() and int(index) < len(localized):
            title, text = localized[int(index)].title, localized[int(index)].text
        out.append(NewsRow(seq=i.seq, turn=i.turn, title=title, text=text, private=i.audience is not None))
    return out


def chat_row(message: Message) -> ChatRow:
    body = bot_speech.say(message.intent) if message.intent else message.body
    return ChatRow(seq=message.seq, author=message.author_label, body=body,
                   created_at=message.created_at)


def games_for_facilitator(user: User) -> list[Game]:
    """The teacher's own games and those they co-facilitate."""
    qs = Game.objects.filter(Q(facilitator=user) | Q(co_facilitators__user=user)).distinct()
    return list(qs.select_related("facilitator").order_by("-created_at")[:100])


def co_facilitators(game: Game) -> list[CoFacilitator]:
    return list(CoFacilitator.objects.filter(game=game).select_related("user"))


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
    news = Inject.objects.filter(game=game, created_at__gt=since, audience__isnull=True, pending=False).count()
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
            players=", ".join(m.name for m in members) or (gettext("a bot") if seat and seat.bot_policy else ""),
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


# --- Channels ------------------------------------------------------------------------------------

SESSION_OPEN_CHANNEL = "treatycraft_open_channel"


@dataclass(frozen=True, slots=True)
class ChannelRow:
    key: str
    slug: str
    title: str
    kind: str
    unread: int
    can_post: bool
    refusal: str
    invited: bool = False
    members: str = ""


def _channel_candidates(game: Game, viewer: Viewer) -> list[Channel]:
    """Channels the viewer may read (existing or by definition), in display order."""
    names = state_names(game)
    state_ids = tuple(names)
    existing = {c.key: c for c in Channel.objects.filter(game=game)}

    def get(key: str) -> Channel:
        if key in existing:
            return existing[key]
        fixed = channels.fixed_channel(key, state_ids, names)
        assert fixed is not None
        kind, title, members = fixed
        return Channel(game=game, key=key, kind=kind, title=title, members=members)

    keys = ["plenary", "broadcast"]
    if viewer.role is Role.PLAYER and viewer.state_id:
        me = viewer.state_id
        keys += [channels.facline_key(me)]
        if game.allow_teams:
            keys.append(channels.team_key(me))
        keys += [channels.bilateral_key(me, other) for other in state_ids if other != me]
    elif viewer.role is Role.FACILITATOR:
        keys += [channels.facline_key(s) for s in state_ids]
        keys += sorted(k for k in existing if k.startswith(("bi:", "team:")))
    result = [get(k) for k in keys]
    result += [c for k, c in sorted(existing.items(), key=lambda kv: kv[1].created_at)
               if c.kind == ChannelKind.COALITION and k not in keys]
    return [c for c in result if channels.can_read(viewer, c, game)
            or (c.kind == ChannelKind.COALITION and viewer.state_id in (c.invited or []))]


def channel_rows(game: Game, viewer: Viewer, *, counts_wanted: bool = True) -> list[ChannelRow]:
    """The viewer's channels with unread counts (one grouped query for the counts)."""
    from negotiation.services.chat import reader_key

    candidates = _channel_candidates(game, viewer)
    reader = reader_key(viewer) if counts_wanted else None
    marks = {r.channel.key: r.last_seq for r in ChannelRead.objects.filter(channel__game=game, reader=reader)
             .select_related("channel")} if reader else {}
    counts: dict[str, int] = {}
    if reader:
        readable = [c.key for c in candidates if channels.can_read(viewer, c, game)]
        pending = Q()
        for key in readable:
            pending |= Q(channel=key, seq__gt=marks.get(key, 0))
        if readable:
            counts = dict(Message.objects.filter(pending, game=game).order_by().values("channel")
                          .annotate(n=Count("pk")).values_list("channel", "n"))
    names = state_names(game)
    rows = []
    for c in candidates:
        invited = viewer.state_id in (c.invited or []) and viewer.state_id not in (c.members or [])
        refusal = "" if invited else (channels.post_refusal(viewer, c, game) or "")
        # Channels that exist by definition are titled in the reader's language.
        fixed = channels.fixed_channel(c.key, tuple(names), names) if c.kind != ChannelKind.COALITION else None
        rows.append(ChannelRow(
            key=c.key, slug=channels.slug(c.key), title=fixed[1] if fixed else c.title, kind=c.kind,
            unread=counts.get(c.key, 0),
            can_post=not refusal and not invited, refusal=refusal, invited=invited,
            members=", ".join(names.get(s, s) for s in (c.members or [])),
        ))
    return rows


def open_channel_key(session: Any, game: Game) -> str:
    return str((session.get(SESSION_OPEN_CHANNEL) or {}).get(str(game.pk), "plenary"))


def channel_for_viewer(game: Game, viewer: Viewer, key: str) -> Channel | None:
    for c in _channel_candidates(game, viewer):
        if c.key == key and channels.can_read(viewer, c, game):
            return c
    return None


def channel_page(game: Game, viewer: Viewer, key: str, *, before_seq: int | None = None) -> list[ChatRow]:
    """A page of the channel's latest messages (oldest first), only if the viewer may read it."""
    if channel_for_viewer(game, viewer, key) is None:
        return []
    qs = Message.objects.filter(game=game, channel=key)
    if before_seq is not None:
        qs = qs.filter(seq__lt=before_seq)
    page = list(qs.order_by("-seq")[: settings.TREATYCRAFT["CHAT_PAGE_SIZE"]])
    page.reverse()
    return [chat_row(m) for m in page]


def message_search(game: Game, viewer: Viewer, query: str, *, limit: int = 50) -> list[tuple[ChannelRow, ChatRow]]:
    """Messages containing `query` in the channels the viewer may read, newest first."""
    text = query.strip()
    if len(text) < 2:
        return []
    readable = {c.key: c for c in _channel_candidates(game, viewer) if channels.can_read(viewer, c, game)}
    rows = {r.key: r for r in channel_rows(game, viewer)}
    hits = Message.objects.filter(game=game, channel__in=list(readable), body__icontains=text).order_by("-seq")[:limit]
    return [(rows[m.channel], chat_row(m)) for m in hits if m.channel in rows]


# --- Proposals and treaties ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProposalRow:
    number: int
    kind: str
    title: str
    status: str
    status_label: str
    version: int
    author: str
    parties: str
    party_ids: tuple[str, ...]
    lines: list[str]
    text: str
    template: str
    clauses: dict[str, Any]
    diff: list[tuple[str, str]]
    signed: list[str]
    missing: list[str]
    signed_by_me: bool
    can_sign: bool
    can_amend: bool
    can_withdraw: bool
    comments: list[tuple[str, str]]
    history: list[str]


def proposals_for(game: Game, viewer: Viewer) -> list[ProposalRow]:
    """Proposals the viewer is party to (all of them for the facilitator), newest first."""
    names = state_names(game)
    qs = Proposal.objects.filter(game=game).prefetch_related("versions", "signatures", "comments").order_by("-number")
    rows = []
    engine_state = engine_views.state(game)
    for p in qs:
        if viewer.role is Role.PLAYER and viewer.state_id not in p.parties:
            continue
        if viewer.role is Role.OBSERVER:
            continue
        versions = {v.version: v for v in p.versions.all()}
        current = versions[p.version]
        previous = versions.get(p.version - 1)
        # Treaties show the terms that will bind, the type's defaults included.
        terms = {v.version: (proposalforms.binding_terms(engine_state, v.template, p.parties, v.clauses)
                             if p.kind == "treaty" and v.template else dict(v.clauses))
                 for v in (current, previous) if v is not None}
        signed = sorted(s.state_id for s in p.signatures.all() if s.version == p.version)
        is_party_captain = viewer.role is Role.PLAYER and viewer.is_captain
        is_open = p.status == Proposal.Status.OPEN
        rows.append(ProposalRow(
            number=p.number, kind=p.kind, title=p.title, status=p.status, status_label=p.get_status_display(),
            version=p.version, author=names.get(p.author, p.author),
            parties=", ".join(names.get(s, s) for s in p.parties), party_ids=tuple(p.parties),
            lines=proposalforms.clause_lines(current.template, terms[current.version], names), text=current.text,
            template=current.template, clauses=terms[current.version],
            diff=(proposalforms.diff_lines(terms[previous.version], terms[current.version], previous.text,
                                           current.text, names,
                                           hosting=p.kind == "hosting") if previous else []),
            signed=[names.get(s, s) for s in signed],
            missing=[names.get(s, s) for s in p.parties if s not in signed],
            signed_by_me=viewer.state_id in signed,
            can_sign=is_party_captain and is_open and game.phase in (Phase.NEGOTIATION, Phase.ORDERS),
            can_amend=viewer.role is Role.PLAYER and is_open,
            can_withdraw=viewer.role is Role.PLAYER and is_open and p.author == viewer.state_id,
            comments=[(c.author, c.body) for c in p.comments.all()][-10:],
            history=[f"v{v.version} by {names.get(v.author, v.author)}" + (f": {v.note}" if v.note else "")
                     for v in sorted(versions.values(), key=lambda v: v.version)],
        ))
    return rows


def obligations_for(game: Game, viewer: Viewer, view: game_engine.View) -> list[str]:
    """The viewer's obligations under treaties in force, in plain words (shown by the order form)."""
    if viewer.role is not Role.PLAYER or not viewer.state_id:
        return []
    names = state_names(game)
    lines = []
    for t in view.treaties:
        if t.status not in ("in_force", "withdrawing") or viewer.state_id not in t.parties:
            continue
        terms = proposalforms.clause_lines(t.template, dict(t.terms), names)
        lines.append(f"{t.name}: " + "; ".join(terms[1:] or terms))
    return lines


def proposal_projection(game: Game, viewer: Viewer, number: int) -> dict[str, Any] | None:
    """“What if we sign this?”: the engine's expected-mode projection of one turn, computed only
    from what the viewer may know, with and without the proposal's current version in force."""
    if viewer.role is not Role.PLAYER or not viewer.state_id or viewer.seat_id is None:
        return None
    proposal = Proposal.objects.filter(game=game, number=number).first()
    if proposal is None or viewer.state_id not in proposal.parties or game.phase == Phase.FINISHED:
        return None
    version = proposal.versions.get(version=proposal.version)
    state = engine_views.state(game)
    submission = OrderSubmission.objects.filter(seat_id=viewer.seat_id, turn=game.turn).first()
    mine = {viewer.state_id: list(submission.orders) if submission else []}
    extra = {k: list(v) for k, v in mine.items()}
    drafts: list[dict[str, Any]] = []
    if proposal.kind == "treaty":
        drafts = [{"template": version.template, "parties": list(proposal.parties),
                   "terms": {**version.clauses, "name": proposal.title}, "sign": True}]
    else:
        host = str(version.clauses.get("host", ""))
        consent = {"type": "CONSENT_HOSTING", **{k: v for k, v in version.clauses.items() if k != "host"}}
        extra.setdefault(host, []).append(consent)
    try:
        without = cast(dict[str, Any], game_engine.expected_outcome(state, viewer.state_id, mine, []))
        with_it = cast(dict[str, Any], game_engine.expected_outcome(state, viewer.state_id, extra, drafts))
    except game_engine.OrderError:
        return None

    def mine_of(outcome: dict[str, Any], key: str) -> float:
        value = (outcome.get("me") or {}).get(key)
        return float(value["after"] if isinstance(value, dict) else value or 0.0)

    rows = [
        (gettext("Regional stability (public)"), float(without["rsi_pub"]["after"]), float(with_it["rsi_pub"]["after"])),
        (gettext("Your security"), mine_of(without, "security"), mine_of(with_it, "security")),
        (gettext("Your victory points this turn"), mine_of(without, "vp"), mine_of(with_it, "vp")),
        (gettext("Your domestic support"), mine_of(without, "ds"), mine_of(with_it, "ds")),
    ]
    return {
        "number": number,
        "rows": [{"label": label, "without": a, "with": b, "delta": b - a} for label, a, b in rows],
        "why": [e["text"] for e in _explained(engine_views.texts_for(state.scenario), with_it.get("explanation", []))
                if abs(float(e.get("delta", 0))) >= 0.05][:6],
    }


def pending_injects(game: Game) -> list[dict[str, Any]]:
    """Injects the facilitator has held back, with when they will go out (console only)."""
    from negotiation.services.injects import trigger_text

    names = state_names(game)
    return [{"id": i.pk, "title": i.title, "when": trigger_text(i.trigger, names),
             "to": "everyone" if i.audience is None else ", ".join(names.get(s, s) for s in i.audience)}
            for i in Inject.objects.filter(game=game, pending=True).order_by("seq")]
