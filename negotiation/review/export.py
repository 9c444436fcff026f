"""Exports for research: the whole game as one JSON document, or CSV tables with a codebook.

Names of people can be replaced with stable pseudonyms (an HMAC of the game and the person, so
the same person gets the same pseudonym in every export of the game). CSV cells that a
spreadsheet would run as a formula (starting with =, +, -, @, tab or carriage return) are
prefixed with an apostrophe; numbers are written as numbers."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone, translation

import game_engine
from negotiation.models import Game, GameEvent, Inject, Member, Message, OrderSubmission, Phase, TurnRecord
from negotiation.review import participation
from negotiation.review.common import csv_cell, state_names, turn_marks
from negotiation.review.timeline import proposal_titles, summarize
from negotiation.selectors import describe_order

FORMAT_NAME = "treatycraft-game-export"
FORMAT_VERSION = 1
PROPOSAL_PREFIXES = ("proposal.", "treaty.", "signature.")


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: str
    description: str


def _cols(*specs: tuple[str, str, str]) -> list[Column]:
    return [Column(*spec) for spec in specs]


# The codebook: every column of every CSV table. docs/export-format.md describes the same.
TABLES: dict[str, tuple[str, list[Column]]] = {
    "events": ("Every entry of the game's append-only log, in order.", _cols(
        ("seq", "integer", "Sequence number in the game (shared by log entries, messages and injects; gaps are normal)."),
        ("turn", "integer", "Turn the entry belongs to (0 = lobby, before the game started)."),
        ("created_at", "datetime", "Server time of the entry, ISO 8601 in UTC."),
        ("kind", "text", "What happened, as family.verb (e.g. message.posted, orders.revised, turn.resolved, engine.build)."),
        ("actor", "text", "Who did it: player:<name or state>, facilitator:<name>, engine, clock, rule:<rule>, scenario (pseudonymised on request)."),
        ("audience", "text", "Who could see it: 'public', or state ids and 'facilitator' separated by ';'."),
        ("states", "text", "State ids the entry is about (audience, data.state, actor), separated by ';'."),
        ("channel", "text", "Negotiation channel for message entries, empty otherwise."),
        ("summary", "text", "One readable line describing the entry."),
        ("data", "json", "The entry's full data as JSON (names pseudonymised on request)."),
    )),
    "messages": ("Every message of every channel.", _cols(
        ("seq", "integer", "Sequence number (the same as the message's log entry)."),
        ("turn", "integer", "Turn in which the message was posted."),
        ("created_at", "datetime", "Server time, ISO 8601 in UTC."),
        ("channel", "text", "Channel the message was posted in (plenary = everyone)."),
        ("author_state", "text", "State id of the author's seat, empty for the facilitator."),
        ("author", "text", "Display label of the author (pseudonymised on request)."),
        ("audience", "text", "Who could read it: 'public', or state ids and 'facilitator' separated by ';'."),
        ("length", "integer", "Length of the body in characters."),
        ("body", "text", "The message text (known names pseudonymised on request)."),
    )),
    "proposals": ("Treaty proposals, their versions and signatures, from the log (kinds proposal.*, treaty.*, signature.*) and the engine's treaty events.", _cols(
        ("seq", "integer", "Sequence number of the log entry."),
        ("turn", "integer", "Turn of the entry."),
        ("created_at", "datetime", "Server time, ISO 8601 in UTC."),
        ("source", "text", "log (a negotiation entry) or engine (a treaty event of a resolution)."),
        ("kind", "text", "Entry kind: proposal.tabled, proposal.amended, proposal.commented, proposal.signed, proposal.unsigned, proposal.withdrawn, proposal.in_force, or engine.treaty_in_force, engine.treaty_renewed, engine.treaty_withdrawal, engine.withdrawal_notice, engine.treaty_expired."),
        ("actor", "text", "Who acted (pseudonymised on request)."),
        ("proposal", "text", "Proposal number in the game, when the entry has one."),
        ("version", "text", "Proposal version, when the entry has one."),
        ("treaty", "text", "Engine treaty id, when known."),
        ("parties", "text", "State ids of the parties, separated by ';'."),
        ("terms_hash", "text", "Hash of the treaty text a signature is for (the engine's SIGN order names it), when known."),
        ("text", "text", "Readable summary or text of the entry."),
        ("data", "json", "The entry's full data as JSON."),
    )),
    "orders": ("Every order: each revision a captain saved, and the orders the engine resolved.", _cols(
        ("source", "text", "revision (a saved revision of a seat's orders) or resolved (what the engine received, after the missed-orders policy and bots)."),
        ("turn", "integer", "Turn the orders are for."),
        ("state", "text", "State id giving the order."),
        ("revision", "integer", "Revision number of the seat's orders for the turn (resolved rows: the final revision, 0 if none)."),
        ("seq", "integer", "Sequence number of the revision's log entry (empty for resolved rows)."),
        ("created_at", "datetime", "Server time of the revision (resolved rows: time of the resolution)."),
        ("index", "integer", "Position of the order in the list (0-based); -1 for a revision that emptied the list."),
        ("type", "text", "Order type (BUILD, REDUCE, SIGN, ...); empty for an emptied list."),
        ("description", "text", "The order in words."),
        ("params", "json", "The order's parameters as JSON."),
    )),
    "scores": ("Per turn and state, after the turn resolved (true values; the game's ground truth).", _cols(
        ("turn", "integer", "Turn just resolved."),
        ("state", "text", "State id."),
        ("state_name", "text", "State name in the scenario."),
        ("vp", "number", "Victory points earned in this turn."),
        ("vp_mean", "number", "Mean of the victory points earned so far (the main part of the final score)."),
        ("security", "number", "National security on true forces (0-100)."),
        ("security_public", "number", "National security on public information (0-100)."),
        ("compliance", "number", "Public compliance score averaged over the state's treaties (empty: party to none)."),
        ("budget", "integer", "Budget after the turn."),
        ("domestic_support", "number", "Domestic support (0-100)."),
        ("missiles_true", "integer", "Missiles the state really had."),
        ("missiles_public", "integer", "Missiles in the public ledger."),
        ("interceptors", "integer", "Interceptors in store and deployed at its sites."),
        ("trust_given_mean", "number", "Mean trust this state had in the others (0-1)."),
        ("reputation", "number", "Mean trust the others had in this state (0-1)."),
        ("rsi_public", "number", "Regional Stability Index shown to everyone after the turn (0-100)."),
        ("rsi_true", "number", "Regional Stability Index on the true forces (0-100)."),
    )),
    "final_scores": ("The final score of each state (engine final_scores on the last state).", _cols(
        ("state", "text", "State id."),
        ("state_name", "text", "State name."),
        ("score", "number", "Final score."),
        ("vp_mean", "number", "Mean of the per-turn victory points."),
        ("turns_scored", "integer", "Number of turns that earned points."),
        ("game_over_reason", "text", "Why the game ended (empty if it has not)."),
    )),
    "participation": ("What each student (a member of a seat) did: the gradebook.", _cols(
        ("student", "text", "The student's name (pseudonymised on request)."),
        ("state", "text", "State id of the student's seat."),
        ("captain", "boolean", "Whether the student is the seat's captain (gives orders, signs)."),
        ("removed", "boolean", "Whether the facilitator removed the student from the game."),
        ("messages_plenary", "integer", "Messages the student posted in the plenary."),
        ("messages_bilateral", "integer", "Messages in bilateral channels."),
        ("messages_coalition", "integer", "Messages in coalition channels."),
        ("messages_team", "integer", "Messages in the team channel."),
        ("messages_facline", "integer", "Messages on the line to the facilitator."),
        ("messages_total", "integer", "All messages the student posted."),
        ("proposals_tabled", "integer", "Proposals the student tabled."),
        ("proposals_amended", "integer", "Amendments (new versions) the student made."),
        ("proposals_signed", "integer", "Signatures the student gave for the state."),
        ("order_revisions", "integer", "Changes to the state's orders made by the student."),
        ("turns_with_orders", "integer", "Turns in which the student changed the orders."),
        ("ready_marks", "integer", "Times the student marked the state ready."),
        ("ready_before_deadline", "integer", "Of those, marks made before the phase's deadline (or with no deadline)."),
        ("reflections_answered", "integer", "Reflection questions the student answered."),
        ("reflections_asked", "integer", "Reflection questions set in the game."),
    )),
    "reflections": ("Students' answers to the facilitator's reflection questions.", _cols(
        ("student", "text", "The student's name (pseudonymised on request)."),
        ("state", "text", "State id of the student's seat."),
        ("turn", "integer", "Turn the question was asked at the end of (empty: the debrief)."),
        ("question", "text", "The question."),
        ("answer", "text", "The student's answer (names pseudonymised on request)."),
        ("answered_at", "datetime", "When the answer was last saved, ISO 8601 in UTC."),
    )),
}


# --- Pseudonyms ----------------------------------------------------------------------------------


@dataclass(slots=True)
class Names:
    """Replaces people's names with stable pseudonyms (or leaves them when disabled)."""

    game: Game
    enabled: bool
    mapping: dict[str, str] = field(default_factory=dict)
    pattern: re.Pattern[str] | None = None

    def __post_init__(self) -> None:
        if not self.enabled:
            return
        for member in Member.objects.filter(seat__game=self.game).order_by("pk"):
            self.mapping.setdefault(member.name, self._pseudonym("P", f"member:{member.pk}"))
        user = self.game.facilitator
        self.mapping.setdefault(user.get_username(), self._pseudonym("F", f"user:{user.pk}"))
        names = sorted((n for n in self.mapping if len(n) >= 2), key=len, reverse=True)
        if names:
            self.pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(n) for n in names) + r")(?!\w)")

    def _pseudonym(self, prefix: str, who: str) -> str:
        digest = hmac.new(settings.SECRET_KEY.encode(), f"{self.game.pk}:{who}".encode(), hashlib.sha256)
        return f"{prefix}-{digest.hexdigest()[:8]}"

    def text(self, value: str) -> str:
        if not self.enabled or not value:
            return value
        if value in self.mapping:
            return self.mapping[value]
        return self.pattern.sub(lambda m: self.mapping[m.group(1)], value) if self.pattern else value

    def deep(self, value: Any) -> Any:
        if not self.enabled:
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.deep(v) for v in value]
        if isinstance(value, dict):
            return {k: self.deep(v) for k, v in value.items()}
        return value


# --- Building the tables -------------------------------------------------------------------------


def _time(value: Any) -> str:
    return value.isoformat() if value else ""


def _audience(audience: Any) -> str:
    if audience is None:
        return "public"
    return ";".join("facilitator" if a == game_engine.FACILITATOR else str(a) for a in audience)


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _event_states(event: GameEvent, ids: set[str], authors: dict[int, str]) -> list[str]:
    data = event.data if isinstance(event.data, dict) else {}
    found = {a for a in (event.audience or []) if a in ids}
    if isinstance(data.get("state"), str) and data["state"] in ids:
        found.add(data["state"])
    actor_state = event.actor.removeprefix("player:")
    if actor_state in ids:
        found.add(actor_state)
    if event.seq in authors:
        found.add(authors[event.seq])
    return sorted(found)


@dataclass(slots=True)
class ExportBundle:
    game: dict[str, Any]
    tables: dict[str, list[dict[str, Any]]]
    turns: list[dict[str, Any]]
    seats: list[dict[str, Any]]
    injects: list[dict[str, Any]]
    pseudonymized: bool


def build_export(game: Game, *, pseudonymize: bool = False) -> ExportBundle:
    """Everything recorded about the game, as plain data. Always in English, whatever the
    reviewer's interface language: the export is a research format (docs/export-format.md)."""
    with translation.override("en"):
        return _build_export(game, pseudonymize=pseudonymize)


def _build_export(game: Game, *, pseudonymize: bool) -> ExportBundle:
    names = Names(game, pseudonymize)
    marks = turn_marks(game)
    state_ids = set(state_names(game))
    readable = state_names(game)
    messages = list(Message.objects.filter(game=game).select_related("author_seat").order_by("seq"))
    authors = {m.seq: m.author_seat.state_id for m in messages if m.author_seat is not None}
    events = list(GameEvent.objects.filter(game=game).order_by("seq"))
    audiences = {e.seq: e.audience for e in events}
    titles = proposal_titles(GameEvent.objects.filter(game=game))

    event_rows = []
    proposal_rows = []
    order_rows = []
    for e in events:
        data = e.data if isinstance(e.data, dict) else {}
        turn = marks.turn_of(e.seq)
        shown = names.deep(data)
        row = {
            "seq": e.seq, "turn": turn, "created_at": _time(e.created_at), "kind": e.kind,
            "actor": names.text(e.actor), "audience": _audience(e.audience),
            "states": ";".join(_event_states(e, state_ids, authors)), "channel": str(data.get("channel") or ""),
            "summary": names.text(summarize(e.kind, data, readable, None, e.actor, titles)), "data": shown,
        }
        event_rows.append(row)
        if e.kind.startswith(PROPOSAL_PREFIXES):
            proposal_rows.append(_proposal_row(row, data, "log"))
        if e.kind == "orders.revised":
            order_rows.extend(_revision_rows(e, data, turn))

    message_rows = [{
        "seq": m.seq, "turn": marks.turn_of(m.seq), "created_at": _time(m.created_at), "channel": m.channel,
        "author_state": m.author_seat.state_id if m.author_seat else "", "author": names.text(m.author_label),
        "audience": _audience(audiences.get(m.seq)), "length": len(m.body), "body": names.text(m.body),
    } for m in messages]

    records = list(TurnRecord.objects.filter(game=game).order_by("turn"))
    revisions = {(s.seat.state_id, s.turn): s.revision
                 for s in OrderSubmission.objects.filter(game=game).select_related("seat")}
    score_rows = []
    for record in records:
        for sid, raws in record.orders.items():
            for index, raw in enumerate(raws):
                order_rows.append(_order_row("resolved", record.turn, sid, revisions.get((sid, record.turn), 0), None,
                                             _time(record.resolved_at), index, raw))
        for e in record.events:
            if e.get("kind") in ("treaty_in_force", "treaty_renewed", "treaty_withdrawal", "treaty_expired",
                                 "withdrawal_notice"):
                data = e.get("data") or {}
                proposal_rows.append(_proposal_row({
                    "seq": "", "turn": record.turn, "created_at": _time(record.resolved_at),
                    "kind": f"engine.{e['kind']}", "actor": "engine", "summary": e.get("text", ""), "data": e,
                }, data if isinstance(data, dict) else {}, "engine"))
        score_rows.extend(_score_rows(record))
    order_rows.sort(key=lambda r: (r["turn"], r["state"], r["source"] != "revision", r["revision"], r["index"]))

    final_state = game_engine.state_from_json(game.state)
    finals = game_engine.final_scores(final_state)
    final_rows = []
    for sid in final_state.state_ids:
        vps = list(final_state.nations[sid].vp_history)
        final_rows.append({
            "state": sid, "state_name": final_state.name_of(sid), "score": finals.get(sid),
            "vp_mean": sum(vps) / len(vps) if vps else None, "turns_scored": len(vps),
            "game_over_reason": final_state.game_over_reason,
        })

    seats = [{
        "state": s.state_id, "state_name": readable.get(s.state_id, s.state_id), "bot_policy": s.bot_policy,
        "members": [{"name": names.text(m.name), "captain": m.is_captain, "joined_at": _time(m.joined_at),
                     "removed_at": _time(m.removed_at)} for m in s.members.all().order_by("joined_at")],
    } for s in game.seats.prefetch_related("members").order_by("state_id")]
    injects = [{
        "seq": i.seq, "turn": i.turn, "title": i.title, "text": i.text, "audience": i.audience,
        "effect": i.effect, "source": names.text(i.source), "created_at": _time(i.created_at),
    } for i in Inject.objects.filter(game=game).order_by("seq")]
    finished = game.phase == Phase.FINISHED
    students, prompts = participation.report(game)
    meta = {
        "code": game.code, "title": game.title, "scenario": game.scenario_slug, "mode": game.mode,
        "phase": game.phase, "turn": game.turn, "facilitator": names.text(game.facilitator.get_username()),
        "seed_commit": game.seed_commit, "seed": game.seed if finished else None,
        "created_at": _time(game.created_at), "started_at": _time(game.started_at),
        "finished_at": _time(game.finished_at), "missed_orders": game.missed_orders,
        "states": [{"id": sid, "name": name} for sid, name in readable.items()],
    }
    turns = [{
        "turn": r.turn, "seed": r.seed if finished else None, "resolved_by": names.text(r.resolved_by),
        "resolved_at": _time(r.resolved_at), "orders": r.orders,
        "state_before": r.state_before if finished else None, "state_after": r.state_after if finished else None,
        "events": r.events, "public_report": r.public_report, "private_reports": r.private_reports,
        "explanation": r.explanation, "audit": r.audit,
    } for r in records]
    return ExportBundle(
        game=meta,
        tables={"events": event_rows, "messages": message_rows, "proposals": proposal_rows, "orders": order_rows,
                "scores": score_rows, "final_scores": final_rows,
                "participation": participation.gradebook_rows(students, prompts, names.text),
                "reflections": [{
                    "student": names.text(row.name), "state": row.state_id, "turn": p.turn, "question": p.question,
                    "answer": names.text(a.body), "answered_at": _time(a.updated_at),
                } for row in students for p, a in row.reflections]},
        turns=turns, seats=seats, injects=injects, pseudonymized=pseudonymize,
    )


def _proposal_row(row: dict[str, Any], data: dict[str, Any], source: str) -> dict[str, Any]:
    def pick(*keys: str) -> str:
        for key in keys:
            value = data.get(key)
            if value not in (None, ""):
                return str(value)
        return ""
    parties = data.get("parties")
    return {
        "seq": row["seq"], "turn": row["turn"], "created_at": row["created_at"], "source": source,
        "kind": row["kind"], "actor": row["actor"], "proposal": pick("proposal", "proposal_id"),
        "version": pick("version", "revision"), "treaty": pick("treaty", "treaty_id"),
        "parties": ";".join(str(p) for p in parties) if isinstance(parties, list) else "",
        "terms_hash": pick("terms_hash", "hash"), "text": row["summary"], "data": row["data"],
    }


def _order_row(source: str, turn: int, sid: str, revision: int, seq: int | None, when: str, index: int,
               raw: dict[str, Any] | None) -> dict[str, Any]:
    params = {k: v for k, v in (raw or {}).items() if k != "type"}
    return {
        "source": source, "turn": turn, "state": sid, "revision": revision, "seq": seq, "created_at": when,
        "index": index, "type": str((raw or {}).get("type", "")), "description": describe_order(raw) if raw else "",
        "params": params,
    }


def _revision_rows(event: GameEvent, data: dict[str, Any], turn: int) -> list[dict[str, Any]]:
    sid = event.actor.removeprefix("player:") if event.actor.startswith("player:") else str(data.get("state", ""))
    if not sid and event.audience:
        sid = str(event.audience[0])
    orders = [o for o in data.get("orders") or [] if isinstance(o, dict)]
    raw_turn = data.get("turn")
    order_turn = raw_turn if isinstance(raw_turn, int) else turn
    revision = int(data.get("revision") or 0)
    when = _time(event.created_at)
    if not orders:
        return [_order_row("revision", order_turn, sid, revision, event.seq, when, -1, None)]
    return [_order_row("revision", order_turn, sid, revision, event.seq, when, i, o) for i, o in enumerate(orders)]


def _score_rows(record: TurnRecord) -> list[dict[str, Any]]:
    state = record.state_after
    names = {s["id"]: s.get("name", s["id"]) for s in state.get("scenario", {}).get("states", [])}
    nations = {n["id"]: n for n in state.get("nations", [])}
    pairs = state.get("pairs", [])
    owned: dict[str, int] = {}
    for site in state.get("sites", []):
        owned[site.get("owner", "")] = owned.get(site.get("owner", ""), 0) + sum(site.get("interceptors", {}).values())
    treaties = [t for t in state.get("treaties", []) if t.get("status") != "draft"]
    rows = []
    for sid, nation in nations.items():
        vps = nation.get("vp_history") or []
        cs = [t["cs"][sid] for t in treaties if sid in t.get("parties", []) and sid in t.get("cs", {})]
        given = [p["alpha"] / (p["alpha"] + p["beta"]) for p in pairs if p["src"] == sid]
        received = [p["alpha"] / (p["alpha"] + p["beta"]) for p in pairs if p["dst"] == sid]
        rows.append({
            "turn": record.turn, "state": sid, "state_name": names.get(sid, sid),
            "vp": _number(vps[-1]) if vps else None, "vp_mean": sum(vps) / len(vps) if vps else None,
            "security": _number(nation.get("sec")), "security_public": _number(nation.get("sec_pub")),
            "compliance": sum(cs) / len(cs) if cs else None, "budget": nation.get("budget"),
            "domestic_support": _number(nation.get("ds")),
            "missiles_true": sum(nation.get("missiles", {}).values()),
            "missiles_public": sum(nation.get("public_ledger", {}).values()),
            "interceptors": sum(nation.get("store", {}).values()) + owned.get(sid, 0),
            "trust_given_mean": round(sum(given) / len(given), 6) if given else None,
            "reputation": round(sum(received) / len(received), 6) if received else None,
            "rsi_public": _number(state.get("rsi_pub")), "rsi_true": _number(state.get("rsi_true")),
        })
    return rows


# --- Writing -------------------------------------------------------------------------------------


def table_csv(name: str, rows: Iterable[dict[str, Any]]) -> str:
    columns = [c.name for c in TABLES[name][1]]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([csv_cell(row.get(c)) for c in columns])
    return out.getvalue()


def codebook_csv() -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["table", "column", "type", "description"])
    for table, (_, columns) in TABLES.items():
        for column in columns:
            writer.writerow([table, column.name, column.type, column.description])
    return out.getvalue()


def codebook_json() -> dict[str, Any]:
    return {table: {"description": text, "columns": [{"name": c.name, "type": c.type, "description": c.description}
                                                     for c in columns]}
            for table, (text, columns) in TABLES.items()}


def export_json(bundle: ExportBundle) -> dict[str, Any]:
    return {
        "format": FORMAT_NAME, "version": FORMAT_VERSION, "exported_at": timezone.now().isoformat(),
        "pseudonymized": bundle.pseudonymized, "game": bundle.game, "seats": bundle.seats,
        "injects": bundle.injects, **bundle.tables, "turns": bundle.turns, "codebook": codebook_json(),
    }


def readme_text(bundle: ExportBundle) -> str:
    pseudo = "Names of people are replaced with stable pseudonyms." if bundle.pseudonymized else \
        "Names of people are included (export with pseudonyms for research sharing)."
    return (f"Treatycraft export of game {bundle.game['code']} ({bundle.game['title']}), format {FORMAT_NAME} "
            f"version {FORMAT_VERSION}.\n{pseudo}\nEvery column is described in codebook.csv. Cells starting with "
            "=, +, -, @ are prefixed with an apostrophe so spreadsheets show them as text.\n")


def csv_files(bundle: ExportBundle) -> dict[str, str]:
    files = {f"{name}.csv": table_csv(name, rows) for name, rows in bundle.tables.items()}
    files["codebook.csv"] = codebook_csv()
    files["README.txt"] = readme_text(bundle)
    return files


def json_text(bundle: ExportBundle) -> str:
    return json.dumps(export_json(bundle), ensure_ascii=False, indent=1, default=str)


def write_export(bundle: ExportBundle, out_dir: Path, fmt: str) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    if fmt == "json":
        path = out_dir / f"game-{bundle.game['code']}.json"
        path.write_text(json_text(bundle), encoding="utf-8")
        return [path]
    written = []
    for name, text in csv_files(bundle).items():
        path = out_dir / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def csv_zip(bundle: ExportBundle) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in csv_files(bundle).items():
            archive.writestr(f"game-{bundle.game['code']}/{name}", text)
    return buffer.getvalue()
