#!/usr/bin/env python
"""A/B: the same paced chat load against two source trees (or layers), alternated (A B B A ...).

Reports, per run, the server's CPU milliseconds per chat message (Daphne CPU % x run time ÷
messages posted: steadier than saturation on a shared machine) and the latency percentiles.
Used to decide whether a change is worth adopting (docs/performance.md).

    python bench/ab.py --a /tmp/stock --b /tmp/change --rounds 2 --per-s 240
    python bench/ab.py --a . --b . --layer core --b-layer pubsub      # compare the channel layers
    python bench/ab.py --a . --b . --b-chat-over ws                   # chat over HTTP vs the socket
    python bench/ab.py --a . --b . --b-env SESSION_ENGINE=django.contrib.sessions.backends.db  # a setting
    python bench/ab.py --a . --b . --chat-over ws --ramp --b-env TREATYCRAFT_SOCKET_POST_THREADS=0  # saturation
    python bench/ab.py --a /work/main --b . --chat-over ws --turn --rooms 30 --per-s 300  # scenario (a), scaled
    python bench/ab.py --a . --b . --chat-over ws --turn --rooms 100 --per-s 1000 --duration 20 --seed-once \
        --b-env TREATYCRAFT_PUSH_HANDOFF=0 --lock /work/locks/heavy.lock   # full scale, one seeding for all runs

With --turn each run is scenario (a) at --rooms rooms of 10 seated by bench/seed.py plus the 30-seat
turn room: the paced chat at --per-s deliveries/s for --duration seconds with the turn resolved
--turn-at seconds in; the figures are the chat's delivered rate and p99, the turn's p99 on every
screen (public results and private report), the resolve request, and Daphne's CPU.

With --ramp each run is a ramp to saturation (load.py's ramp from --ramp-start) instead of a paced
load, and the figures are the saturation and the highest step kept up with.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import signal
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import servers  # noqa: E402
from bench.servers import BenchCluster  # noqa: E402


def seed_template(root: Path, args: argparse.Namespace, players_file: Path) -> str:
    """--seed-once: migrate and seed a database once (with ``root``'s code, no servers running), to
    be copied for every run: seeding 1,000 players took minutes per run on a busy machine and
    measures nothing the runs compare."""
    name = f"{servers.DATABASE}_seeded"
    cluster = BenchCluster(args.processes, args.layer, {}, root=root)
    cluster.env["DATABASE_URL"] = servers.fresh_database(name=name) + "?pool=true"
    cluster.manage("migrate", "--noinput")
    cluster.manage("bootstrap")
    subprocess.run([cluster.python, str(cluster.root / "bench" / "seed.py"), "--rooms", str(args.rooms),
                    "--big-room", "30", "--out", str(players_file)], cwd=cluster.root, env=cluster.env,
                   check=True, timeout=1200, capture_output=True)
    return name


def one(root: Path, layer: str, args: argparse.Namespace, chat_over: str = "http",
        env: list[str] | None = None, label: str = "A") -> dict[str, Any]:
    cluster = BenchCluster(args.processes, layer, dict(item.split("=", 1) for item in env or []), root=root,
                           template=args.template)
    cluster.start()
    try:
        with tempfile.NamedTemporaryFile(suffix=".json") as out, tempfile.NamedTemporaryFile(suffix=".json") as seeded:
            extra: list[str] = []
            setup: dict[str, Any] = {}
            if args.turn:
                players_file = args.players_file or seeded.name
                if not args.players_file:
                    subprocess.run([cluster.python, str(cluster.root / "bench" / "seed.py"), "--rooms",
                                    str(args.rooms), "--big-room", "30", "--out", seeded.name], cwd=cluster.root,
                                   env=cluster.env, check=True, timeout=600, capture_output=True)
                extra = ["--players-file", str(players_file), "--turn-at", str(args.turn_at),
                         "--turn-duration", str(args.duration)]
            scenario = "turn" if args.turn else "ramp" if args.ramp else "paced"
            cmd = [sys.executable, str(ROOT / "bench" / "load.py"), "--target", "treatycraft",
                   "--scenario", scenario, "--rooms", str(args.rooms), "--big-room", "30" if args.turn else "0",
                   "--ramp-start", str(args.ramp_start), "--ramp-factor", str(args.ramp_factor),
                   "--ramp-step-seconds", str(args.ramp_step),
                   "--rate", str(args.per_s / (args.rooms * 10 * 10)), "--duration", str(args.duration),
                   "--settle", "2", "--json", out.name, "--facilitator", "bench:bench-password-123",
                   "--chat-over", chat_over, *extra]
            for url in cluster.urls:
                cmd += ["--url", url]
            for pid in cluster.daphne_pids:
                cmd += ["--server-pid", str(pid)]
            spy = None
            # py-spy records only the measured phase (from the load's "treatycraft: {setup}" line,
            # printed once every socket is open), not the sockets' opening before it
            load = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            try:
                assert load.stderr is not None
                for line in load.stderr:
                    if spy is None and args.profile and label == "B" and line.startswith("treatycraft: {"):
                        spy = subprocess.Popen([str(Path(sys.executable).parent / "py-spy"), "record", "--pid",
                                                str(cluster.daphne_pids[0]), "--idle", "--nonblocking", "--threads",
                                                "--format", "raw", "--output", str(args.profile), "--rate", "100"],
                                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                    if line.startswith("treatycraft: {"):
                        setup = json.loads(line.partition(": ")[2])
                if load.wait(timeout=900) != 0:
                    raise RuntimeError(f"load.py failed with status {load.returncode}")
            finally:
                if load.poll() is None:
                    load.kill()
                if spy is not None:
                    spy.send_signal(signal.SIGINT)
                    spy.wait(timeout=60)
            report = json.loads(Path(out.name).read_text())
    finally:
        cluster.stop()
    result = report["runs"][0]["results"][0]
    if args.ramp:
        last = result["steps"][-1]
        return {"saturation_per_s": result["saturation_per_s"], "sustained_per_s": result["sustained_per_s"],
                "steps": [(s["offered_per_s"], s["delivered_per_s"], s["p99_ms"], s["resources"]["server_cpu_pct"],
                           s["resources"]["other_cpu_pct_of_machine"]) for s in result["steps"]],
                "last_step_cpu_pct": last["resources"]["server_cpu_pct"]}
    step = result
    res = step["resources"]
    # the seconds whose posts had a p99 over 250 ms: [second, pushes, p50, p99, max], and the turn's second
    hot = [row for row in step.get("timeline", {}).get("seconds", []) if (row[3] or 0) > 250]
    shape = {"hot_seconds": hot, "turn_at_s": step.get("timeline", {}).get("turn_at_s"),
             "connect_s": setup.get("connect_s"), "connect_retries": setup.get("connect_retries")}
    if args.turn:
        turn = step.get("turn") or {}
        room = (turn.get("rooms") or [{}])[0]
        return {"delivered_per_s": step["delivered_per_s"], "p50_ms": step["p50_ms"], "p99_ms": step["p99_ms"],
                "lost": step["lost"], "errors": step["errors"],
                "turn_p99_ms": (turn.get("both") or {}).get("p99_ms"),
                "turn_screens": f"{(turn.get('both') or {}).get('screens')}/{turn.get('expected_screens')}",
                "turn_public_p99_ms": (turn.get("public") or {}).get("p99_ms"),
                "turn_private_p99_ms": (turn.get("private") or {}).get("p99_ms"),
                "resolve_http_ms": room.get("resolve_http_ms"),
                "server_cpu_pct": res.get("server_cpu_pct"), "other_load_pct": res["other_cpu_pct_of_machine"],
                "postgres_cpu_pct": round(100 * res["postgres_cpu_s"] / res["wall_s"], 1),
                "client_cpu_pct": round(100 * res["client_cpu_s"] / res["wall_s"], 1), **shape}
    posted = max(1, step["posted"])
    return {"cpu_ms_per_message": round(sum(res["server_cpu_s"]) * 1000 / posted, 2),
            "postgres_ms_per_message": round(res["postgres_cpu_s"] * 1000 / posted, 2),
            "p50_ms": step["p50_ms"], "p99_ms": step["p99_ms"], "delivered_per_s": step["delivered_per_s"],
            "lost": step["lost"], "errors": step["errors"], "other_load_pct": res["other_cpu_pct_of_machine"]}


@contextlib.contextmanager
def held(lock: Path | None) -> Any:
    """The machine's heavy-work lock, held for one run at a time (other work may run between)."""
    if lock is None:
        yield
        return
    with open(lock, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--a", type=Path, required=True)
    ap.add_argument("--b", type=Path, required=True)
    ap.add_argument("--rounds", type=int, default=2, help="A B B A pairs")
    ap.add_argument("--per-s", type=float, default=240, help="deliveries offered per second")
    ap.add_argument("--rooms", type=int, default=10)
    ap.add_argument("--duration", type=float, default=30)
    ap.add_argument("--layer", default="pubsub", choices=sorted(servers.LAYERS), help="channel layer of A and B")
    ap.add_argument("--b-layer", choices=sorted(servers.LAYERS), help="B's layer, to compare layers on one tree")
    ap.add_argument("--processes", type=int, default=1, help="Daphne processes")
    ap.add_argument("--env", action="append", default=[], help="NAME=VALUE for A's servers (repeatable)")
    ap.add_argument("--b-env", action="append", default=[], help="NAME=VALUE for B's servers (repeatable)")
    ap.add_argument("--chat-over", default="http", choices=["http", "ws"], help="how A's players post")
    ap.add_argument("--ramp", action="store_true", help="ramp to saturation instead of a paced load")
    ap.add_argument("--ramp-start", type=float, default=300, help="first step of --ramp, deliveries/s")
    ap.add_argument("--ramp-factor", type=float, default=1.3)
    ap.add_argument("--ramp-step", type=float, default=6, help="seconds per step of --ramp")
    ap.add_argument("--turn", action="store_true", help="scenario (a) with the 30-seat turn (seeded players)")
    ap.add_argument("--turn-at", type=float, default=8, help="seconds into --turn's chat the turn is resolved")
    ap.add_argument("--lock", type=Path, help="flock this file around each run (e.g. /work/locks/heavy.lock)")
    ap.add_argument("--profile", type=Path, help="py-spy record B's Daphne into this file (raw, collapsed)")
    ap.add_argument("--b-chat-over", choices=["http", "ws"], help="how B's players post (default: as A)")
    ap.add_argument("--seed-once", action="store_true",
                    help="with --turn: seed one database with A's code before the runs and copy it for each run")
    ap.add_argument("--reuse-seed", action="store_true",
                    help="with --seed-once: reuse the database an earlier --seed-once at this --rooms left")
    args = ap.parse_args()
    args.template, args.players_file = None, None
    if args.turn and args.seed_once:
        # kept beside the template database, so that a later A/B at the same scale can reuse both
        players = Path(tempfile.gettempdir()) / f"{servers.DATABASE}_seeded-{args.rooms}.json"
        if not (args.reuse_seed and players.exists()):
            with held(args.lock):
                seed_template(args.a, args, players)
        args.template, args.players_file = f"{servers.DATABASE}_seeded", players
    runs: dict[str, list[dict[str, float]]] = {"A": [], "B": []}
    order = ["A", "B", "B", "A"] * args.rounds
    for label in order[: 2 * args.rounds]:
        with held(args.lock):
            r = one(args.a if label == "A" else args.b,
                    args.layer if label == "A" else (args.b_layer or args.layer), args,
                    args.chat_over if label == "A" else (args.b_chat_over or args.chat_over),
                    args.env if label == "A" else args.b_env, label)
        runs[label].append(r)
        print(label, json.dumps(r), flush=True)
    for label, rs in runs.items():
        if args.turn:
            print(label, "median delivered/s", statistics.median(r["delivered_per_s"] for r in rs),
                  "median p99", statistics.median(r["p99_ms"] or 0 for r in rs),
                  "median turn p99", statistics.median(r["turn_p99_ms"] or 1e9 for r in rs),
                  "median resolve ms", statistics.median(r["resolve_http_ms"] or 0 for r in rs))
        elif args.ramp:
            print(label, "median saturation/s", statistics.median(r["saturation_per_s"] for r in rs),
                  "median sustained/s", statistics.median(r["sustained_per_s"] for r in rs))
        else:
            print(label, "median CPU ms per message", statistics.median(r["cpu_ms_per_message"] for r in rs),
                  "median p99", statistics.median(r["p99_ms"] for r in rs))


if __name__ == "__main__":
    main()
