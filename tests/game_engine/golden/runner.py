"""Plays a golden case and returns what it observed, as plain JSON data.

A case (``cases/<name>.case.json``) names a bundled scenario, optional parameter overrides, a mode
and a seed, and lists turns of raw orders (and treaty drafts to table first). The runner resolves
the turns with the engine and records, per turn: accepted and rejected orders, every event (kind,
audience, data, message: id and parameters) and the metrics a rule moves (stability index and components, each state's
budget, domestic support, security, forces and public ledger, treaties, violations). Floats are
rounded to 6 decimals so the files stay readable.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import game_engine as ge
from game_engine.orders import parse_order
from game_engine.scenario import parse_scenario, scenario_to_json

CASES = Path(__file__).parent / "cases"


def rounded(x: Any) -> Any:
    if isinstance(x, float):
        return round(x, 6)
    if isinstance(x, Mapping):
        return {str(k): rounded(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [rounded(v) for v in x]
    return x


def load_case(name: str) -> dict[str, Any]:
    return json.loads((CASES / f"{name}.case.json").read_text(encoding="utf-8"))


def case_names() -> list[str]:
    return sorted(p.name.removesuffix(".case.json") for p in CASES.glob("*.case.json"))


def scenario_of(case: Mapping[str, Any]) -> ge.Scenario:
    sc = ge.load_scenario(case.get("scenario", "meridian-sea"))
    overrides = case.get("params") or {}
    if not overrides:
        return sc
    data = json.loads(json.dumps(scenario_to_json(sc)))
    data["params"] = {**data["params"], **overrides}
    return parse_scenario(data, f"golden:{case.get('scenario')}")


def observe_state(state: ge.GameState) -> dict[str, Any]:
    return {
        "turn": state.turn,
        "rsi_pub": state.rsi_pub,
        "rsi_true": state.rsi_true,
        "components": dict(state.rsi_components),
        "states": {
            sid: {
                "budget": n.budget,
                "ds": n.ds,
                "sec": n.sec,
                "missiles": dict(n.missiles),
                "public_ledger": dict(n.public_ledger),
                "store": dict(n.store),
                "tech": list(n.tech),
                "developing": dict(n.developing),
                "ntm": n.ntm,
                "conceal": n.conceal,
            }
            for sid, n in state.nations.items()
        },
        "trust": {f"{i}>{j}": pr.tau for (i, j), pr in sorted(state.pairs.items())},
        "sites": {
            s.id: {"owner": s.owner, "interceptors": dict(s.interceptors), "radar_q": s.radar_q} for s in state.sites
        },
        "consents": [
            {"host": c.host, "owner": c.owner, "site": c.site, "revoke_effective": c.revoke_effective}
            for c in state.consents
        ],
        "agreements": [[g.kind, g.a, g.b] for g in state.agreements],
        "treaties": {t.id: {"status": t.status, "parties": list(t.parties), "cs": dict(t.cs)} for t in state.treaties},
        "violations": [
            {"state": v.state, "treaty": v.treaty, "kind": v.kind, "published": v.published} for v in state.violations
        ],
    }


def play_case(case: Mapping[str, Any]) -> dict[str, Any]:
    state = ge.new_game(
        scenario_of(case), game_id="golden", seed=case.get("seed", "golden"), mode=case.get("mode", "expected")
    )
    turns: list[dict[str, Any]] = []
    observe = set(case.get("observe", []))
    for turn in case["turns"]:
        hashes: dict[str, str] = {}
        for draft in turn.get("drafts", []):
            state, _, hashes[draft["id"]] = ge.add_treaty_draft(
                state, draft["template"], draft["parties"], draft["terms"]
            )
        orders: dict[str, tuple[ge.Command, ...]] = {}
        for sid, raws in turn.get("orders", {}).items():
            typed = []
            for raw in raws:
                item = dict(raw)
                if "draft" in item:
                    item["terms_hash"] = hashes[item.pop("draft")]
                typed.append(parse_order(item))
            orders[sid] = tuple(typed)
        r = ge.resolve(state, orders, case.get("seed", "golden"))
        extra: dict[str, Any] = {}
        if "vp" in observe:  # the turn's victory points and the verified restraint behind them
            extra["vp"] = {sid: n.vp_history[-1] for sid, n in r.state.nations.items()}
            extra["verified_cut"] = {sid: n.verified_cut for sid, n in r.state.nations.items()}
        if "crisis" in observe:  # B5.11's per-dyad risks and, in expected mode, the survival
            extra["crisis"] = [
                [d["crisis_dyad"], d["p_cr"], d["p_esc"]] for d in r.audit["draws"] if "crisis_dyad" in d
            ]
            extra["survival"] = r.audit["survival"]
        turns.append(
            {
                "turn": state.turn,
                "accepted": {
                    sid: [[a["order"]["type"], a["cost"]] for a in rep["accepted"]]
                    for sid, rep in r.private_reports.items()
                    if rep["accepted"]
                },
                "rejected": {
                    sid: [[x["index"], x["order"]["type"], x["code"], x["message"]] for x in rep["rejected"]]
                    for sid, rep in r.private_reports.items()
                    if rep["rejected"]
                },
                "events": [
                    {
                        "kind": e.kind,
                        "to": "all" if e.audience is None else list(e.audience),
                        "data": e.data,
                        "message": e.text,
                    }
                    for e in r.events
                ],
                "after": observe_state(r.state),
                **extra,
            }
        )
        state = r.state
    return rounded({"rule": case["rule"], "turns": turns})


def claims_hold(case: Mapping[str, Any], observed: Mapping[str, Any]) -> list[str]:
    """The case's own claims about what must happen (so a regenerated file cannot lose the rule)."""
    must = case.get("must", {})
    failures: list[str] = []
    kinds = {e["kind"] for t in observed["turns"] for e in t["events"]}
    for kind in must.get("events", []):
        if kind not in kinds:
            failures.append(f"no {kind!r} event")
    for kind in must.get("no_events", []):
        if kind in kinds:
            failures.append(f"an unexpected {kind!r} event")
    codes = {(sid, r[2]) for t in observed["turns"] for sid, rs in t["rejected"].items() for r in rs}
    for sid, wanted in must.get("rejected", {}).items():
        for code in wanted:
            if (sid, code) not in codes:
                failures.append(f"{sid} has no order rejected with {code}")
    found = {(v["state"], v["treaty"]) for t in observed["turns"] for v in t["after"]["violations"]}
    for sid, treaty in must.get("violations", []):
        if (sid, treaty) not in found:
            failures.append(f"no violation of {treaty} by {sid}")
    if must.get("nothing_rejected") and codes:
        failures.append(f"orders were rejected: {sorted(codes)}")
    if "against_rules" in must:
        failures += _against_rules(case, observed, must["against_rules"])
    return failures


def under_rules(case: Mapping[str, Any], rules: int) -> dict[str, Any]:
    """The same case played under another rules version."""
    return {**case, "params": {**(case.get("params") or {}), "rules": rules}}


def _against_rules(case: Mapping[str, Any], observed: Mapping[str, Any], claim: Mapping[str, Any]) -> list[str]:
    """What a later rules version changes, against the same case under an earlier one:
    ``vp_gain_at_least`` ({state: points}, the last turn's VP) and ``p_esc_ratio`` (every dyad's
    escalation probability, every turn, times this ratio)."""
    other = play_case(under_rules(case, claim["rules"]))
    failures: list[str] = []
    for sid, least in claim.get("vp_gain_at_least", {}).items():
        gain = observed["turns"][-1]["vp"][sid] - other["turns"][-1]["vp"][sid]
        if gain < least:
            failures.append(f"{sid} gains {gain:.2f} VP over rules {claim['rules']}, not {least}")
    ratio = claim.get("p_esc_ratio")
    if ratio is not None:
        for t_new, t_old in zip(observed["turns"], other["turns"], strict=True):
            for (dyad, _, new), (_, _, old) in zip(t_new["crisis"], t_old["crisis"], strict=True):
                if abs(new - min(1.0, ratio * old)) > 1e-5:
                    failures.append(f"turn {t_new['turn']} {dyad}: p_esc {new} is not {ratio} x {old}")
    return failures
