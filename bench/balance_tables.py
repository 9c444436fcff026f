"""Regenerate the bot-only balance tables of docs/rules.md (the section between
``<!-- balance-1000:start -->`` and ``<!-- balance-1000:end -->``) from ``balance --json``.

One command plays the games and rewrites the section::

    .venv/bin/python bench/balance_tables.py --run --out /tmp/balance-json \\
        --lock /work/locks/heavy.lock --write docs/rules.md --rotate \\
        --after-label "rules 4, commit abc1234: ..." --before-label "rules 3, commit eb6eecd"

``--run`` plays, per bundled scenario, ``balance --mode stochastic --games 1000 --homogeneous 10
--jobs 2 --json`` and ``balance --mode expected --games 100 --homogeneous 3 --jobs 2 --json``
(each under ``flock LOCK`` if ``--lock`` is given, one lock per command) and stores the JSON
and the wall time of each run (measured inside the lock) in ``--out``; without ``--run`` the JSON already in ``--out`` is
used. ``--write FILE`` replaces the section in FILE (else the section is printed).

The catastrophe table keeps the rows of the section it replaces that are marked ``before``;
with ``--rotate`` the replaced section's ``after`` rows become the ``before`` rows instead (the
older ``before`` rows are dropped), which is what a new ruleset needs. Nothing else is carried
over: every other figure is computed from the JSON.

Definitions used in the prose (as in the section since issue 15): a role's "best minus worst
policy" is the spread of its mean VP over the six policies in mixed tables, also given in units
of that role's standard deviation over all mixed games; "cooperative" tables are the
all-same-policy tables of every policy except the hawk; host roles are the states that host a
site owned by another state or a candidate site (``owner = ""``) in the scenario file.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from game_engine import load_scenario  # noqa: E402

SLUGS = ("meridian-sea", "shield-of-the-east", "peninsula-and-straits")
POLICIES = ("hawk", "dove", "reciprocator", "verifier", "cheater", "richardson")
RUNS = {  # mode -> (games, homogeneous)
    "stochastic": (1000, 10),
    "expected": (100, 3),
}
START = "<!-- balance-1000:start -->"
END = "<!-- balance-1000:end -->"


def json_name(slug: str, mode: str) -> str:
    return f"balance-{slug}-{mode}.json"


def play(out: Path, lock: str | None, jobs: int) -> None:
    out.mkdir(parents=True, exist_ok=True)
    times: dict[str, dict[str, float]] = {}
    for slug in SLUGS:
        for mode, (games, homo) in RUNS.items():
            cmd = [
                sys.executable, "-m", "game_engine", "balance", "--scenario", slug, "--mode", mode,
                "--games", str(games), "--homogeneous", str(homo), "--jobs", str(jobs), "--json",
            ]
            # timed inside the lock: GNU time's elapsed, user and system seconds (the run and
            # its workers), the last line of stderr
            cmd = ["/usr/bin/time", "-f", "%e %U %S", *cmd]
            if lock:
                cmd = ["flock", lock, *cmd]
            res = subprocess.run(cmd, cwd=ROOT, capture_output=True, check=True)
            wall, user, system = map(float, res.stderr.decode().strip().splitlines()[-1].split())
            (out / json_name(slug, mode)).write_bytes(res.stdout)
            times[f"{slug} {mode}"] = {"wall_s": wall, "cpu_s": round(user + system, 1)}
            print(f"{slug} {mode}: {wall:.1f} s wall, {user + system:.1f} s CPU", flush=True)
    (out / "times.json").write_text(json.dumps(times, indent=2) + "\n")


def pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def host_roles(slug: str) -> list[str]:
    sc = load_scenario(slug)
    hosts = {s.host for s in sc.sites if s.host and s.host != s.owner}
    return [sid for sid in sc.state_ids if sid in hosts]


def catastrophe_row(slug: str, mode: str, rep: dict[str, Any], version: str) -> str:
    games = rep["games"]
    homo = rep["homogeneous"]["hawk"]["games"]
    cells = [pct(rep["homogeneous"][p]["catastrophe_rate"]) for p in POLICIES]
    return (
        f"| {slug}, {mode} | {version} | {games} + {homo}x{len(POLICIES)} | "
        + " | ".join(cells)
        + f" | {pct(rep['catastrophe_rate'])} |"
    )


def scenario_block(slug: str, mode: str, rep: dict[str, Any]) -> str:
    homo = rep["homogeneous"]
    n_homo = homo["hawk"]["games"]
    rsi = rep["final_rsi"]
    lines = [
        f"**{slug}, {mode} mode** ({rep['games']} mixed games, {n_homo} per all-same-policy "
        f"table): negotiated treaty in force at the end in "
        f"{pct(rep['share_with_treaty_in_force'])} of games, "
        f"{rep['mean_treaties_in_force']:.2f} negotiated treaties in force on average, a verified "
        f"reduction in {pct(rep['share_with_verified_reduction'])}, catastrophe "
        f"{pct(rep['catastrophe_rate'])}, final RSI {rsi['mean']:.1f} (sd {rsi['sd']:.1f}).",
        "",
        "| | " + " | ".join(POLICIES) + " |",
        "|---" * (len(POLICIES) + 1) + "|",
    ]
    vp = rep["vp_by_policy"]
    lines.append(
        "| mean VP (sd), mixed tables | "
        + " | ".join(f"{vp[p]['mean']:.1f} ({vp[p]['sd']:.1f})" for p in POLICIES)
        + " |"
    )
    lines.append(
        "| mean VP, all-same-policy table | "
        + " | ".join(f"{homo[p]['vp_by_policy'][p]['mean']:.1f}" for p in POLICIES)
        + " |"
    )
    lines.append(
        "| treaty in force / verified reduction, all-same-policy | "
        + " | ".join(
            f"{100 * homo[p]['share_with_treaty_in_force']:.0f}% / "
            f"{100 * homo[p]['share_with_verified_reduction']:.0f}%"
            for p in POLICIES
        )
        + " |"
    )
    roles = sorted(rep["vp_by_state"])
    spreads = []
    for r in roles:
        by_pol = {
            p: rep["vp_by_state_and_policy"][f"{r}:{p}"]["mean"]
            for p in POLICIES
            if f"{r}:{p}" in rep["vp_by_state_and_policy"]
        }
        best = max(by_pol, key=lambda p: (by_pol[p], -POLICIES.index(p)))
        worst = min(by_pol, key=lambda p: (by_pol[p], POLICIES.index(p)))
        gap = by_pol[best] - by_pol[worst]
        sd = rep["vp_by_state"][r]["sd"]
        spreads.append(
            f"{r} {gap:.1f} ({best} over {worst}, {gap / sd if sd > 0 else 0.0:.1f} sd)"
        )
    coop = [p for p in POLICIES if p != "hawk"]
    beats = all(
        homo[p]["vp_by_state"][r]["mean"] > homo["hawk"]["vp_by_state"][r]["mean"]
        for p in ("dove", "reciprocator")
        for r in roles
    )
    coop_rates = [homo[p]["catastrophe_rate"] for p in coop]
    ranked = sorted(roles, key=lambda r: -rep["vp_by_state"][r]["mean"])
    hosts = host_roles(slug)
    lines += [
        "",
        "Best minus worst policy per role (mixed tables, in that role's standard deviations): "
        + "; ".join(spreads)
        + ". B10: (a) all-dove and all-reciprocator tables beat all-hawk for every role: "
        + ("yes" if beats else "no")
        + f"; (c) all-hawk {pct(homo['hawk']['catastrophe_rate'])}, cooperative "
        + f"{pct(min(coop_rates))}-{pct(max(coop_rates))}; (d) roles by mean VP: "
        + ", ".join(f"{r} {rep['vp_by_state'][r]['mean']:.1f}" for r in ranked)
        + f" (host roles: {', '.join(hosts) or 'none'}; last is {ranked[-1]}).",
    ]
    return "\n".join(lines)


def old_rows(section: str, rotate: bool) -> dict[tuple[str, str], str]:
    """The catastrophe rows to keep as "before", by (scenario, mode)."""
    keep: dict[tuple[str, str], str] = {}
    want = "after" if rotate else "before"
    for line in section.splitlines():
        m = re.match(r"\| ([a-z-]+), (stochastic|expected) \| (before|after) \|", line)
        if m and m.group(3) == want:
            keep[(m.group(1), m.group(2))] = line.replace(f"| {want} |", "| before |", 1)
    return keep


def section(reports: dict[tuple[str, str], dict[str, Any]], before: dict[tuple[str, str], str],
            after_label: str, before_label: str) -> str:
    cmds = [
        f"python -m game_engine balance --scenario SLUG --mode {mode} --games {g} "
        f"--homogeneous {h} --jobs 2 --json"
        for mode, (g, h) in RUNS.items()
    ]
    def wrap(text: str) -> str:
        return textwrap.fill(text, 100, break_on_hyphens=False, break_long_words=False)

    parts = [
        START,
        wrap(
            "Generated by `bench/balance_tables.py` (its docstring gives the one command that "
            "replays the games and rewrites this section). Commands (the seed is the default "
            "`balance`; games are seeded by their index, so any `--jobs` prints the same tables):"
        ),
        "",
        "```",
        *cmds,
        "```",
        "",
        wrap(
            f'"After" is {after_label}; "before" (catastrophe table only) is {before_label}. '
            "Stochastic catastrophe is the share of games that ended in one; expected-mode "
            "catastrophe is `1 - Π survival`. All-same-policy tables have "
            f"{RUNS['stochastic'][1]} games per policy in stochastic mode (a cell moves in steps "
            f"of {100 // RUNS['stochastic'][1]}%) and {RUNS['expected'][1]} in expected mode (no "
            "draws: the games differ only by the seeded forgiveness of the reciprocator)."
        ),
        "",
        "**Catastrophe over a game** (B10(c): 10-25% in all-hawk tables, under 3% in "
        "cooperative ones)",
        "",
        "| scenario, mode | version | games | "
        + " | ".join(f"all-{p}" for p in POLICIES)
        + " | mixed tables |",
        "|---" * (len(POLICIES) + 4) + "|",
    ]
    for slug in SLUGS:
        for mode in RUNS:
            if (slug, mode) in before:
                parts.append(before[(slug, mode)])
            parts.append(catastrophe_row(slug, mode, reports[(slug, mode)], "after"))
    for slug in SLUGS:
        for mode in RUNS:
            parts += ["", scenario_block(slug, mode, reports[(slug, mode)])]
    parts.append(END)
    return "\n".join(parts)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, required=True, help="directory of the balance JSON")
    ap.add_argument("--run", action="store_true", help="play the games first")
    ap.add_argument("--lock", default=None, help="flock this file around each balance run")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--write", type=Path, default=None, help="markdown file to rewrite")
    ap.add_argument("--rotate", action="store_true", help="current 'after' rows become 'before'")
    ap.add_argument("--after-label", default="this ruleset")
    ap.add_argument("--before-label", default="the previous ruleset")
    args = ap.parse_args()
    if args.run:
        play(args.out, args.lock, args.jobs)
    reports = {
        (slug, mode): json.loads((args.out / json_name(slug, mode)).read_text())
        for slug in SLUGS
        for mode in RUNS
    }
    old = ""
    text = ""
    if args.write is not None:
        text = args.write.read_text()
        a, b = text.index(START), text.index(END) + len(END)
        old = text[a:b]
    new = section(reports, old_rows(old, args.rotate), args.after_label, args.before_label)
    if args.write is None:
        print(new)
        return 0
    args.write.write_text(text[:a] + new + text[b:])
    print(f"{args.write}: section rewritten from {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
