"""The turn driver (B4): runs the phases in order and builds the public, private and audit reports."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from game_engine import formulas as f
from game_engine import metrics as m
from game_engine.errors import RuleCode, RuleViolation
from game_engine.events import Resolution
from game_engine.jsontypes import JSON, JSONDict
from game_engine.messages import english, message_to_json, msg
from game_engine.orders import (
    Command,
    InviteObservers,
    NotAnOrder,
)
from game_engine.pipeline.compliance import accounting, declassify, phase_compliance
from game_engine.pipeline.context import Ctx, thaw
from game_engine.pipeline.crisis import phase_crisis
from game_engine.pipeline.diplomacy import phase_diplomacy
from game_engine.pipeline.domestic import phase_domestic
from game_engine.pipeline.economy import phase_economy
from game_engine.pipeline.forces import hosted_site_incidents, phase_forces, phase_tests
from game_engine.pipeline.intake import intake, order_json, phase_injects
from game_engine.pipeline.perception import forget
from game_engine.pipeline.scoring import check_objective, comp_score
from game_engine.pipeline.stability import (
    COMPONENTS,
    Outcome,
    draw_env,
    evaluate,
    explain,
    rsi_value,
)
from game_engine.pipeline.verification import phase_transparency, phase_verification
from game_engine.rng import seed_commit
from game_engine.state import (
    GameState,
    replace,
)


def resolve(state: GameState, orders: Mapping[str, Sequence[Command]], seed: str) -> Resolution:
    """Resolve one turn (B4). Invalid orders are rejected (reported), never raised.

    Raises ``RuleViolation(E_GAME_OVER)`` if ``state.game_over``.
    """
    if state.game_over:
        raise RuleViolation(RuleCode.E_GAME_OVER, msg("rule.over_resolve"))
    p = state.scenario.params
    ctx = thaw(state, seed, state.turn)
    ids = state.state_ids
    before_budget = {s: state.nations[s].budget for s in ids}
    before_ds = {s: state.nations[s].ds for s in ids}
    before_sec = {s: state.nations[s].sec for s in ids}
    before_est = {(i, j): dict(state.pairs[(i, j)].est) for i in ids for j in ids if i != j}

    out = _phases(ctx, state, orders, None)
    phase_domestic(ctx, out.met)

    vp: dict[str, float] = {}
    for sid in ids:
        nat = ctx.n[sid]
        comp = comp_score(ctx, sid)
        vp[sid] = _vp(ctx, out, sid, comp)
        out.comp[sid] = comp
        met = dict(nat.objectives_met)
        for card in state.scenario.states[ids.index(sid)].objective_cards:
            holds = check_objective(ctx, sid, card, out.rsi_pub)
            if card.by_turn is not None:
                if holds and card.id not in met:
                    met[card.id] = ctx.turn
            elif holds:
                met[card.id] = ctx.turn
            else:
                met.pop(card.id, None)
        ctx.setn(
            sid,
            sec=ctx.rf(out.met.sec[sid].sec),
            sec_pub=ctx.rf(out.met.sec_pub[sid].sec),
            arp=ctx.rf(out.met.pressure[sid] / max(1.0, out.met.x_true[sid])),
            vp_history=(*nat.vp_history, vp[sid]),
            objectives_met=met,
        )

    crises = list(state.crises)
    game_over = False
    reason = ""
    said = msg("game_over.catastrophe")
    if ctx.catastrophe:
        game_over = True
        reason = english(said)
        crises.append({"turn": ctx.turn, "members": list(ctx.catastrophe), "escalated": True})
        for sid in ctx.catastrophe:
            ctx.setn(sid, catastrophe_penalty=p.catastrophe_dyad_penalty)
    elif ctx.turn >= state.max_turns:
        game_over = True
        said = msg("game_over.all_turns", n=state.max_turns)
        reason = english(said)
    crises.extend(
        {
            "turn": ctx.turn,
            "members": [str(e.data.get("a")), str(e.data.get("b"))],
            "escalated": False,
        }
        for e in ctx.events
        if e.kind == "crisis"
    )
    if game_over:
        declassify(ctx)

    new_state = replace(
        state,
        turn=state.turn if game_over else state.turn + 1,
        nations=dict(ctx.n),
        pairs=dict(ctx.pr),
        sites=tuple(ctx.sites.values()),
        consents=tuple(ctx.consents),
        treaties=tuple(ctx.treaties.values()),
        agreements=tuple(ctx.agreements),
        violations=tuple(ctx.violations.values()),
        evidence=tuple(ctx.evidence.values()),
        rsi_pub=ctx.rf(out.rsi_pub),
        rsi_true=ctx.rf(out.rsi_true),
        rsi_components={k: ctx.rf(v) for k, v in out.comps_pub.items()},
        rsi_components_true={k: ctx.rf(v) for k, v in out.comps_true.items()},
        rsi_history=(*state.rsi_history, ctx.rf(out.rsi_pub)),
        rsi_true_history=(*state.rsi_true_history, ctx.rf(out.rsi_true)),
        x_pub_total=ctx.rf(sum(out.met.x_pub.values())),
        x_true_total=ctx.rf(sum(out.met.x_true.values())),
        rho_pub=ctx.rf(out.met.rho),
        rho_true=ctx.rf(out.met.rho),
        counters=dict(ctx.counters),
        crises=tuple(crises),
        game_over=game_over,
        game_over_reason=reason,
        pending_injects=(),
    )
    if game_over:
        ctx.emit("game_over", None, said, seed=state.seed)

    explanation = explain(
        ctx, state.rsi_components, out.comps_pub, 0.0, out.pen_pub, state.rsi_pub, out.rsi_pub
    )
    public_report: JSONDict = {
        "turn": ctx.turn,
        "rsi_pub": {"before": state.rsi_pub, "after": new_state.rsi_pub},
        "components": {
            k: {"before": state.rsi_components.get(k, 0.0), "after": new_state.rsi_components[k]}
            for k in COMPONENTS
        },
        "incident_penalty": round(out.pen_pub, 6),
        "compliance": {
            t.id: {
                "name": t.name,
                "status": t.status,
                "scores": {x: round(v, 6) for x, v in t.cs.items()},
            }
            for t in ctx.treaties.values()
            if t.status != "draft"
        },
        "actions": [dict(a) for a in ctx.public_actions],
        "game_over": game_over,
        "game_over_reason": message_to_json(said) if game_over else "",
    }
    private: dict[str, JSONDict] = {}
    for sid in ids:
        acc: list[JSON] = [
            {"index": idx, "order": _ojson(o), "cost": cost}
            for idx, o, cost in ctx.accepted.get(sid, [])
        ]
        rej: list[JSON] = [
            {"index": idx, "order": _ojson(o), "code": code, "message": message_to_json(why)}
            for idx, o, code, why in ctx.rejected.get(sid, [])
        ]
        est: JSONDict = {}
        for j in ids:
            if j != sid:
                est[j] = {"before": dict(before_est[(sid, j)]), "after": dict(ctx.pr[(sid, j)].est)}
        dets: list[JSON] = [dict(d) for d in ctx.detections.get(sid, [])]
        ledger: JSONDict = dict(sorted(ctx.ledger.get(sid, {}).items()))
        private[sid] = {
            "turn": ctx.turn,
            "accepted": acc,
            "rejected": rej,
            "detections": dets,
            "estimates": est,
            "security": {"before": before_sec[sid], "after": ctx.n[sid].sec},
            "budget": {"before": before_budget[sid], "after": ctx.n[sid].budget, "ledger": ledger},
            "ds": {"before": before_ds[sid], "after": ctx.n[sid].ds},
            "vp": vp[sid],
            "events": [e.text for e in ctx.events if e.audience is not None and sid in e.audience],
        }
    audit: JSONDict = {
        "turn": ctx.turn,
        "seed_matches_commit": seed_commit(seed) == state.seed_commit,
        "draws": list(ctx.draws),
        "rsi_true": {"before": state.rsi_true, "after": new_state.rsi_true},
        "components_true": {k: round(v, 9) for k, v in out.comps_true.items()},
        "incident_penalty_true": round(out.pen_true, 6),
        "missiles": {s: dict(ctx.n[s].missiles) for s in ids},
        "security": {s: round(out.met.sec[s].sec, 6) for s in ids},
        "fsi_true": {f"{a}-{b}": round(v, 6) for (a, b), v in out.met.fsi_true.items()},
        "rho": round(out.met.rho, 9),
        "survival": round(ctx.survival, 9),
        "vp": {s: vp[s] for s in ids},
        "violations": [
            {
                "id": v.id,
                "state": v.state,
                "treaty": v.treaty,
                "kind": v.kind,
                "clause": v.clause,
                "magnitude": v.magnitude,
                "severity": v.severity,
                "ongoing": v.ongoing,
                "published": v.published,
            }
            for v in ctx.violations.values()
        ],
        "ledger": {s: dict(sorted(ctx.ledger.get(s, {}).items())) for s in ids},
    }
    return Resolution(
        state=new_state,
        events=tuple(ctx.events),
        public_report=public_report,
        private_reports=private,
        explanation=tuple(explanation),
        audit=audit,
    )


def resolve_vp(
    state: GameState, orders: Mapping[str, Sequence[Command]], seed: str, viewer: str
) -> float:
    """``resolve(state, orders, seed).private_reports[viewer]["vp"]``, computed with only the
    work that VP reads: the same phases up to crises, the true security of ``viewer`` alone,
    no true RSI, no domestic phase (it runs after everything VP reads), no reports. A bot's
    one-turn projections (negotiator/appraise.py) read nothing else."""
    if state.game_over:
        raise RuleViolation(RuleCode.E_GAME_OVER, msg("rule.over_resolve"))
    ctx = thaw(state, seed, state.turn)
    out = _phases(ctx, state, orders, viewer)
    return _vp(ctx, out, viewer, comp_score(ctx, viewer))


def _phases(
    ctx: Ctx, state: GameState, orders: Mapping[str, Sequence[Command]], only: str | None
) -> Outcome:
    """Phases 1-11 on ``ctx`` (``only``: see :func:`evaluate`)."""
    ids = state.state_ids
    forget(ctx)
    intake(ctx, orders)
    for sid in ids:
        for _, o, _ in ctx.accepted.get(sid, []):
            if isinstance(o, InviteObservers):
                ctx.matched_observers.setdefault(sid, []).append(o.partner)
    phase_injects(ctx)
    phase_diplomacy(ctx)
    phase_economy(ctx)
    phase_forces(ctx)
    if ctx.p.rules >= 2:
        hosted_site_incidents(ctx, state)
    phase_tests(ctx)
    phase_transparency(ctx)
    accounting(ctx)
    phase_verification(ctx)
    phase_compliance(ctx)
    draw_env(ctx)
    out: Outcome = evaluate(ctx, ctx.p.threat_inertia, only)
    phase_crisis(ctx, out.met)
    if ctx.pinc.get("crisis") or ctx.pinc_true.get("crisis"):
        out.rsi_pub, out.pen_pub = rsi_value(ctx, out.comps_pub, ctx.pinc)
        if only is None:
            out.rsi_true, out.pen_true = rsi_value(ctx, out.comps_true, ctx.pinc_true)
    return out


def _vp(ctx: Ctx, out: Outcome, sid: str, comp: float) -> float:
    """Victory points of ``sid`` this turn (B5.12)."""
    nat = ctx.n[sid]
    w_sec, w_comp, w_reg = nat.weights
    value = w_sec * out.met.sec[sid].sec + w_comp * comp + w_reg * out.rsi_pub
    if ctx.p.rules >= 4 and nat.verified_cut > 0:
        x_now = m.x_off({c.name: c for c in ctx.sc.classes}, nat.missiles)
        value += ctx.p.vp_w_verified * f.verified_restraint(
            nat.verified_cut, x_now, ctx.p.vp_verified_ref
        )
    value *= ctx.survival
    return ctx.rf(value)


def _ojson(o: Command | NotAnOrder) -> JSONDict:
    return order_json(o)
