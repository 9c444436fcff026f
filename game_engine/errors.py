"""Rule errors: the closed vocabulary of reasons an order or a scenario is refused (B3)."""

from __future__ import annotations

import enum
from collections.abc import Mapping

from game_engine.messages import Message, english, verbatim


class RuleCode(enum.StrEnum):
    """Why an order was refused. Closed set; the app maps each code to help text."""

    E_NO_TECH = "E_NO_TECH"
    E_CAPACITY = "E_CAPACITY"
    E_BUDGET = "E_BUDGET"
    E_NEGATIVE = "E_NEGATIVE"
    E_UNKNOWN = "E_UNKNOWN"
    E_NO_COUNTERPART = "E_NO_COUNTERPART"
    E_NO_CONSENT = "E_NO_CONSENT"
    E_SITE_CAPACITY = "E_SITE_CAPACITY"
    E_QUOTA = "E_QUOTA"
    E_DS_TOO_LOW = "E_DS_TOO_LOW"
    E_NOTICE = "E_NOTICE"
    E_TOO_MANY_TESTS = "E_TOO_MANY_TESTS"
    E_BAD_PARAM = "E_BAD_PARAM"
    E_GAME_OVER = "E_GAME_OVER"
    E_NOT_PARTY = "E_NOT_PARTY"
    E_NOT_OWNER = "E_NOT_OWNER"
    E_DISABLED = "E_DISABLED"


class MessageText(str):
    """An error's message in English (what ``str()`` and logs show) that also carries the
    structured :class:`~game_engine.messages.Message` (``.msg``), so the shell can show it in
    the reader's language (negotiation/engine_texts.py) wherever it is passed as text."""

    msg: Message

    def __new__(cls, msg: Message, names: Mapping[str, str] | None = None) -> MessageText:
        out = super().__new__(cls, english(msg, names))
        out.msg = msg
        return out


class OrderError(ValueError):
    """Why an order cannot be accepted: :class:`MalformedOrder` or :class:`RuleViolation`.

    ``msg`` is the structured message (an id of :mod:`game_engine.catalogue` and parameters);
    ``message`` is the same in English (a :class:`MessageText`); ``order_index`` is the position
    of the offending order in the submitted list, or ``None`` for a single order. A plain
    string (a developer's error about a snapshot, never shown to a player) is kept as written.
    ``names`` (state id -> name) only makes the English ``message`` read better.
    """

    def __init__(
        self,
        code: RuleCode,
        message: Message | str,
        order_index: int | None = None,
        *,
        names: Mapping[str, str] | None = None,
    ) -> None:
        self.msg = message if isinstance(message, Message) else verbatim(message)
        self.names = names
        self.message = MessageText(self.msg, names)
        super().__init__(f"{code}: {self.message}")
        self.code = code
        self.order_index = order_index

    def with_index(self, order_index: int) -> OrderError:
        """The same error, tagged with the position of the order in its list."""
        return type(self)(self.code, self.msg, order_index, names=self.names)


class RuleViolation(OrderError):
    """A well-formed order (or a call) breaks a rule of the game: not enough budget, no
    technology, no consent... Raised by the per-type checkers of :mod:`game_engine.orders`."""

    def with_index(self, order_index: int) -> RuleViolation:
        return RuleViolation(self.code, self.msg, order_index, names=self.names)


class MalformedOrder(OrderError):
    """An order that is not a well-formed order at all: not an object, unknown type, a missing
    field, a value of the wrong kind or out of the form's range. ``path`` names the field
    (``"qty"``, ``"counts.MRBM"``; ``""`` for the order as a whole)."""

    def __init__(
        self,
        code: RuleCode,
        message: Message | str,
        order_index: int | None = None,
        *,
        path: str = "",
        names: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(code, message, order_index, names=names)
        self.path = path

    def with_index(self, order_index: int) -> MalformedOrder:
        return MalformedOrder(self.code, self.msg, order_index, path=self.path, names=self.names)


class ScenarioError(ValueError):
    """A scenario file is invalid. ``errors`` lists ``"field.path: problem"`` strings."""

    def __init__(self, errors: list[str] | tuple[str, ...], source: str = "") -> None:
        self.errors = tuple(errors)
        self.source = source
        head = f"invalid scenario {source}".rstrip()
        super().__init__(head + ":\n" + "\n".join(f"  {e}" for e in self.errors))
