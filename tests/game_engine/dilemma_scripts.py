"""Scripted security-dilemma experiments for each bundled scenario (issue 14).

Three worlds per scenario, played for ``TURNS`` turns from the same start and seed:
``base`` (nobody acts), ``major`` (the alliance leader loads a site within the rival's reach and
runs its radar forward with sensor sharing from turn 2, the host consenting on turn 1) and ``reassured`` (the same
interceptors, but the radar kept in terminal mode without sharing, declared limits, the rival's
observers at the site and a data exchange with the rival). ``measure`` returns the rival's
threat toward the deployer and its arms-race pressure (ARP) after the last turn.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import game_engine as ge

Raw = dict[str, object]
TURNS = 4


@dataclass(frozen=True)
class Case:
    slug: str
    owner: str  # the deploying alliance leader
    host: str  # the state hosting the forward site
    rival: str  # whose perception we measure
    site: str  # the forward site (radar mode, sharing, limits, observers)
    max_interceptors: int
    loads: tuple[tuple[int, str, str, int], ...]  # (turn, site, itype, qty) deployments
    buys: tuple[tuple[int, str, int], ...] = ()  # (turn, itype, qty) purchases


CASES: dict[str, Case] = {
    "meridian-sea": Case("meridian-sea", "aurel", "calla", "borun", "CAL-1", 24, ((1, "CAL-1", "MIDCOURSE", 12),)),
    "shield-of-the-east": Case(
        "shield-of-the-east", "usa", "romania", "russia", "DEV", 24, ((2, "RED", "MIDCOURSE", 24),)
    ),
    "peninsula-and-straits": Case(
        "peninsula-and-straits",
        "usa",
        "rok",
        "china",
        "SEO",
        48,
        ((1, "SEA-WEST", "MIDCOURSE", 6), (2, "SEA-WEST", "MIDCOURSE", 6), (3, "SEA-WEST", "MIDCOURSE", 6)),
        ((1, "MIDCOURSE", 6), (2, "MIDCOURSE", 6), (3, "MIDCOURSE", 6)),
    ),
}


def turn_orders(case: Case, world: str, turn: int) -> dict[str, list[Raw]]:
    """The scripted orders of ``world`` on ``turn`` (1-based)."""
    out: dict[str, list[Raw]] = {case.owner: [], case.host: [], case.rival: []}
    if world == "base":
        return {}
    own, host, rival = out[case.owner], out[case.host], out[case.rival]
    major = world == "major"
    if turn == 1:
        host.append(
            {
                "type": "CONSENT_HOSTING",
                "owner": case.owner,
                "site": case.site,
                "max_interceptors": case.max_interceptors,
                "forward_allowed": major,
                "sensor_sharing_allowed": major,
            }
        )
    for t, itype, q in case.buys:
        if t == turn:
            own.append({"type": "BUY_INTERCEPTORS", "itype": itype, "qty": q})
    for t, site, itype, q in case.loads:
        if t == turn:
            own.append({"type": "DEPLOY", "site": site, "itype": itype, "qty": q})
    if major:
        if turn == 2:  # a changed consent is in force from the next turn
            own.append({"type": "SET_RADAR_MODE", "site": case.site, "mode": "forward"})
            own.append({"type": "SET_SENSOR_SHARING", "site": case.site, "sharing": True})
        return out
    if turn == 1:
        own.append(
            {
                "type": "DECLARE_LIMITS",
                "site": case.site,
                "max_interceptors": case.max_interceptors,
                "terminal_only": True,
                "no_sensor_sharing": True,
            }
        )
        own.append({"type": "AGREE_DATA_EXCHANGE", "with": case.rival})
        rival.append({"type": "AGREE_DATA_EXCHANGE", "with": case.owner})
    own.append({"type": "INVITE_OBSERVERS", "with": case.rival, "site": case.site})
    rival.append({"type": "ACCEPT", "with": case.owner, "what": "INVITE_OBSERVERS"})
    return out


def play_world(
    case: Case, world: str, mode: str = "expected", seed: str = "s1", turns: int = TURNS
) -> tuple[ge.GameState, list[ge.Resolution]]:
    state = ge.new_game(ge.load_scenario(case.slug), game_id="dilemma", seed=seed, mode=mode)
    results: list[ge.Resolution] = []
    for t in range(1, turns + 1):
        if state.game_over:
            break
        raw: Mapping[str, Sequence[Raw]] = turn_orders(case, world, t)
        orders = {sid: ge.validate_orders(state, sid, lst) for sid, lst in raw.items()}
        r = ge.resolve(state, orders, seed)
        results.append(r)
        state = r.state
    return state, results


def measure(state: ge.GameState, case: Case) -> tuple[float, float]:
    """(rival's threat toward the deployer, rival's arms-race pressure ARP)."""
    return state.pairs[(case.rival, case.owner)].threat, state.nations[case.rival].arp
