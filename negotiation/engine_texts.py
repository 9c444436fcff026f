"""The engine's messages in the reader's language (issue #13; docs/architecture.md, "The message
path").

The engine says everything as a message: an id of its English catalogue
(game_engine/catalogue.py) and parameters that are ids and numbers. Turn records, the log and
rule errors store those; this module shows them at display time with gettext/ngettext/pgettext of
the catalogue's own strings (extracted into locale/*/LC_MESSAGES/django.po by makemessages), state
names from the scenario's translation (game_engine.i18n), numbers with the language's decimal
separator, order labels translated. A language is a .po file and nothing else.

Texts stored before messages existed are turned into messages by migration 0007; anything left
as a plain string (a legacy text no pattern matched, a facilitator's own words) is shown as
written.

ORDER_TEXTS are the order form texts of game_engine.ORDER_SPECS (marked in the engine, extracted
by makemessages like the catalogue).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import cast

from django.utils.translation import get_language, gettext, ngettext, pgettext

import game_engine
from game_engine.catalogue import CATALOGUE
from game_engine.errors import MessageText
from game_engine.jsontypes import JSON
from game_engine.messages import (
    LEGACY,
    VERBATIM,
    Message,
    english,
    game_over_message,
    legacy,
    message_from_json,
    msg,
    render,
)
from negotiation.labels import number_format


@dataclass(frozen=True, slots=True)
class _Gettext:
    """game_engine.messages.Translator with Django's gettext in the active language."""

    names: Mapping[str, str]

    def gettext(self, text: str) -> str:
        return gettext(text)

    def pgettext(self, context: str, text: str) -> str:
        return pgettext(context, text)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return ngettext(singular, plural, n)

    def state(self, sid: str) -> str:
        return self.names.get(sid, sid)

    def number(self, x: str) -> str:
        try:
            value = float(x)
        except ValueError:
            return x
        decimals = len(x.split(".", 1)[1]) if "." in x else 0
        return number_format(value, decimals)

    def label(self, english: str) -> str:
        return gettext(english)


def as_message(value: object) -> Message:
    """A stored message (its JSON form), an error's text (which carries its message), or a plain
    string stored before messages existed (shown as written)."""
    if isinstance(value, Message):
        return value
    if isinstance(value, MessageText):
        return value.msg
    if isinstance(value, str):
        return legacy(value)
    try:
        return message_from_json(cast(JSON, value))
    except ValueError:
        return legacy(str(value))


@dataclass(frozen=True, slots=True)
class EngineTexts:
    """The engine's messages for one page: the active language and the game's scenario."""

    scenario: game_engine.Scenario | None
    _tr: _Gettext = field(repr=False)
    # The scenario's starting treaties: English name -> name in the active language.
    _treaties: Mapping[str, str] = field(default_factory=dict, repr=False)

    def say(self, value: object) -> str:
        """Any stored message in the reader's language."""
        m = self._localized_treaty(self._localized_inject(as_message(value)))
        if m.id in (LEGACY, VERBATIM):
            return str(m.get("text", ""))
        return render(m, self._tr)

    def event(self, kind: str, text: object, data: Mapping[str, object] | None = None) -> str:
        """A stored event (``kind`` and ``data`` are kept for the call shape; the message says it)."""
        return self.say(text)

    def event_of_any_kind(self, text: object) -> str:
        return self.say(text)

    def explanation(self, component: str, text: object) -> str:
        return self.say(text)

    def rule_error(self, code: str, message: object) -> str:
        """A rule error for a player: its message, else its code's general sentence."""
        m = as_message(message)
        if m.id in (LEGACY, VERBATIM) and not str(m.get("text", "")) and f"code.{code}" in CATALOGUE:
            m = msg(f"code.{code}")
        return self.say(m)

    def game_over(self, reason: str) -> str:
        """Why the game ended (the state keeps the English sentence; a facilitator's own words
        stay as written)."""
        if not reason:
            return ""
        turns = self.scenario.info.turns if self.scenario is not None else 0
        return self.say(game_over_message(reason, turns))

    def ledger_label(self, key: str) -> str:
        """A line of a private report's budget ledger (``order_costs`` -> "order costs")."""
        wid = f"ledger.{key}"
        return self._word(wid) if wid in CATALOGUE else key.replace("_", " ")

    def _word(self, wid: str) -> str:
        return word(wid)

    def _localized_inject(self, m: Message) -> Message:
        """A scheduled inject in the scenario's translation (the facilitator's own stay as written)."""
        if m.id != "event.inject" or self.scenario is None:
            return m
        title, text = m.get("title", ""), m.get("text", "")
        lang = get_language() or ""
        for en, tr in zip(self.scenario.injects, game_engine.localized_injects(self.scenario, lang), strict=True):
            if en.title == title and en.text == text:
                return msg("event.inject", title=tr.title, text=tr.text)
        return m

    @property
    def state_names(self) -> Mapping[str, str]:
        """The scenario's states by id, named in the active language."""
        return self._tr.names

    def treaty_name(self, name: str) -> str:
        """A treaty's name in the reader's language when it is one the scenario starts with (the
        snapshot and the turn reports hold its English name); the players' own keep theirs."""
        return self._treaties.get(name, name)

    def _localized_treaty(self, m: Message) -> Message:
        """A message naming a treaty (its ``t``, or a nested part's: "the treaty regime fell because
        ... expired") with the name ``treaty_name`` gives it."""
        parts = tuple(self._localized_treaty(p) for p in m.parts)
        name = m.get("t")
        shown = self.treaty_name(name) if isinstance(name, str) else ""
        params = tuple((k, shown if k == "t" and shown else v) for k, v in m.params)
        if params == m.params and parts == m.parts:
            return m
        return replace(m, params=params, parts=parts)


def word(wid: str) -> str:
    """One of the catalogue's words (``word.mode.forward``) in the active language."""
    entry = CATALOGUE[wid]
    return pgettext(entry.context, entry.text) if entry.context else gettext(entry.text)


def in_english(value: object, names: Mapping[str, str] | None = None) -> str:
    """A stored message in the catalogue's English, whatever the active language (exports)."""
    m = as_message(value)
    if m.id in (LEGACY, VERBATIM):
        return str(m.get("text", ""))
    return english(m, names)


def texts_for(scenario: game_engine.Scenario | None) -> EngineTexts:
    """The engine's messages in the active language, with ``scenario``'s state names."""
    if scenario is None:
        return EngineTexts(scenario=None, _tr=_Gettext({}))
    localized = game_engine.localized_scenario(scenario, get_language())
    names = {s.id: s.name for s in localized.info.states}
    treaties = {en.name: tr.name for en, tr in zip(scenario.treaties, localized.treaties, strict=True) if en.name}
    return EngineTexts(scenario=scenario, _tr=_Gettext(names), _treaties=treaties)


ORDER_TEXTS: tuple[str, ...] = tuple(dict.fromkeys(
    text
    for spec in game_engine.ORDER_SPECS
    for text in (spec.group, spec.label, spec.help, *(p.label for p in spec.params))
    if text
))
"""The order forms' texts (game_engine/orders/specs.py marks them for makemessages with N_)."""

