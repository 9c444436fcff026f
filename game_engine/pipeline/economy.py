"""Phase 2: economy (B4 phase 2): income, spending, production and research."""

from __future__ import annotations

from game_engine.messages import msg
from game_engine.orders import (
    EconomicPressure,
    InvestNtm,
    Payment,
    Research,
    SetConcealment,
    is_party,
)
from game_engine.params import CLASS_ORDER
from game_engine.pipeline.context import Ctx, canon, half_up
from game_engine.pipeline.terms import obligations_started
from game_engine.pipeline.violations import record_violation


def stock_value(ctx: Ctx, sid: str) -> int:
    """Value of missiles and interceptors (for maintenance, B4.2)."""
    cls = {c.name: c for c in ctx.sc.classes}
    its = {t.name: t for t in ctx.sc.interceptors}
    nat = ctx.n[sid]
    v = sum(cls[c].cost * q for c, q in nat.missiles.items())
    v += sum(its[t].cost * q for t, q in nat.store.items())
    for s in ctx.sites.values():
        if s.owner == sid:
            v += sum(its[t].cost * q for t, q in s.interceptors.items())
    return v


def phase_economy(ctx: Ctx) -> None:
    """Phase 2: income, payments, pressure, maintenance, order costs; research (B4.2)."""
    p = ctx.p
    for sid in ctx.ids:
        nat = ctx.n[sid]
        inc = half_up(nat.income * (p.income_base_factor + p.income_ds_factor * nat.ds / 100))
        cost = sum(c for _, _, c in ctx.accepted.get(sid, []))
        ctx.ledger_add(sid, "income", inc)
        ctx.ledger_add(sid, "order_costs", -cost)
        ctx.setn(sid, budget=nat.budget + inc - cost, last_spend=cost)
    for sid, o, _ in ctx.accepted_of(Payment):
        to = o.to
        amt = o.amount
        ctx.ledger_add(to, "payments_in", amt)
        ctx.setn(to, budget=ctx.n[to].budget + amt)
        memo = o.memo
        ctx.emit(
            "payment",
            [sid, to],
            msg("event.payment_memo", s=sid, n=amt, s2=to, memo=memo)
            if memo
            else msg("event.payment", s=sid, n=amt, s2=to),
            amount=amt,
        )
    for c in ctx.consents:
        if c.compensation <= 0:
            continue
        site = ctx.sites.get(c.site)
        if site is None or site.owner != c.owner:
            continue
        paid = min(c.compensation, ctx.n[c.owner].budget)
        ctx.setn(c.owner, budget=ctx.n[c.owner].budget - paid)
        ctx.setn(c.host, budget=ctx.n[c.host].budget + paid)
        ctx.ledger_add(c.owner, "compensation_out", -paid)
        ctx.ledger_add(c.host, "compensation_in", paid)
    for sid, o, _ in ctx.accepted_of(EconomicPressure):
        tgt = o.target
        loss = min(o.amount, ctx.n[tgt].budget)
        ctx.setn(tgt, budget=ctx.n[tgt].budget - loss)
        ctx.ledger_add(tgt, "pressure_loss", -loss)
        ctx.incident(tgt, sid, p.inc_pressure)
        ctx.emit(
            "economic_pressure",
            None,
            msg("event.economic_pressure", s=sid, s2=tgt, n=loss),
            target=tgt,
            amount=loss,
        )
    conceal_set = {sid for sid, _, _ in ctx.accepted_of(SetConcealment)}
    for sid in ctx.ids:
        nat = ctx.n[sid]
        due = half_up(p.maintenance_rate * stock_value(ctx, sid))
        paid = min(due, nat.budget)
        ctx.ledger_add(sid, "maintenance", -paid)
        budget = nat.budget - paid
        if sid not in conceal_set:
            tenths = max(0, half_up(nat.conceal * 10) - half_up(nat.conceal_base * 10))
            upkeep = p.conceal_upkeep_per_tenth * tenths
            if upkeep > budget:
                ctx.setn(sid, conceal=nat.conceal_base)
                ctx.emit(
                    "concealment_lapsed",
                    [sid],
                    msg("event.concealment_lapsed", s=sid),
                )
            elif upkeep:
                budget -= upkeep
                ctx.ledger_add(sid, "concealment_upkeep", -upkeep)
        ctx.setn(sid, budget=budget)
    for sid, o, _ in ctx.accepted_of(SetConcealment):
        ctx.setn(sid, conceal=ctx.rf(o.level / 10))
        ctx.emit("concealment", [sid], msg("event.concealment", s=sid, x=f"{o.level / 10:.1f}"))
    for sid, o, _ in ctx.accepted_of(InvestNtm):
        nat = ctx.n[sid]
        new = min(p.ntm_max, nat.ntm + 0.1 * o.points / p.ntm_cost_per_tenth)
        ctx.setn(sid, ntm=ctx.rf(new))
        ctx.emit("ntm", [sid], msg("event.ntm", s=sid, x=f"{new:.1f}"))
    for sid, o, _ in ctx.accepted_of(Research):
        nat = ctx.n[sid]
        tech = o.tech
        if tech in CLASS_ORDER:
            dev = dict(nat.developing)
            dev[tech] = max(1, p.rd_tests_required)
            ctx.setn(sid, developing=canon(dev))
            ctx.emit(
                "research",
                [sid],
                msg("event.research_started", s=sid, cls=tech, n=dev[tech]),
            )
        elif tech == "cm":
            ctx.setn(sid, cm=ctx.rf(min(p.cm_max, nat.cm + p.research_cm_step)))
            ctx.emit("research", [sid], msg("event.research_cm", s=sid))
        elif tech == "discrimination":
            ctx.setn(sid, disc=ctx.rf(min(1.0, nat.disc + p.research_disc_step)))
            ctx.emit("research", [sid], msg("event.research_discrimination", s=sid))
        elif tech == "program":
            step = nat.program + 1
            ctx.setn(sid, program=step, nuclear=step >= 4)
            ctx.emit(
                "research",
                [sid],
                msg("event.research_program", s=sid, n=step),
            )
            for t in ctx.treaties.values():
                if (
                    t.template == "NONPROLIFERATION"
                    and is_party(t, sid)
                    and obligations_started(t, ctx.turn)
                ):
                    record_violation(
                        ctx,
                        sid,
                        t.id,
                        "program",
                        f"step{step}",
                        1.0,
                        p.sev_program,
                        covert=True,
                        public=False,
                    )
            if step >= 4:
                ctx.emit(
                    "nuclear_test",
                    None,
                    msg("event.nuclear_test", s=sid),
                    state=sid,
                )
