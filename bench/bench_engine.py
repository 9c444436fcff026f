"""Engine benchmarks: one turn for 5 states, growth up to 50 states, and a balance run.

Usage: ``.venv/bin/python bench/bench_engine.py [--skip-balance] [--max-states 50]``
Targets: one 5-state turn < 5 ms; ``balance --games 1000`` < 60 s per scenario (2 cores).

A/B of the balance run between two source trees, alternated A B B A (run under the heavy lock)::

    .venv/bin/python bench/bench_engine.py --ab /work/main . --scenario peninsula-and-straits \
        --games 150 --rounds 1

runs ``balance --scenario S --mode stochastic --games N --homogeneous 10 --jobs 2`` (the issue's
command, fewer games) in each tree and prints every wall time and the ratio A/B of the sums.
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import game_engine as ge  # noqa: E402
from game_engine.scenario import parse_scenario  # noqa: E402


def synthetic(n: int) -> ge.Scenario:
    """``n`` states on a ring: each reaches and fears its two neighbours on each side."""
    classes = ("SRBM", "MRBM", "IRBM", "ICBM")
    states = []
    sites = []
    reach: dict[str, dict[str, list[str]]] = {}
    relations = []
    ids = [f"s{k:02d}" for k in range(n)]
    for k, sid in enumerate(ids):
        angle = 2 * math.pi * k / n
        states.append(
            {
                "id": sid,
                "name": f"State {k}",
                "nuclear": k % 3 == 0,
                "missiles": {"SRBM": 10 + k % 7, "MRBM": 4 + k % 5, "IRBM": 2 + k % 3},
                "tech": list(classes),
                "prod_cap": {"SRBM": 4, "MRBM": 2},
                "interceptors_store": {"TERMINAL": 4},
                "ntm": 0.3 + 0.05 * (k % 5),
                "conceal": 0.2,
                "budget": 40,
                "income": 30,
                "geography": {"x": 500 + 400 * math.cos(angle), "y": 500 + 400 * math.sin(angle)},
            }
        )
        sites.append(
            {
                "id": f"H-{sid}",
                "host": sid,
                "owner": sid,
                "capacity": 24,
                "interceptors": {"TERMINAL": 8},
                "radar_q": 0.5,
                "coverage": [
                    {"defends": sid, "against": [ids[(k + d) % n] for d in (-2, -1, 1, 2) if n > 2], "value": 0.7}
                ],
            }
        )
        reach[sid] = {}
        for d in (-2, -1, 1, 2):
            other = ids[(k + d) % n]
            if other != sid:
                reach[sid][other] = ["SRBM", "MRBM"] if abs(d) == 1 else ["IRBM"]
                relations.append({"from": sid, "to": other, "h": 0.2 + 0.05 * (k % 3), "trust": [2, 3], "rival": True})
    treaties = [
        {"template": "OFFENSE_CAP", "parties": [ids[k], ids[(k + 1) % n]], "terms": {"caps": {"IRBM": 5}}}
        for k in range(0, n - 1, 3)
    ]
    return parse_scenario(
        {
            "schema_version": 1,
            "slug": f"ring-{n}",
            "title": f"Ring of {n}",
            "turns": 10,
            "params": {"crisis_enabled": True},
            "states": states,
            "relations": relations,
            "reach": reach,
            "sites": sites,
            "treaties": treaties,
        },
        f"ring-{n}",
    )


def orders_for(state: ge.GameState) -> dict[str, tuple[ge.Order, ...]]:
    """A typical busy turn: every state declares; some build, test or buy."""
    from game_engine.bots import legal_subset

    out = {}
    for k, sid in enumerate(state.state_ids):
        raw: list[dict[str, object]] = [{"type": "DECLARE", "counts": dict(state.nations[sid].missiles)}]
        if k % 2 == 0:
            raw.append({"type": "BUILD", "class": "SRBM", "qty": 1})
        if k % 3 == 0:
            raw.append({"type": "TEST", "class": "MRBM", "notify": False})
        raw.append({"type": "BUY_INTERCEPTORS", "itype": "TERMINAL", "qty": 1})
        out[sid] = ge.validate_orders(state, sid, legal_subset(state, sid, raw))
    return out


def time_resolve(state: ge.GameState, repeats: int) -> tuple[float, float]:
    orders = orders_for(state)
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        ge.resolve(state, orders, "bench")
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples) * 1000, min(samples) * 1000


def balance_wall(
    root: Path, slug: str, games: int, homogeneous: int, jobs: int
) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the run and its workers) of one balance run."""
    cmd = [
        sys.executable, "-m", "game_engine", "balance", "--scenario", slug, "--mode", "stochastic",
        "--games", str(games), "--homogeneous", str(homogeneous), "--jobs", str(jobs), "--json",
    ]
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=root, capture_output=True, check=True)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)


def ab(args: argparse.Namespace) -> int:
    """Wall time is what the issue measures; CPU time (the run and its workers) is steadier
    on a machine other helpers share."""
    a, b = (Path(x).resolve() for x in args.ab)
    walls: dict[str, list[float]] = {"A": [], "B": []}
    cpus: dict[str, list[float]] = {"A": [], "B": []}
    for _ in range(args.rounds):
        for tag, root in (("A", a), ("B", b), ("B", b), ("A", a)):
            w, c = balance_wall(root, args.scenario, args.games, args.homogeneous, args.jobs)
            walls[tag].append(w)
            cpus[tag].append(c)
            print(f"  {tag} {root}: {w:.2f} s wall, {c:.2f} s CPU", flush=True)
    print(
        f"{args.scenario} --games {args.games} --homogeneous {args.homogeneous} --jobs {args.jobs}: "
        f"A {statistics.mean(walls['A']):.2f} s, B {statistics.mean(walls['B']):.2f} s mean wall; "
        f"A/B = {sum(walls['A']) / sum(walls['B']):.2f}x wall, "
        f"{sum(cpus['A']) / sum(cpus['B']):.2f}x CPU"
    )
    return 0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--skip-balance", action="store_true")
    ap.add_argument("--max-states", type=int, default=50)
    ap.add_argument("--games", type=int, default=1000)
    ap.add_argument("--ab", nargs=2, metavar=("A", "B"), help="A/B the balance run of two trees")
    ap.add_argument("--scenario", default="peninsula-and-straits")
    ap.add_argument("--homogeneous", type=int, default=10)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=1, help="A B B A repetitions (--ab)")
    args = ap.parse_args()
    if args.ab:
        return ab(args)

    print("One turn, bundled 5-state scenarios (median / best of 50, ms):")
    for slug in ("shield-of-the-east", "peninsula-and-straits"):
        for mode in ("expected", "stochastic"):
            s = ge.new_game(ge.load_scenario(slug), game_id="bench", seed="bench", mode=mode)
            med, best = time_resolve(s, 50)
            flag = "OK" if med < 5 else "SLOW"
            print(f"  {slug:24} {mode:10} {med:7.2f} / {best:6.2f}   target < 5 ms: {flag}")

    print("\nGrowth with the number of states (synthetic ring, stochastic mode):")
    print(f"  {'states':>6} {'pairs':>6} {'new_game ms':>12} {'resolve ms':>11} {'ms/pair':>8}")
    for n in (2, 3, 5, 10, 20, 30, 40, 50):
        if n > args.max_states:
            break
        sc = synthetic(n)
        t0 = time.perf_counter()
        s = ge.new_game(sc, game_id="ring", seed="bench", mode="stochastic")
        t_new = (time.perf_counter() - t0) * 1000
        reps = 20 if n <= 10 else 5 if n <= 30 else 3
        med, _ = time_resolve(s, reps)
        pairs = n * (n - 1)
        print(f"  {n:>6} {pairs:>6} {t_new:>12.2f} {med:>11.2f} {med / pairs:>8.3f}")

    if not args.skip_balance:
        cmd = [
            sys.executable,
            "-m",
            "game_engine",
            "balance",
            "--scenario",
            "meridian-sea",
            "--games",
            str(args.games),
            "--workers",
            str(os.cpu_count() or 1),
        ]
        print(f"\n$ {' '.join(cmd[1:])}")
        t0 = time.perf_counter()
        res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True)
        wall = time.perf_counter() - t0
        print(res.stdout.rstrip())
        print(
            f"\nbalance --games {args.games}: {wall:.1f} s wall on {os.cpu_count()} cores "
            f"(target < 60 s: {'OK' if wall < 60 else 'SLOW'})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
