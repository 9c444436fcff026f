"""Clauses of proposals: the fields a player fills in, parsing them for the engine, and plain
words for showing and comparing versions. Three kinds: treaties (the engine's treaty templates),
host-nation agreements, and packages of confidence-building measures (the engine's pairwise
agreements: hotline, launch notification, data exchange)."""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

import game_engine
from game_engine.negotiator import CBM, CBM_KINDS
from negotiation.models import ProposalKind

TEMPLATES: dict[str, tuple[str | Promise, str | Promise]] = {
    "OFFENSE_CAP": (_("Offense cap (START-like)"), _("Caps on missiles per class or on the weighted total.")),
    "CLASS_BAN": (_("Class ban (INF-like)"), _("Zero missiles of the listed classes.")),
    "DEFENSE_LIMIT": (_("Defense limit (ABM-like)"), _("Caps on interceptors and sites; optional basing and radar rules.")),
    "EXPORT_CONTROL": (_("Export control (MTCR-like)"), _("No exports of missiles or production technology.")),
    "NONPROLIFERATION": (_("Non-proliferation (NPT-like)"), _("Non-nuclear parties stay non-nuclear, under safeguards.")),
}

INT_TERMS: dict[str, str | Promise] = {
    "max_interceptors": _("Interceptors, total at most"),
    "max_per_site": _("Interceptors per site at most"),
    "max_sites": _("Defense sites at most"),
    "inspection_quota": _("Routine inspection visits per turn"),
    "grace_turns": _("Turns before obligations start"),
    "notice_turns": _("Withdrawal notice (turns)"),
    "expires_turn": _("Expires after turn"),
}
BOOL_TERMS: dict[str, str | Promise] = {
    "data_exchange": _("Exchange force data every turn"),
    "notification": _("Notify missile tests in advance"),
    "challenge": _("Challenge inspections allowed"),
    "no_foreign_basing": _("No defense sites on foreign soil"),
    "terminal_only": _("Radars in terminal mode only"),
    "members_only": _("Exports allowed between members"),
}
HOSTING_INT: dict[str, str | Promise] = {
    "max_interceptors": _("Interceptors at the site, at most"),
    "max_radar_level": _("Radar level at most (0-4)"),
    "compensation": _("Compensation to the host per turn"),
    "notice_turns": _("Notice before the host may revoke (turns)"),
}
HOSTING_BOOL: dict[str, str | Promise] = {
    "forward_allowed": _("Forward radar mode allowed"),
    "sensor_sharing_allowed": _("Sensor sharing with allies allowed"),
}
CBM_MEASURES: dict[str, str | Promise] = {
    "HOTLINE": _("Hotline"),
    "NOTIFICATION": _("Launch notification (missile tests notified in advance)"),
    "DATA_EXCHANGE": _("Data exchange (force data every turn)"),
}
"""The measures a CBM package may hold, in the engine's order (each becomes AGREE_* orders)."""
assert tuple(CBM_MEASURES) == CBM_KINDS
CBM_LABELS: dict[str, str | Promise] = {"measures": _("Measures")}
LABELS: dict[str, str | Promise] = {
    "caps": _("Missile caps"), "classes": _("Banned classes"), "weighted_cap": _("Weighted total cap"),
    **INT_TERMS, **BOOL_TERMS, "name": _("Name"),
    # A scenario's treaty may carry it (the renewal a proposal with the same terms brings); no form sets it.
    "renew_turns": _("Turns each renewal adds"),
}
HOSTING_LABELS: dict[str, str | Promise] = {
    "owner": _("Site owner"), "host": _("Host state"), "site": _("Site"), **HOSTING_INT, **HOSTING_BOOL,
}


def _int(value: object) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None


def treaty_clauses(post: Mapping[str, Any], classes: list[str], getlist: Any) -> dict[str, Any]:
    """Engine terms from a treaty form (blank fields are left out; the engine validates the rest)."""
    terms: dict[str, Any] = {}
    caps = {c: n for c in classes if (n := _int(post.get(f"cap__{c}", ""))) is not None and str(post.get(f"cap__{c}", "")).strip()}
    if caps:
        terms["caps"] = caps
    banned = [c for c in classes if c in getlist("classes")]
    if banned:
        terms["classes"] = banned
    if str(post.get("weighted_cap", "")).strip() and (w := _int(post.get("weighted_cap"))) is not None:
        terms["weighted_cap"] = w
    for key in INT_TERMS:
        raw = str(post.get(key, "")).strip()
        if raw:
            value = _int(raw)
            if value is None:
                raise ValueError(f"{INT_TERMS[key]} must be a whole number of at least 0.")
            terms[key] = value
    # Every box is a term, ticked or not: an unticked box must not leave the type's default (for an
    # offense cap: challenge inspections, data exchange, test notification) silently in force.
    for key in BOOL_TERMS:
        terms[key] = post.get(key) == "on"
    return terms


def binding_terms(state: game_engine.GameState, template: str, parties: Sequence[str],
                  clauses: Mapping[str, Any]) -> dict[str, Any]:
    """The terms that will bind the parties: the clauses as tabled with the engine's defaults for
    the type filled in (grace turn, notice, routine visits; for proposals tabled before every box
    was explicit, the verification measures too). Shown on the card, compared in the diff and
    prefilled in the amend form, so no term binds unseen."""
    try:
        drafted, treaty_id, _hash = game_engine.add_treaty_draft(state, template, list(parties), dict(clauses))
    except game_engine.RuleViolation:
        return dict(clauses)
    treaty = next((t for t in drafted.treaties if t.id == treaty_id), None)
    return dict(clauses) if treaty is None else {k: v for k, v in treaty.terms.items() if k != "name"} | (
        {"name": clauses["name"]} if "name" in clauses else {})


def hosting_clauses(post: Mapping[str, Any]) -> dict[str, Any]:
    clauses: dict[str, Any] = {k: str(post.get(k, "")).strip() for k in ("owner", "host", "site")}
    for key in HOSTING_INT:
        raw = str(post.get(key, "")).strip()
        if raw:
            value = _int(raw)
            if value is None:
                raise ValueError(f"{HOSTING_INT[key]} must be a whole number of at least 0.")
            clauses[key] = value
    for key in HOSTING_BOOL:
        clauses[key] = post.get(key) == "on"
    return clauses


def cbm_clauses(getlist: Any) -> dict[str, Any]:
    """The terms of a CBM package: the ticked measures, in the engine's order."""
    ticked = {str(k) for k in getlist("measures")}
    return {"measures": [k for k in CBM_MEASURES if k in ticked]}


def _value(value: Any, names: Mapping[str, str]) -> str:
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, dict):
        return ", ".join(f"{k} ≤ {v}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(str(CBM_MEASURES.get(str(v), v)) for v in value)
    return names.get(str(value), str(value))


def clause_lines(template: str, clauses: Mapping[str, Any], names: Mapping[str, str]) -> list[str]:
    """Plain-English lines for a treaty (template set), a host-nation agreement (template "") or
    a CBM package (template ``CBM``: one line per measure)."""
    if template == CBM:
        measures = clauses.get("measures")
        return [str(CBM_MEASURES[k]) for k in CBM_MEASURES if isinstance(measures, list) and k in measures]
    labels = LABELS if template else HOSTING_LABELS
    lines = [str(TEMPLATES[template][0])] if template in TEMPLATES else []
    for key, value in clauses.items():
        if key == "name" or (value in (False, None, "", {}, []) and key not in HOSTING_BOOL):
            continue
        lines.append(f"{labels.get(key, key)}: {_value(value, names)}")
    return lines


def diff_lines(old: Mapping[str, Any], new: Mapping[str, Any], old_text: str, new_text: str,
               names: Mapping[str, str], hosting: bool = False, cbm: bool = False) -> list[tuple[str, str]]:
    """What changed between two versions, as (kind, line) with kind in added/removed/changed (a
    CBM package: each measure added or removed)."""
    labels = HOSTING_LABELS if hosting else CBM_LABELS if cbm else LABELS
    out: list[tuple[str, str]] = []
    if cbm:
        was, now = (set(v.get("measures") or []) for v in (old, new))
        out += [("added", str(CBM_MEASURES[k])) for k in CBM_MEASURES if k in now - was]
        out += [("removed", str(CBM_MEASURES[k])) for k in CBM_MEASURES if k in was - now]
        old, new = {k: v for k, v in old.items() if k != "measures"}, {k: v for k, v in new.items() if k != "measures"}
    for key in sorted(set(old) | set(new), key=lambda k: list(labels).index(k) if k in labels else 99):
        label = labels.get(key, key)
        if key not in old:
            out.append(("added", f"{label}: {_value(new[key], names)}"))
        elif key not in new:
            out.append(("removed", f"{label}: {_value(old[key], names)}"))
        elif old[key] != new[key]:
            out.append(("changed", f"{label}: {_value(old[key], names)} → {_value(new[key], names)}"))
    for line in difflib.ndiff(old_text.splitlines(), new_text.splitlines()):
        if line.startswith("+ "):
            out.append(("added", gettext("Text: %(line)s") % {"line": line[2:]}))
        elif line.startswith("- "):
            out.append(("removed", gettext("Text: %(line)s") % {"line": line[2:]}))
    return out


def composed_title(kind: str, template: str, parties: Sequence[str], names: Mapping[str, str]) -> str:
    """The title the server gives a proposal it tables for a bot, in the active language: the kind
    of text, then its parties ("Hotline, launch notification...: Aurel – Borun")."""
    if kind == ProposalKind.TREATY and template in TEMPLATES:
        label = str(TEMPLATES[template][0])
    elif kind in (ProposalKind.HOSTING, ProposalKind.CBM):
        label = str(ProposalKind(kind).label)
    else:
        label = template or str(ProposalKind.TREATY.label)
    return f"{label}: {' – '.join(names.get(p, p) for p in parties)}"[:120]
