"""Rule errors: the closed vocabulary of reasons an order or a scenario is refused (B3)."""

from __future__ import annotations

import enum


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


class RuleViolation(ValueError):
    """An order (or a call) breaks a rule of the game.

    ``message`` is plain English for a student; ``order_index`` is the position of the
    offending order in the submitted list, or ``None`` for a single order.
    """

    def __init__(self, code: RuleCode, message: str, order_index: int | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.order_index = order_index

    def with_index(self, order_index: int) -> RuleViolation:
        """The same violation, tagged with the position of the order in its list."""
        return RuleViolation(self.code, self.message, order_index)


class ScenarioError(ValueError):
    """A scenario file is invalid. ``errors`` lists ``"field.path: problem"`` strings."""

    def __init__(self, errors: list[str] | tuple[str, ...], source: str = "") -> None:
        self.errors = tuple(errors)
        self.source = source
        head = f"invalid scenario {source}".rstrip()
        super().__init__(head + ":\n" + "\n".join(f"  {e}" for e in self.errors))
