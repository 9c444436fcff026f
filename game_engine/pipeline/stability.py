"""Phases 9-10: metrics and stability (B5.3, B5.5, B5.9): exchange model, security, first-strike
stability, arms-race pressure, the six RSI components and the explanation of how the index moved.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from game_engine import formulas as f
from game_engine import metrics as m
from game_engine.events import Event
from game_engine.jsontypes import JSONDict
from game_engine.messages import Message, message_to_json, msg
from game_engine.orders import (
    in_force,
    is_party,
)
from game_engine.pipeline.context import Ctx
from game_engine.pipeline.perception import phase_perception
from game_engine.pipeline.terms import OFFENSE_TEMPLATES
from game_engine.rng import u01

COMPONENTS: tuple[str, ...] = ("S_crisis", "S_race", "S_trust", "S_regime", "S_transp", "S_percep")



@dataclass(slots=True)
class Metrics:
    """Phase 9 results."""

    sec: dict[str, m.Security]
    sec_pub: dict[str, m.Security]
    fsi_true: dict[tuple[str, str], float]
    fsi_pub: dict[tuple[str, str], float]
    rho: float
    x_true: dict[str, float]
    x_pub: dict[str, float]
    pressure: dict[str, float]


def phase_metrics(ctx: Ctx, only: str | None = None, eng: m.Engine | None = None) -> Metrics:
    """Phase 9: exchange model, security, FSI, Richardson on truth and public data (B5.3, B5.5).

    With ``only`` (a projection that reads one state's VP, :func:`resolve_vp`), the true
    security of that state alone, and neither public security nor arms-race pressure: the
    results a VP reads are computed exactly as in the full phase. ``eng``: perception's engine
    (:func:`phase_perception`), else one is built."""
    if eng is None:
        eng = m.Engine.build(ctx.world())
    world = eng.w
    truth: dict[str, Mapping[str, float]] = {s: ctx.n[s].missiles for s in ctx.ids}
    public: dict[str, Mapping[str, float]] = {s: ctx.n[s].public_ledger for s in ctx.ids}
    dy_true: dict[tuple[str, str], m.Dyad] = {}
    dy_pub: dict[tuple[str, str], m.Dyad] = {}
    if only is not None:
        sec = {only: m.security(eng, truth, only, dy_true)}
        sec_pub: dict[str, m.Security] = {}
    else:
        sec = {i: m.security(eng, truth, i, dy_true) for i in ctx.ids}
        sec_pub = {i: m.security(eng, public, i, dy_pub) for i in ctx.ids}
    fsi_true: dict[tuple[str, str], float] = {}
    fsi_pub: dict[tuple[str, str], float] = {}
    for i, j in m.rival_dyads(world):
        d1 = m.cached_dyad(eng, truth, dy_true, i, j)
        d2 = m.cached_dyad(eng, public, dy_pub, i, j)
        fsi_true[(i, j)] = d1.fsi
        fsi_pub[(i, j)] = d2.fsi
    cls = eng.classes
    # The true arms levels feed the arms-race pressure, the true RSI and the reports: none of
    # them is computed for a projection (``only``), so neither are they.
    x_true = {} if only is not None else {s: m.x_level(world, cls, s, truth[s]) for s in ctx.ids}
    x_pub = {s: m.x_level(world, cls, s, public[s]) for s in ctx.ids}
    pressure: dict[str, float] = {}
    for i in ctx.ids if only is None else ():
        nat = ctx.n[i]
        tot = 0.0
        for j in ctx.ids:
            if i != j:
                pr = ctx.pr[(i, j)]
                tot += nat.k * pr.threat / 100 * m.x_level(world, cls, j, pr.est)
        pressure[i] = tot - nat.a * x_true[i] + nat.g
    rho = f.spectral_radius(m.richardson_matrix(world), ctx.p.power_iterations)
    return Metrics(sec, sec_pub, fsi_true, fsi_pub, rho, x_true, x_pub, pressure)


def rsi_components(ctx: Ctx, met: Metrics, public: bool) -> dict[str, float]:
    """The six RSI components, public or true version (B5.9)."""
    p = ctx.p
    world = ctx.world()
    dyads = m.rival_dyads(world)
    fsi = met.fsi_pub if public else met.fsi_true
    if dyads:
        wts = [(ctx.pr[(i, j)].threat + ctx.pr[(j, i)].threat) / 200 + 0.01 for i, j in dyads]
        s_crisis = sum(w * fsi[d] for w, d in zip(wts, dyads, strict=True)) / sum(wts)
    else:
        s_crisis = 1.0
    x_now = sum((met.x_pub if public else met.x_true).values())
    x_prev = ctx.state.x_pub_total if public else ctx.state.x_true_total
    growth = max(0.0, x_now - x_prev) / max(1.0, x_prev) if not ctx.init else 0.0
    s_race = f.s_race(met.rho, growth, p.race_slope, p.race_growth_scale)
    ordered = [(i, j) for i in ctx.ids for j in ctx.ids if i != j and m.is_rival(world, i, j)]
    s_trust = sum(ctx.pr[k].tau for k in ordered) / len(ordered) if ordered else 1.0
    regime: list[float] = []
    transp: list[float] = []
    de_pairs = ctx.data_exchange_pairs() if dyads else set()
    for i, j in dyads:
        covering = [
            t for t in ctx.treaties.values() if in_force(t) and is_party(t, i) and is_party(t, j)
        ]
        off = any(t.template in OFFENSE_TEMPLATES for t in covering)
        dfn = any(t.template == "DEFENSE_LIMIT" for t in covering)
        cov = 1.0 if off and dfn else 0.5 if off or dfn else 0.0
        scores = [
            (t.cs if public else t.cs_true).get(x, 100.0)
            for t in covering
            if t.template in (*OFFENSE_TEMPLATES, "DEFENSE_LIMIT")
            for x in (i, j)
        ]
        cs_bar = sum(scores) / len(scores) if scores else 0.0
        regime.append(cov * cs_bar / 100)
        recent = max(ctx.pr[(i, j)].last_cbm_turn, ctx.pr[(j, i)].last_cbm_turn)
        cbm = 1.0 if recent > 0 and ctx.turn - recent <= 1 else 0.0
        transp.append(
            (
                float(ctx.has_agreement("HOTLINE", i, j))
                + float(ctx.has_agreement("NOTIFICATION", i, j) or bool(ctx.notification(i, j)))
                + float((i, j) in de_pairs)
                + cbm
            )
            / 4
        )
    s_regime = p.regime_base + (1 - p.regime_base) * (sum(regime) / len(regime) if regime else 0.0)
    s_transp = p.transp_base + (1 - p.transp_base) * (sum(transp) / len(transp) if transp else 0.0)
    if public:
        s_percep = sum(ctx.pr[k].vcov for k in ordered) / len(ordered) if ordered else 1.0
    else:
        cls = {c.name: c for c in ctx.sc.classes}
        errs = []
        for i, j in ordered:
            xj = met.x_true[j]
            xhat = m.x_level(world, cls, j, ctx.pr[(i, j)].est)
            errs.append(abs(xhat - xj) / max(1.0, xj))
        s_percep = 1 - (sum(errs) / len(errs) if errs else 0.0)
    raw = [s_crisis, s_race, s_trust, s_regime, s_transp, s_percep]
    return {k: f.clamp(v, p.rsi_floor, 1.0) for k, v in zip(COMPONENTS, raw, strict=True)}


def rsi_value(
    ctx: Ctx, comps: Mapping[str, float], pinc: Mapping[str, float]
) -> tuple[float, float]:
    """(RSI, incident penalty) from components (B5.9)."""
    p = ctx.p
    weights = (
        p.rsi_w_crisis,
        p.rsi_w_race,
        p.rsi_w_trust,
        p.rsi_w_regime,
        p.rsi_w_transp,
        p.rsi_w_percep,
    )
    g = f.rsi_geometric([comps[k] for k in COMPONENTS], weights, p.rsi_floor)
    pen = min(
        p.pinc_max,
        p.pinc_unnotified * pinc.get("unnotified", 0.0)
        + p.pinc_violation * pinc.get("violation", 0.0)
        + p.pinc_refused * pinc.get("refused", 0.0)
        + p.pinc_crisis * pinc.get("crisis", 0.0),
    )
    return f.clamp(g - pen, 0.0, 100.0), pen


def draw_env(ctx: Ctx) -> None:
    """Weather/clutter per defended region (B5.2): a draw, or its mean in expected mode."""
    p = ctx.p
    for j in ctx.ids:
        if ctx.expected:
            ctx.env[j] = p.env_expected
        else:
            u = u01(ctx.seed, ctx.state.game_id, ctx.turn, "env", f"region={j}")
            ctx.env[j] = p.env_lo + (p.env_hi - p.env_lo) * u


@dataclass(slots=True)
class Outcome:
    """Everything phases 9-13 produced, for reports."""

    met: Metrics
    comps_pub: dict[str, float]
    comps_true: dict[str, float]
    rsi_pub: float
    rsi_true: float
    pen_pub: float
    pen_true: float
    vp: dict[str, float] = field(default_factory=dict)
    comp: dict[str, float] = field(default_factory=dict)


def evaluate(ctx: Ctx, inertia: float, only: str | None = None) -> Outcome:
    """Phases 8-10 (used by both ``new_game`` and ``resolve``); with ``only``, what ``only``'s
    VP reads (see :func:`phase_metrics`): the true RSI is left out (0.0, no components)."""
    eng = phase_perception(ctx, inertia)
    met = phase_metrics(ctx, only, eng)
    comps_pub = rsi_components(ctx, met, True)
    rsi_pub, pen_pub = rsi_value(ctx, comps_pub, ctx.pinc)
    if only is not None:
        return Outcome(met, comps_pub, {}, rsi_pub, 0.0, pen_pub, 0.0)
    comps_true = rsi_components(ctx, met, False)
    rsi_true, pen_true = rsi_value(ctx, comps_true, ctx.pinc_true)
    return Outcome(met, comps_pub, comps_true, rsi_pub, rsi_true, pen_pub, pen_true)


def explain(
    ctx: Ctx,
    before: Mapping[str, float],
    after: Mapping[str, float],
    pen_before: float,
    pen_after: float,
    rsi_before: float,
    rsi_after: float,
) -> list[JSONDict]:
    """Why RSI_pub moved, component by component, from public events only."""
    p = ctx.p
    weights = {
        "S_crisis": p.rsi_w_crisis,
        "S_race": p.rsi_w_race,
        "S_trust": p.rsi_w_trust,
        "S_regime": p.rsi_w_regime,
        "S_transp": p.rsi_w_transp,
        "S_percep": p.rsi_w_percep,
    }
    if p.rules >= 5:
        # The index before had last turn's incident penalty taken off already: the gross index
        # is the components' own (before and after), and last turn's penalty is what separated
        # it from the index then. Rules 1-4 took the penalty before as 0, so a steady penalty
        # (expected mode's crisis risk, every turn) was booked as a component rise and then
        # taken off again as "incidents", and components that had not moved were said to fall.
        ws = [weights[k] for k in COMPONENTS]
        g_before = f.rsi_geometric([before.get(k, after[k]) for k in COMPONENTS], ws, p.rsi_floor)
        g_after = f.rsi_geometric([after[k] for k in COMPONENTS], ws, p.rsi_floor)
        pen_before = f.clamp(g_before - rsi_before, 0.0, p.pinc_max)
    else:
        g_before = rsi_before + pen_before
        g_after = rsi_after + pen_after
    logs: dict[str, float] = {}
    total_log = 0.0
    for k in COMPONENTS:
        b = f.clamp(before.get(k, after[k]), p.rsi_floor, 1.0)
        a = f.clamp(after[k], p.rsi_floor, 1.0)
        logs[k] = weights[k] * (math.log(a) - math.log(b))
        total_log += logs[k]
    dg = g_after - g_before
    # (component, direction) -> public event kinds that push it that way (+1 up, -1 down).
    push: dict[str, dict[str, int]] = {
        "S_crisis": {
            "build": -1,
            "deploy": -1,
            "radar": -1,
            "radar_mode": -1,
            "sensor_sharing": -1,
            "consent": -1,
            "limits_broken": -1,
            "reduce": 1,
            "withdraw_deployment": 1,
            "limits": 1,
            "site_inert": 1,
            "consent_revoked": 1,
            "observers": 1,
            "exercise": 1,
            "agreement": 1,
        },
        "S_race": {
            "build": -1,
            "buy_interceptors": -1,
            "deploy": -1,
            "export": -1,
            "reduce": 1,
            "test": -1,
            "crisis": -1,
        },
        "S_trust": {
            "violation_public": -1,
            "accusation": -1,
            "challenge_refused": -1,
            "test": -1,
            "withdrawal_notice": -1,
            "treaty_withdrawal": -1,
            "limits_broken": -1,
            "economic_pressure": -1,
            "agreement": 1,
            "exercise": 1,
            "observers": 1,
            "inspection_clean": 1,
            "treaty_in_force": 1,
            "reduce": 1,
            "declare": 1,
        },
        "S_regime": {
            "treaty_in_force": 1,
            "treaty_renewed": 1,
            "treaty_withdrawal": -1,
            "treaty_expired": -1,
            "violation_public": -1,
            "accusation": -1,
            "inspection_clean": 1,
        },
        "S_transp": {
            "agreement": 1,
            "exercise": 1,
            "observers": 1,
            "treaty_in_force": 1,
            "treaty_expired": -1,
            "treaty_withdrawal": -1,
        },
        "S_percep": {
            "inspection_clean": 1,
            "challenge": 1,
            "declare": 1,
            "agreement": 1,
            "treaty_in_force": 1,
            "build": -1,
            "treaty_expired": -1,
        },
    }
    inc_kinds = ("test", "violation_public", "challenge_refused", "crisis", "catastrophe")
    public_events = [e for e in ctx.events if e.audience is None]

    def reasons(comp: str, direction: int) -> list[Message]:
        said: list[Message] = []
        for e in public_events:
            if push.get(comp, {}).get(e.kind) == direction and e.msg not in said:
                said.append(e.msg)
        return said

    out: list[JSONDict] = []
    for k in COMPONENTS:
        b = before.get(k, after[k])
        share = dg * logs[k] / total_log if abs(total_log) > 1e-12 else 0.0
        if abs(share) < 0.05 and abs(after[k] - b) < 0.005:
            continue
        up = after[k] > b
        why = reasons(k, 1 if up else -1)
        verb = "rose" if up else "fell"
        if len(why) > 3:
            said = msg(f"explain.{verb}_because_more", *why[:3], w=f"component.{k}", n=len(why) - 3)
        elif why:
            said = msg(f"explain.{verb}_because", *why, w=f"component.{k}")
        else:
            said = msg(f"explain.{verb}_shifted", w=f"component.{k}")
        out.append(
            {
                "metric": "rsi_pub",
                "component": k,
                "delta": round(share, 2),
                "before": round(b, 4),
                "after": round(after[k], 4),
                "text": message_to_json(said),
            }
        )
    if p.rules >= 5:
        out.extend(_incident_change(pen_before, pen_after, public_events, inc_kinds))
    elif pen_after > 0:
        why = [e.msg for e in public_events if e.kind in inc_kinds]
        x = f"{pen_after:.1f}"
        said = msg("explain.incidents", *why[:3], x=x) if why else msg("explain.incidents_unnamed", x=x)
        out.append(
            {
                "metric": "rsi_pub",
                "component": "P_inc",
                "delta": round(-pen_after, 2),
                "before": 0.0,
                "after": round(pen_after, 4),
                "text": message_to_json(said),
            }
        )
    return out


def _incident_change(
    pen_before: float, pen_after: float, public_events: Sequence[Event], kinds: Sequence[str]
) -> list[JSONDict]:
    """The incident penalty's part in the index's move (rules >= 5): its change since last turn,
    said only when it moved the index by a twentieth of a point or more, like a component."""
    change = pen_after - pen_before
    if abs(change) < 0.05:
        return []
    x, d = f"{pen_after:.1f}", f"{abs(change):.1f}"
    why = [e.msg for e in public_events if e.kind in kinds]
    if pen_before < 0.05:
        said = msg("explain.incidents", *why[:3], x=x) if why else msg("explain.incidents_unnamed", x=x)
    elif change > 0:
        said = (
            msg("explain.incidents_more", *why[:3], x=x, x2=d)
            if why
            else msg("explain.incidents_more_unnamed", x=x, x2=d)
        )
    elif pen_after >= 0.05:
        said = msg("explain.incidents_fewer", x=x, x2=d)
    else:
        said = msg("explain.incidents_gone", x2=f"{pen_before:.1f}")
    return [
        {
            "metric": "rsi_pub",
            "component": "P_inc",
            "delta": round(-change, 2),
            "before": round(pen_before, 4),
            "after": round(pen_after, 4),
            "text": message_to_json(said),
        }
    ]
