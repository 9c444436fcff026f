"""The game over its turns, seen through a reviewer's lens: chart series, key moments, the final
scores explained, and what one state knew at a given turn. Reads only.

Every number that reaches a template comes from game_engine.view_for on a stored snapshot (see
access.lens_view and access.knowledge_view), never from the raw engine state."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Q
from django.utils.translation import get_language, gettext, pgettext

import game_engine
from negotiation import engine_views, labels
from negotiation.engine_texts import EngineTexts
from negotiation.labels import number_format
from negotiation.models import Game, GameEvent, Inject, OrderSubmission, Phase, TurnRecord
from negotiation.review.access import BOOKMARK_KIND, ReviewAccess, knowledge_view, lens_view
from negotiation.review.common import StateMeta, state_meta, turn_marks
from negotiation.review.timeline import PHASE_WORDS, proposal_titles, summarize, visible_events
from negotiation.selectors import NewsRow, describe_order, localized_news

# Engine events that make a treaty story: signed, in force, renewed, broken, left, expired.
TREATY_EVENT_KINDS = frozenset({
    "treaty_in_force", "treaty_renewed", "treaty_withdrawal", "withdrawal_notice", "treaty_expired",
    "violation_public", "limits_broken", "notification_breach", "accusation", "accusation_refuted",
})
CRISIS_EVENT_KINDS = frozenset({"crisis", "catastrophe", "game_over"})
# Log kinds of the negotiation side (proposals, signatures, treaties) shown among key moments.
TREATY_LOG_PREFIXES = ("proposal.", "treaty.", "signature.")
# Left out of the key moments: comments, and what the engine's own treaty events already say.
QUIET_PROPOSAL_KINDS = ("proposal.commented", "proposal.in_force")
CACHE_SECONDS = 600
CACHE_SECONDS_ENDED = 24 * 3600


# --- Snapshots -----------------------------------------------------------------------------------


def _records(game: Game, *fields: str) -> list[TurnRecord]:
    return list(TurnRecord.objects.filter(game=game).order_by("turn").only("turn", *fields))


def history_points(game: Game) -> list[tuple[int, dict[str, Any]]]:
    """(turn, engine state JSON) at the start and after each resolved turn; turn 0 is the start."""
    records = _records(game, "state_after")
    first = TurnRecord.objects.filter(game=game).order_by("turn").values_list("state_before", flat=True).first()
    if not records or first is None:
        return [(0, game.state)]
    return [(0, first), *((r.turn, r.state_after) for r in records)]


# --- Series for the charts -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KnownState:
    """What a chart point knows of one state's truth (facilitator, or anyone after the end)."""

    security: float | None
    vp: float | None  # its latest turn score
    trust: Mapping[str, float]
    missiles: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class SeriesPoint:
    """The figures of one snapshot the charts read, through the reviewer's lens."""

    rsi_pub: float | None
    rsi_true: float | None
    compliance: Mapping[str, float | None]
    interceptors: Mapping[str, int]  # each state's public interceptor count
    truth: Mapping[str, KnownState]  # empty when the lens shows no truth


@dataclass(slots=True)
class History:
    """Per-turn values for the charts (None where the lens shows nothing)."""

    turns: list[int]
    states: list[StateMeta]
    classes: list[str]
    rsi_pub: list[float | None] = field(default_factory=list)
    rsi_true: list[float | None] = field(default_factory=list)
    security: dict[str, list[float | None]] = field(default_factory=dict)
    compliance: dict[str, list[float | None]] = field(default_factory=dict)
    vp: dict[str, list[float | None]] = field(default_factory=dict)
    forces: dict[str, list[float | None]] = field(default_factory=dict)
    trust: dict[tuple[str, str], list[float | None]] = field(default_factory=dict)
    final_view: game_engine.View | None = None

    @property
    def labels(self) -> list[str]:
        return [gettext("Start") if t == 0 else gettext("T%(turn)s") % {"turn": t} for t in self.turns]


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def game_history(game: Game, access: ReviewAccess) -> History:
    """Chart series for this reviewer (cached per game version and lens)."""
    last = TurnRecord.objects.filter(game=game).order_by("-turn").values_list("pk", flat=True).first()
    # Per language: the series are named by the states' names in the reader's language.
    key = (f"review:history:{game.pk}:{game.version}:{last or 0}:{access.cache_key}:{int(access.game_over)}:"
           f"{get_language()}")
    cached = cache.get(key)
    if isinstance(cached, History):
        return cached
    history = _build_history(game, access)
    # An ended game's history no longer changes: keep it longer.
    cache.set(key, history, CACHE_SECONDS_ENDED if game.phase == Phase.FINISHED else CACHE_SECONDS)
    return history


def _build_history(game: Game, access: ReviewAccess) -> History:
    points = history_points(game)
    metas = state_meta(game)
    ids = [m.id for m in metas]
    history = History(turns=[t for t, _ in points], states=metas, classes=[])
    history.security = {sid: [] for sid in ids}
    history.compliance = {sid: [] for sid in ids}
    history.vp = {sid: [] for sid in ids}
    history.trust = {(a, b): [] for a in ids for b in ids if a != b}
    final = game.state if game.phase == Phase.FINISHED else points[-1][1]
    history.final_view = lens_view(game_engine.state_from_json(final), access)
    history.classes = list(history.final_view.classes)
    history.forces = {c: [] for c in [*history.classes, "interceptors"]}
    for _, snapshot in points:
        if access.is_facilitator:
            point = facilitator_series_point(snapshot)
        else:
            point = series_point(lens_view(game_engine.state_from_json(snapshot), access))
        _add_point(history, point, ids)
    return history


def series_point(view: game_engine.View) -> SeriesPoint:
    """A chart point from the engine's view of a snapshot."""
    truth: dict[str, KnownState] = {}
    if view.truth is not None:
        for sid, own in view.truth.states.items():
            truth[sid] = KnownState(security=own.security, vp=own.vp_history[-1] if own.vp_history else None,
                                    trust=own.trust, missiles=own.missiles)
    return SeriesPoint(
        rsi_pub=view.rsi_pub, rsi_true=view.truth.rsi_true if view.truth else None,
        compliance={s.id: s.compliance for s in view.states},
        interceptors={s.id: sum(s.public_interceptors.values()) for s in view.states},
        truth=truth)


def facilitator_series_point(snapshot: dict[str, Any]) -> SeriesPoint:
    """What :func:`series_point` gives for view_for(state, FACILITATOR), taken straight from the
    stored snapshot. The facilitator may see the whole state, and this skips parsing twenty
    snapshots; a test checks it gives the same series as the engine's view."""
    nations = {str(n["id"]): n for n in snapshot.get("nations", [])}
    treaties = [t for t in snapshot.get("treaties", []) if t.get("status") != "draft"]
    trust: dict[str, dict[str, float]] = {sid: {} for sid in nations}
    for pair in snapshot.get("pairs", []):
        trust[pair["src"]][pair["dst"]] = round(pair["alpha"] / (pair["alpha"] + pair["beta"]), 6)
    deployed: dict[str, int] = {}
    for site in snapshot.get("sites", []):
        owner = str(site.get("owner", ""))
        deployed[owner] = deployed.get(owner, 0) + sum(int(v) for v in (site.get("interceptors") or {}).values())
    compliance: dict[str, float | None] = {}
    interceptors: dict[str, int] = {}
    known: dict[str, KnownState] = {}
    for sid, nation in nations.items():
        scores = [t["cs"][sid] for t in treaties if sid in t.get("parties", []) and sid in t.get("cs", {})]
        compliance[sid] = round(sum(scores) / len(scores), 6) if scores else None
        interceptors[sid] = sum(int(v) for v in (nation.get("store") or {}).values()) + deployed.get(sid, 0)
        vps = nation.get("vp_history") or []
        known[sid] = KnownState(security=_num(nation.get("sec")), vp=_num(vps[-1]) if vps else None,
                                trust=trust[sid], missiles={str(c): int(n) for c, n in (nation.get("missiles") or {}).items()})
    return SeriesPoint(rsi_pub=_num(snapshot.get("rsi_pub")), rsi_true=_num(snapshot.get("rsi_true")),
                       compliance=compliance, interceptors=interceptors, truth=known)


def _add_point(history: History, point: SeriesPoint, ids: list[str]) -> None:
    history.rsi_pub.append(point.rsi_pub)
    history.rsi_true.append(point.rsi_true)
    totals = dict.fromkeys(history.forces, 0.0)
    for sid in ids:
        mine = point.truth.get(sid)
        history.compliance[sid].append(point.compliance.get(sid))
        history.security[sid].append(mine.security if mine else None)
        history.vp[sid].append(mine.vp if mine else None)
        for other in ids:
            if other != sid:
                history.trust[(sid, other)].append(mine.trust.get(other) if mine else None)
        if mine:
            for cls, n in mine.missiles.items():
                if cls in totals:
                    totals[cls] += float(n)
        totals["interceptors"] += float(point.interceptors.get(sid, 0))
    for cls, values in history.forces.items():
        values.append(totals[cls] if point.truth or cls == "interceptors" else None)


# --- Key moments ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Moment:
    turn: int
    kind: str
    text: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class ScoreRow:
    state_id: str
    name: str
    color: str
    score: float
    mean_vp: float | None
    turns_scored: int
    objectives: float
    objective_texts: list[str]
    adjustment: float

    @property
    def explanation(self) -> str:
        parts = []
        if self.mean_vp is not None:
            parts.append(gettext("mean of %(n)s turn scores %(mean)s") % {
                "n": self.turns_scored, "mean": number_format(self.mean_vp, 1)})
        if self.objectives:
            parts.append(gettext("+ objectives %(points)s") % {"points": number_format(self.objectives, 1)})
        if abs(self.adjustment) >= 0.05:
            sign = "+" if self.adjustment > 0 else "−"
            parts.append(gettext("%(sign)s audit charges and penalties %(points)s") % {
                "sign": sign, "points": number_format(abs(self.adjustment), 1)})
        score = number_format(self.score, 1)
        return " ".join(parts) + f" = {score}" if parts else score


@dataclass(slots=True)
class Debrief:
    stability_moves: list[Moment]
    violations: list[Moment]
    treaties: list[Moment]
    crises: list[Moment]
    scores: list[ScoreRow]
    bookmarks: list[Moment]
    game_over_reason: str


def debrief(game: Game, access: ReviewAccess, history: History) -> Debrief:
    names = {m.id: m.name for m in history.states}
    records = _records(game, "events", "explanation")
    texts = engine_views.texts(game)
    return Debrief(
        stability_moves=_stability_moves(history, records, texts),
        violations=_violations(history.final_view, names),
        treaties=_treaty_moments(game, access, records, texts),
        crises=[Moment(r.turn, e["kind"], _event_text(texts, e)) for r in records for e in r.events
                if e.get("kind") in CRISIS_EVENT_KINDS and access.can_see(e.get("audience"))],
        scores=final_scores(history),
        bookmarks=bookmarks(game, access),
        game_over_reason=texts.game_over(history.final_view.game_over_reason if history.final_view else ""),
    )


def _event_text(texts: EngineTexts, event: dict[str, Any]) -> str:
    """A stored engine event (a message) in the reader's language."""
    data = event.get("data")
    return texts.event(str(event.get("kind", "")), event.get("text", ""), data if isinstance(data, dict) else None)


def _stability_moves(history: History, records: list[TurnRecord], texts: EngineTexts,
                     limit: int = 3) -> list[Moment]:
    explained = {r.turn: r.explanation for r in records}
    moves = []
    values = history.rsi_pub
    for i in range(1, len(values)):
        before, after = values[i - 1], values[i]
        if before is None or after is None:
            continue
        turn = history.turns[i]
        reasons = [texts.explanation(str(x.get("component", "")), x.get("text", ""))
                   for x in explained.get(turn, []) if isinstance(x, dict)]
        delta = after - before
        if abs(delta) < 0.05:
            continue
        change = {"delta": number_format(abs(delta), 1), "before": number_format(before, 1),
                  "after": number_format(after, 1)}
        text = (gettext("Stability rose by %(delta)s points (%(before)s → %(after)s).") if delta > 0
                else gettext("Stability fell by %(delta)s points (%(before)s → %(after)s).")) % change
        moves.append((abs(delta), Moment(turn, "rise" if delta > 0 else "fall", text, " ".join(reasons))))
    moves.sort(key=lambda m: (-m[0], m[1].turn))
    return sorted((m for _, m in moves[:limit]), key=lambda m: m.turn)


def _violations(view: game_engine.View | None, names: dict[str, str]) -> list[Moment]:
    if view is None or view.truth is None:
        return []
    treaties = {t.id: t.name or t.id for t in view.treaties}
    rows = []
    for v in view.truth.violations:
        if not (v.detected_by or v.published):
            continue
        who = ", ".join(names.get(d, d) for d in v.detected_by) or gettext("the end-of-game audit")
        if v.published:
            detail = (gettext("Detected by %(who)s; made public; still ongoing at the end.") if v.ongoing
                      else gettext("Detected by %(who)s; made public."))
        else:
            detail = (gettext("Detected by %(who)s; never made public; still ongoing at the end.") if v.ongoing
                      else gettext("Detected by %(who)s; never made public."))
        rows.append(Moment(
            v.first_turn, v.kind or "violation",
            gettext("%(state)s breached %(treaty)s (%(clause)s).") % {
                "state": names.get(v.state, v.state), "treaty": treaties.get(v.treaty, v.treaty),
                "clause": v.clause or v.kind},
            detail % {"who": who},
        ))
    return sorted(rows, key=lambda m: m.turn)


def _treaty_moments(game: Game, access: ReviewAccess, records: list[TurnRecord],
                    texts: EngineTexts) -> list[Moment]:
    # Negotiation entries first within a turn, then what its resolution did.
    moments = [(r.turn, 1, Moment(r.turn, str(e["kind"]), _event_text(texts, e))) for r in records for e in r.events
               if e.get("kind") in TREATY_EVENT_KINDS and access.can_see(e.get("audience"))]
    query = Q()
    for prefix in TREATY_LOG_PREFIXES:
        query |= Q(kind__startswith=prefix)
    marks = turn_marks(game)
    names = {m.id: m.name for m in state_meta(game)}
    visible = visible_events(game, access)
    titles = proposal_titles(visible)
    for event in visible.filter(query).exclude(kind__in=QUIET_PROPOSAL_KINDS).order_by("seq")[:200]:
        data = event.data if isinstance(event.data, dict) else {}
        turn = marks.turn_of(event.seq)
        moments.append((turn, 0, Moment(turn, event.kind, summarize(event.kind, data, names, None, event.actor, titles))))
    return [m for _, _, m in sorted(moments, key=lambda row: (row[0], row[1]))]


def final_scores(history: History) -> list[ScoreRow]:
    """Final scores (the engine's final_scores on the last state) with the parts that make them."""
    view = history.final_view
    if view is None or view.final_scores is None:
        return []
    rows = []
    for meta in history.states:
        score = view.final_scores.get(meta.id)
        if score is None:
            continue
        mine = view.truth.states.get(meta.id) if view.truth else None
        vps = list(mine.vp_history) if mine else []
        mean = sum(vps) / len(vps) if vps else None
        met = [c for c in (mine.objective_cards if mine else ())
               if c.met_turn is not None and (c.by_turn is None or c.met_turn <= c.by_turn)]
        objectives = sum(c.points for c in met)
        rows.append(ScoreRow(
            state_id=meta.id, name=meta.name, color=meta.color, score=score, mean_vp=mean,
            turns_scored=len(vps), objectives=objectives,
            objective_texts=[gettext("%(objective)s (turn %(turn)s)") % {"objective": c.text, "turn": c.met_turn}
                             for c in met],
            adjustment=score - (mean or 0.0) - objectives,
        ))
    return sorted(rows, key=lambda r: -r.score)


def bookmarks(game: Game, access: ReviewAccess) -> list[Moment]:
    rows = GameEvent.objects.filter(game=game, kind=BOOKMARK_KIND).order_by("seq")
    return [Moment(int(e.data.get("turn") or 0), str(PHASE_WORDS.get(str(e.data.get("phase", "")), e.data.get("phase", ""))),
                   str(e.data.get("note", "")),
                   f"{e.actor} · {e.created_at:%Y-%m-%d %H:%M}")
            for e in rows if access.can_see(e.audience)]


# --- What one state knew --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KnownOther:
    """Another state as the reviewed state saw it (and, for the facilitator, as it really was)."""

    name: str
    estimate: str
    public: str
    actual: str  # empty unless the reviewer sees the truth
    trust: float | None
    threat: float | None


@dataclass(frozen=True, slots=True)
class KnownTreaty:
    name: str
    status: str
    parties: list[str]


@dataclass(slots=True)
class Knowledge:
    state_id: str
    state_name: str
    turn: int
    label: str
    view: game_engine.View
    me: game_engine.OwnView
    others: list[KnownOther]
    orders: list[str]
    revisions: int
    report: dict[str, Any] | None
    news: list[NewsRow]
    treaties: list[KnownTreaty]
    show_truth: bool

    @property
    def missile_rows(self) -> list[tuple[str, int]]:
        return [(c, n) for c, n in self.me.missiles.items() if n]

    @property
    def interceptor_rows(self) -> list[tuple[str, int]]:
        return [(c, n) for c, n in self.me.interceptors_store.items() if n]


TREATY_STATUSES = labels.TREATY_STATUSES
treaty_status = labels.treaty_status


def knowledge_turns(game: Game) -> list[tuple[int, str]]:
    """The moments a knowledge view can show: the start of each resolved turn, then now/the end."""
    turns = list(TurnRecord.objects.filter(game=game).order_by("turn").values_list("turn", flat=True))
    choices = [(t, gettext("Turn %(turn)s, when orders were given") % {"turn": t}) for t in turns]
    last = (turns[-1] + 1) if turns else 1
    choices.append((last, gettext("After the game") if game.phase == Phase.FINISHED
                    else gettext("Turn %(turn)s, now") % {"turn": last}))
    return choices


def _report_in_language(texts: EngineTexts, report: dict[str, Any]) -> dict[str, Any]:
    """A private report with the engine's texts in the reader's language (kinds are not kept)."""
    events = [texts.event_of_any_kind(t) for t in report.get("events") or []]
    rejected = [{**r, "message": texts.rule_error(str(r.get("code", "")), r.get("message", ""))}
                if isinstance(r, dict) else r for r in report.get("rejected") or []]
    return {**report, "events": events, "rejected": rejected}


def knowledge(game: Game, access: ReviewAccess, state_id: str, turn: int) -> Knowledge | None:
    """What `state_id` knew at the start of `turn` (when it gave that turn's orders)."""
    metas = {m.id: m for m in state_meta(game)}
    if state_id not in metas or (not access.is_facilitator and state_id != access.state_id):
        return None
    choices = dict(knowledge_turns(game))
    if turn not in choices:
        return None
    record = TurnRecord.objects.filter(game=game, turn=turn).only("turn", "state_before", "orders").first()
    snapshot = record.state_before if record else game.state
    state = game_engine.state_from_json(snapshot)
    view = knowledge_view(state, state_id)
    me = view.me
    assert me is not None  # a state's own view always holds its own entry
    truth = game_engine.view_for(state, game_engine.FACILITATOR).truth if access.is_facilitator else None
    none = pgettext("missiles", "none")

    def forces(counts: Mapping[str, int]) -> str:
        return ", ".join(f"{n} {c}" for c, n in counts.items() if n) or none

    others = []
    for other in (m for m in metas.values() if m.id != state_id):
        public = view.state(other.id)
        actual = truth.states.get(other.id) if truth else None
        others.append(KnownOther(
            name=other.name,
            estimate=forces(me.estimates.get(other.id) or {}),
            public=forces(public.public_ledger if public else {}),
            actual=forces(actual.missiles if actual else {}) if truth else "",
            trust=me.trust.get(other.id), threat=me.threat.get(other.id),
        ))
    previous = TurnRecord.objects.filter(game=game, turn=turn - 1).only("private_reports").first()
    report = previous.private_reports.get(state_id) if previous else None
    texts = engine_views.texts_for(state.scenario)
    if isinstance(report, dict):
        report = _report_in_language(texts, report)
    orders = [describe_order(o, game) for o in (record.orders.get(state_id, []) if record else [])]
    revisions = (OrderSubmission.objects.filter(game=game, seat__state_id=state_id, turn=turn)
                 .values_list("revision", flat=True).first() or 0)
    news = localized_news(game, [i for i in Inject.objects.filter(game=game, turn__lte=turn).order_by("seq")
                                 if i.audience is None or state_id in i.audience])
    return Knowledge(
        state_id=state_id, state_name=metas[state_id].name, turn=turn, label=choices[turn], view=view, me=me,
        others=others, orders=orders, revisions=int(revisions), report=report if isinstance(report, dict) else None,
        news=news,
        treaties=[KnownTreaty(name=texts.treaty_name(t.name), status=treaty_status(t.status),
                              parties=[metas[p].name if p in metas else p for p in t.parties])
                  for t in view.treaties],
        show_truth=bool(truth),
    )
