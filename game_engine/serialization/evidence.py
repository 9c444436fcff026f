"""JSON codecs of a :class:`~game_engine.state.Violation` and of an
:class:`~game_engine.state.Evidence` item."""

from __future__ import annotations

from game_engine.jsontypes import JSONDict
from game_engine.serialization.reader import Fields
from game_engine.state import (
    Evidence,
    Violation,
)


def violation_to_json(v: Violation) -> JSONDict:
    return {
        "id": v.id,
        "state": v.state,
        "treaty": v.treaty,
        "clause": v.clause,
        "kind": v.kind,
        "magnitude": v.magnitude,
        "severity": v.severity,
        "first_turn": v.first_turn,
        "last_turn": v.last_turn,
        "ongoing": v.ongoing,
        "covert": v.covert,
        "hidden_site": v.hidden_site,
        "detected_by": list(v.detected_by),
        "published": v.published,
        "public_weight": v.public_weight,
        "audit_weight": v.audit_weight,
    }


def evidence_to_json(e: Evidence, *, with_truth: bool = True) -> JSONDict:
    """JSON of an evidence item; ``with_truth=False`` drops what the holder cannot know."""
    out: JSONDict = {
        "id": e.id,
        "holder": e.holder,
        "target": e.target,
        "treaty": e.treaty,
        "kind": e.kind,
        "channel": e.channel,
        "magnitude": e.magnitude,
        "quality": e.quality,
        "p_channel": e.p_channel,
        "alpha_channel": e.alpha_channel,
        "turn": e.turn,
        "weight": e.weight,
        "published": e.published,
        "published_turn": e.published_turn,
        "refuted": e.refuted,
        "shared_from": e.shared_from,
    }
    if with_truth:
        out["is_true"] = e.is_true
        out["violation"] = e.violation
    return out


def violation_from_json(r: Fields) -> Violation:
    return Violation(
        id=r.s("id"),
        state=r.s("state"),
        treaty=r.s("treaty"),
        clause=r.s("clause"),
        kind=r.s("kind"),
        magnitude=r.f("magnitude"),
        severity=r.f("severity"),
        first_turn=r.i("first_turn"),
        last_turn=r.i("last_turn"),
        ongoing=r.b("ongoing"),
        covert=r.b("covert"),
        hidden_site=r.b("hidden_site"),
        detected_by=r.strs("detected_by"),
        published=r.b("published"),
        public_weight=r.f("public_weight"),
        audit_weight=r.f("audit_weight"),
    )


def evidence_from_json(r: Fields) -> Evidence:
    return Evidence(
        id=r.s("id"),
        holder=r.s("holder"),
        target=r.s("target"),
        treaty=r.s("treaty"),
        kind=r.s("kind"),
        channel=r.s("channel"),
        magnitude=r.f("magnitude"),
        quality=r.f("quality"),
        p_channel=r.f("p_channel"),
        alpha_channel=r.f("alpha_channel"),
        is_true=r.b("is_true"),
        violation=r.s("violation"),
        turn=r.i("turn"),
        weight=r.f("weight"),
        published=r.b("published"),
        published_turn=r.i("published_turn"),
        refuted=r.b("refuted"),
        shared_from=r.s("shared_from"),
    )

