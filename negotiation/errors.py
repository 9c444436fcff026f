"""Errors the shell raises for the user; each carries a message a player can read and the HTTP
status a command view answers with (the page's htmx config swaps 409, 422 and 429 replies, so the
message shows in place and nothing typed is lost)."""

from __future__ import annotations


class UserError(Exception):
    """A request that cannot be honoured; the message is shown in the page as it is."""

    code = "user_error"
    status = 422  # Unprocessable: the input was understood and refused

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PhaseClosed(UserError):
    code = "phase_closed"


class SeatTaken(UserError):
    code = "seat_taken"


class RateLimited(UserError):
    code = "rate_limited"
    status = 429  # Too Many Requests


class InvalidInput(UserError):
    code = "invalid_input"


class StaleVersion(UserError):
    code = "stale_version"
    status = 409  # Conflict: the page showed an older version than the database holds
