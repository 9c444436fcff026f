"""Violation records shared by the phases that find breaches (forces, accounting, verification,
compliance): recording, publishing and describing a violation.
"""

from __future__ import annotations

from game_engine.catalogue import CATALOGUE
from game_engine.messages import Message, msg
from game_engine.pipeline.context import Ctx
from game_engine.state import (
    Violation,
    builder,
)

_new_violation = builder(Violation)
"""``Violation(...)``, cheaper (accounting records one per breach in every bot projection)."""


def record_violation(
    ctx: Ctx,
    sid: str,
    treaty: str,
    kind: str,
    clause: str,
    magnitude: float,
    severity: float,
    *,
    covert: bool,
    public: bool,
) -> Violation:
    """Record a breach (B2.7). Public ones are charged as newly public at once."""
    vid = ctx.new_id("violation", "V")
    hidden = covert and ctx.n[sid].conceal >= ctx.p.covert_hidden_conceal
    v = _new_violation(
        id=vid,
        state=sid,
        treaty=treaty,
        clause=clause,
        kind=kind,
        magnitude=magnitude,
        severity=severity,
        first_turn=ctx.turn,
        last_turn=ctx.turn,
        ongoing=False,
        covert=covert,
        hidden_site=hidden,
        published=public,
        public_weight=1.0 if public else 0.0,
    )
    ctx.violations[vid] = v
    key = (sid, treaty)
    ctx.new_true[key] = ctx.new_true.get(key, 0.0) + severity
    ctx.pinc_true["violation"] = ctx.pinc_true.get("violation", 0.0) + 1
    if public:
        made_public(ctx, v, 1.0)
    return v


def made_public(ctx: Ctx, v: Violation, weight: float, redetected: bool = False) -> None:
    """A violation became public (inspection report or publication): CS, trust, incidents."""
    p = ctx.p
    key = (v.state, v.treaty)
    if redetected:
        ctx.redetected[key] = ctx.redetected.get(key, 0.0) + v.severity * weight
        return
    ctx.new_public[key] = ctx.new_public.get(key, 0.0) + v.severity * weight
    ctx.pinc["violation"] = ctx.pinc.get("violation", 0.0) + weight
    ctx.shamed[v.state] = ctx.shamed.get(v.state, 0.0) + weight
    penalty = p.trust_unnotified_test if v.kind == "test" else p.trust_violation
    for k in ctx.ids:
        if k != v.state:
            ctx.trust(k, v.state, db=penalty * weight)
            ctx.incident(k, v.state, p.inc_public_violation * weight)
    tname = ctx.treaties[v.treaty].name if v.treaty in ctx.treaties else v.treaty
    if v.treaty not in ctx.treaties and v.treaty.startswith("AGR-NOTIFICATION-"):
        said = msg("event.violation_public_notification", describe(v), s=v.state)
    elif tname:
        said = msg("event.violation_public", describe(v), s=v.state, t=tname)
    else:
        said = msg("event.violation_public_agreement", describe(v), s=v.state)
    ctx.emit(
        "violation_public",
        None,
        said,
        state=v.state,
        treaty=v.treaty,
        kind=v.kind,
        weight=round(weight, 6),
    )


def describe(v: Violation) -> Message:
    """What a violation was, as a message (quoted in the public finding)."""
    if v.kind == "cap":
        if v.clause == "weighted":
            return msg("violation.cap_weighted", x=f"{v.magnitude:g}")
        return msg("violation.cap", cls=v.clause, x=f"{v.magnitude:g}")
    if v.kind == "defense":
        if v.clause.startswith("site:"):
            return msg("violation.defense_site", site=v.clause.removeprefix("site:"))
        if f"word.dclause.{v.clause}" in CATALOGUE:
            return msg("violation.defense", w=f"word.dclause.{v.clause}")
        return msg("violation.other", raw=v.clause)
    if v.kind in ("test", "export", "misdeclare", "program", "withdrawal"):
        return msg(f"violation.{v.kind}")
    return msg("violation.other", raw=v.kind)


def open_violations(ctx: Ctx) -> list[Violation]:
    win = ctx.p.event_violation_window
    return [
        v
        for v in ctx.violations.values()
        if v.ongoing or (ctx.turn - v.first_turn < win and not v.published)
    ]
