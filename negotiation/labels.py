"""Words for the engine's identifiers, wherever a person reads them (rule 7: words in their
language, never engine codes). Template filters of the same names are in templatetags/labels.py.

Missile classes (SRBM, MRBM, ...) and site names (AUR-1) are the game's own vocabulary, shown as
they are; statuses, interceptor types, order types, bot policies and log details are words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext_lazy as _

import game_engine
from game_engine.catalogue import words

# The engine's closed vocabularies, from its catalogue (game_engine/catalogue.py, extracted by
# makemessages): no list of them is kept here.
TREATY_STATUSES: dict[str, str | Promise] = {k: gettext_lazy(v) for k, v in words("treaty_status").items()}
INTERCEPTOR_TYPES: dict[str, str | Promise] = {k: gettext_lazy(v) for k, v in words("itype").items()}
BOT_POLICIES: dict[str, str | Promise] = {k: gettext_lazy(v) for k, v in words("policy").items()}
# Keys of log details, for the lines a log entry without its own sentence falls back to.
DETAIL_KEYS: dict[str, str | Promise] = {
    "state": _("state"), "states": _("states"), "from": _("from"), "to": _("to"), "host": _("host"),
    "owner": _("owner"), "site": _("site"), "treaty": _("treaty"), "proposal": _("proposal"),
    "version": _("version"), "turn": _("turn"), "phase": _("phase"), "policy": _("policy"),
    "name": _("name"), "channel": _("channel"), "count": _("count"), "orders": _("orders"),
    "status": _("status"), "kind": _("kind"), "reason": _("reason"), "delta": _("change"),
}
# Internal ids a person has no use for (database rows, tokens, hashes).
HIDDEN_DETAILS = {"member", "member_id", "seat", "seat_id", "id", "token", "client_token", "terms_hash", "hash",
                  "user", "user_id", "message", "message_id", "revision"}
_HEX_HASH = re.compile(r"^[0-9a-f]{32,}$")


def _word(table: Mapping[str, str | Promise], code: Any) -> str:
    raw = str(code or "")
    label = table.get(raw) or table.get(raw.upper()) or table.get(raw.lower())
    return str(label) if label is not None else raw.replace("_", " ").lower()


def treaty_status(code: Any) -> str:
    """'in_force' -> 'in force' (translated)."""
    return _word(TREATY_STATUSES, code)


def interceptor_type(code: Any) -> str:
    """'MIDCOURSE' -> 'midcourse' (translated)."""
    return _word(INTERCEPTOR_TYPES, code)


def bot_policy(code: Any) -> str:
    return _word(BOT_POLICIES, code)


def order_type(code: Any) -> str:
    """'ACCEPT_IMPORT' -> the order's name in the interface language ('Accept an import')."""
    spec = {s.type: s for s in game_engine.ORDER_SPECS}.get(str(code or "").upper())
    return gettext(spec.label) if spec is not None else str(code or "").replace("_", " ").lower()


def treaty_title(value: Any, treaties: list[Mapping[str, Any]]) -> str:
    """A treaty's name for its id or terms hash (the engine's SIGN order names a hash)."""
    raw = str(value or "")
    for t in treaties:
        if raw and raw in (t.get("id"), t.get("terms_hash")):
            return str(t.get("name") or raw)
    return gettext("a treaty text") if _HEX_HASH.match(raw) else raw


def details(data: Mapping[str, Any], names: Mapping[str, str] | None = None) -> str:
    """A log entry's data as words: 'state: Aurel, policy: hawk' (no row ids, tokens or hashes)."""
    names = names or {}
    parts = []
    for key, value in sorted(data.items()):
        if key in HIDDEN_DETAILS or not isinstance(value, (str, int, float, bool)) or value == "":
            continue
        if isinstance(value, str) and _HEX_HASH.match(value):
            continue
        shown: str
        if isinstance(value, bool):
            shown = gettext("yes") if value else gettext("no")
        elif isinstance(value, str):
            shown = names.get(value) or (treaty_status(value) if value in TREATY_STATUSES else
                                         bot_policy(value) if value in BOT_POLICIES else
                                         interceptor_type(value) if value in INTERCEPTOR_TYPES else value)
        else:
            shown = str(value)
        label = DETAIL_KEYS.get(key)
        parts.append(f"{label if label is not None else key.replace('_', ' ')}: {shown}")
    return ", ".join(parts)


def shown(value: float, decimal_pos: int = 1) -> Decimal:
    """``value`` as the screens show it: rounded half up, as the floatformat filter rounds."""
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimal_pos), rounding=ROUND_HALF_UP)


def shown_move(before: float, after: float) -> float:
    """The move between two values as the screens show them (one decimal): 49.16 -> 49.96 reads
    49.2 -> 50.0, an "up 0.8" a student can check, and 45.14 -> 45.16 reads 45.1 -> 45.2, not
    "unchanged". Every screen that names the index's move takes it from here."""
    return float(shown(after) - shown(before))


def number_format(value: Any, decimal_pos: int) -> str:
    """Django's number_format, rounded half up as the floatformat filter rounds: Django's own
    truncates (49.16 -> '49.1' where the room shows 49.2)."""
    try:
        exact = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        value = exact.quantize(Decimal(1).scaleb(-decimal_pos), rounding=ROUND_HALF_UP)
    except (InvalidOperation, TypeError, ValueError):
        pass
    return str(formats.number_format(value, decimal_pos))
