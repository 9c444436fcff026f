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

ORDER_TEXTS are the order form texts of game_engine.ORDER_SPECS, for makemessages and
tests/negotiation/test_i18n.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.translation import get_language, gettext, gettext_noop, ngettext, pgettext

import game_engine
from game_engine.catalogue import CATALOGUE
from game_engine.errors import MessageText
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
        return message_from_json(value)  # type: ignore[arg-type]
    except ValueError:
        return legacy(str(value))


@dataclass(frozen=True, slots=True)
class EngineTexts:
    """The engine's messages for one page: the active language and the game's scenario."""

    scenario: game_engine.Scenario | None
    _tr: _Gettext = field(repr=False)

    def say(self, value: object) -> str:
        """Any stored message in the reader's language."""
        m = self._localized_inject(as_message(value))
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
        entry = CATALOGUE[wid]
        return pgettext(entry.context, entry.text) if entry.context else gettext(entry.text)

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


def in_english(value: object, names: Mapping[str, str] | None = None) -> str:
    """A stored message in the catalogue's English, whatever the active language (exports)."""
    m = as_message(value)
    if m.id in (LEGACY, VERBATIM):
        return str(m.get("text", ""))
    return english(m, names)


def texts_for(scenario: game_engine.Scenario | None) -> EngineTexts:
    """The engine's messages in the active language, with ``scenario``'s state names."""
    names: dict[str, str] = {}
    if scenario is not None:
        names = {s.id: s.name for s in game_engine.localized_info(scenario, get_language()).states}
    return EngineTexts(scenario=scenario, _tr=_Gettext(names))


ORDER_TEXTS = (
    gettext_noop('Offense'),
    gettext_noop('Build missiles'),
    gettext_noop('Build missiles of a class you have the technology for. Cost: unit cost x quantity (x1.25 if covert). Covert builds stay off the public ledger.'),
    gettext_noop('Missile class'),
    gettext_noop('Quantity'),
    gettext_noop('Covert (hidden, costs 25% more if building)'),
    gettext_noop('Eliminate missiles'),
    gettext_noop("Eliminate missiles (0.5 points each). 'Verified' needs an accepted observer invitation the same turn and builds trust."),
    gettext_noop('Verified by observers'),
    gettext_noop('Test a missile'),
    gettext_noop('Flight test (1 point, max 3 per turn): improves countermeasures or completes a research step. Unnotified tests alarm neighbours.'),
    gettext_noop('Notify in advance'),
    gettext_noop('Export missiles or technology'),
    gettext_noop('Transfer missiles or production technology. Needs a matching ACCEPT_IMPORT from the recipient the same turn.'),
    gettext_noop('Recipient'),
    gettext_noop('Export production technology'),
    gettext_noop('Accept an import'),
    gettext_noop('Accept a matching EXPORT (same class, quantity and technology flag).'),
    gettext_noop('Supplier'),
    gettext_noop('Production technology'),
    gettext_noop('Defense'),
    gettext_noop('Buy interceptors'),
    gettext_noop('Buy interceptors into storage (TERMINAL 3, MIDCOURSE 8 points each).'),
    gettext_noop('Interceptor type'),
    gettext_noop('Deploy interceptors'),
    gettext_noop("Move interceptors from storage to a site (1 point each). Sites abroad need the host's consent."),
    gettext_noop('Site'),
    gettext_noop('Withdraw interceptors'),
    gettext_noop('Move interceptors from one of your sites back to storage (free).'),
    gettext_noop('Upgrade a radar'),
    gettext_noop("Raise a site's radar quality by 0.25 per level (10 points per level)."),
    gettext_noop('Levels'),
    gettext_noop('Set radar mode'),
    gettext_noop("terminal (defensive, reassuring) or forward (sees the rival's launch area)."),
    gettext_noop('Mode'),
    gettext_noop('Set sensor sharing'),
    gettext_noop("Share a forward radar's tracks with allies' defenses."),
    gettext_noop('Share sensor data'),
    gettext_noop('Sovereignty'),
    gettext_noop('Consent to host a site'),
    gettext_noop("As host, allow another state's defense site on your territory, with caps and compensation. Needs domestic support of at least 40."),
    gettext_noop('Owner of the site'),
    gettext_noop('Maximum interceptors'),
    gettext_noop('Maximum radar level (0-4)'),
    gettext_noop('Forward radar mode allowed'),
    gettext_noop('Sensor sharing allowed'),
    gettext_noop('Compensation per turn'),
    gettext_noop('Revocation notice (turns)'),
    gettext_noop('Revoke hosting consent'),
    gettext_noop('As host, end a consent after its notice period; the site then goes inert.'),
    gettext_noop('Pay another state'),
    gettext_noop('Transfer budget points to another state.'),
    gettext_noop('Amount'),
    gettext_noop('Memo'),
    gettext_noop('Transparency'),
    gettext_noop('Declare missile counts'),
    gettext_noop('Publish your missile counts per class (they may be false; misdeclaration under a data-exchange treaty is a violation).'),
    gettext_noop('Declared counts per class'),
    gettext_noop('Agree a hotline'),
    gettext_noop('Needs the same order from the other state this turn (1 point).'),
    gettext_noop('With'),
    gettext_noop('Agree launch notification'),
    gettext_noop('Both sides must notify missile tests; needs the mirror order (1 point).'),
    gettext_noop('Agree data exchange'),
    gettext_noop('Regular exchange of force data; needs the mirror order (1 point).'),
    gettext_noop('Declare operational limits'),
    gettext_noop('A public pledge on a site: interceptor ceiling, terminal-only radar, no sensor sharing. Owner or host may declare.'),
    gettext_noop('Interceptor ceiling'),
    gettext_noop('Radar in terminal mode only'),
    gettext_noop('No sensor sharing'),
    gettext_noop('Note'),
    gettext_noop('Propose a joint exercise'),
    gettext_noop('A confidence-building exercise (2 points); the partner must ACCEPT this turn.'),
    gettext_noop('Invite observers'),
    gettext_noop('Let the other state observe a site or an elimination (2 points); it must ACCEPT.'),
    gettext_noop('Observer'),
    gettext_noop('Accept an invitation'),
    gettext_noop('Accept a joint exercise or observer invitation from another state.'),
    gettext_noop('Inviting state'),
    gettext_noop('Invitation'),
    gettext_noop('Challenge-inspection policy'),
    gettext_noop('Your standing answer to challenge inspections (refusing is a public incident).'),
    gettext_noop('Allow challenge inspections'),
    gettext_noop('Verification'),
    gettext_noop('Inspect (treaty visits)'),
    gettext_noop('Routine on-site visits under a treaty with an inspection quota (1 point per visit).'),
    gettext_noop('Inspected state'),
    gettext_noop('Treaty'),
    gettext_noop('Visits'),
    gettext_noop('Challenge inspection'),
    gettext_noop('Demand access to a suspect facility (2 points). The target may refuse, publicly.'),
    gettext_noop('Invest in intelligence (NTM)'),
    gettext_noop('5 points per +0.1 of national technical means (max 1.0).'),
    gettext_noop('Points (multiple of 5)'),
    gettext_noop('Set concealment'),
    gettext_noop('Concealment level in tenths (0-9). Levels above your starting level cost 5 points per tenth every turn.'),
    gettext_noop('Level (tenths)'),
    gettext_noop('Publish evidence'),
    gettext_noop('Make one of your evidence items public: an accusation everyone sees.'),
    gettext_noop('Evidence id'),
    gettext_noop('Share evidence'),
    gettext_noop('Give a copy of one evidence item to another state privately.'),
    gettext_noop('Treaties'),
    gettext_noop('Sign a treaty'),
    gettext_noop('Sign a tabled draft (by its terms hash). It enters into force when every party signs the identical text in the same turn. Needs domestic support of 35.'),
    gettext_noop('Terms hash'),
    gettext_noop('Withdraw from a treaty'),
    gettext_noop("Leave after the notice period; 'immediate' is an abrupt withdrawal (a violation)."),
    gettext_noop('Immediately (abrupt)'),
    gettext_noop('Economic'),
    gettext_noop('Economic pressure'),
    gettext_noop("The target loses 'amount' points; you lose 30% of it (scenario option)."),
    gettext_noop('Target'),
    gettext_noop('Research'),
    gettext_noop('Start a missile class programme (then test it), improve countermeasures (cm), radar discrimination, or a nuclear programme step.'),
    gettext_noop('Technology'),
)

