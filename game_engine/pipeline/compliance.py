"""Phase 7: accounting and compliance (B4 phase 7, B5.8): stocks against caps, compliance scores,
and the end-of-game declassification audit.
"""

from __future__ import annotations

import math

from game_engine import formulas as f
from game_engine import metrics as m
from game_engine.messages import msg, vkind_word
from game_engine.orders import (
    PublishEvidence,
    ShareEvidence,
    is_party,
)
from game_engine.params import CLASS_ORDER
from game_engine.pipeline.context import Ctx
from game_engine.pipeline.terms import (
    OFFENSE_TEMPLATES,
    obligations_started,
    t_bool,
    t_caps,
    t_float,
    t_int,
)
from game_engine.pipeline.verification import ambiguous_update
from game_engine.pipeline.violations import made_public, record_violation
from game_engine.rng import u01
from game_engine.state import (
    Treaty,
    Violation,
    replace,
)


def accounting(ctx: Ctx) -> None:
    """Compare the true state with in-force terms; open/update/close ongoing violations (B4.7)."""
    p = ctx.p
    turn = ctx.turn
    open_by_key = {(v.state, v.treaty, v.clause): v for v in ctx.violations.values() if v.ongoing}
    seen: set[tuple[str, str, str]] = set()

    def breach(
        sid: str, t: Treaty, kind: str, clause: str, mag: float, sev: float, covert: bool
    ) -> None:
        key = (sid, t.id, clause)
        seen.add(key)
        old = open_by_key.get(key)
        if old is not None:
            ctx.violations[old.id] = replace(
                old, magnitude=mag, severity=sev, last_turn=turn, covert=covert
            )
            return
        v = record_violation(
            ctx, sid, t.id, kind, clause, mag, sev, covert=covert, public=not covert
        )
        ctx.violations[v.id] = replace(v, ongoing=True)

    for t in ctx.treaties.values():
        if not obligations_started(t, turn):
            continue
        parties = [x for x in t.parties if is_party(t, x)]
        if t.template in OFFENSE_TEMPLATES:
            caps = t_caps(t)
            for sid in parties:
                nat = ctx.n[sid]
                for c, cap in caps.items():
                    excess = nat.missiles.get(c, 0) - cap
                    if excess > 0:
                        covert = nat.public_ledger.get(c, 0) <= cap
                        breach(
                            sid, t, "cap", c, float(excess), min(1.0, excess / max(1, cap)), covert
                        )
                wcap = t_float(t, "weighted_cap", 0.0)
                if wcap > 0:
                    cls = {c.name: c for c in ctx.sc.classes}
                    x = m.x_off(cls, nat.missiles)
                    if x > wcap:
                        covert = m.x_off(cls, nat.public_ledger) <= wcap
                        breach(
                            sid,
                            t,
                            "cap",
                            "weighted",
                            float(math.ceil(x - wcap)),
                            min(1.0, (x - wcap) / max(1.0, wcap)),
                            covert,
                        )
                if (
                    t_bool(t, "data_exchange", False)
                    and nat.declared is not None
                    and nat.declared_turn == turn
                ):
                    covered = list(caps) or list(CLASS_ORDER)
                    diff = sum(
                        abs(nat.declared.get(c, 0) - nat.missiles.get(c, 0)) for c in covered
                    )
                    true_total = sum(nat.missiles.get(c, 0) for c in covered)
                    if diff > 0:
                        sev = p.sev_misdeclare * min(1.0, diff / max(1, true_total))
                        breach(sid, t, "misdeclare", "declaration", float(diff), sev, True)
        elif t.template == "DEFENSE_LIMIT":
            for sid in parties:
                owned = [s for s in ctx.sites.values() if s.owner == sid]
                total = sum(ctx.n[sid].store.values()) + sum(
                    sum(s.interceptors.values()) for s in owned
                )
                cap = t_int(t, "max_interceptors", -1)
                if cap >= 0 and total > cap:
                    breach(
                        sid,
                        t,
                        "defense",
                        "total",
                        float(total - cap),
                        min(1.0, (total - cap) / max(1, cap)),
                        False,
                    )
                per = t_int(t, "max_per_site", -1)
                for s in owned:
                    here = sum(s.interceptors.values())
                    if per >= 0 and here > per:
                        breach(
                            sid,
                            t,
                            "defense",
                            f"site:{s.id}",
                            float(here - per),
                            min(1.0, (here - per) / max(1, per)),
                            False,
                        )
                max_sites = t_int(t, "max_sites", -1)
                used = [s for s in owned if sum(s.interceptors.values()) > 0]
                if max_sites >= 0 and len(used) > max_sites:
                    breach(
                        sid,
                        t,
                        "defense",
                        "sites",
                        float(len(used) - max_sites),
                        min(1.0, (len(used) - max_sites) / max(1, max_sites)),
                        False,
                    )
                if t_bool(t, "no_foreign_basing", False):
                    abroad = [s for s in used if s.host != sid]
                    if abroad:
                        breach(sid, t, "defense", "foreign_basing", float(len(abroad)), 1.0, False)
                if t_bool(t, "terminal_only", False):
                    fwd = [s for s in owned if s.radar_mode == "forward"]
                    if fwd:
                        breach(sid, t, "defense", "radar_mode", float(len(fwd)), 0.5, False)
    for key, v in open_by_key.items():
        if key not in seen:
            ctx.violations[v.id] = replace(v, ongoing=False)


def phase_compliance(ctx: Ctx) -> None:
    """Phase 7: publications, compliance scores, data-exchange trust (B5.7, B5.8)."""
    p = ctx.p
    for sid, o, _ in ctx.accepted_of(ShareEvidence):
        e = ctx.evidence[o.evidence]
        to = o.to
        eid = ctx.new_id("evidence", "E")
        ctx.evidence[eid] = replace(
            e, id=eid, holder=to, shared_from=sid, published=False, turn=ctx.turn
        )
        ambiguous_update(ctx, to, e.target, e.p_channel, e.alpha_channel, e.weight)
        ctx.emit(
            "evidence_shared",
            [sid, to],
            msg("event.evidence_shared", s=sid, s2=e.target, s3=to, e=eid),
            evidence=eid,
        )
    alarms: dict[tuple[str, str], float] = {}
    for sid, o, _ in ctx.accepted_of(PublishEvidence):
        e = ctx.evidence[o.evidence]
        ctx.evidence[e.id] = replace(e, published=True, published_turn=ctx.turn)
        ctx.emit(
            "accusation",
            None,
            msg("event.accusation", s=sid, s2=e.target, t=ctx.treaties[e.treaty].name, x=f"{e.quality:.2f}")
            if e.treaty in ctx.treaties
            else msg("event.accusation_commitments", s=sid, s2=e.target, x=f"{e.quality:.2f}"),
            holder=sid,
            target=e.target,
            evidence=e.id,
            quality=e.quality,
        )
        v = ctx.violations.get(e.violation)
        if e.quality >= p.evidence_confirm_quality and e.treaty:
            if v is not None:
                was = v.published
                ctx.violations[v.id] = replace(
                    v, published=True, public_weight=ctx.rf(min(1.0, v.public_weight + e.weight))
                )
                if not was:
                    made_public(ctx, v, e.weight)
            else:
                fake = Violation(
                    id="",
                    state=e.target,
                    treaty=e.treaty,
                    clause="alleged",
                    kind=e.kind,
                    magnitude=e.magnitude,
                    severity=min(1.0, e.magnitude / max(1.0, p.units_per_site * 5)),
                    first_turn=ctx.turn,
                    last_turn=ctx.turn,
                    ongoing=False,
                    covert=True,
                    hidden_site=False,
                )
                made_public(ctx, fake, e.weight)
        else:
            for k in ctx.ids:
                if k not in (sid, e.target):
                    ambiguous_update(ctx, k, e.target, e.p_channel, e.alpha_channel, e.weight)
    for e in ctx.evidence.values():
        # An inspection report of a breach was charged as a public violation when it was made
        # (B5.8); it is not also an unconfirmed accusation, whatever its quality (issue 14).
        report = p.rules >= 2 and e.channel == "osi" and bool(e.violation)
        if (
            e.published
            and not report
            and not e.refuted
            and e.quality < p.evidence_confirm_quality
            and e.treaty
            and not e.shared_from
        ):
            key = (e.target, e.treaty)
            alarms[key] = alarms.get(key, 0.0) + e.weight
    for tid in list(ctx.treaties):
        t = ctx.treaties[tid]
        if not obligations_started(t, ctx.turn):
            continue
        cs = dict(t.cs)
        cst = dict(t.cs_true)
        for sid in t.parties:
            if not is_party(t, sid) or sid in t.withdrawing:
                continue
            key = (sid, tid)
            old = cs.get(sid, 100.0)
            new = old + p.cs_recovery * (100 - old) - p.cs_new_public * ctx.new_public.get(key, 0.0)
            new -= p.cs_redetected * ctx.redetected.get(key, 0.0) + p.cs_alarm * alarms.get(
                key, 0.0
            )
            cs[sid] = ctx.rf(f.clamp(new, 0.0, 100.0))
            oldt = cst.get(sid, 100.0)
            ongoing = sum(
                v.severity
                for v in ctx.violations.values()
                if v.state == sid and v.treaty == tid and v.ongoing and v.first_turn < ctx.turn
            )
            newt = (
                oldt
                + p.cs_recovery * (100 - oldt)
                - p.cs_new_public * ctx.new_true.get(key, 0.0)
                - p.cs_redetected * ongoing
            )
            cst[sid] = ctx.rf(f.clamp(newt, 0.0, 100.0))
        ctx.treaties[tid] = replace(t, cs=cs, cs_true=cst)
    # The loop above changed only compliance scores: which pairs exchange data is found once.
    declared = any(ctx.n[j].declared is not None for j in ctx.ids)
    de_pairs = ctx.data_exchange_pairs() if declared else set()
    for i in ctx.ids:
        for j in ctx.ids:
            if i != j and ctx.n[j].declared is not None and (i, j) in de_pairs:
                bad = any(
                    e.holder == i
                    and e.target == j
                    and e.kind == "misdeclare"
                    and e.turn == ctx.turn
                    for e in ctx.evidence.values()
                )
                if not bad:
                    ctx.trust(i, j, da=p.trust_data_exchange)


def declassify(ctx: Ctx) -> None:
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
            msg("event.declassified", s=v.state, t=t.name, w=vkind_word(v.kind), raw=v.clause),
            state=v.state,
            treaty=t.id,
            weight=w,
        )
