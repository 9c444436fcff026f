"""Negotiating bots: time of one bot decision (target < 50 ms) and of whole bot-only games.

Usage: ``.venv/bin/python bench/bench_negotiator.py [--games 3] [--cpu]``

``--cpu`` times with this process's CPU time instead of the wall clock: on a shared machine
(other work on the same cores) it shows what the code costs rather than what the scheduler gave it.

A *decision* is one call of ``game_engine.negotiator.decide`` for one bot facing one open
offer (it builds its belief state, values the offer and its amendments with the expected-outcome
projection and tables its own texts), measured for every policy and scenario on turns 1-3 of a
game of reciprocators. A *game* is a full headless game of negotiating bots through
``cli.play_turn`` (bargaining, orders, resolution).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import game_engine as ge  # noqa: E402
from game_engine import cli  # noqa: E402
from game_engine.negotiator import NEGOTIATING_POLICIES, Offer, Record, decide  # noqa: E402

SLUGS = ("meridian-sea", "shield-of-the-east", "peninsula-and-straits")


CLOCK = time.perf_counter


def decision_times() -> list[float]:
    out: list[float] = []
    for slug in SLUGS:
        s = ge.new_game(ge.load_scenario(slug), game_id="bench", seed="bench")
        policies = dict.fromkeys(s.state_ids, "reciprocator")
        history: list[Record] = []
        for _ in range(3):
            a, b = s.state_ids[0], s.state_ids[1]
            offer = Offer("B1", "OFFENSE_CAP", (a, b), {"caps": {"SRBM": 10, "MRBM": 10}}, b, 1, (b,))
            for policy in NEGOTIATING_POLICIES:
                t0 = CLOCK()
                decide(policy, s, a, [offer], (), history, "bench")
                out.append((CLOCK() - t0) * 1000)
            s, orders, _ = cli.play_turn(s, policies, "bench", None, history=history)
            s = ge.resolve(s, orders, "bench").state
    return out


def game_times(games: int) -> list[float]:
    out: list[float] = []
    for n in range(games):
        slug = SLUGS[n % len(SLUGS)]
        s = ge.new_game(ge.load_scenario(slug), game_id="bench", seed=f"g{n}")
        policies = {sid: NEGOTIATING_POLICIES[i % len(NEGOTIATING_POLICIES)] for i, sid in enumerate(s.state_ids)}
        history: list[Record] = []
        t0 = CLOCK()
        while not s.game_over:
            s, orders, _ = cli.play_turn(s, policies, f"g{n}", None, history=history)
            s = ge.resolve(s, orders, f"g{n}").state
        out.append(CLOCK() - t0)
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--games", type=int, default=3)
    ap.add_argument("--cpu", action="store_true", help="time CPU use, not the wall clock")
    args = ap.parse_args()
    global CLOCK
    if args.cpu:
        CLOCK = time.process_time
    print(f"clock: {'process CPU time' if args.cpu else 'wall'}")
    d = sorted(decision_times())
    p95 = d[int(0.95 * (len(d) - 1))]
    print(
        f"decision: n {len(d)}  median {statistics.median(d):.1f} ms  p95 {p95:.1f} ms  max {d[-1]:.1f} ms"
        f"  (target < 50 ms: {'met' if p95 < 50 else 'NOT met'})"
    )
    g = game_times(args.games)
    print(f"bot-only game (all turns, mixed policies): mean {statistics.mean(g):.2f} s  max {max(g):.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
