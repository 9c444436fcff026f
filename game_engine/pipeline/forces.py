"""Phases 3-4: forces and tests (B4 phases 3-4): deployments, radars, exports, missile tests."""

from __future__ import annotations

from game_engine import formulas as f
from game_engine import metrics as m
from game_engine.messages import Message, msg
from game_engine.orders import (
    Build,
    BuildRadar,
    BuyInterceptors,
    Deploy,
    Export,
    MissileTest,
    Reduce,
    SetRadarMode,
    SetSensorSharing,
    WithdrawDeployment,
    is_party,
)
from game_engine.params import CLASS_ORDER, ITYPE_ORDER
from game_engine.pipeline.context import Ctx, canon
from game_engine.pipeline.terms import obligations_started, t_bool
from game_engine.pipeline.violations import record_violation
from game_engine.state import (
    GameState,
    Site,
    replace,
)


def _break_limits(ctx: Ctx, site: Site, why: Message) -> Site:
    if site.limits is None:
        return site
    for k in ctx.ids:
        if any(c.against == k for c in site.coverage):
            ctx.incident(k, site.owner, ctx.p.inc_broken_limits)
    ctx.emit(
        "limits_broken", None, msg("event.limits_broken", why, site=site.id), site=site.id
    )
    return replace(site, limits=None)


def phase_forces(ctx: Ctx) -> None:
    """Phase 3: REDUCE, BUILD, BUY, EXPORT/IMPORT, DEPLOY/WITHDRAW, radars (B4.3)."""
    p = ctx.p
    for sid, o, _ in ctx.accepted_of(Reduce):
        c, q = o.cls, o.qty
        ctx.add_missiles(sid, c, -q, public=True)
        obs = ctx.matched_observers.get(sid, [])
        if o.verified and obs:
            for k in obs:
                ctx.trust(k, sid, da=p.trust_verified_elimination)
            if p.rules >= 4:
                w_c = next(x.w for x in ctx.sc.classes if x.name == c)
                ctx.setn(sid, verified_cut=ctx.rf(ctx.n[sid].verified_cut + w_c * q))
            ctx.emit(
                "reduce",
                None,
                msg("event.reduce_verified", s=sid, n=q, cls=c, states=",".join(obs)),
                state=sid,
                cls=c,
                qty=q,
            )
        else:
            ctx.emit(
                "reduce", None, msg("event.reduce", s=sid, n=q, cls=c), state=sid, cls=c, qty=q
            )
    for sid, o, _ in ctx.accepted_of(Build):
        c, q = o.cls, o.qty
        covert = o.covert
        ctx.add_missiles(sid, c, q, public=not covert)
        ctx.built.add(sid)
        if covert:
            ctx.emit(
                "build_covert",
                [sid],
                msg("event.build_covert", s=sid, n=q, cls=c),
                state=sid,
                cls=c,
                qty=q,
            )
        else:
            ctx.emit("build", None, msg("event.build", s=sid, n=q, cls=c), state=sid, cls=c, qty=q)
    for sid, o, _ in ctx.accepted_of(BuyInterceptors):
        t, q = o.itype, o.qty
        store = dict(ctx.n[sid].store)
        store[t] = store.get(t, 0) + q
        ctx.setn(sid, store=canon(store, ITYPE_ORDER))
        ctx.emit(
            "buy_interceptors",
            None,
            msg("event.buy_interceptors", s=sid, n=q, itype=t),
            state=sid,
            itype=t,
            qty=q,
        )
    for sid, o, _ in ctx.accepted_of(Export):
        _export(ctx, sid, o)
    moves: tuple[type[WithdrawDeployment | Deploy], ...] = (WithdrawDeployment, Deploy)
    for otype in moves:
        for sid, move, _ in ctx.accepted_of(otype):
            site = ctx.sites[move.site]
            t, q = move.itype, move.qty
            store = dict(ctx.n[sid].store)
            inter = dict(site.interceptors)
            sign = 1 if otype is Deploy else -1
            store[t] = store.get(t, 0) - sign * q
            inter[t] = inter.get(t, 0) + sign * q
            inter = {k: inter[k] for k in ITYPE_ORDER if inter.get(k, 0) > 0}
            ctx.setn(sid, store=canon(store, ITYPE_ORDER))
            site = replace(site, interceptors=inter, owner=sid)
            if otype is Deploy:
                lim = site.limits
                if (
                    lim is not None
                    and lim.max_interceptors is not None
                    and sum(inter.values()) > lim.max_interceptors
                ):
                    site = _break_limits(
                        ctx,
                        site,
                        msg("why.over_pledge", n=sum(inter.values()), m=lim.max_interceptors),
                    )
                mid = "event.deploy" if site.limits is not None else "event.deploy_unlimited"
                ctx.emit(
                    "deploy",
                    None,
                    msg(mid, s=sid, n=q, itype=t, site=site.id),
                    state=sid,
                    site=site.id,
                    itype=t,
                    qty=q,
                    limits=site.limits is not None,
                )
            else:
                ctx.emit(
                    "withdraw_deployment",
                    None,
                    msg("event.withdraw_deployment", s=sid, n=q, itype=t, site=site.id),
                    state=sid,
                    site=site.id,
                    itype=t,
                    qty=q,
                )
            ctx.sites[site.id] = site
    for sid, o, _ in ctx.accepted_of(BuildRadar):
        site = ctx.sites[o.site]
        rq = min(site.radar_max_q, site.radar_q + p.radar_level_step * o.levels)
        ctx.sites[site.id] = replace(site, radar_q=ctx.rf(rq), owner=sid)
        ctx.emit(
            "radar",
            None,
            msg("event.radar", s=sid, site=site.id, x=f"{rq:.2f}"),
            site=site.id,
        )
    for sid, o, _ in ctx.accepted_of(SetRadarMode):
        site = ctx.sites[o.site]
        mode = o.mode
        if site.radar_mode == mode:
            continue
        site = replace(site, radar_mode=mode)
        if mode == "forward" and site.limits is not None and site.limits.terminal_only:
            site = _break_limits(ctx, site, msg("why.forward_mode"))
        ctx.sites[site.id] = site
        ctx.emit(
            "radar_mode",
            None,
            msg("event.radar_mode", s=sid, site=site.id, w=f"word.mode.{mode}"),
            site=site.id,
            mode=mode,
        )
    for sid, o, _ in ctx.accepted_of(SetSensorSharing):
        site = ctx.sites[o.site]
        share = o.sharing
        if site.sensor_sharing == share:
            continue
        site = replace(site, sensor_sharing=share)
        if share and site.limits is not None and site.limits.no_sensor_sharing:
            site = _break_limits(ctx, site, msg("why.sensor_sharing"))
        ctx.sites[site.id] = site
        ctx.emit(
            "sensor_sharing",
            None,
            msg("event.sensor_sharing_on" if share else "event.sensor_sharing_off", s=sid, site=site.id),
            site=site.id,
            sharing=share,
        )


def _hosted_live(state_turn: int, s: Site, consented: bool) -> bool:
    """A foreign-hosted site that is ready, consented and holds interceptors."""
    return (
        bool(s.owner)
        and s.owner != s.host
        and s.ready_turn <= state_turn
        and consented
        and sum(s.interceptors.values()) > 0
    )


def hosted_site_incidents(ctx: Ctx, start: GameState) -> None:
    """A hosted site that comes online (its ready turn, a consent) or is loaded this turn is a
    "new hosted site" incident for every state it sees or covers (B5.4; issue 14), once per
    site, and not again when the first consent already counted it this turn (diplomacy)."""
    p = ctx.p
    world = ctx.world()
    # the game starts with the sites ready on turn 1 in place (new_game evaluates turn 1)
    before = {
        s.id
        for s in start.sites
        if _hosted_live(
            max(1, ctx.turn - 1),
            s,
            any(c.site == s.id and c.owner == s.owner for c in start.consents),
        )
    }
    prior_owner = {s.id: s.owner for s in start.sites}
    for sid in sorted(ctx.sites):
        site = ctx.sites[sid]
        if sid in before or not _hosted_live(ctx.turn, site, m.site_active(world, site)):
            continue
        if prior_owner.get(sid) != site.owner:
            continue  # first consent this turn: phase_diplomacy charged the incident
        for k in ctx.ids:
            if k in (site.host, site.owner):
                continue
            if k in site.sees or any(cv.against == k for cv in site.coverage):
                ctx.incident(k, site.owner, p.inc_hosted_site)
        ctx.emit(
            "hosted_site_online",
            None,
            msg("event.hosted_site_online", s=site.owner, site=sid, s2=site.host),
            site=sid,
            host=site.host,
            owner=site.owner,
        )


def _export(ctx: Ctx, sid: str, o: Export) -> None:
    p = ctx.p
    to, c, q = o.to, o.cls, o.qty
    covert = o.covert
    tech = o.tech
    if tech:
        nat = ctx.n[to]
        if c not in nat.tech:
            cap = dict(nat.prod_cap)
            cap[c] = max(cap.get(c, 0), p.new_tech_prod_cap)
            dev = {k: v for k, v in nat.developing.items() if k != c}
            ctx.setn(
                to,
                tech=tuple(x for x in CLASS_ORDER if x in nat.tech or x == c),
                prod_cap=canon(cap),
                developing=dev,
            )
    else:
        ctx.add_missiles(sid, c, -q, public=not covert)
        ctx.add_missiles(to, c, q, public=not covert)
    if covert:
        ctx.emit(
            "export_covert",
            [sid, to],
            msg("event.export_tech_covert", s=sid, cls=c, s2=to)
            if tech
            else msg("event.export_covert", s=sid, n=q, cls=c, s2=to),
            cls=c,
            qty=q,
        )
    else:
        ctx.emit(
            "export",
            None,
            msg("event.export_tech", s=sid, cls=c, s2=to)
            if tech
            else msg("event.export", s=sid, n=q, cls=c, s2=to),
            cls=c,
            qty=q,
            to=to,
        )
        for k in ctx.ids:
            if k not in (sid, to) and m.is_rival(ctx.world(), k, to):
                ctx.incident(k, sid, p.inc_export)
    spec = next(x for x in ctx.sc.classes if x.name == c)
    if not spec.cat1:
        return
    for t in ctx.treaties.values():
        if (
            t.template != "EXPORT_CONTROL"
            or not is_party(t, sid)
            or not obligations_started(t, ctx.turn)
        ):
            continue
        if t_bool(t, "members_only", True) and is_party(t, to):
            continue
        record_violation(
            ctx,
            sid,
            t.id,
            "export",
            f"export:{to}:{c}",
            float(max(1, q)),
            p.sev_export,
            covert=covert,
            public=not covert,
        )


def phase_tests(ctx: Ctx) -> None:
    """Phase 4: R&D steps, countermeasure gains, notification and incidents (B4.4)."""
    p = ctx.p
    eta = {c.name: c.eta_test for c in ctx.sc.classes}
    for n_, (sid, o, _) in enumerate(ctx.accepted_of(MissileTest)):
        c = o.cls
        nat = ctx.n[sid]
        notify = o.notify
        if c in nat.developing:
            dev = dict(nat.developing)
            dev[c] -= 1
            if dev[c] <= 0:
                del dev[c]
                cap = dict(nat.prod_cap)
                cap[c] = max(cap.get(c, 0), p.new_tech_prod_cap)
                ctx.setn(
                    sid,
                    developing=dev,
                    tech=tuple(x for x in CLASS_ORDER if x in nat.tech or x == c),
                    prod_cap=canon(cap),
                )
                ctx.emit(
                    "research",
                    [sid],
                    msg("event.research_completed", s=sid, cls=c),
                )
            else:
                ctx.setn(sid, developing=dev)
        else:
            ctx.setn(sid, cm=ctx.rf(min(p.cm_max, nat.cm + p.test_cm_step)))
        ctx.emit(
            "test",
            None,
            msg("event.test_notified" if notify else "event.test_unnotified", s=sid, cls=c),
            state=sid,
            cls=c,
            notified=notify,
        )
        if not notify:
            ctx.pinc["unnotified"] = ctx.pinc.get("unnotified", 0.0) + 1
            ctx.pinc_true["unnotified"] = ctx.pinc_true.get("unnotified", 0.0) + 1
        for k in ctx.ids:
            if k == sid:
                continue
            p_obs = f.p_ntm(eta[c], ctx.n[k].ntm, nat.conceal, 1.0, p.gamma)
            w = ctx.chance(p_obs, "test-obs", k, sid, c, n_)
            if notify:
                ctx.trust(k, sid, da=p.trust_notified_test * w)
                continue
            if c in ctx.sc.reach.get(sid, {}).get(k, ()):
                ctx.incident(k, sid, p.inc_unnotified_test * max(w, 0.0))
            ref = ctx.notification(sid, k)
            if ref:
                record_violation(
                    ctx,
                    sid,
                    ref,
                    "test",
                    f"test:{c}:{k}",
                    1.0,
                    p.sev_test,
                    covert=False,
                    public=True,
                )
