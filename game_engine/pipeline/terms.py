"""Treaty-text helpers shared by the pipeline and the deterrence report: typed term accessors,
the canonical terms hash, when obligations start.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence

from game_engine.jsontypes import JSON
from game_engine.params import CLASS_ORDER
from game_engine.state import (
    Treaty,
)

OFFENSE_TEMPLATES = ("OFFENSE_CAP", "CLASS_BAN")


def terms_hash(template: str, parties: Sequence[str], terms: Mapping[str, JSON]) -> str:
    """SHA-256 of the canonical JSON of a treaty text."""
    text = json.dumps(
        {"template": template, "parties": sorted(parties), "terms": dict(terms)},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(text.encode()).hexdigest()


def t_int(t: Treaty, key: str, default: int) -> int:
    """Integer term of a treaty."""
    v = t.terms.get(key, default)
    return v if isinstance(v, int) and not isinstance(v, bool) else default


def t_float(t: Treaty, key: str, default: float) -> float:
    """Numeric term of a treaty."""
    v = t.terms.get(key, default)
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else default


def t_bool(t: Treaty, key: str, default: bool) -> bool:
    """Boolean term of a treaty."""
    v = t.terms.get(key, default)
    return v if isinstance(v, bool) else default


def t_caps(t: Treaty) -> dict[str, int]:
    """Per-class caps of an offense treaty (CLASS_BAN: 0 for each listed class)."""
    out: dict[str, int] = {}
    if t.template == "CLASS_BAN":
        raw = t.terms.get("classes", [])
        if isinstance(raw, list):
            for c in raw:
                if isinstance(c, str) and c in CLASS_ORDER:
                    out[c] = 0
        return out
    raw_caps = t.terms.get("caps", {})
    if isinstance(raw_caps, dict):
        out.update(
            {
                c: v
                for c, v in raw_caps.items()
                if c in CLASS_ORDER and isinstance(v, int) and not isinstance(v, bool)
            }
        )
    return out


def obligations_started(t: Treaty, turn: int) -> bool:
    """Obligations apply from ``entry_turn + grace_turns`` (B4 phase 1c)."""
    if t.status != "in_force" or t.entry_turn is None:
        return False
    return turn >= t.entry_turn + t_int(t, "grace_turns", 0)
