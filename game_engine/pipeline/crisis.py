"""Phase 11: crises and escalation (B5.11), drawn on true values."""

from __future__ import annotations

from game_engine import formulas as f
from game_engine import metrics as m
from game_engine.messages import msg
from game_engine.pipeline.context import Ctx
from game_engine.pipeline.stability import Metrics
from game_engine.state import replace


def crisis_risks(ctx: Ctx, met: Metrics) -> list[tuple[str, str, float, float]]:
    """``(i, j, p_cr, p_esc)`` per rival dyad, from threat, incidents, FSI and clarity (B5.11)."""
    p = ctx.p
    out: list[tuple[str, str, float, float]] = []
    for i, j in m.rival_dyads(ctx.world()):
        t_bar = (ctx.pr[(i, j)].threat + ctx.pr[(j, i)].threat) / 2
        inc = ctx.incidents.get((i, j), 0.0) + ctx.incidents.get((j, i), 0.0)
        p_cr = (
            min(
                p.cr_max,
                p.cr_base + p.cr_threat * (t_bar / 100) ** p.cr_threat_exp + p.cr_incident * inc,
            )
            * p.crisis_strength
        )
        p_cr = f.clamp(p_cr, 0.0, 1.0)
        hot = 1.0 if ctx.has_agreement("HOTLINE", i, j) else 0.0
        chi_bar = (ctx.pr[(i, j)].chi + ctx.pr[(j, i)].chi) / 2
        p_esc = (
            p.esc_base
            * (p.esc_scale if p.rules >= 3 else 1.0)
            * (1 - met.fsi_true.get((i, j), 1.0))
            * (1 - p.esc_hotline * hot)
            * (1 - p.esc_clarity * chi_bar)
        )
        out.append((i, j, p_cr, f.clamp(p_esc, 0.0, 1.0)))
    return out


def expected_crisis_weight(ctx: Ctx, met: Metrics) -> float:
    """Expected number of contained crises this turn, ``sum p_cr (1 - p_esc)``: the crisis
    part of the incident penalty an expected-mode turn carries even when nothing happens, so
    the starting index includes it (issue 14: start in equilibrium)."""
    if not ctx.p.crisis_enabled:
        return 0.0
    return sum(p_cr * (1 - p_esc) for _, _, p_cr, p_esc in crisis_risks(ctx, met))


def phase_crisis(ctx: Ctx, met: Metrics) -> None:
    """Phase 11: crises and escalation on true values (B5.11)."""
    p = ctx.p
    if not p.crisis_enabled or ctx.init:
        return
    for i, j, p_cr, p_esc in crisis_risks(ctx, met):
        ctx.draws.append(
            {"crisis_dyad": f"{i}-{j}", "p_cr": round(p_cr, 9), "p_esc": round(p_esc, 9)}
        )
        if ctx.expected:
            ctx.survival *= 1 - p_cr * p_esc
            w = p_cr * (1 - p_esc)
        else:
            if ctx.chance(p_cr, "crisis", f"{i}-{j}") <= 0:
                continue
            if ctx.chance(p_esc, "escalation", f"{i}-{j}") > 0:
                ctx.catastrophe.extend(x for x in (i, j) if x not in ctx.catastrophe)
                ctx.emit(
                    "catastrophe",
                    None,
                    msg("event.catastrophe", s=i, s2=j),
                    a=i,
                    b=j,
                )
                continue
            w = 1.0
            ctx.emit(
                "crisis",
                None,
                msg("event.crisis", s=i, s2=j),
                a=i,
                b=j,
            )
        if w <= 0:
            continue
        for a, b in ((i, j), (j, i)):
            pr = ctx.pr[(a, b)]
            ctx.pr[(a, b)] = replace(
                pr, threat=ctx.rf(min(100.0, pr.threat + p.crisis_threat_jump * w))
            )
        for x in (i, j):
            ctx.rally[x] = ctx.rally.get(x, 0.0) + p.ds_rally * w
        ctx.pinc["crisis"] = ctx.pinc.get("crisis", 0.0) + w
        ctx.pinc_true["crisis"] = ctx.pinc_true.get("crisis", 0.0) + w
