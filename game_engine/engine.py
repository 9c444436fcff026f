"""Public entry points: ``new_game``, ``validate_order(s)``, ``resolve``, ``final_scores``,
``add_treaty_draft`` (B0, B3, B4, B9).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace

from game_engine import formulas as f
from game_engine.errors import RuleCode, RuleViolation
from game_engine.events import Resolution
from game_engine.jsontypes import JSON, JSONDict
from game_engine.orders import Order, Running, check_order, parse_order
from game_engine.params import CLASS_ORDER, ITYPE_ORDER, Params
from game_engine.resolve import (
    COMPONENT_LABEL,
    COMPONENTS,
    Ctx,
    Outcome,
    accounting,
    check_objective,
    comp_score,
    draw_env,
    evaluate,
    forget,
    intake,
    order_json,
    phase_compliance,
    phase_crisis,
    phase_diplomacy,
    phase_domestic,
    phase_economy,
    phase_forces,
    phase_injects,
    phase_tests,
    phase_transparency,
    phase_verification,
    rsi_value,
    terms_hash,
    thaw,
)
from game_engine.rng import seed_commit, u01
from game_engine.scenario import TREATY_TEMPLATES, Scenario
from game_engine.state import (
    MODES,
    Agreement,
    Consent,
    GameState,
    Nation,
    Pair,
    Site,
    Treaty,
)

TEMPLATE_NAMES: dict[str, str] = {
    "EXPORT_CONTROL": "Export-control regime",
    "OFFENSE_CAP": "Offensive arms cap",
    "CLASS_BAN": "Missile class ban",
    "DEFENSE_LIMIT": "Missile-defense limits",
    "NONPROLIFERATION": "Non-proliferation treaty",
}


def normalize_terms(template: str, terms: Mapping[str, JSON], p: Params) -> JSONDict:
    """Treaty terms with every default filled in (B2.6)."""
    out: JSONDict = dict(terms)
    caps_like = template in ("OFFENSE_CAP", "CLASS_BAN", "DEFENSE_LIMIT")
    out.setdefault("grace_turns", p.default_grace_caps if caps_like else 0)
    out.setdefault("notice_turns", p.default_notice_turns)
    out.setdefault(
        "inspection_quota", p.default_inspection_quota if template == "OFFENSE_CAP" else 0
    )
    out.setdefault("data_exchange", template == "OFFENSE_CAP")
    out.setdefault("notification", template == "OFFENSE_CAP")
    out.setdefault("challenge", template in ("OFFENSE_CAP", "CLASS_BAN", "NONPROLIFERATION"))
    if template == "EXPORT_CONTROL":
        out.setdefault("members_only", True)
    return {k: out[k] for k in sorted(out)}


def _treaty_name(
    template: str, parties: Sequence[str], sc: Scenario, terms: Mapping[str, JSON]
) -> str:
    name = terms.get("name")
    if isinstance(name, str) and name:
        return name
    names = {s.id: s.name for s in sc.info.states}
    return (
        f"{TEMPLATE_NAMES.get(template, template)} ({', '.join(names.get(x, x) for x in parties)})"
    )


def new_game(scenario: Scenario, *, game_id: str, seed: str, mode: str = "expected") -> GameState:
    """A fresh game at turn 1, initialised as in B9 (phases 8-10 once with lambda = 0).

    Raises ``RuleViolation(E_BAD_PARAM)`` for an unknown mode or empty ids.
    """
    if mode not in MODES:
        raise RuleViolation(RuleCode.E_BAD_PARAM, f"mode must be one of {', '.join(MODES)}")
    if not game_id or not seed:
        raise RuleViolation(RuleCode.E_BAD_PARAM, "game_id and seed must be non-empty strings")
    sc = scenario
    p = sc.params
    nations: dict[str, Nation] = {}
    for st in sc.states:
        sid = st.info.id
        nations[sid] = Nation(
            id=sid,
            nuclear=st.nuclear,
            missiles={c: st.missiles[c] for c in CLASS_ORDER if st.missiles.get(c, 0)},
            tech=st.tech,
            developing=dict(st.developing),
            prod_cap=dict(st.prod_cap),
            store={t: st.store[t] for t in ITYPE_ORDER if st.store.get(t, 0)},
            cm=st.cm,
            ntm=st.ntm,
            conceal=st.conceal,
            conceal_base=st.conceal,
            disc=0.0,
            program=st.program,
            budget=st.budget,
            income=st.income,
            ds=st.ds,
            n_sites=st.n_sites,
            l_half=st.l_half,
            u=st.u,
            weights=st.weights,
            k=st.k,
            a=st.a,
            g=0.0,
            s0=st.s0,
            treaty_pref=st.treaty_pref,
            shame=st.shame,
            hawkish=st.hawkish,
            allow_challenge=st.allow_challenge,
            doctrine=st.doctrine,
            public_ledger=dict(
                st.public_missiles if st.public_missiles is not None else st.missiles
            ),
            declared=None,
            declared_turn=None,
            sec=0.0,
            sec_pub=0.0,
            arp=0.0,
            vp_history=(),
            objectives_met={},
            audit_charge=0.0,
            catastrophe_penalty=0.0,
            last_spend=0,
            npc=st.npc,
        )
    pairs: dict[tuple[str, str], Pair] = {}
    for r in sc.relations:
        pairs[(r.src, r.dst)] = Pair(
            src=r.src,
            dst=r.dst,
            alpha=r.alpha,
            beta=r.beta,
            alpha0=r.alpha,
            beta0=r.beta,
            threat=0.0,
            h=r.h,
            ev=r.ev,
            chi=0.0,
            est={},
            vcov=0.0,
            ed=r.ed,
            rival=r.rival,
            visits_prev=0,
            last_cbm_turn=0,
            last_observed_turn=0,
        )
    sites = tuple(
        Site(
            id=s.id,
            host=s.host,
            owner=s.owner,
            kind=s.kind,
            capacity=s.capacity,
            allowed=s.allowed,
            interceptors=dict(s.interceptors),
            radar_q=s.radar_q,
            radar_max_q=s.radar_max_q,
            radar_mode=s.radar_mode,
            sensor_sharing=s.sensor_sharing,
            ready_turn=s.ready_turn,
            coverage=s.coverage,
            sees=s.sees,
            ds_burden=s.ds_burden,
            geo=s.geo,
        )
        for s in sc.sites
    )
    consents = tuple(
        Consent(
            host=c.host,
            owner=c.owner,
            site=c.site,
            max_interceptors=c.max_interceptors,
            max_radar_q=c.max_radar_q,
            forward_allowed=c.forward_allowed,
            sensor_sharing_allowed=c.sensor_sharing_allowed,
            compensation=c.compensation,
            notice_turns=c.notice_turns,
            granted_turn=0,
        )
        for c in sc.consents
    )
    treaties: list[Treaty] = []
    for n, t in enumerate(sc.treaties, start=1):
        terms = normalize_terms(t.template, t.terms, p)
        grace = terms.get("grace_turns", 0)
        g = grace if isinstance(grace, int) and not isinstance(grace, bool) else 0
        parties = tuple(x for x in sc.state_ids if x in t.parties)
        treaties.append(
            Treaty(
                id=f"T{n}",
                template=t.template,
                name=t.name or _treaty_name(t.template, parties, sc, terms),
                parties=parties,
                terms=terms,
                terms_hash=terms_hash(t.template, parties, terms),
                status="in_force",
                entry_turn=min(0, 1 - g),
                created_turn=0,
                cs=dict.fromkeys(parties, 100.0),
                cs_true=dict.fromkeys(parties, 100.0),
            )
        )
    agreements = tuple(Agreement(kind=a.kind, a=a.a, b=a.b, since=0) for a in sc.agreements)
    state0 = GameState(
        game_id=game_id,
        turn=1,
        max_turns=sc.info.turns,
        mode=mode,
        seed=seed,
        seed_commit=seed_commit(seed),
        scenario=sc,
        nations=nations,
        pairs=pairs,
        sites=sites,
        consents=consents,
        treaties=tuple(treaties),
        agreements=agreements,
        violations=(),
        evidence=(),
        rsi_pub=0.0,
        rsi_true=0.0,
        rsi_components={},
        rsi_components_true={},
        rsi_history=(),
        rsi_true_history=(),
        x_pub_total=0.0,
        x_true_total=0.0,
        rho_pub=0.0,
        rho_true=0.0,
        counters={"treaty": len(treaties), "evidence": 0, "violation": 0},
    )
    ctx = thaw(state0, seed, 0)
    ctx.init = True
    draw_env(ctx)
    out = evaluate(ctx, 0.0)
    for sid in sc.state_ids:
        ctx.setn(
            sid,
            g=ctx.rf(-out.met.pressure[sid]),
            sec=ctx.rf(out.met.sec[sid].sec),
            sec_pub=ctx.rf(out.met.sec_pub[sid].sec),
            arp=0.0,
        )
    return replace(
        state0,
        nations=dict(ctx.n),
        pairs=dict(ctx.pr),
        rsi_pub=ctx.rf(out.rsi_pub),
        rsi_true=ctx.rf(out.rsi_true),
        rsi_components={k: ctx.rf(v) for k, v in out.comps_pub.items()},
        rsi_components_true={k: ctx.rf(v) for k, v in out.comps_true.items()},
        rsi_history=(ctx.rf(out.rsi_pub),),
        rsi_true_history=(ctx.rf(out.rsi_true),),
        x_pub_total=ctx.rf(sum(out.met.x_pub.values())),
        x_true_total=ctx.rf(sum(out.met.x_true.values())),
        rho_pub=ctx.rf(out.met.rho),
        rho_true=ctx.rf(out.met.rho),
    )


# ------------------------------------------------------------------------------ validation


def _require_actor(state: GameState, actor: str) -> None:
    if state.game_over:
        raise RuleViolation(RuleCode.E_GAME_OVER, "The game is over; no more orders.")
    if actor not in state.nations:
        raise RuleViolation(RuleCode.E_UNKNOWN, f"Unknown state {actor!r}.")


def validate_order(state: GameState, actor: str, raw: Mapping[str, object]) -> Order:
    """One raw order dict -> typed ``Order``, checked alone against the start-of-turn state.

    Raises ``RuleViolation`` (codes in ``RuleCode``; ``order_index`` is None).
    """
    _require_actor(state, actor)
    order = parse_order(raw)
    check_order(state, actor, order, Running.start(state, actor))
    return order


def validate_orders(
    state: GameState, actor: str, raws: Sequence[Mapping[str, object]]
) -> tuple[Order, ...]:
    """The whole order set of one state, walked in canonical order with a running budget and
    inventory (B3 step 4). Returns typed orders in submission order.

    Raises ``RuleViolation`` with ``order_index`` = position of the first failing order.
    Matching with other states' orders (signatures, consents, exports) happens in ``resolve``.
    """
    _require_actor(state, actor)
    typed: list[Order] = []
    for idx, raw in enumerate(raws):
        try:
            typed.append(parse_order(raw))
        except RuleViolation as exc:
            raise exc.with_index(idx) from None
    run = Running.start(state, actor)
    order_idx = sorted(range(len(typed)), key=lambda i: (typed[i].sort_key(), i))
    for idx in order_idx:
        try:
            check_order(state, actor, typed[idx], run)
        except RuleViolation as exc:
            raise exc.with_index(idx) from None
    return tuple(typed)


# ------------------------------------------------------------------------------ resolution


def _explain(
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

    def reasons(comp: str, direction: int) -> list[str]:
        texts: list[str] = []
        for e in public_events:
            if push.get(comp, {}).get(e.kind) == direction and e.text.rstrip(".") not in texts:
                texts.append(e.text.rstrip("."))
        return texts

    out: list[JSONDict] = []
    for k in COMPONENTS:
        b = before.get(k, after[k])
        share = dg * logs[k] / total_log if abs(total_log) > 1e-12 else 0.0
        if abs(share) < 0.05 and abs(after[k] - b) < 0.005:
            continue
        label = COMPONENT_LABEL[k]
        up = after[k] > b
        why = reasons(k, 1 if up else -1)
        verb = "rose" if up else "fell"
        if why:
            more = f" (and {len(why) - 3} more)" if len(why) > 3 else ""
            text = f"{label} {verb} because {'; '.join(why[:3])}{more}."
        else:
            text = f"{label} {verb} as threat perceptions, trust and estimates shifted."
        out.append(
            {
                "metric": "rsi_pub",
                "component": k,
                "delta": round(share, 2),
                "before": round(b, 4),
                "after": round(after[k], 4),
                "text": text,
            }
        )
    if pen_after > 0:
        why = [e.text.rstrip(".") for e in public_events if e.kind in inc_kinds]
        reason = "; ".join(why[:3]) if why else "incidents this turn"
        out.append(
            {
                "metric": "rsi_pub",
                "component": "P_inc",
                "delta": round(-pen_after, 2),
                "before": 0.0,
                "after": round(pen_after, 4),
                "text": f"Incidents took {pen_after:.1f} points off the index: {reason}.",
            }
        )
    return out


def resolve(state: GameState, orders: Mapping[str, Sequence[Order]], seed: str) -> Resolution:
    """Resolve one turn (B4). Invalid orders are rejected (reported), never raised.

    Raises ``RuleViolation(E_GAME_OVER)`` if ``state.game_over``.
    """
    if state.game_over:
        raise RuleViolation(RuleCode.E_GAME_OVER, "The game is over; nothing left to resolve.")
    p = state.scenario.params
    ctx = thaw(state, seed, state.turn)
    ids = state.state_ids
    before_budget = {s: state.nations[s].budget for s in ids}
    before_ds = {s: state.nations[s].ds for s in ids}
    before_sec = {s: state.nations[s].sec for s in ids}
    before_est = {(i, j): dict(state.pairs[(i, j)].est) for i in ids for j in ids if i != j}

    forget(ctx)
    intake(ctx, orders)
    for sid in ids:
        for _, o, _ in ctx.accepted.get(sid, []):
            if o.type == "INVITE_OBSERVERS":
                ctx.matched_observers.setdefault(sid, []).append(o.str_("with"))
    phase_injects(ctx)
    phase_diplomacy(ctx)
    phase_economy(ctx)
    phase_forces(ctx)
    phase_tests(ctx)
    phase_transparency(ctx)
    accounting(ctx)
    phase_verification(ctx)
    phase_compliance(ctx)
    draw_env(ctx)
    out: Outcome = evaluate(ctx, p.threat_inertia)
    phase_crisis(ctx, out.met)
    if ctx.pinc.get("crisis") or ctx.pinc_true.get("crisis"):
        out.rsi_pub, out.pen_pub = rsi_value(ctx, out.comps_pub, ctx.pinc)
        out.rsi_true, out.pen_true = rsi_value(ctx, out.comps_true, ctx.pinc_true)
    phase_domestic(ctx, out.met)

    vp: dict[str, float] = {}
    for sid in ids:
        nat = ctx.n[sid]
        comp = comp_score(ctx, sid)
        w_sec, w_comp, w_reg = nat.weights
        value = (w_sec * out.met.sec[sid].sec + w_comp * comp + w_reg * out.rsi_pub) * ctx.survival
        vp[sid] = ctx.rf(value)
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
    if ctx.catastrophe:
        game_over = True
        reason = "Strategic catastrophe: a crisis escalated."
        crises.append({"turn": ctx.turn, "members": list(ctx.catastrophe), "escalated": True})
        for sid in ctx.catastrophe:
            ctx.setn(sid, catastrophe_penalty=p.catastrophe_dyad_penalty)
    elif ctx.turn >= state.max_turns:
        game_over = True
        reason = f"All {state.max_turns} turns have been played."
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
        _declassify(ctx)

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
        ctx.emit("game_over", None, reason, seed=state.seed)

    explanation = _explain(
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
        "game_over_reason": reason,
    }
    private: dict[str, JSONDict] = {}
    for sid in ids:
        acc: list[JSON] = [
            {"index": idx, "order": _ojson(o), "cost": cost}
            for idx, o, cost in ctx.accepted.get(sid, [])
        ]
        rej: list[JSON] = [
            {"index": idx, "order": _ojson(o), "code": code, "message": msg}
            for idx, o, code, msg in ctx.rejected.get(sid, [])
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


def _ojson(o: Order) -> JSONDict:
    return order_json(o)


def _declassify(ctx: Ctx) -> None:
    """End-of-game declassification audit (B5.8): hidden violations revealed w.p. p_audit."""
    p = ctx.p
    for v in list(ctx.violations.values()):
        if v.published or v.treaty not in ctx.treaties:
            continue
        if ctx.expected:
            w = p.p_audit
        else:
            w = (
                1.0
                if u01(ctx.seed, ctx.state.game_id, "audit", v.id) < round(p.p_audit, 12)
                else 0.0
            )
        if w <= 0:
            continue
        t = ctx.treaties[v.treaty]
        charge = p.audit_weight * v.severity * w
        cs = dict(t.cs)
        if v.state in cs:
            cs[v.state] = ctx.rf(f.clamp(cs[v.state] - charge, 0.0, 100.0))
            ctx.treaties[t.id] = replace(t, cs=cs)
        n_t = max(1, sum(1 for x in ctx.treaties.values() if v.state in x.cs))
        w_comp = ctx.n[v.state].weights[1]
        nat = ctx.n[v.state]
        ctx.setn(
            v.state, audit_charge=ctx.rf(nat.audit_charge + w_comp * p.comp_w_cs * charge / n_t)
        )
        ctx.violations[v.id] = replace(v, audit_weight=w)
        ctx.emit(
            "declassified",
            None,
            f"Declassified: {ctx.name(v.state)} had secretly breached {t.name} ({v.kind}, {v.clause}).",
            state=v.state,
            treaty=t.id,
            weight=w,
        )


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


def add_treaty_draft(
    state: GameState, template: str, parties: Sequence[str], terms: Mapping[str, JSON]
) -> tuple[GameState, str, str]:
    """Table a treaty draft (pure). Returns ``(new_state, treaty_id, terms_hash)``.

    Idempotent: the same text tabled twice returns the existing draft. Raises
    ``RuleViolation(E_BAD_PARAM / E_UNKNOWN)`` for a bad template, parties or terms.
    """
    if template not in TREATY_TEMPLATES:
        raise RuleViolation(RuleCode.E_BAD_PARAM, f"Unknown treaty template {template!r}.")
    ps = [x for x in state.state_ids if x in parties]
    for x in parties:
        if x not in state.state_ids:
            raise RuleViolation(RuleCode.E_UNKNOWN, f"Unknown state {x!r}.")
    if len(ps) < 2:
        raise RuleViolation(RuleCode.E_BAD_PARAM, "A treaty needs at least two parties.")
    _check_terms(template, terms)
    norm = normalize_terms(template, terms, state.scenario.params)
    h = terms_hash(template, ps, norm)
    for t in state.treaties:
        if t.terms_hash == h and t.status != "terminated":
            return state, t.id, h
    counters = dict(state.counters)
    counters["treaty"] = counters.get("treaty", 0) + 1
    tid = f"T{counters['treaty']}"
    draft = Treaty(
        id=tid,
        template=template,
        name=_treaty_name(template, ps, state.scenario, norm),
        parties=tuple(ps),
        terms=norm,
        terms_hash=h,
        status="draft",
        entry_turn=None,
        created_turn=state.turn,
    )
    return replace(state, treaties=(*state.treaties, draft), counters=counters), tid, h


_TERM_KINDS: dict[str, str] = {
    "name": "str",
    "caps": "caps",
    "classes": "classes",
    "weighted_cap": "num",
    "max_interceptors": "int",
    "max_per_site": "int",
    "max_sites": "int",
    "no_foreign_basing": "bool",
    "terminal_only": "bool",
    "inspection_quota": "int",
    "data_exchange": "bool",
    "notification": "bool",
    "challenge": "bool",
    "grace_turns": "int",
    "notice_turns": "int",
    "expires_turn": "int",
    "renew_turns": "int",
    "members_only": "bool",
}


def _check_terms(template: str, terms: Mapping[str, JSON]) -> None:
    for k, v in terms.items():
        kind = _TERM_KINDS.get(k)
        bad = RuleViolation(RuleCode.E_BAD_PARAM, f"Treaty term {k!r} has an invalid value.")
        if kind is None:
            raise RuleViolation(RuleCode.E_BAD_PARAM, f"Unknown treaty term {k!r}.")
        if kind == "int" and (not isinstance(v, int) or isinstance(v, bool) or v < 0):
            raise bad
        if kind == "num" and (not isinstance(v, (int, float)) or isinstance(v, bool) or v < 0):
            raise bad
        if kind == "bool" and not isinstance(v, bool):
            raise bad
        if kind == "str" and not isinstance(v, str):
            raise bad
        if kind == "caps" and not (
            isinstance(v, dict)
            and all(
                c in CLASS_ORDER and isinstance(n, int) and not isinstance(n, bool) and n >= 0
                for c, n in v.items()
            )
        ):
            raise bad
        if kind == "classes" and not (isinstance(v, list) and all(c in CLASS_ORDER for c in v)):
            raise bad
    if template in ("OFFENSE_CAP",) and not terms.get("caps") and not terms.get("weighted_cap"):
        raise RuleViolation(RuleCode.E_BAD_PARAM, "An offense cap needs 'caps' or 'weighted_cap'.")
    if template == "CLASS_BAN" and not terms.get("classes"):
        raise RuleViolation(RuleCode.E_BAD_PARAM, "A class ban needs 'classes'.")
