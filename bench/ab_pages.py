#!/usr/bin/env python
"""A/B of the in-process page figures: bench_pages.py run from two source trees, alternated
(A B B A ...), each run on its own fresh database. Prints each run's row and the median per tree
of the room page and the resync (CPU ms and queries), so a lever is judged against a baseline
measured in the same minutes (docs/performance.md).

    git archive HEAD~1 | (mkdir -p /tmp/before && tar -x -C /tmp/before)
    cp bench/bench_pages.py /tmp/before/bench/   # the same harness on both sides
    python bench/ab_pages.py --a /tmp/before --b . --rounds 2 --history 100
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIELDS = ("room_page_ms", "room_page_queries", "resync_ms", "resync_queries", "private_push_ms", "public_push_ms")


def run(tree: Path, args: argparse.Namespace) -> dict[str, float]:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        cmd = [sys.executable, str(tree / "bench" / "bench_pages.py"), "--history", str(args.history),
               "--repeat", str(args.repeat), "--json", out.name]
        env = os.environ | {"BENCH_PAGES_DB": "treatycraft_bench_ab_pages"}
        subprocess.run(cmd, cwd=tree, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        row = json.loads(Path(out.name).read_text())[-1]
    return {k: float(row[k]) for k in FIELDS}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--a", type=Path, required=True, help="source tree A (the baseline)")
    ap.add_argument("--b", type=Path, required=True, help="source tree B (the change)")
    ap.add_argument("--rounds", type=int, default=2, help="A B B A per round")
    ap.add_argument("--history", type=int, default=100, help="plenary messages in the game")
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args()
    results: dict[str, list[dict[str, float]]] = {"A": [], "B": []}
    for _ in range(args.rounds):
        for label in ("A", "B", "B", "A"):
            row = run((args.a if label == "A" else args.b).resolve(), args)
            results[label].append(row)
            print(label, " ".join(f"{k}={v:g}" for k, v in row.items()), flush=True)
    for label, rows in results.items():
        print(f"median {label}:", " ".join(f"{k}={statistics.median(r[k] for r in rows):g}" for k in FIELDS))


if __name__ == "__main__":
    main()
