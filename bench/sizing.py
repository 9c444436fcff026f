#!/usr/bin/env python
"""The figures of docs/deployment.md §7 "Sizing": what one process carries, measured.

Two server profiles, one Daphne process each, the players played by bench/load.py:

  classroom   `make run`: SQLite, the in-memory channel layer and cache, the clock in the process
  production  PostgreSQL with the pool, Redis (pub/sub layer, cache, sessions), the clock apart

and for each:

  class chat  30 players in one game, each posting in the plenary every --interval seconds
              (every socket of the room receives every message: 30 x 30 / interval pushes/s)
  turn        a 30-seat room resolving a turn while 30 other players chat as above

Chat goes over the game socket as the page sends it (static/js/chat-socket.js) and, with
--chat-over http, over the form's HTTP post. Prints one table; --json keeps the raw reports.

    python bench/sizing.py                      # both profiles, about 4 minutes
    python bench/sizing.py --profiles classroom --interval 2.5 --chat-over http
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.servers import FACILITATOR, BenchCluster  # noqa: E402


def load(cluster: BenchCluster, args: argparse.Namespace, chat_over: str, extra: list[str]) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        cmd = [sys.executable, str(ROOT / "bench" / "load.py"), "--target", "treatycraft",
               "--facilitator", ":".join(FACILITATOR), "--rate", str(1 / args.interval),
               "--settle", "2", "--chat-over", chat_over, "--json", out.name, *extra]
        for url in cluster.urls:
            cmd += ["--url", url]
        for pid in cluster.daphne_pids:
            cmd += ["--server-pid", str(pid)]
        subprocess.run(cmd, check=True, timeout=900, capture_output=not args.verbose)
        return dict(json.loads(Path(out.name).read_text()))


def row(profile: str, what: str, chat_over: str, step: dict[str, Any]) -> dict[str, Any]:
    res = step.get("resources", {})
    cpu = res.get("server_cpu_pct") or []
    turn = (step.get("turn") or {}).get("both") or {}
    return {"profile": profile, "workload": what, "chat over": chat_over,
            "pushes/s": step.get("delivered_per_s"), "p50 ms": step.get("p50_ms"), "p99 ms": step.get("p99_ms"),
            "lost": step.get("lost"), "errors": step.get("errors"),
            "turn p99 ms": turn.get("p99_ms"), "turn screens": turn.get("screens"),
            "Daphne CPU %": cpu[0] if cpu else None,
            "Daphne CPU ms/message": round(sum(res.get("server_cpu_s") or [0]) * 1000 / max(1, step.get("posted") or 0), 1),
            "other load %": res.get("other_cpu_pct_of_machine")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--profiles", default="classroom,production")
    ap.add_argument("--interval", type=float, default=2.5, help="seconds between one player's messages")
    ap.add_argument("--duration", type=float, default=30)
    ap.add_argument("--chat-over", default="ws", help="comma-separated: ws, http")
    ap.add_argument("--json", help="write the raw reports here")
    ap.add_argument("--verbose", action="store_true", help="show the load generator's output")
    args = ap.parse_args()
    rows, raw = [], {}
    for profile in args.profiles.split(","):
        cluster = BenchCluster(1, "pubsub", {}, classroom=profile == "classroom")
        cluster.start()
        try:
            for chat_over in args.chat_over.split(","):
                chat = load(cluster, args, chat_over, ["--scenario", "paced", "--rooms", "1", "--room-size", "30",
                                                       "--big-room", "0", "--duration", str(args.duration)])
                raw[f"{profile}-chat-{chat_over}"] = chat
                rows.append(row(profile, "class chat", chat_over, chat["runs"][0]["results"][0]))
                turn = load(cluster, args, chat_over, ["--scenario", "turn", "--rooms", "1", "--room-size", "30",
                                                       "--big-room", "30", "--turn-duration", str(args.duration / 2)])
                raw[f"{profile}-turn-{chat_over}"] = turn
                rows.append(row(profile, "turn + class chat", chat_over, turn["runs"][0]["results"][0]))
        finally:
            cluster.stop()
        errors = cluster.errors_in_logs()
        if errors:
            print(f"{profile}: server errors:", *errors[:10], sep="\n  ")
    cols = list(rows[0])
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for r in rows:
        print("| " + " | ".join("" if r[c] is None else str(r[c]) for c in cols) + " |")
    if args.json:
        Path(args.json).write_text(json.dumps(raw, indent=1) + "\n")


if __name__ == "__main__":
    main()
