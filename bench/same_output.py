"""Same seeds, same output: write the bots' balance and simulate outputs of a source tree to a
directory, so two trees (before and after a speed-up) can be compared byte for byte.

Usage::

    .venv/bin/python bench/same_output.py --out /tmp/after             # this tree
    .venv/bin/python bench/same_output.py --root /tmp/before --out /tmp/before-out
    .venv/bin/python bench/same_output.py --out /tmp/after --compare /tmp/before-out

For every bundled scenario and both modes it writes ``balance --games N --json`` (with
``--homogeneous 2``, so the all-same-policy tables are covered too) and a full ``simulate`` of a
table of all six negotiating policies (every bargaining move, event, VP and note of every turn).
``--compare DIR`` then diffs each file against DIR's and exits 1 on any difference. A speed-up of
the bots or of the balance runner must leave every file identical.
"""

from __future__ import annotations

import argparse
import filecmp
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SLUGS = ("meridian-sea", "shield-of-the-east", "peninsula-and-straits")
MODES = ("expected", "stochastic")
BOTS = "hawk,dove,reciprocator,verifier,cheater,richardson"
SIM_SEEDS = ("1", "s7")


def run(root: Path, args: list[str]) -> bytes:
    return subprocess.run(
        [sys.executable, "-m", "game_engine", *args],
        cwd=root,
        check=True,
        capture_output=True,
    ).stdout


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", type=Path, default=ROOT, help="source tree to run (default: this one)")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--games", type=int, default=60)
    ap.add_argument("--compare", type=Path, default=None, help="directory of a previous run")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    names: list[str] = []
    for slug in SLUGS:
        for mode in MODES:
            name = f"balance-{slug}-{mode}.json"
            (args.out / name).write_bytes(
                run(args.root, ["balance", "--scenario", slug, "--mode", mode,
                                "--games", str(args.games), "--homogeneous", "2", "--json"])
            )
            names.append(name)
            for seed in SIM_SEEDS:
                name = f"simulate-{slug}-{mode}-{seed}.jsonl"
                (args.out / name).write_bytes(
                    run(args.root, ["simulate", "--scenario", slug, "--mode", mode,
                                    "--seed", seed, "--bots", BOTS])
                )
                names.append(name)
            print(f"{slug} {mode}: written", flush=True)
    if args.compare is None:
        return 0
    differ = [n for n in names if not filecmp.cmp(args.out / n, args.compare / n, shallow=False)]
    for n in names:
        print(f"{'DIFFERS' if n in differ else 'same   '} {n}")
    print(f"{len(names) - len(differ)}/{len(names)} files identical")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
