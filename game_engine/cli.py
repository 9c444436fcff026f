"""Command line: ``python -m game_engine validate|simulate|balance|scenarios`` (docs/rules.md#cli).

The CLI is the only part of the package that prints or uses processes; the engine it drives
stays pure.
"""

from __future__ import annotations

import argparse
import functools
import gc
import json
import math
import multiprocessing
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NoReturn, cast

from game_engine.engine import add_treaty_draft, final_scores, new_game, resolve, validate_orders
from game_engine.errors import MalformedOrder, OrderError, RuleViolation, ScenarioError
from game_engine.i18n import missing_translations
from game_engine.jsontypes import JSON
from game_engine.messages import english_of, message_from_json
from game_engine.negotiator import NEGOTIATING_POLICIES as POLICIES
from game_engine.negotiator import (
    Record,
    match_observers,
    negotiating_bot_orders,
    reserve_store,
    run_table,
)
from game_engine.orders import Order, parse_order
from game_engine.orders.specs import SPEC_BY_TYPE
from game_engine.rng import u01
from game_engine.scenario import Scenario, bundled_slugs, list_scenarios, load_scenario
from game_engine.serialization import canonical_json
from game_engine.state import MODES, GameState

Raw = dict[str, object]


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate a scenario file; print each error with its field path."""
    try:
        sc = load_scenario(args.file)
    except ScenarioError as exc:
        print(f"{args.file}: {len(exc.errors)} error(s)")
        for e in exc.errors:
            print(f"  {e}")
        return 1
    print(f"{args.file}: OK ({sc.info.title}, {len(sc.states)} states, {sc.info.turns} turns)")
    for lang in sorted(sc.i18n):
        missing = missing_translations(sc, lang)
        if not missing:
            print(f"  translation {lang}: complete")
            continue
        print(f"  translation {lang}: {len(missing)} text(s) fall back to English:")
        for path in missing:
            print(f"    {path}")
    return 0


def cmd_scenarios(args: argparse.Namespace) -> int:
    """List bundled scenarios."""
    for info in list_scenarios():
        print(f"{info.slug:24} {info.turns:>2} turns  {', '.join(s.id for s in info.states)}")
    return 0


class CliError(Exception):
    """Bad input to the command line: ``main`` prints the message on one line, exit status 2."""


def _load_script(path: str) -> tuple[dict[str, object], list[Mapping[str, object]]]:
    """Read a scripted-orders file (docs/rules.md#scripted-orders); malformed input is a
    ``CliError`` naming the file and the place, never a traceback or a silently skipped entry."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CliError(f"{path}: no such orders file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"{path}: cannot read the orders file ({exc})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CliError(
            f"{path}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    turns: list[object]
    if isinstance(data, list):
        meta: dict[str, object] = {}
        turns = data
    elif isinstance(data, dict):
        meta = data
        extra = sorted(set(data) - {"scenario", "seed", "mode", "turns"})
        if extra:
            raise CliError(
                f"{path}: unknown key(s) {', '.join(map(repr, extra))}; "
                "expected scenario, seed, mode, turns"
            )
        listed = data.get("turns", [])
        if not isinstance(listed, list):
            raise CliError(f"{path}: 'turns' must be a list of turns")
        turns = listed
    else:
        raise CliError(f"{path}: expected a JSON object or a list of turns")
    checked: list[Mapping[str, object]] = []
    for n, t in enumerate(turns, 1):
        if not isinstance(t, Mapping):
            raise CliError(f"{path}: turn {n} must be a JSON object")
        checked.append(t)
    return meta, checked


def _turn_orders(
    entry: Mapping[str, object], turn: int
) -> tuple[list[Mapping[str, object]], Mapping[str, object]]:
    """A script turn is either {"drafts": [...], "orders": {...}} or directly {state: [...]}."""
    if "orders" in entry or "drafts" in entry:
        extra = sorted(set(entry) - {"orders", "drafts"})
        if extra:
            raise CliError(f"turn {turn}: unknown key(s) {', '.join(map(repr, extra))}")
        drafts = entry.get("drafts", [])
        orders = entry.get("orders", {})
        if not isinstance(drafts, list) or not all(isinstance(d, Mapping) for d in drafts):
            raise CliError(f"turn {turn}: 'drafts' must be a list of JSON objects")
        if not isinstance(orders, Mapping):
            raise CliError(f"turn {turn}: 'orders' must be a JSON object of state: [orders]")
        return list(drafts), orders
    return [], entry


def _check_script_orders(
    state: GameState, scripted: Mapping[str, object], turn: int
) -> dict[str, list[Mapping[str, object]]]:
    """Every key must be a state of the game and every value a list of order objects."""
    out: dict[str, list[Mapping[str, object]]] = {}
    for key, entry in scripted.items():
        if key not in state.state_ids:
            raise CliError(
                f"turn {turn}: unknown state {key!r}; this scenario's states are "
                f"{', '.join(state.state_ids)}"
            )
        if not isinstance(entry, list):
            raise CliError(f"turn {turn}: the orders of {key!r} must be a list, not {_kind(entry)}")
        for n, o in enumerate(entry, 1):
            if not isinstance(o, Mapping):
                raise CliError(f"turn {turn}: order {n} of {key!r} must be a JSON object")
            _check_order_keys(o, f"turn {turn}: {key} order {n}")
        out[key] = list(entry)
    return out


def _check_order_keys(order: Mapping[str, object], where: str) -> None:
    """A key the order's type does not take is a typo the engine would otherwise ignore."""
    otype = order.get("type")
    spec = SPEC_BY_TYPE.get(otype.strip().upper()) if isinstance(otype, str) else None
    if spec is None:
        return  # parse_order names the missing or unknown type
    known = {"type", *(ps.name for ps in spec.params)}
    if spec.type == "SIGN":
        known.add("draft")
    extra = sorted(set(order) - known)
    if extra:
        raise CliError(
            f"{where} ({spec.type}): unknown key(s) {', '.join(map(repr, extra))}; "
            f"it takes {', '.join(sorted(known - {'type'}))}"
        )


def _kind(x: object) -> str:
    return {dict: "an object", str: "a string", int: "a number", float: "a number"}.get(
        type(x), type(x).__name__
    )


def play_turn(
    state: GameState,
    policies: Mapping[str, str],
    seed: str,
    script: Mapping[str, object] | None = None,
    turn: int = 0,
    history: list[Record] | None = None,
) -> tuple[GameState, dict[str, tuple[Order, ...]], list[str]]:
    """Bots bargain at the table (``history`` carries the table's memory between turns), then
    collect orders (script first, then bots), table drafts, and validate. Returns orders.

    Malformed scripted input (unknown state, orders not a list, an order that does not parse,
    a signature of a draft the script never tabled) raises ``CliError``; an order that parses
    but breaks a rule is refused and named in the notes, like a refused order in a game.
    """
    notes: list[str] = []
    table = run_table(state, policies, seed, history)
    state, signs = table.state, table.orders
    draft_hash: dict[str, str] = {}
    refused_drafts: dict[str, str] = {}
    scripted: dict[str, list[Mapping[str, object]]] = {}
    if script is not None:
        drafts, raw_orders = _turn_orders(script, turn)
        scripted = _check_script_orders(state, raw_orders, turn)
        for d in drafts:
            did = str(d.get("id", ""))
            terms = d.get("terms", {})
            parties = d.get("parties", [])
            if not did:
                raise CliError(f"turn {turn}: every draft needs an 'id' for SIGN orders to name")
            if not isinstance(terms, Mapping) or not isinstance(parties, list):
                raise CliError(
                    f"turn {turn}: draft {did!r} needs 'terms' (an object) and 'parties' (a list)"
                )
            try:
                state, _, h = add_treaty_draft(
                    state,
                    str(d.get("template", "")),
                    [str(x) for x in parties],
                    json.loads(json.dumps(terms)),
                )
            except RuleViolation as exc:
                notes.append(f"draft {did}: {exc.message}")
                refused_drafts[did] = exc.message
                continue
            draft_hash[did] = h
    raws: dict[str, list[Raw]] = {}
    for sid in state.state_ids:
        raw: list[Raw]
        if sid in scripted:
            raw = []
            for n, o in enumerate(scripted[sid], 1):
                item = dict(o)
                if item.get("type") == "SIGN" and "draft" in item:
                    did = str(item.pop("draft"))
                    if did in refused_drafts:
                        raise CliError(
                            f"turn {turn}: {sid} order {n} signs draft {did!r}, which was "
                            f"refused: {refused_drafts[did]}"
                        )
                    if did not in draft_hash:
                        known = ", ".join(map(repr, draft_hash)) or "none"
                        raise CliError(
                            f"turn {turn}: {sid} order {n} signs unknown draft {did!r} "
                            f"(drafts tabled this turn: {known})"
                        )
                    item["terms_hash"] = draft_hash[did]
                try:
                    parse_order(item)
                except MalformedOrder as exc:
                    raise CliError(f"turn {turn}: {sid} order {n}: {exc.message}") from None
                raw.append(item)
        elif sid in policies:
            raw = negotiating_bot_orders(
                policies[sid], state, sid, seed, table_cbms=True, view=table.views.get(sid)
            )
            agreed = signs.get(sid, [])
            loads = [o for o in agreed if o.get("type") == "DEPLOY"]
            if loads:
                raw = reserve_store(state, sid, raw, loads) + loads
            raw += [o for o in agreed if o.get("type") != "DEPLOY"]
        else:
            raw = []
        raws[sid] = raw
    for sid, extra in match_observers(raws, policies).items():
        raws[sid] = raws[sid] + extra
    orders: dict[str, tuple[Order, ...]] = {}
    for sid, raw in raws.items():
        orders[sid] = _valid_orders(state, sid, raw, notes)
    return state, orders, notes


def _valid_orders(
    state: GameState, sid: str, raw: list[Raw], notes: list[str]
) -> tuple[Order, ...]:
    """Validate, dropping each refused order in turn (each one named in ``notes``)."""
    kept = list(enumerate(raw, 1))
    while True:
        try:
            return validate_orders(state, sid, [r for _, r in kept])
        except OrderError as exc:
            if exc.order_index is None or not 0 <= exc.order_index < len(kept):
                notes.append(f"{sid}: {exc.code} {exc.message}")
                return ()
            n, _ = kept.pop(exc.order_index)
            notes.append(f"{sid}: order {n}: {exc.code} {exc.message}")


def _dicts(x: object) -> list[Mapping[str, object]]:
    return [d for d in x if isinstance(d, Mapping)] if isinstance(x, list) else []


def _policies(state: GameState, bots: str) -> dict[str, str]:
    names = [b.strip() for b in bots.split(",") if b.strip()] if bots else []
    for b in names:
        if b not in POLICIES:
            raise CliError(f"unknown bot {b!r}; choose from {', '.join(POLICIES)}")
    if not names:
        return {}
    return {sid: names[n % len(names)] for n, sid in enumerate(state.state_ids)}


def cmd_simulate(args: argparse.Namespace) -> int:
    """Play a game with bots and/or scripted orders; print one JSON line per turn."""
    meta: dict[str, object] = {}
    script: list[Mapping[str, object]] = []
    if args.orders:
        meta, script = _load_script(args.orders)
    slug = args.scenario or str(meta.get("scenario", "meridian-sea"))
    seed = str(args.seed if args.seed is not None else meta.get("seed", "1"))
    mode = args.mode or str(meta.get("mode", "expected"))
    if slug not in bundled_slugs():
        raise CliError(f"unknown scenario {slug!r}; choose from {', '.join(bundled_slugs())}")
    if mode not in MODES:
        raise CliError(f"unknown mode {mode!r}; choose from {', '.join(MODES)}")
    if args.turns < 0:
        raise CliError("--turns must be 0 (the whole game) or more")
    state = new_game(load_scenario(slug), game_id=f"sim-{slug}", seed=seed, mode=mode)
    if len(script) > state.max_turns:
        raise CliError(
            f"{args.orders}: {len(script)} scripted turns but {slug} has {state.max_turns}"
        )
    policies = _policies(state, args.bots)
    print(
        canonical_json(
            {
                "turn": 0,
                "scenario": slug,
                "mode": mode,
                "seed_commit": state.seed_commit,
                "policies": policies,
                "rsi_pub": state.rsi_pub,
            }
        )
    )
    limit = args.turns or state.max_turns
    say = english_of({i.id: i.name for i in state.scenario.info.states})
    history: list[Record] = []
    for n in range(limit):
        if state.game_over:
            break
        entry = script[n] if n < len(script) else None
        before = len(history)
        state, orders, notes = play_turn(state, policies, seed, entry, n + 1, history)
        r = resolve(state, orders, seed)
        state = r.state
        line = {
            "turn": r.public_report["turn"],
            # What the bots did at the table this turn: who, what, and the message intent.
            "negotiation": [
                {"actor": rec.move.actor, "act": rec.move.act.value, "intent": rec.move.intent.as_dict()}
                for rec in history[before:]
            ],
            "rsi_pub": state.rsi_pub,
            "rsi_true": state.rsi_true,
            "events": [say(e.msg) for e in r.events if e.audience is None],
            "rejected": {
                sid: [f"{x['code']}: {say(message_from_json(cast(JSON, x['message'])))}" for x in _dicts(rep["rejected"])]
                for sid, rep in r.private_reports.items()
                if rep["rejected"]
            },
            "vp": {sid: rep["vp"] for sid, rep in r.private_reports.items()},
            "explanation": [say(message_from_json(e["text"])) for e in r.explanation],
            "notes": notes,
        }
        print(canonical_json(line))
    print(
        canonical_json(
            {
                "final_scores": final_scores(state),
                "game_over": state.game_over,
                "game_over_reason": state.game_over_reason,
                "rsi_history": list(state.rsi_history),
            }
        )
    )
    return 0


# ------------------------------------------------------------------------------ balance


@functools.lru_cache(maxsize=8)
def _scenario(slug: str) -> Scenario:
    """Scenarios are immutable, so a worker parses each file once."""
    return load_scenario(slug)


def play_game(job: tuple[str, str, str, int, tuple[str, ...] | None]) -> dict[str, object]:
    """One bot game (worker function). ``job = (slug, mode, seed, index, fixed_policy)``."""
    slug, mode, seed, index, fixed = job
    sc = _scenario(slug)
    game_seed = f"{seed}-{index}"
    state = new_game(sc, game_id=f"bal-{index}", seed=game_seed, mode=mode)
    if fixed is not None:
        policies = {sid: fixed[n % len(fixed)] for n, sid in enumerate(state.state_ids)}
    else:
        policies = {
            sid: POLICIES[int(u01(seed, "policy", index, sid) * len(POLICIES))]
            for sid in state.state_ids
        }
    history: list[Record] = []
    verified = 0
    survival = 1.0
    while not state.game_over:
        state, orders, _ = play_turn(state, policies, game_seed, None, history=history)
        r = resolve(state, orders, game_seed)
        state = r.state
        surv = r.audit.get("survival", 1.0)
        survival *= float(surv) if isinstance(surv, (int, float)) else 1.0
        verified += sum(
            1
            for e in r.events
            if e.kind == "reduce" and e.audience is None and e.msg.id == "event.reduce_verified"
        )
    scores = final_scores(state)
    escalated = any(c.get("escalated") is True for c in state.crises)
    # Treaties negotiated during the game (the scenario's own start in force on turn 0).
    treaties = [t for t in state.treaties if t.status == "in_force" and t.created_turn > 0]
    return {
        "index": index,
        "policies": policies,
        "scores": scores,
        "rsi": state.rsi_pub,
        # stochastic games count an escalation (0 or 1); expected-mode games have no draws and
        # report the probability that some crisis escalated over the game, 1 - prod(survival)
        "catastrophe": 1.0 if escalated else 1.0 - survival,
        "violations": len(state.violations),
        "treaties_in_force": len(treaties),
        "verified_reductions": verified,
        "cbms": len(state.agreements),
        "cheated": sum(1 for v in state.violations if v.state in policies),
        "caught": sum(1 for v in state.violations if v.published or v.detected_by),
    }


def _stats(xs: Sequence[float]) -> tuple[float, float, int]:
    if not xs:
        return 0.0, 0.0, 0
    mean = sum(xs) / len(xs)
    var = sum((x - mean) ** 2 for x in xs) / max(1, len(xs) - 1)
    return mean, math.sqrt(var), len(xs)


def _progress(done: int, total: int) -> None:
    width = 30
    filled = int(width * done / max(1, total))
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} games")
    sys.stderr.flush()


GC_THRESHOLD = (50_000, 20, 100)
"""Collector thresholds while bot games run: a game allocates many short-lived containers and
few cycles, so collecting less often saves time (measured ~7%) and changes no result."""


def _worker_gc() -> None:
    gc.set_threshold(*GC_THRESHOLD)


def run_games(
    jobs: list[tuple[str, str, str, int, tuple[str, ...] | None]], workers: int
) -> list[dict[str, object]]:
    """Run jobs over a process pool (or inline for one worker), with a progress bar."""
    results: list[dict[str, object]] = []
    total = len(jobs)
    for slug in sorted({job[0] for job in jobs}):
        _scenario(slug)  # parsed once here; forked workers inherit it
    threshold = gc.get_threshold()
    if workers <= 1:
        _worker_gc()
        try:
            for n, job in enumerate(jobs, 1):
                results.append(play_game(job))
                if n % 10 == 0 or n == total:
                    _progress(n, total)
        finally:
            gc.set_threshold(*threshold)
    else:
        # Objects that live for the whole run (modules, the scenario) are frozen out of the
        # collector's scans before the fork; small chunks keep both cores busy to the end.
        gc.freeze()
        try:
            with multiprocessing.get_context("fork").Pool(workers, initializer=_worker_gc) as pool:
                for n, res in enumerate(pool.imap_unordered(play_game, jobs, chunksize=4), 1):
                    results.append(res)
                    if n % 10 == 0 or n == total:
                        _progress(n, total)
        finally:
            gc.unfreeze()
    sys.stderr.write("\n")
    results.sort(key=lambda r: int(str(r["index"])))
    return results


def balance_report(results: Sequence[Mapping[str, object]]) -> dict[str, object]:
    """Mean and spread of VP by policy and by state, of final RSI, and catastrophe rate."""
    by_policy: dict[str, list[float]] = {}
    by_state: dict[str, list[float]] = {}
    by_state_policy: dict[str, list[float]] = {}
    rsi: list[float] = []
    cat = 0.0
    with_treaty = 0
    treaties = 0
    with_verified = 0
    for r in results:
        n_t = r.get("treaties_in_force", 0)
        treaties += n_t if isinstance(n_t, int) else 0
        with_treaty += 1 if isinstance(n_t, int) and n_t > 0 else 0
        n_v = r.get("verified_reductions", 0)
        with_verified += 1 if isinstance(n_v, int) and n_v > 0 else 0
        pol = r["policies"]
        sc = r["scores"]
        assert isinstance(pol, dict)
        assert isinstance(sc, dict)
        for sid, vp in sc.items():
            p = str(pol[sid])
            by_policy.setdefault(p, []).append(float(vp))
            by_state.setdefault(sid, []).append(float(vp))
            by_state_policy.setdefault(f"{sid}:{p}", []).append(float(vp))
        rsi.append(float(str(r["rsi"])))
        cat += float(str(r["catastrophe"]))

    def table(d: Mapping[str, list[float]]) -> dict[str, dict[str, float]]:
        out: dict[str, dict[str, float]] = {}
        for k in sorted(d):
            m, s, n = _stats(d[k])
            out[k] = {"mean": round(m, 2), "sd": round(s, 2), "n": n}
        return out

    m, s, n = _stats(rsi)
    return {
        "games": len(results),
        "vp_by_policy": table(by_policy),
        "vp_by_state": table(by_state),
        "vp_by_state_and_policy": table(by_state_policy),
        "final_rsi": {"mean": round(m, 2), "sd": round(s, 2), "n": n},
        "catastrophe_rate": round(cat / max(1, len(results)), 4),
        "share_with_treaty_in_force": round(with_treaty / max(1, len(results)), 4),
        "mean_treaties_in_force": round(treaties / max(1, len(results)), 3),
        "share_with_verified_reduction": round(with_verified / max(1, len(results)), 4),
    }


def cmd_balance(args: argparse.Namespace) -> int:
    """Monte-Carlo tournament of the reference bots (B10)."""
    if args.games < 1 or args.homogeneous < 0 or args.workers < 0:
        raise CliError("--games must be at least 1; --homogeneous and --jobs at least 0")
    workers = args.workers or os.cpu_count() or 1
    jobs: list[tuple[str, str, str, int, tuple[str, ...] | None]] = [
        (args.scenario, args.mode, str(args.seed), n, None) for n in range(args.games)
    ]
    homo: dict[str, list[int]] = {}
    base = args.games
    for p in POLICIES if args.homogeneous else ():
        homo[p] = []
        for _ in range(args.homogeneous):
            homo[p].append(base)
            jobs.append((args.scenario, args.mode, str(args.seed), base, (p,)))
            base += 1
    results = run_games(jobs, workers)
    mixed = [r for r in results if int(str(r["index"])) < args.games]
    report = balance_report(mixed)
    report["scenario"] = args.scenario
    report["mode"] = args.mode
    if homo:
        report["homogeneous"] = {
            p: balance_report([r for r in results if int(str(r["index"])) in set(idx)])
            for p, idx in homo.items()
        }
    if args.json:
        print(json.dumps(report, indent=2, sort_keys=True))
        return 0
    _print_balance(report)
    return 0


def _print_balance(report: Mapping[str, object]) -> None:
    print(f"scenario {report['scenario']}  mode {report['mode']}  games {report['games']}")
    for title, key in (("VP by policy", "vp_by_policy"), ("VP by state", "vp_by_state")):
        print(f"\n{title}:")
        tab = report[key]
        assert isinstance(tab, dict)
        for k, v in tab.items():
            print(f"  {k:16} mean {v['mean']:7.2f}  sd {v['sd']:6.2f}  n {v['n']}")
    rsi = report["final_rsi"]
    assert isinstance(rsi, dict)
    print(f"\nfinal RSI: mean {rsi['mean']:.2f}  sd {rsi['sd']:.2f}")
    print(f"catastrophe rate: {report['catastrophe_rate']:.2%}")
    print(
        f"games with a negotiated treaty in force: {report['share_with_treaty_in_force']:.1%}  "
        f"mean negotiated treaties in force: {report['mean_treaties_in_force']:.2f}  "
        f"games with a verified reduction: {report['share_with_verified_reduction']:.1%}"
    )
    homo = report.get("homogeneous")
    if isinstance(homo, dict):
        print("\nall-same-policy tables (mean VP per state / final RSI / catastrophe rate):")
        for p, rep in homo.items():
            vs = rep["vp_by_state"]
            cells = "  ".join(f"{k} {v['mean']:.1f}" for k, v in vs.items())
            print(
                f"  all-{p:13} {cells}  RSI {rep['final_rsi']['mean']:.1f}  cat {rep['catastrophe_rate']:.1%}"
            )


class _Parser(argparse.ArgumentParser):
    """Bad arguments end in one line naming the problem and exit status 2 (no usage dump)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """Argument parser for ``python -m game_engine``."""
    ap = _Parser(prog="python -m game_engine", description="Treatycraft turn engine tools")
    sub = ap.add_subparsers(dest="cmd", required=True)
    v = sub.add_parser("validate", help="validate a scenario TOML file")
    v.add_argument("file")
    v.set_defaults(func=cmd_validate)
    ls = sub.add_parser("scenarios", help="list bundled scenarios")
    ls.set_defaults(func=cmd_scenarios)
    s = sub.add_parser("simulate", help="play a game with bots and/or scripted orders")
    s.add_argument("--scenario", choices=bundled_slugs(), default=None)
    s.add_argument("--seed", default=None)
    s.add_argument("--turns", type=int, default=0)
    s.add_argument("--bots", default="")
    s.add_argument("--mode", choices=("expected", "stochastic"), default=None)
    s.add_argument(
        "--orders", default=None, help="scripted orders JSON (docs/rules.md#scripted-orders)"
    )
    s.set_defaults(func=cmd_simulate)
    b = sub.add_parser("balance", help="Monte-Carlo tournament of the reference bots")
    b.add_argument("--scenario", choices=bundled_slugs(), default="meridian-sea")
    b.add_argument("--games", type=int, default=1000)
    b.add_argument("--seed", default="balance")
    b.add_argument("--mode", choices=("expected", "stochastic"), default="stochastic")
    b.add_argument(
        "--jobs",
        "--workers",
        dest="workers",
        type=int,
        default=0,
        help="worker processes (default: one per core); the output is the same for any number",
    )
    b.add_argument(
        "--homogeneous", type=int, default=0, help="also play N all-same-policy games per policy"
    )
    b.add_argument("--json", action="store_true")
    b.set_defaults(func=cmd_balance)
    return ap


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    args = build_parser().parse_args(argv)
    try:
        code = args.func(args)
    except CliError as exc:
        print(f"python -m game_engine {args.cmd}: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # the reader went away (e.g. ``| head``): stop quietly, as Unix tools do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    assert isinstance(code, int)
    return code
