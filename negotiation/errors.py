"""Errors the shell raises for the user; each carries a message a player can read."""

from __future__ import annotations


class UserError(Exception):
    """A request that cannot be honoured; the message is shown in the page as it is."""

    code = "user_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PhaseClosed(UserError):
    code = "phase_closed"


class SeatTaken(UserError):
    code = "seat_taken"


class RateLimited(UserError):
    code = "rate_limited"


class InvalidInput(UserError):
    code = "invalid_input"


class StaleVersion(UserError):
    code = "stale_version"
