"""Phase 13: scoring (B5.8, B5.12): compliance score, objective cards, victory points."""

from __future__ import annotations

from game_engine import formulas as f
from game_engine import metrics as m
from game_engine.orders import (
    in_force,
    is_party,
)
from game_engine.pipeline.context import Ctx
from game_engine.scenario import Objective
from game_engine.state import (
    GameState,
)


def comp_score(ctx: Ctx, sid: str) -> float:
    """Compliance component ``0.7 mean CS (or 40) + 0.3 * 100 Rep`` (B5.8)."""
    p = ctx.p
    scores = [
        t.cs[sid]
        for t in ctx.treaties.values()
        if sid in t.parties and sid in t.cs and t.status != "draft"
    ]
    base = sum(scores) / len(scores) if scores else p.comp_nonparty
    rep = sum(ctx.pr[(k, sid)].tau for k in ctx.ids if k != sid) / max(1, len(ctx.ids) - 1)
    return f.clamp(p.comp_w_cs * base + p.comp_w_rep * 100 * rep, 0.0, 100.0)


def check_objective(ctx: Ctx, sid: str, obj: Objective, rsi_pub: float) -> bool:
    """Whether an objective card's conditions hold now (docs/rules.md#objectives)."""
    world = ctx.world()
    results: list[bool] = []
    for c in obj.conditions:
        ok = False
        if c.kind == "site_interceptors":
            s = ctx.sites.get(c.site)
            ok = (
                s is not None
                and s.owner == (c.state or sid)
                and m.site_active(world, s)
                and sum(s.interceptors.values()) >= c.value
            )
        elif c.kind == "missiles_at_least":
            ok = ctx.n[c.state or sid].missiles.get(c.cls, 0) >= c.value
        elif c.kind == "no_foreign_interceptors_near":
            me = c.state or sid
            ok = not any(
                s.owner not in ("", me)
                and sum(s.interceptors.values()) > 0
                and any(cv.against == me for cv in s.coverage)
                for s in ctx.sites.values()
            )
        elif c.kind == "ds_at_least":
            ok = ctx.n[c.state or sid].ds >= c.value
        elif c.kind == "ed_at_least":
            ok = m.ed_eff(world, c.state, sid) >= c.value if c.state else False
        elif c.kind == "has_tech":
            ok = c.cls in ctx.n[c.state or sid].tech
        elif c.kind == "not_caught":
            ok = not any(
                v.state == (c.state or sid) and v.published for v in ctx.violations.values()
            )
        elif c.kind == "rsi_at_least":
            ok = rsi_pub >= c.value
        elif c.kind == "treaty_in_force":
            ok = any(
                t.template == c.template and in_force(t) and is_party(t, c.state or sid)
                for t in ctx.treaties.values()
            )
        elif c.kind == "security_at_least":
            ok = ctx.n[c.state or sid].sec >= c.value
        results.append(ok)
    return any(results) if obj.any_of else all(results)


def objective_points(state: GameState, sid: str) -> float:
    """Points from secret objective cards (capped, B5.12)."""
    setup = state.scenario.states[state.state_ids.index(sid)]
    met = state.nations[sid].objectives_met
    pts = 0.0
    for card in setup.objective_cards:
        t = met.get(card.id)
        if t is None:
            continue
        if card.by_turn is None or t <= card.by_turn:
            pts += card.points
    return min(state.scenario.params.objectives_cap, pts)


def final_scores(state: GameState) -> dict[str, float]:
    """Victory points per state (B5.12): mean per-turn VP + objectives - audit charges,
    then x0.5 and -20 for crisis members after a catastrophe. Valid at any time.
    """
    p = state.scenario.params
    catastrophe = any(c.get("escalated") is True for c in state.crises)
    out: dict[str, float] = {}
    for sid in state.state_ids:
        nat = state.nations[sid]
        mean = sum(nat.vp_history) / len(nat.vp_history) if nat.vp_history else 0.0
        total = mean + objective_points(state, sid) - nat.audit_charge
        if catastrophe:
            total = total * p.catastrophe_mult - nat.catastrophe_penalty
        out[sid] = round(total, 6)
    return out
