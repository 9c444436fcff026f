"""What each student did, for the teacher's grading: messages by channel kind, proposals tabled,
amended and signed, orders given, readiness before deadlines, and reflections. Per student (a
member), not only per state. Read from the database's own records (messages, the log, answers)."""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from negotiation.models import (
    Game,
    GameEvent,
    Member,
    Message,
    ReflectionAnswer,
    ReflectionPrompt,
)
from negotiation.review.common import csv_cell
from negotiation.scenarios import state_infos

CHANNEL_KINDS = ("plenary", "bilateral", "coalition", "team", "facline")
CHANNEL_PREFIX = {"bi": "bilateral", "co": "coalition", "team": "team", "fac": "facline"}


def channel_kind(key: str) -> str:
    if key in ("plenary", "broadcast"):
        return key
    return CHANNEL_PREFIX.get(key.partition(":")[0], "other")


@dataclass(slots=True)
class StudentRow:
    member_id: int
    name: str
    state_id: str
    state_name: str
    captain: bool
    removed: bool
    messages: Counter[str] = field(default_factory=Counter)
    tabled: int = 0
    amended: int = 0
    signed: int = 0
    order_revisions: int = 0
    turns_with_orders: set[int] = field(default_factory=set)
    ready: int = 0
    ready_before_deadline: int = 0
    reflections: list[tuple[ReflectionPrompt, ReflectionAnswer]] = field(default_factory=list)

    @property
    def messages_total(self) -> int:
        return sum(self.messages.values())

    def message_count(self, kind: str) -> int:
        return self.messages.get(kind, 0)

    @property
    def message_cells(self) -> list[int]:
        return [self.messages.get(kind, 0) for kind in CHANNEL_KINDS]


def report(game: Game) -> tuple[list[StudentRow], list[ReflectionPrompt]]:
    """One row per student who joined the game (removed ones included, marked), in state order."""
    infos = state_infos(game.scenario_slug)
    members = list(Member.objects.filter(seat__game=game).select_related("seat").order_by("seat__state_id", "pk"))
    rows = {m.pk: StudentRow(member_id=m.pk, name=m.name, state_id=m.seat.state_id,
                             state_name=infos[m.seat.state_id].name if m.seat.state_id in infos else m.seat.state_id,
                             captain=m.is_captain, removed=m.removed_at is not None) for m in members}
    for member_id, key in Message.objects.filter(game=game, author_member__isnull=False).values_list(
            "author_member_id", "channel"):
        if member_id in rows:
            rows[member_id].messages[channel_kind(key)] += 1
    counted: dict[str, str] = {"proposal.tabled": "tabled", "proposal.amended": "amended", "proposal.signed": "signed"}
    for kind, data in GameEvent.objects.filter(game=game, kind__in=[*counted, "orders.revised", "seat.ready"]) \
            .values_list("kind", "data"):
        if not isinstance(data, dict) or data.get("member") not in rows:
            continue
        row = rows[data["member"]]
        if kind in counted:
            setattr(row, counted[kind], getattr(row, counted[kind]) + 1)
        elif kind == "orders.revised":
            row.order_revisions += 1
            if isinstance(data.get("turn"), int):
                row.turns_with_orders.add(data["turn"])
        elif kind == "seat.ready":
            row.ready += 1
            left = data.get("seconds_left")
            if left is None or (isinstance(left, int | float) and left > 0):
                row.ready_before_deadline += 1
    prompts = list(ReflectionPrompt.objects.filter(game=game).order_by("turn", "created_at", "pk"))
    answers: dict[int, dict[int, ReflectionAnswer]] = defaultdict(dict)
    for answer in ReflectionAnswer.objects.filter(prompt__game=game):
        answers[answer.member_id][answer.prompt_id] = answer
    for row in rows.values():
        row.reflections = [(p, answers[row.member_id][p.pk]) for p in prompts if p.pk in answers[row.member_id]]
    return list(rows.values()), prompts


GRADEBOOK_COLUMNS = (
    "student", "state", "captain", "removed", *(f"messages_{k}" for k in CHANNEL_KINDS), "messages_total",
    "proposals_tabled", "proposals_amended", "proposals_signed", "order_revisions", "turns_with_orders",
    "ready_marks", "ready_before_deadline", "reflections_answered", "reflections_asked",
)


def gradebook_rows(rows: list[StudentRow], prompts: list[ReflectionPrompt],
                   name: Any = lambda n: n) -> list[dict[str, Any]]:
    """The report as flat rows (`name` maps a student's name, e.g. to a pseudonym)."""
    return [{
        "student": name(r.name), "state": r.state_id, "captain": r.captain, "removed": r.removed,
        **{f"messages_{k}": r.messages.get(k, 0) for k in CHANNEL_KINDS}, "messages_total": r.messages_total,
        "proposals_tabled": r.tabled, "proposals_amended": r.amended, "proposals_signed": r.signed,
        "order_revisions": r.order_revisions, "turns_with_orders": len(r.turns_with_orders),
        "ready_marks": r.ready, "ready_before_deadline": r.ready_before_deadline,
        "reflections_answered": len(r.reflections), "reflections_asked": len(prompts),
    } for r in rows]


def prompt_label(prompt: ReflectionPrompt) -> str:
    when = "debrief" if prompt.turn is None else f"turn {prompt.turn}"
    return f"reflection ({when}) #{prompt.pk}: {prompt.question}"


def gradebook_csv(game: Game) -> str:
    rows, prompts = report(game)
    out = io.StringIO()
    questions = {p.pk: prompt_label(p) for p in prompts}
    writer = csv.DictWriter(out, fieldnames=[*GRADEBOOK_COLUMNS, *questions.values()], lineterminator="\r\n")
    writer.writeheader()
    for row, flat in zip(rows, gradebook_rows(rows, prompts), strict=True):
        answered = {p.pk: a.body for p, a in row.reflections}
        writer.writerow({k: csv_cell(v) for k, v in flat.items()}
                        | {questions[p.pk]: csv_cell(answered.get(p.pk, "")) for p in prompts})
    return out.getvalue()

