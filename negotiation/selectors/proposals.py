"""Proposals and treaties as the viewer may see them, and the “what if we sign?” projection."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django.utils.translation import gettext

import game_engine
from game_engine.negotiator.types import CBM_ORDER
from negotiation import bot_speech, engine_views, proposalforms
from negotiation.models import Game, OrderSubmission, Phase, Proposal, ProposalVersion
from negotiation.selectors.common import explained, proposal_rows, state_names
from negotiation.viewer import Role, Viewer

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


def _title(p: Proposal, names: dict[str, str]) -> str:
    """The proposal's title in the reader's language where the server composed it (a bot's)."""
    words = p.title_words
    if words:
        return proposalforms.composed_title(str(words.get("kind", "")), str(words.get("template", "")),
                                            [str(s) for s in words.get("parties", [])], names)
    return p.title


def _said(version: ProposalVersion, field: str) -> str:
    """A version's text or note, in the reader's language where a bot wrote it."""
    intent = (version.words or {}).get(field)
    return bot_speech.say(intent) if intent else str(getattr(version, field))


def proposals_for(game: Game, viewer: Viewer) -> list[ProposalRow]:
    """Proposals the viewer is party to (all of them for the facilitator), newest first."""
    names = state_names(game)
    rows = []
    engine_state = engine_views.state(game)
    for bundle in proposal_rows(game):
        p = bundle.proposal
        if viewer.role is Role.PLAYER and viewer.state_id not in p.parties:
            continue
        if viewer.role is Role.OBSERVER:
            continue
        versions = {v.version: v for v in bundle.versions}
        current = versions[p.version]
        previous = versions.get(p.version - 1)
        # Treaties show the terms that will bind, the type's defaults included.
        terms = {v.version: (proposalforms.binding_terms(engine_state, v.template, p.parties, v.clauses)
                             if p.kind == "treaty" and v.template else dict(v.clauses))
                 for v in (current, previous) if v is not None}
        signed = sorted(s.state_id for s in bundle.signatures if s.version == p.version)
        is_party_captain = viewer.role is Role.PLAYER and viewer.is_captain
        is_open = p.status == Proposal.Status.OPEN
        rows.append(ProposalRow(
            number=p.number, kind=p.kind, title=_title(p, names), status=p.status, status_label=p.get_status_display(),
            version=p.version, author=names.get(p.author, p.author),
            parties=", ".join(names.get(s, s) for s in p.parties), party_ids=tuple(p.parties),
            lines=proposalforms.clause_lines(current.template, terms[current.version], names),
            text=_said(current, "text"), template=current.template, clauses=terms[current.version],
            diff=(proposalforms.diff_lines(terms[previous.version], terms[current.version], _said(previous, "text"),
                                           _said(current, "text"), names,
                                           hosting=p.kind == "hosting", cbm=p.kind == "cbm")
                  if previous else []),
            signed=[names.get(s, s) for s in signed],
            missing=[names.get(s, s) for s in p.parties if s not in signed],
            signed_by_me=viewer.state_id in signed,
            can_sign=is_party_captain and is_open and game.phase in (Phase.NEGOTIATION, Phase.ORDERS),
            can_amend=viewer.role is Role.PLAYER and is_open,
            can_withdraw=viewer.role is Role.PLAYER and is_open and p.author == viewer.state_id,
            comments=[(c.author, c.body) for c in bundle.comments][-10:],
            history=[_history_line(v, names) for v in sorted(versions.values(), key=lambda v: v.version)],
        ))
    return rows


def _history_line(version: ProposalVersion, names: dict[str, str]) -> str:
    author = names.get(version.author, version.author)
    note = _said(version, "note")
    if note:
        return gettext("v%(version)s by %(author)s: %(note)s") % {"version": version.version, "author": author,
                                                                  "note": note}
    return gettext("v%(version)s by %(author)s") % {"version": version.version, "author": author}


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
    elif proposal.kind == "cbm":  # both parties' AGREE orders, as the signatures stand for
        for state_id in proposal.parties:
            extra.setdefault(state_id, []).extend(
                {"type": CBM_ORDER[k], "with": w} for w in proposal.parties if w != state_id
                for k in version.clauses.get("measures") or [] if k in CBM_ORDER)
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
        "why": [e["text"] for e in explained(engine_views.texts_for(state.scenario), with_it.get("explanation", []))
                if abs(float(e.get("delta", 0))) >= 0.05][:6],
    }


def proposal_notes(game: Game, viewer: Viewer) -> dict[int, dict[str, Any]]:
    """The note its author wrote on each visible proposal's current version (an amendment's "why"),
    by proposal number: every party reads it on the card, not only in the history."""
    names = state_names(game)
    notes: dict[int, dict[str, Any]] = {}
    for bundle in proposal_rows(game):
        p = bundle.proposal
        if viewer.role is Role.OBSERVER or (viewer.role is Role.PLAYER and viewer.state_id not in p.parties):
            continue
        current = next((v for v in bundle.versions if v.version == p.version), None)
        if current is not None and current.note and p.version > 1:
            notes[p.number] = {"author": names.get(current.author, current.author), "version": p.version,
                               "note": _said(current, "note")}
    return notes
