"""Small readers every subject shares: state names, and engine texts in the viewer's language."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from django.db import connection
from django.utils.translation import get_language

from negotiation import engine_views, jsonrows, orderforms
from negotiation.engine_texts import EngineTexts
from negotiation.models import (
    Channel,
    Game,
    Inject,
    Member,
    OrderSubmission,
    Proposal,
    ProposalComment,
    ProposalVersion,
    Seat,
    Signature,
    TurnRecord,
)
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
    return shared(game, (MEMBERS,), lambda: list(Member.objects.filter(seat__game=game).select_related("seat")))


@dataclass(frozen=True, slots=True)
class ProposalRows:
    """A proposal with its versions (by version), signatures and comments (oldest first)."""

    proposal: Proposal
    versions: list[ProposalVersion]
    signatures: list[Signature]
    comments: list[ProposalComment]


def proposal_rows(game: Game) -> list[ProposalRows]:
    """The game's proposals, newest first, with their versions, signatures and comments: the cards
    and the notes read them once."""
    def read() -> list[ProposalRows]:
        found = Proposal.objects.filter(game=game).prefetch_related("versions", "signatures", "comments")
        return [ProposalRows(p, list(p.versions.all()), sorted(p.signatures.all(), key=lambda s: s.pk),
                             list(p.comments.all())) for p in found.order_by("-number")]
    return shared(game, (PROPOSALS,), read)


# --- The shared reads of a render in one statement -------------------------------------------------
# A page or a resync reads seven row sets (seats, members, delivered injects, the last turn record,
# the viewer's orders, channels, proposals with their versions, signatures and comments), which the
# ORM reads in seven to ten statements; each costs more in Django (compiling the SQL, building the
# instances) than in the database. ``read_together`` reads the sets a render names in one
# statement, each set as a JSON array of its rows' columns, and puts model instances built from
# them into the instance's shared reads under the keys the selectors ask for. Same rows, same
# snapshot (one statement: more consistent than seven), same instances; the selectors still filter
# them for their viewer, and a set not read here is read by its selector as before.

SEATS, MEMBERS, INJECTS, LAST_RECORD, SUBMISSION, CHANNELS, PROPOSALS = (
    "seats", "members", "injects", "last_record", "submission", "channels", "proposals")
ROOM_SETS = (SEATS, MEMBERS, INJECTS, LAST_RECORD, SUBMISSION, CHANNELS, PROPOSALS)
# a turn record's snapshots, orders and audit are large and shown nowhere a render reads it
RECORD_DEFERRED = ("state_before", "state_after", "orders", "audit")


def read_together(game: Game, sets: Sequence[str] = ROOM_SETS, *, seat_id: int | None = None,
                  member_id: int | None = None) -> None:
    """Read the named row sets of this game in one statement into its shared reads (a render that
    called ``share_reads``). The viewer's orders (SUBMISSION) are read for ``seat_id``, or for the
    seat of member ``member_id`` (a page, before its viewer is resolved from the members it reads:
    the row is kept under its own seat's key, so only a viewer of that seat is ever given it);
    without either they are left to their selector."""
    store = game.__dict__.get(_SHARED)
    if store is None:
        raise ValueError("read_together needs a game that shares its reads (share_reads)")
    sqlite = connection.vendor == "sqlite"
    parts: list[str] = []
    params: list[Any] = []
    names: list[str] = []
    gid = game.pk
    if SEATS in sets or MEMBERS in sets:
        parts.append(jsonrows.set_sql(jsonrows.columns(SEATS, Seat), "t.game_id = %s", sqlite))
        params.append(gid)
        names.append(SEATS)
    if MEMBERS in sets:
        seat_table = Seat._meta.db_table
        parts.append(jsonrows.set_sql(jsonrows.columns(MEMBERS, Member), "s.game_id = %s", sqlite,
                              join=f"JOIN {seat_table} s ON s.id = t.seat_id"))
        params.append(gid)
        names.append(MEMBERS)
    if INJECTS in sets:
        parts.append(jsonrows.set_sql(jsonrows.columns(INJECTS, Inject), "t.game_id = %s AND NOT t.pending", sqlite))
        params.append(gid)
        names.append(INJECTS)
    if LAST_RECORD in sets:
        cols = jsonrows.columns(LAST_RECORD, TurnRecord, RECORD_DEFERRED)
        parts.append(f"(SELECT {cols.array('t', sqlite)} FROM {TurnRecord._meta.db_table} t "  # noqa: S608
                     "WHERE t.game_id = %s ORDER BY t.turn DESC LIMIT 1)")
        params.append(gid)
        names.append(LAST_RECORD)
    if SUBMISSION in sets and (seat_id is not None or (member_id is not None and MEMBERS in sets)):
        cols = jsonrows.columns(SUBMISSION, OrderSubmission)
        if seat_id is not None:
            parts.append(f"(SELECT {cols.array('t', sqlite)} FROM {OrderSubmission._meta.db_table} t "  # noqa: S608
                         "WHERE t.seat_id = %s AND t.turn = %s)")
            params += [seat_id, game.turn]
        else:
            parts.append(f"(SELECT {cols.array('t', sqlite)} FROM {OrderSubmission._meta.db_table} t "  # noqa: S608
                         f"JOIN {Member._meta.db_table} m ON m.seat_id = t.seat_id "
                         "WHERE m.id = %s AND t.turn = %s AND t.game_id = %s)")
            params += [member_id, game.turn, gid]
        names.append(SUBMISSION)
    if CHANNELS in sets:
        parts.append(jsonrows.set_sql(jsonrows.columns(CHANNELS, Channel), "t.game_id = %s", sqlite))
        params.append(gid)
        names.append(CHANNELS)
    if PROPOSALS in sets:
        proposal_table = Proposal._meta.db_table
        parts.append(jsonrows.set_sql(jsonrows.columns(PROPOSALS, Proposal), "t.game_id = %s", sqlite))
        for name, model in (("versions", ProposalVersion), ("signatures", Signature), ("comments", ProposalComment)):
            parts.append(jsonrows.set_sql(jsonrows.columns(name, model), "p.game_id = %s", sqlite,
                                  join=f"JOIN {proposal_table} p ON p.id = t.proposal_id"))
        params += [gid] * 4
        names += [PROPOSALS, "versions", "signatures", "comments"]
    if not parts:
        return
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", params)
        row = cursor.fetchone()
    got = dict(zip(names, (jsonrows.loads(v) for v in row), strict=True))
    turn = game.turn
    if SEATS in got:
        seats = sorted((jsonrows.COLUMNS[SEATS].build(v) for v in got[SEATS] or ()), key=lambda s: s.state_id)
        if SEATS in sets:
            store[(SEATS,)] = seats
    if MEMBERS in got:
        by_id = {s.pk: s for s in seats}
        seat_field = Member._meta.get_field("seat")
        members = sorted((jsonrows.COLUMNS[MEMBERS].build(v) for v in got[MEMBERS] or ()), key=lambda m: (m.joined_at, m.pk))
        for m in members:
            seat_field.set_cached_value(m, by_id[m.seat_id])  # as select_related("seat") would
        store[(MEMBERS,)] = members
    if INJECTS in got:
        store[(INJECTS,)] = sorted((jsonrows.COLUMNS[INJECTS].build(v) for v in got[INJECTS] or ()), key=lambda i: -i.seq)
    if LAST_RECORD in got:
        store[(LAST_RECORD, turn)] = jsonrows.COLUMNS[LAST_RECORD].build(got[LAST_RECORD]) if got[LAST_RECORD] else None
    if SUBMISSION in got:
        found = jsonrows.COLUMNS[SUBMISSION].build(got[SUBMISSION]) if got[SUBMISSION] else None
        if seat_id is None:  # the claimed member's seat, from the members read in the same statement
            seat_id = next((m.seat_id for m in store.get((MEMBERS,), ()) if m.pk == member_id), None)
        if found is not None:  # kept under its own seat: only a viewer of that seat is given it
            store[(SUBMISSION, found.seat_id, turn)] = found
        elif seat_id is not None:  # none yet for this seat
            store[(SUBMISSION, seat_id, turn)] = None
    if CHANNELS in got:
        store[(CHANNELS,)] = sorted((jsonrows.COLUMNS[CHANNELS].build(v) for v in got[CHANNELS] or ()),
                                    key=lambda c: (c.created_at, c.pk))
    if PROPOSALS in got:
        versions: dict[int, list[Any]] = {}
        signatures: dict[int, list[Any]] = {}
        comments: dict[int, list[Any]] = {}
        for name, into in (("versions", versions), ("signatures", signatures), ("comments", comments)):
            for v in got[name] or ():
                item = jsonrows.COLUMNS[name].build(v)
                into.setdefault(item.proposal_id, []).append(item)
        proposals = sorted((jsonrows.COLUMNS[PROPOSALS].build(v) for v in got[PROPOSALS] or ()), key=lambda p: -p.number)
        store[(PROPOSALS,)] = [
            ProposalRows(p, sorted(versions.get(p.pk, ()), key=lambda v: v.version),
                         sorted(signatures.get(p.pk, ()), key=lambda s: s.pk),
                         sorted(comments.get(p.pk, ()), key=lambda c: (c.created_at, c.pk)))
            for p in proposals]
