"""The initial state of a new game (B9): phases 8-10 run once with no inertia."""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

from game_engine.errors import RuleCode, RuleViolation
from game_engine.params import CLASS_ORDER, ITYPE_ORDER
from game_engine.pipeline.context import thaw
from game_engine.pipeline.crisis import expected_crisis_weight
from game_engine.pipeline.diplomacy import normalize_terms, treaty_name
from game_engine.pipeline.stability import draw_env, evaluate, rsi_value
from game_engine.pipeline.terms import terms_hash
from game_engine.rng import seed_commit
from game_engine.scenario import ConsentSetup, Scenario, SiteSetup
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


def _setup_fields(setup: SiteSetup | ConsentSetup, cls: type) -> dict[str, Any]:
    """The fields of ``setup`` that its class ``cls`` declares (the part its in-play class extends)."""
    return {f.name: getattr(setup, f.name) for f in fields(cls)}


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
    # A site and a consent in play start as the scenario's setup (their classes extend it).
    sites = tuple(
        Site(**{**_setup_fields(s, SiteSetup), "interceptors": dict(s.interceptors)})
        for s in sc.sites
    )
    consents = tuple(Consent(**_setup_fields(c, ConsentSetup), granted_turn=0) for c in sc.consents)
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
                name=t.name or treaty_name(t.template, parties, sc, terms),
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
    # Evaluated as turn 1 (sites ready on turn 1 count) and, in expected mode, with the
    # expected crisis penalty every quiet turn carries: the scenario starts in the equilibrium
    # of B5.5/B9, so an empty first turn moves nothing (issue 14).
    ctx = thaw(state0, seed, state0.turn if p.rules >= 2 else 0)
    ctx.init = True
    draw_env(ctx)
    out = evaluate(ctx, 0.0)
    if ctx.expected and p.rules >= 2:
        w = expected_crisis_weight(ctx, out.met)
        if w > 0:
            ctx.pinc["crisis"] = w
            ctx.pinc_true["crisis"] = w
            out.rsi_pub, out.pen_pub = rsi_value(ctx, out.comps_pub, ctx.pinc)
            out.rsi_true, out.pen_true = rsi_value(ctx, out.comps_true, ctx.pinc_true)
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
