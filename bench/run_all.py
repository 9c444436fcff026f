#!/usr/bin/env python
"""`make bench`: the whole benchmark suite, one command, bounded in time (docs/performance.md).

For each server configuration it starts real servers on loopback (Daphne processes and the clock,
PostgreSQL database treatycraft_bench, Redis database 14), runs bench/load.py against Treatycraft
and against the bare Channels baseline in the same Daphne, stops the servers, and keeps the JSON.
Then it runs the page, engine and review benchmarks. Tables go to stdout and to
bench/results/summary.md; raw results to bench/results/*.json.

    python bench/run_all.py            # full suite, about 10 minutes on 2 cores
    python bench/run_all.py --quick    # every scenario, small, about 3 minutes
    python bench/run_all.py --smoke    # every benchmark once, tiny (make test: none can rot unseen)
    python bench/run_all.py --only load --configs c1

A part that crashes (a nonzero exit, a timeout, servers that do not start) is named at the end and
makes the run exit with status 1; the other parts still run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import procstats  # noqa: E402
from bench.servers import FACILITATOR, RESULTS, BenchCluster  # noqa: E402

PARTS = ("load", "pages", "engine", "review")


def plan(quick: bool, smoke: bool = False) -> dict[str, Any]:
    """Sizes and durations of every scenario; --quick keeps their shape at a fifth of the size;
    --smoke runs each benchmark once at a size that only proves it still works (no figure counts)."""
    if smoke:
        return {"rooms": 2, "big_room": 4, "duration": 2, "turn_duration": 4, "ramp_step": 1, "ramp_start": 20,
                "ramp_max": 40, "small_rooms": 2, "pages_history": "0,10", "settle": 0.5, "seed": True,
                "configs": "c1,c3", "scale_order": ("one", "two"), "load_extra": ["--turn-at", "1", "--turn-settle", "0.5", "--pause", "0.5",
                                                "--ramp-pause", "0.5", "--idle-wait", "2", "--drain-timeout", "3"],
                "pages": ["--repeat", "2"], "chat": ["--repeat", "5"],
                "engine": ["--max-states", "5", "--games", "4"],
                "review": ["--turns", "3", "--messages", "30", "--runs", "2"],
                "publish": ["--busy-ms", "0,2", "--publishes", "20", "--senders", "10", "--rounds", "1"]}
    if quick:
        return {"rooms": 20, "big_room": 30, "duration": 10, "turn_duration": 10, "ramp_step": 4, "ramp_start": 150,
                "small_rooms": 6, "pages_history": "0,200,1000", "settle": 1, "seed": False,
                "chat": ["--repeat", "60"], "engine": ["--skip-balance"]}
    # full: the 1,000 players of scenario (a) are seated through the services (bench/seed.py); the
    # smaller configurations join over HTTP, so the join path stays measured
    return {"rooms": 100, "big_room": 30, "duration": 20, "turn_duration": 15, "ramp_step": 5, "ramp_start": 150,
            "small_rooms": 10, "pages_history": "0,100,1000,5000", "settle": 2, "seed": True,
            "chat": ["--repeat", "300"]}


def configs(p: dict[str, Any]) -> list[dict[str, Any]]:
    """c1: the default deployment (RedisPubSubChannelLayer, one Daphne) with every scenario and
    1,000 players, against the issue's reference (the bare consumer on RedisChannelLayer); c2: the
    same process on RedisChannelLayer, ramp only, against both baselines; c3: two Daphne processes
    sharing Redis and PostgreSQL, ramps alternated between the clients on one process and the
    clients split across both (the scale-out ratio)."""
    return [
        {"name": "c1", "label": "1 Daphne, RedisPubSubChannelLayer", "processes": 1, "layer": "pubsub",
         "scenario": "paced,turn,ramp", "rooms": p["rooms"], "big_room": p["big_room"], "baseline": ["core-stock"]},
        {"name": "c2", "label": "1 Daphne, RedisChannelLayer", "processes": 1, "layer": "core",
         "scenario": "ramp", "rooms": p["small_rooms"], "big_room": 0, "baseline": ["core-stock", "stock"]},
        # c3: two Daphne processes sharing Redis and PostgreSQL; the ramp alternates between the
        # clients on one process and the clients split across both (one, two, two, one: the
        # scale-out ratio measured in the same run, so other load on the machine hits both alike)
        {"name": "c3", "label": "2 Daphne against 1, RedisPubSubChannelLayer, alternated", "processes": 2,
         "layer": "pubsub", "scenario": "ramp", "rooms": p["small_rooms"], "big_room": 0, "baseline": [],
         "scale_order": p.get("scale_order", ("one", "two", "two", "one"))},
    ]


def run_load(cfg: dict[str, Any], p: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    extra = dict(item.split("=", 1) for item in args.env)
    cluster = BenchCluster(cfg["processes"], cfg["layer"], extra, root=args.root, python=args.python,
                           db_options=args.db_options)
    label = cfg["label"].format(layer=cfg["layer"])
    print(f"\n== {cfg['name']}: {label} ==", flush=True)
    out_json = args.results / f"load-{cfg['name']}.json"
    started = time.monotonic()
    cluster.start()
    try:
        seeded: list[str] = []
        if p["seed"] and cfg["name"] == "c1":
            players_file = args.results / f"players-{cfg['name']}.json"
            seed_script = cluster.root / "bench" / "seed.py"
            t0 = time.monotonic()
            subprocess.run([cluster.python, str(seed_script), "--rooms", str(cfg["rooms"]),
                            "--big-room", str(cfg["big_room"]), "--out", str(players_file)],
                           cwd=cluster.root, env=cluster.env, check=True, timeout=args.timeout)
            print(f"seeded in {time.monotonic() - t0:.1f} s", flush=True)
            seeded = ["--players-file", str(players_file)]
        if cfg.get("scale_order"):
            return scale_out(cfg, p, args, cluster, label, started)
        target = "both" if cfg["baseline"] else "treatycraft"
        cmd = [*load_cmd(cfg, p, args, label, out_json, target), *seeded]
        for url in cluster.urls:
            cmd += ["--url", url]
        for pid in cluster.daphne_pids:
            cmd += ["--server-pid", str(pid)]
        for variant in cfg["baseline"]:
            cmd += ["--baseline", variant]
        subprocess.run(cmd, check=True, timeout=args.timeout)
        report: dict[str, Any] = json.loads(out_json.read_text())
    finally:
        cluster.stop()
    report["config"] = {**cfg, "label": label}
    report["server_errors"] = cluster.errors_in_logs()[:20]
    report["wall_s"] = round(time.monotonic() - started, 1)
    return report


def load_cmd(cfg: dict[str, Any], p: dict[str, Any], args: argparse.Namespace, label: str, out_json: Path,
             target: str) -> list[str]:
    return [sys.executable, str(ROOT / "bench" / "load.py"), "--target", target, "--label", label,
            "--facilitator", ":".join(FACILITATOR), "--scenario", cfg["scenario"],
            "--rooms", str(cfg["rooms"]), "--big-room", str(cfg["big_room"]),
            "--duration", str(p["duration"]), "--turn-duration", str(p["turn_duration"]),
            "--ramp-step-seconds", str(p["ramp_step"]), "--ramp-start", str(p["ramp_start"]),
            "--ramp-factor", "1.6", "--settle", str(p["settle"]), "--json", str(out_json),
            "--chat-over", args.chat_over,
            *(["--ramp-max", str(p["ramp_max"])] if "ramp_max" in p else []), *p.get("load_extra", [])]


def scale_out(cfg: dict[str, Any], p: dict[str, Any], args: argparse.Namespace, cluster: BenchCluster, label: str,
              started: float) -> dict[str, Any]:
    """Ramps against the same two running processes, alternated: "one" sends every client to the
    first process (the second idles: one process's capacity), "two" splits the clients across
    both. Each ramp has its own games and players. The ratio is the median saturation of the
    "two" ramps over the median of the "one" ramps; other load shows in each step's row."""
    runs: list[dict[str, Any]] = []
    for k, mode in enumerate(cfg["scale_order"]):
        out_json = args.results / f"load-{cfg['name']}-{k}-{mode}.json"
        cmd = load_cmd(cfg, p, args, f"{label}: {mode}", out_json, "treatycraft")
        for url in cluster.urls[: 1 if mode == "one" else 2]:
            cmd += ["--url", url]
        for pid in cluster.daphne_pids:  # both processes' CPU in every row: the idle one shows it idles
            cmd += ["--server-pid", str(pid)]
        print(f"-- {cfg['name']} ramp {k + 1}/{len(cfg['scale_order'])}: clients on {mode} process(es)", flush=True)
        subprocess.run(cmd, check=True, timeout=args.timeout)
        run = json.loads(out_json.read_text())["runs"][0]
        run["target"] = f"treatycraft:{mode}"
        runs.append(run)

    def sat(mode: str, key: str) -> float:
        values = sorted(float(r[key]) for run in runs if run["target"].endswith(mode)
                        for r in run["results"] if r["scenario"] == "ramp")
        return values[len(values) // 2] if len(values) % 2 else (values[len(values) // 2 - 1] + values[len(values) // 2]) / 2

    report: dict[str, Any] = {"runs": runs, "ratios": {}}
    one, two = sat("one", "saturation_per_s"), sat("two", "saturation_per_s")
    if one:
        report["ratios"]["saturation two processes vs one (alternated)"] = round(two / one, 2)
    one_s, two_s = sat("one", "sustained_per_s"), sat("two", "sustained_per_s")
    if one_s:
        report["ratios"]["sustained two processes vs one (alternated)"] = round(two_s / one_s, 2)
    report["scale_out"] = {"layer": cfg["layer"], "order": list(cfg["scale_order"]), "one_process_per_s": one,
                           "two_processes_per_s": two, "one_sustained_per_s": one_s, "two_sustained_per_s": two_s,
                           "ratio": round(two / one, 2) if one else None}
    report["config"] = {**cfg, "label": label}
    report["server_errors"] = cluster.errors_in_logs()[:20]
    report["wall_s"] = round(time.monotonic() - started, 1)
    return report


def saturation(report: dict[str, Any], target: str = "treatycraft") -> float:
    for run in report.get("runs", []):
        if run["target"] == target:
            for r in run["results"]:
                if r["scenario"] == "ramp":
                    return float(r["saturation_per_s"])
    return 0.0


def run_script(name: str, args: argparse.Namespace, extra: list[str]) -> dict[str, Any]:
    path = ROOT / "bench" / name
    if not path.exists():
        return {"name": name, "skipped": "not present"}
    cmd = [sys.executable, str(path), *extra]
    print(f"\n== {name} ==", flush=True)
    started = time.monotonic()
    try:
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout, cwd=ROOT, check=False,
                                env={**os.environ, "PYTHONPATH": str(ROOT)})
    except subprocess.TimeoutExpired as exc:
        # TimeoutExpired holds what was captured as bytes (or None), whatever text= says
        stdout = exc.stdout.decode() if isinstance(exc.stdout, bytes) else ""
        print(stdout, end="", flush=True)
        return {"name": name, "returncode": None, "stdout": stdout, "failed": f"no result after {args.timeout:.0f} s",
                "wall_s": round(time.monotonic() - started, 1)}
    print(result.stdout, end="", flush=True)
    outcome: dict[str, Any] = {"name": name, "returncode": result.returncode, "stdout": result.stdout,
                               "wall_s": round(time.monotonic() - started, 1)}
    if result.returncode:
        print(result.stderr[-3000:], file=sys.stderr)
        lines = result.stderr.strip().splitlines()
        outcome["failed"] = f"exit status {result.returncode}: {lines[-1] if lines else 'no error output'}"
    return outcome


def machine_note() -> dict[str, Any]:
    load1, load5, load15 = os.getloadavg()
    return {"cpus": os.cpu_count(), "loadavg": [round(load1, 2), round(load5, 2), round(load15, 2)],
            "python": sys.version.split()[0]}


def summary_md(results: dict[str, Any]) -> str:
    lines = ["# Benchmark results", "", f"Run: {results['started']} ({'quick' if results['quick'] else 'full'}); "
             f"machine: {json.dumps(results['machine'])}", ""]
    for report in results.get("load", []):
        cfg = report["config"]
        lines += [f"## {cfg['name']}: {cfg['label']}", "",
                  "| target | scenario | offered/s | delivered/s | p50 ms | p95 ms | p99 ms | max ms | lost | errors "
                  "| skipped | server CPU % | RSS MiB | other load % |",
                  "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for run in report["runs"]:
            setup = run["setup"]
            for r in run["results"]:
                rows = r["steps"] if r["scenario"] == "ramp" else [r]
                for s in rows:
                    res = s.get("resources", {})
                    cpu = "/".join(f"{c:.0f}" for c in res.get("server_cpu_pct", []))
                    rss = "/".join(f"{m:.0f}" for m in res.get("server_rss_mib", []))
                    lines.append(
                        f"| {run['target']} | {s['scenario']} | {s['offered_per_s']:.0f} | {s['delivered_per_s']:.0f} "
                        f"| {s['p50_ms']} | {s['p95_ms']} | {s['p99_ms']} | {s['max_ms']} | {s['lost']} | {s['errors']} "
                        f"| {s.get('skipped', 0)} | {cpu} | {rss} | {res.get('other_cpu_pct_of_machine', '')} |")
                if r["scenario"] == "ramp":
                    lines.append(f"| {run['target']} | **saturation** | | **{r['saturation_per_s']:.0f}** | | | | | | "
                                 f"| | | | |")
                if "turn" in r:
                    t = r["turn"]
                    lines.append(f"| {run['target']} | turn ({t['expected_screens']} screens) | | "
                                 f"{t['both']['screens']} reached | {t['both']['p50_ms']} | | {t['both']['p99_ms']} "
                                 f"| {t['both']['max_ms']} | {t['expected_screens'] - t['both']['screens']} | | | | | |")
            if "kib_per_connection" in setup:
                lines.append(f"| {run['target']} | idle sockets: {setup['connected']} | | "
                             f"{setup['kib_per_connection']} KiB each | | | | | | | | | | |")
        lines.append("")
        for key, value in report.get("ratios", {}).items():
            lines.append(f"- ratio {key}: **{value}**")
        setups = "; ".join(f"{run['target']}: {run['setup'].get('players')} players, joined in "
                           f"{run['setup'].get('join_s')} s, sockets in {run['setup'].get('connect_s')} s"
                           for run in report["runs"])
        lines += [f"- setup: {setups}", f"- wall time {report['wall_s']} s"]
        if report.get("server_errors"):
            lines.append(f"- server log errors: {len(report['server_errors'])} (first: {report['server_errors'][0]})")
        lines.append("")
    if results.get("scale_out"):
        lines += [f"Scale-out: {json.dumps(results['scale_out'])}", ""]
    for part in results.get("scripts", []):
        lines += [f"## {part['name']}", "", "```", (part.get("stdout") or part.get("skipped", "")).rstrip(), "```", ""]
    if results.get("failed"):
        lines += ["## Failed parts", "", *(f"- **{name}**: {why}" for name, why in results["failed"].items()), ""]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="every scenario, small and short")
    ap.add_argument("--smoke", action="store_true",
                    help="every benchmark once at a tiny size, to prove none is broken (make test); results go "
                         "to bench/results/smoke/ and mean nothing as figures")
    ap.add_argument("--only", default=",".join(PARTS), help=f"comma-separated parts: {', '.join(PARTS)}")
    ap.add_argument("--configs", default=None, help="server configurations of the load part (default c1,c2,c3; "
                                                     "c1,c3 with --smoke)")
    ap.add_argument("--root", type=Path, default=ROOT, help="source tree the servers run (an A/B copy)")
    ap.add_argument("--python", default=sys.executable, help="interpreter of the servers")
    ap.add_argument("--db-options", default="pool=true",
                    help="query string added to DATABASE_URL (default pool=true, as deployed; \"\" for none)")
    ap.add_argument("--env", action="append", default=[], help="NAME=VALUE for the servers (repeatable)")
    ap.add_argument("--chat-over", choices=["http", "ws"], default="ws",
                    help="how the load's players post chat: over the game socket as the page does when its socket is "
                         "open (static/js/chat-socket.js), or the form's HTTP post")
    ap.add_argument("--rooms", type=int, default=None,
                    help="chat rooms of 10 in c1 (scenario (a): 100 in the full suite, 20 with --quick), to run "
                         "it at the scale a machine can hold")
    ap.add_argument("--timeout", type=float, default=900, help="seconds before one part is abandoned")
    args = ap.parse_args()
    args.root = args.root.resolve()
    parts = {p.strip() for p in args.only.split(",") if p.strip()}
    p = plan(args.quick, args.smoke)
    if args.rooms:
        p["rooms"] = args.rooms
    wanted = {c.strip() for c in (args.configs or p.get("configs", "c1,c2,c3")).split(",") if c.strip()}
    args.results = RESULTS / "smoke" if args.smoke else RESULTS
    args.results.mkdir(parents=True, exist_ok=True)
    for old in [*RESULTS.glob("daphne-*.log"), *RESULTS.glob("clock*.log")]:
        old.unlink()
    results: dict[str, Any] = {"started": time.strftime("%Y-%m-%d %H:%M:%S"), "quick": args.quick,
                               "smoke": args.smoke, "machine": machine_note(), "load": [], "scripts": [],
                               "failed": {}}
    if "load" in parts:
        for cfg in configs(p):
            if cfg["name"] not in wanted:
                continue
            try:
                report = run_load(cfg, p, args)
            except (subprocess.SubprocessError, OSError, RuntimeError, ValueError) as exc:
                # a crashed load generator, a timeout, servers that never came up, unreadable JSON
                print(f"\n{cfg['name']} FAILED: {exc}", file=sys.stderr, flush=True)
                results["failed"][f"load {cfg['name']}"] = str(exc)
                continue
            results["load"].append(report)
        for report in results["load"]:
            if report.get("scale_out"):
                results["scale_out"] = report["scale_out"]
    scripts = []
    if "load" in parts:
        scripts.append(("bench_publish.py", p.get("publish", [])))
    if "pages" in parts:
        scripts += [("bench_pages.py", ["--history", p["pages_history"], *p.get("pages", [])]),
                    ("bench_chat.py", p.get("chat", [])), ("bench_chat.py", [*p.get("chat", []), "--socket"])]
    if "engine" in parts:
        scripts.append(("bench_engine.py", p.get("engine", [])))
    if "review" in parts:
        scripts.append(("bench_review.py", p.get("review", [])))
    for name, extra in scripts:
        outcome = run_script(name, args, extra)
        results["scripts"].append(outcome)
        if outcome.get("failed"):
            results["failed"][name] = outcome["failed"]
    results["machine_after"] = machine_note()
    results["redis_pid"] = procstats.redis_pid()
    (args.results / "summary.json").write_text(json.dumps(results, indent=1) + "\n")
    text = summary_md(results)
    (args.results / "summary.md").write_text(text)
    print("\n" + text)
    if results["failed"]:
        print(f"make bench: {len(results['failed'])} part(s) FAILED: {', '.join(results['failed'])}",
              file=sys.stderr)
        sys.exit(1)

if __name__ == "__main__":
    main()
