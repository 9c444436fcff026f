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
