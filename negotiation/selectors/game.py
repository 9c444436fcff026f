"""The game as the room shows it: the public view everyone shares, the private view of one
viewer, news, seats and the join page. Private data is built only from the engine's view_for."""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import get_language, gettext, gettext_lazy, pgettext

import game_engine
from negotiation import engine_views, labels, orderforms
from negotiation.engine_texts import EngineTexts
from negotiation.models import Game, GameEvent, Inject, Member, Message, OrderSubmission, Phase, Seat, TurnRecord
from negotiation.scenarios import info as scenario_info
from negotiation.scenarios import scenario as bundled_scenario
from negotiation.scenarios import state_infos
from negotiation.selectors.common import (
    INJECTS,
    LAST_RECORD,
    RECORD_DEFERRED,
    SEATS,
    SUBMISSION,
    describe_order,
    event_text,
    explained,
    members_of,
    rejected_rows,
    shared,
    state_names,
)
from negotiation.selectors.proposals import obligations_for
from negotiation.viewer import Role, Viewer

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
    # Players may review the finished game (its facilitator allowed it): read by public_view, so
    # the template asks no query of its own.
    review_open: bool = False

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
        table = (self.report or {}).get("compliance") or {}
        names = {s.state_id: s.state_name for s in self.seats}
        rows = []
        for entry in table.values():
            scores = entry.get("scores") or {}
            rows.append({
                "name": str(entry.get("name", "")),
                "status": labels.treaty_status(entry.get("status", "")),
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
    texts: EngineTexts | None = None

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
    seats = {s.state_id: s for s in _seats(game)}
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


PLAYERS_ALLOWED_KIND = "review.players_allowed"


def players_allowed(game: Game) -> bool:
    """Whether the facilitator lets players review the game once it has ended (the latest
    "review.players_allowed" entry of the log, written by review.services)."""
    data = (GameEvent.objects.filter(game=game, kind=PLAYERS_ALLOWED_KIND)
            .order_by("-seq").values_list("data", flat=True).first())
    return bool(isinstance(data, dict) and data.get("allowed"))


def _seats(game: Game) -> list[Seat]:
    return shared(game, (SEATS,), lambda: list(Seat.objects.filter(game=game)))


def _members(game: Game) -> list[Member]:
    """Every membership of the game (removed ones too), with its seat."""
    return members_of(game)


def _last_record(game: Game) -> TurnRecord | None:
    # the snapshots before and after, the orders and the audit are large and not shown here; a
    # turn's record never changes once written, and the latest one changes only with game.turn
    return shared(game, (LAST_RECORD, game.turn), lambda: game.turns.defer(
        *RECORD_DEFERRED).order_by("-turn").first())


def _submission(game: Game, seat_id: int) -> OrderSubmission | None:
    return shared(game, (SUBMISSION, seat_id, game.turn),
                  lambda: OrderSubmission.objects.filter(seat_id=seat_id, turn=game.turn).first())


def _localized_report(texts: EngineTexts, report: dict[str, Any] | None) -> dict[str, Any] | None:
    """The turn's public report with the starting treaties' names in the reader's language."""
    table = (report or {}).get("compliance")
    if not report or not isinstance(table, dict):
        return report
    return {**report, "compliance": {k: {**e, "name": texts.treaty_name(str(e.get("name", "")))}
                                     for k, e in table.items() if isinstance(e, dict)}}


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
        report=_localized_report(texts, record.public_report) if record else None,
        explanation=explained(texts, record.explanation) if record else [],
        public_events=[event_text(texts, e) for e in record.events if e["audience"] is None] if record else [],
        final_scores=final,
        rsi_history=list(view.rsi_history),
        ledger_rows=_ledger_rows(view),
        review_open=game.phase == Phase.FINISHED and players_allowed(game),
    )



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
        submission = _submission(game, viewer.seat_id)
        if submission is not None:
            orders = [OrderRow(i, describe_order(o)) for i, o in enumerate(submission.orders)]
            revision = submission.revision
            raw_orders = list(submission.orders)
        seat = next((s for s in _seats(game) if s.pk == viewer.seat_id), None)
        if seat is None:
            raise Seat.DoesNotExist(f"seat {viewer.seat_id} is not in game {game.pk}")
        ready = seat.is_ready
        bot_playing = bool(seat.bot_policy)
        # one read of the game's members for the teammates and the viewer's other seats
        members = _members(game)
        teammates = [m.name for m in members
                     if m.seat_id == seat.pk and m.removed_at is None and m.pk != viewer.member_id]
        member = next((m for m in members if m.pk == viewer.member_id), None)
        if member is not None:
            names = state_names(game)
            root = member.linked_to_id or member.pk
            # linked_members(member), from the rows already read: the root and its links, active
            linked = sorted((m for m in members if (m.pk == root or m.linked_to_id == root) and m.removed_at is None),
                            key=lambda m: m.pk != root)
            other_seats = [(m.pk, names.get(m.seat.state_id, m.seat.state_id)) for m in linked if m.pk != member.pk]
        record = _last_record(game)
        if record is not None and viewer.state_id:
            report = record.private_reports.get(viewer.state_id)
            if isinstance(report, dict):
                report = rejected_rows(texts, report)
            private_events = [
                event_text(texts, e) for e in record.events
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
        order_groups=_order_groups(view, viewer.state_id) if viewer.role is Role.PLAYER else (),
        obligations=obligations_for(game, viewer, view),
        other_seats=other_seats,
        warnings=orderforms.treaty_warnings(view, viewer.state_id, list(raw_orders)) if viewer.state_id else {},
        truth=truth,
        names={sid: i.name for sid, i in state_infos(game.scenario_slug).items()},
        texts=texts,
    )


# The order forms, reused: orderforms.order_groups is a pure function of the key below (what the
# viewer's view says of classes, interceptor types, states and their sites, the viewer's own
# sites and the treaties, and the language of its labels), and its result is immutable. One
# entry serves every viewer whose view gives the same inputs, so nobody reads more than their view.
_GROUPS: OrderedDict[tuple[Any, ...], tuple[orderforms.OrderGroup, ...]] = OrderedDict()
_GROUPS_LOCK = threading.Lock()
GROUPS_CACHE_SIZE = 512


def _order_groups(view: game_engine.View, me: str | None) -> tuple[orderforms.OrderGroup, ...]:
    key = (get_language(), me, view.classes, view.interceptor_types,
           tuple((s.id, s.name, tuple((site.id, site.host) for site in s.sites)) for s in view.states),
           tuple((site.id, site.host) for site in view.me.sites) if view.me is not None else None,
           tuple((t.id, t.name, t.status) for t in view.treaties))
    with _GROUPS_LOCK:
        groups = _GROUPS.get(key)
        if groups is not None:
            _GROUPS.move_to_end(key)
            return groups
    groups = orderforms.order_groups(view, me)
    with _GROUPS_LOCK:
        _GROUPS[key] = groups
        while len(_GROUPS) > GROUPS_CACHE_SIZE:
            _GROUPS.popitem(last=False)
    return groups


def news_rows(game: Game, viewer: Viewer | None, *, limit: int = 20) -> list[NewsRow]:
    """Injects: the public ones (viewer None), or those addressed to the viewer's state only."""
    # the public and the private news read the game's delivered injects once
    delivered = shared(game, (INJECTS,),
                       lambda: list(Inject.objects.filter(game=game, pending=False).order_by("-seq")))
    if viewer is None:
        rows = [i for i in delivered if i.audience is None][:limit]
    else:
        rows = [i for i in delivered if i.audience is not None and viewer.state_id in (i.audience or [])][:limit]
    return localized_news(game, rows)


def localized_news(game: Game, injects: list[Inject]) -> list[NewsRow]:
    """Injects as news rows, the scenario's own in the reader's language."""
    localized = game_engine.localized_injects(bundled_scenario(game.scenario_slug), get_language()) if injects else ()
    out = []
    for i in injects:
        title, text = i.title, i.text
        # The scenario's own injects are stored in English; show them in the scenario's translation.
        index = i.scenario_key.removeprefix("scenario:")
        if i.scenario_key.startswith("scenario:") and index.isdigit() and int(index) < len(localized):
            title, text = localized[int(index)].title, localized[int(index)].text
        out.append(NewsRow(seq=i.seq, turn=i.turn, title=title, text=text, private=i.audience is not None))
    return out



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


def rsi_last_move(pub: PublicView) -> dict[str, Any] | None:
    """The last resolved turn's move of the public stability index, as the screens round it: the
    difference of the two shown values (49.2 → 50.0 is "up 0.8"), so a student can check it."""
    rsi = (pub.report or {}).get("rsi_pub") if pub.last_turn else None
    if not isinstance(rsi, dict) or rsi.get("before") is None or rsi.get("after") is None:
        return None
    amount = labels.shown_move(float(rsi["before"]), float(rsi["after"]))
    direction = "up" if amount > 0 else "down" if amount < 0 else "same"
    return {"direction": direction, "amount": abs(amount), "turn": pub.last_turn}


def order_plan(game: Game, viewer: Viewer) -> orderforms.Plan | None:
    """The viewer's state's queued orders with what each costs, and the budget they leave (the
    order composer's budget line). None for anyone but a seated player."""
    if viewer.role is not Role.PLAYER or viewer.seat_id is None or not viewer.state_id:
        return None
    state = engine_views.state(game)
    nation = state.nations.get(viewer.state_id)
    if nation is None:
        return None
    return orderforms.plan(state, viewer.state_id, int(nation.budget), queued_orders(game, viewer))


def queued_orders(game: Game, viewer: Viewer) -> list[dict[str, Any]]:
    """The raw orders the viewer's seat has queued this turn (none for anyone but a seated player)."""
    if viewer.seat_id is None:
        return []
    submission = _submission(game, viewer.seat_id)
    return list(submission.orders) if submission is not None else []


def order_composer(game: Game, viewer: Viewer, groups: tuple[orderforms.OrderGroup, ...],
                   values: Any = None, *, error: str = "", param: str = "",
                   plan: orderforms.Plan | None = None) -> orderforms.Composer:
    """The order composer for `values` (a posted or previewed form; None: the first order type as
    it first shows), priced by the engine's cost table against the budget the queued orders leave."""
    plan = plan if plan is not None else order_plan(game, viewer)
    left = plan.left if plan is not None else None
    values = values if values is not None else {}
    shown = orderforms.composer(groups, str(values.get("type", "")), values, error=error, error_param=param)
    if not viewer.state_id:
        return shown
    raw = orderforms.raw_order(orderforms.composer_values(shown))
    cost = orderforms.order_cost(engine_views.state(game), viewer.state_id, raw)
    return orderforms.composer(groups, shown.type, values, error=error, error_param=param, cost=cost, left=left)
