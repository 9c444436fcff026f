"""Typed values that cross the negotiator's boundary: proposals it reads, moves it makes.

A bot never speaks English here: each move carries an :class:`Intent` (a message id and its
parameters) that the server renders in the reader's language (negotiation/bot_speech.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from game_engine.jsontypes import JSON


class Act(StrEnum):
    """What a move does at the table."""

    TABLE = "table"  # put a new treaty text on the table
    AMEND = "amend"  # change the text of an open proposal (a new version)
    COUNTER = "counter"  # answer an open proposal with a different treaty
    SIGN = "sign"  # sign the current version
    REJECT = "reject"  # decline the current version, with a reason
    OFFER_CBM = "offer_cbm"  # offer a confidence-building measure (mirror order next phase)
    ACCEPT_CBM = "accept_cbm"
    DECLINE_CBM = "decline_cbm"


INTENTS: tuple[str, ...] = (
    "sign",
    "reject_hurts",
    "reject_unverified",
    "reject_distrust",
    "reject_intrusive",
    "amend_inspections",
    "amend_no_inspections",
    "amend_notification",
    "amend_raise_cap",
    "amend_lower_cap",
    "amend_terminal_only",
    "counter_defense_limit",
    "table_cap",
    "table_reduction",
    "table_defense_limit",
    "offer_cbm",
    "accept_cbm",
    "decline_cbm",
    "amend_cbm",
    "reject_cbm",
    "table_hosting",
    "reject_hosting",
)
"""Every message intent a negotiating bot may express (the shell words each one)."""

HOSTING_INTENTS: tuple[str, ...] = ("table_hosting", "reject_hosting")
"""Intents of host-nation agreement moves (params ``site``, ``limit``): tabled only when the
caller asks for them (``decide(..., hosting=True)``: the headless table and the server)."""

HOSTING = "HOSTING"
"""The ``template`` of a host-nation agreement offer (not a treaty: the host's signature is its
CONSENT_HOSTING order). Its terms are the order's parameters plus ``host``: ``owner``, ``host``,
``site``, ``max_interceptors``, ``max_radar_level``, ``forward_allowed``,
``sensor_sharing_allowed``, ``compensation``, ``notice_turns`` (the server's hosting proposal
clauses)."""

CBM = "CBM"
"""The ``template`` of a package of confidence-building measures tabled as a proposal (not a
treaty: each party's signature is its AGREE_* orders). Its one term is ``measures``, a list of
:data:`CBM_KINDS`; its parties are exactly two states."""

CBM_KINDS: tuple[str, ...] = ("HOTLINE", "NOTIFICATION", "DATA_EXCHANGE")
"""Pairwise agreements a bot offers and answers (B2.6); each becomes mirror AGREE_* orders."""

CBM_ORDER: dict[str, str] = {
    "HOTLINE": "AGREE_HOTLINE",
    "NOTIFICATION": "AGREE_NOTIFICATION",
    "DATA_EXCHANGE": "AGREE_DATA_EXCHANGE",
}


@dataclass(frozen=True, slots=True)
class Intent:
    """A message id and its parameters (numbers, class names, state ids, treaty templates)."""

    id: str
    params: tuple[tuple[str, JSON], ...] = ()

    @classmethod
    def of(cls, intent_id: str, **params: JSON) -> Intent:
        return cls(intent_id, tuple(sorted(params.items())))

    def param(self, key: str, default: JSON = None) -> JSON:
        return next((v for k, v in self.params if k == key), default)

    def as_dict(self) -> dict[str, JSON]:
        return {"id": self.id, "params": dict(self.params)}


@dataclass(frozen=True, slots=True)
class Offer:
    """An open treaty proposal as a party sees it: the current version and who signed it."""

    id: str
    template: str
    parties: tuple[str, ...]
    terms: Mapping[str, JSON]
    author: str
    version: int = 1
    signed: tuple[str, ...] = ()

    def needs(self, sid: str) -> bool:
        """Whether ``sid`` is a party that has not signed this version."""
        return sid in self.parties and sid not in self.signed


@dataclass(frozen=True, slots=True)
class CbmOffer:
    """A pending offer of a confidence-building measure from ``sender`` to ``receiver``."""

    kind: str
    sender: str
    receiver: str


@dataclass(frozen=True, slots=True)
class Move:
    """One bot action at the table, with the intent its message expresses."""

    actor: str
    act: Act
    intent: Intent
    proposal: str = ""  # the offer acted on (AMEND, COUNTER, SIGN, REJECT)
    version: int = 0
    template: str = ""  # TABLE, AMEND, COUNTER: the text
    parties: tuple[str, ...] = ()
    terms: Mapping[str, JSON] = field(default_factory=dict)
    to: tuple[str, ...] = ()  # who the message is for (empty: the plenary)
    cbm: str = ""  # OFFER_CBM / ACCEPT_CBM / DECLINE_CBM: the kind

    def as_dict(self) -> dict[str, JSON]:
        return {
            "actor": self.actor,
            "act": self.act.value,
            "intent": self.intent.as_dict(),
            "proposal": self.proposal,
            "version": self.version,
            "template": self.template,
            "parties": list(self.parties),
            "terms": dict(self.terms),
            "to": list(self.to),
            "cbm": self.cbm,
        }


@dataclass(frozen=True, slots=True)
class Record:
    """What a bot remembers of the table: past moves (its own and others') by turn."""

    turn: int
    move: Move


def move_from_dict(d: Mapping[str, object]) -> Move | None:
    """A move back from :meth:`Move.as_dict` (e.g. read from a game log); None if malformed."""
    try:
        act = Act(str(d.get("act")))
    except ValueError:
        return None
    raw_intent = d.get("intent")
    intent_d: Mapping[str, object] = raw_intent if isinstance(raw_intent, Mapping) else {}
    raw_params = intent_d.get("params")
    params: Mapping[str, object] = raw_params if isinstance(raw_params, Mapping) else {}
    intent = Intent(
        str(intent_d.get("id", "")),
        tuple(sorted((str(k), v) for k, v in params.items() if _json_scalar(v))),  # type: ignore[misc]
    )
    parties = d.get("parties")
    to = d.get("to")
    terms = d.get("terms")
    version = d.get("version")
    return Move(
        actor=str(d.get("actor", "")),
        act=act,
        intent=intent,
        proposal=str(d.get("proposal", "")),
        version=version if isinstance(version, int) else 0,
        template=str(d.get("template", "")),
        parties=tuple(str(x) for x in parties) if isinstance(parties, list) else (),
        terms=dict(terms) if isinstance(terms, Mapping) else {},
        to=tuple(str(x) for x in to) if isinstance(to, list) else (),
        cbm=str(d.get("cbm", "")),
    )


def _json_scalar(v: object) -> bool:
    return v is None or isinstance(v, (bool, int, float, str))
