"""The class period planner: from a class length, the number of turns and phase lengths that fit,
joining and debrief included (New game → "Fit my class period")."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.translation import gettext

from negotiation.errors import InvalidInput

JOINING_MINUTES = 5  # students open the link and take their seats
DEBRIEF_MINUTES = 8  # the scoreboard and the conversation about what happened
MIN_TURN_MINUTES = 4.0  # the shortest turn that still lets a class talk, decide and read
# A turn's time: talks, orders, report (talks need most; reading the report the least).
SHARES = (0.5, 0.3, 0.2)
STEP_SECONDS = 30
MAX_TURNS = 20


@dataclass(frozen=True, slots=True)
class Plan:
    class_minutes: int
    turns: int
    negotiation_seconds: int
    orders_seconds: int
    report_seconds: int
    joining_minutes: int = JOINING_MINUTES
    debrief_minutes: int = DEBRIEF_MINUTES

    @property
    def turn_seconds(self) -> int:
        return self.negotiation_seconds + self.orders_seconds + self.report_seconds

    @property
    def play_minutes(self) -> float:
        return self.turns * self.turn_seconds / 60

    @property
    def total_minutes(self) -> float:
        return self.joining_minutes + self.play_minutes + self.debrief_minutes


def plan(class_minutes: int, scenario_turns: int, turns: int | None = None) -> Plan:
    """The plan for a class of `class_minutes`: `turns` if given, else as many of the scenario's
    turns as fit at MIN_TURN_MINUTES each; phase lengths in half-minute steps that never overrun."""
    if turns is not None and not 1 <= turns <= MAX_TURNS:
        raise InvalidInput(gettext("The number of turns is between 1 and %(n)s.") % {"n": MAX_TURNS})
    available = class_minutes - JOINING_MINUTES - DEBRIEF_MINUTES
    if available < MIN_TURN_MINUTES:
        raise InvalidInput(gettext("A class needs at least %(n)s minutes: %(join)s to join, %(debrief)s to "
                                   "debrief and one turn.") % {"n": math.ceil(JOINING_MINUTES + DEBRIEF_MINUTES + MIN_TURN_MINUTES),
                                                               "join": JOINING_MINUTES, "debrief": DEBRIEF_MINUTES})
    if turns is None:
        turns = max(1, min(scenario_turns, int(available // MIN_TURN_MINUTES)))
    per_turn = available * 60 / turns
    lengths = [max(STEP_SECONDS, int(per_turn * share // STEP_SECONDS) * STEP_SECONDS) for share in SHARES]
    # Half-minute steps left over go to the phase furthest below its share (talks first on a tie).
    while sum(lengths) + STEP_SECONDS <= per_turn:
        gaps = [per_turn * share - length for share, length in zip(SHARES, lengths, strict=True)]
        lengths[gaps.index(max(gaps))] += STEP_SECONDS
    result = Plan(class_minutes, turns, *lengths)
    if result.total_minutes > class_minutes:
        raise InvalidInput(gettext("%(turns)s turns do not fit in %(minutes)s minutes: choose fewer turns.") % {
            "turns": turns, "minutes": class_minutes})
    return result


def minutes(seconds: int) -> str:
    """90 -> '1½'."""
    whole, half = divmod(seconds, 60)
    return f"{whole}{'½' if half else ''}" if whole else "½"
