"""Structured messages: what the engine says, as a message id and parameters (issue #13).

Events, explanation lines, rule errors and game-over reasons carry a :class:`Message`: an id of
the English catalogue (:mod:`game_engine.catalogue`) and parameters that are ids and numbers, never
names or sentences. Names and words are resolved when a message is shown, in the reader's
language: the shell renders with gettext (negotiation/engine_texts.py), the engine's own tools in
English (:func:`english`). A rule change therefore shows as a change of data (ids, numbers), and a
language is a ``.po`` file and nothing else.

Parameter keys say how a value is shown (the one convention the renderers share):

``s``, ``s2``, ``s3``   a state id, shown as the state's name in the reader's language
``states``              state ids joined by ``,``, shown as names joined by ``, ``
``w``, ``w2``           the id of a word of the catalogue (``word.mode.forward``), shown translated
``label``, ``label2``   the English label of an order form field (ORDER_SPECS), shown translated
``otype``               an order type (``BUILD``), shown as the order's label
``lowlabel``            an order type, shown as the order's label in lower case
``x``, ``x2``           a decimal number written by the engine (``"0.75"``, ``"1.00"``: the
                        engine chooses the digits), shown with the reader's decimal separator
anything else           shown as it is: counts (``n``, ``m``, ``q``), site ids, missile classes,
                        evidence ids, treaty names and memos (user text is never translated)

``parts`` are nested messages (the reasons of an explanation line, the clauses of a pledge), shown
joined by the catalogue entry's separator. A message's JSON form is ``{"id": ..., "params": {...}}``
(plus ``"parts": [...]`` when there are parts); :func:`message_from_json` also reads the plain
strings of games stored before messages existed, as :data:`LEGACY` messages shown as written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from game_engine.catalogue import CATALOGUE, Entry, order_label
from game_engine.jsontypes import JSON, JSONDict

Param = int | float | str
"""A message parameter: an id or a number (names are resolved at display)."""

LEGACY = "text.legacy"
"""Message id of a text stored before messages existed, shown as written (param ``text``)."""

VERBATIM = "text.verbatim"
"""Message id of a text a person wrote (a facilitator's reason, an inject), shown as written."""


@dataclass(frozen=True, slots=True)
class Message:
    """A message id of the catalogue and its parameters (sorted by key), plus nested parts."""

    id: str
    params: tuple[tuple[str, Param], ...] = ()
    parts: tuple[Message, ...] = ()

    def get(self, key: str, default: Param | None = None) -> Param | None:
        for k, v in self.params:
            if k == key:
                return v
        return default

    def __str__(self) -> str:
        return english(self)


def msg(id: str, /, *parts: Message, **params: Param) -> Message:
    """``msg("event.build", s="aurel", q=3, cls="MRBM")``."""
    return Message(id, tuple(sorted(params.items())), tuple(parts))


def legacy(text: str) -> Message:
    """A text stored before messages existed (shown as written)."""
    return msg(LEGACY, text=text)


def verbatim(text: str) -> Message:
    """A person's own text (shown as written, never translated)."""
    return msg(VERBATIM, text=text)


def inject_message(title: str, text: str) -> Message:
    """An inject as an event: its title and text are the scenario's or the facilitator's own
    words (a scenario's translation replaces them at display)."""
    if title.strip(": ") and text.strip(": "):
        return msg("event.inject", title=title, text=text)
    return verbatim(f"{title}: {text}".strip(": "))


def vkind_word(kind: str) -> str:
    """The word id of a violation kind (``cap`` -> ``word.vkind.cap``); an unknown kind as is."""
    wid = f"word.vkind.{kind}"
    return wid if wid in CATALOGUE else kind


def game_over_message(reason: str, max_turns: int) -> Message:
    """The message of a game's ``game_over_reason`` (the state keeps the English sentence, which
    a facilitator may also have written): one of the engine's reasons, else the person's text."""
    for m in (
        msg("game_over.catastrophe"),
        msg("game_over.all_turns", n=max_turns),
        msg("game_over.facilitator"),
    ):
        if english(m) == reason:
            return m
    return verbatim(reason)


# --------------------------------------------------------------------------------- JSON codec


def message_to_json(m: Message) -> JSONDict:
    """The JSON form of a message (stored in turn records and the log)."""
    out: JSONDict = {"id": m.id, "params": dict(m.params)}
    if m.parts:
        out["parts"] = [message_to_json(p) for p in m.parts]
    return out


def message_from_json(data: JSON) -> Message:
    """A message from its JSON form; a plain string (a game stored before messages) is a
    :data:`LEGACY` message. Raises ValueError for anything else."""
    if isinstance(data, str):
        return legacy(data)
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        raise ValueError(f"not a message: {data!r}")
    raw = data.get("params") or {}
    if not isinstance(raw, dict):
        raise ValueError(f"message params must be an object: {raw!r}")
    params: list[tuple[str, Param]] = []
    for k, v in raw.items():
        if isinstance(v, bool) or not isinstance(v, (int, float, str)):
            raise ValueError(f"message param {k!r} must be an id or a number: {v!r}")
        params.append((k, v))
    parts = data.get("parts") or []
    if not isinstance(parts, list):
        raise ValueError(f"message parts must be a list: {parts!r}")
    return Message(str(data["id"]), tuple(sorted(params)), tuple(message_from_json(p) for p in parts))


# --------------------------------------------------------------------------------- rendering


class Translator(Protocol):
    """What rendering a message needs from its reader's language (the shell passes gettext)."""

    def gettext(self, text: str) -> str: ...
    def pgettext(self, context: str, text: str) -> str: ...
    def ngettext(self, singular: str, plural: str, n: int) -> str: ...
    def state(self, sid: str) -> str: ...
    def number(self, x: str) -> str: ...
    def label(self, english: str) -> str: ...


@dataclass(frozen=True, slots=True)
class English:
    """The catalogue's own language: names from ``names`` (state id -> name), else the id."""

    names: Mapping[str, str] | None = None

    def gettext(self, text: str) -> str:
        return text

    def pgettext(self, context: str, text: str) -> str:
        return text

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return singular if n == 1 else plural

    def state(self, sid: str) -> str:
        return (self.names or {}).get(sid, sid)

    def number(self, x: str) -> str:
        return x

    def label(self, english: str) -> str:
        return english


def _value(key: str, value: Param, tr: Translator) -> str:
    base = key.rstrip("0123456789")
    if base == "s":
        return tr.state(str(value))
    if base == "states":
        return ", ".join(tr.state(s) for s in str(value).split(",") if s)
    if base == "w":
        entry = CATALOGUE.get(str(value))
        return _text(entry, tr) if entry is not None else str(value)
    if base == "label":
        return tr.label(str(value))
    if base == "otype":
        return tr.label(order_label(str(value)))
    if base == "lowlabel":
        return tr.label(order_label(str(value))).lower()
    if base == "x":
        return tr.number(str(value))
    return str(value)


def _text(entry: Entry, tr: Translator) -> str:
    return tr.pgettext(entry.context, entry.text) if entry.context else tr.gettext(entry.text)


def render(m: Message, tr: Translator) -> str:
    """The message as a sentence in ``tr``'s language. An id the catalogue does not know (a
    newer engine's message in an older shell) is shown as its id and parameters."""
    entry = CATALOGUE.get(m.id)
    fields = {k: _value(k, v, tr) for k, v in m.params}
    if entry is None:
        return " ".join([m.id, *(f"{k}={v}" for k, v in fields.items())])
    if entry.plural is not None:
        count = m.get(entry.count)
        n = int(count) if isinstance(count, (int, float)) else 0
        template = tr.ngettext(entry.text, entry.plural, n)
    else:
        template = _text(entry, tr)
    if m.parts or "{parts}" in entry.text:
        shown = [render(p, tr) for p in m.parts]
        if entry.strip_parts:
            shown = [s.rstrip(".") for s in shown]
        join = tr.gettext(entry.join) if entry.join.strip(" ,;") else entry.join
        fields["parts"] = join.join(shown)
    try:
        return template.format_map(fields)
    except (KeyError, IndexError, ValueError):
        # A translation with a wrong placeholder must not hide the message: use English.
        base = entry.text if entry.plural is None or fields.get(entry.count) == "1" else entry.plural
        return base.format_map(_Missing(fields))


class _Missing(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def english(m: Message, names: Mapping[str, str] | None = None) -> str:
    """The message in English (state names from ``names``: id -> name; else the ids)."""
    return render(m, English(names))


def english_of(names: Mapping[str, str] | None) -> Callable[[Message], str]:
    """A function that renders messages in English with these state names."""
    tr = English(names)
    return lambda m: render(m, tr)
