"""Phases 5-6: transparency and verification (B4 phases 5-6): declarations, data exchanges,
inspections, national technical means, challenges and the evidence they produce.
"""

from __future__ import annotations

import math

from game_engine import formulas as f
from game_engine import metrics as m
from game_engine.messages import msg, vkind_word
from game_engine.orders import (
    ChallengeInspection,
    Declare,
    DeclareLimits,
    Inspect,
    Invite,
    InviteObservers,
    JointExercise,
    SetChallengePolicy,
    is_party,
)
from game_engine.params import CLASS_ORDER
from game_engine.pipeline.context import Ctx
from game_engine.pipeline.violations import made_public, open_violations
from game_engine.state import (
    Evidence,
    Limits,
    Violation,
    builder,
    replace,
)

_new_evidence = builder(Evidence)
"""``Evidence(...)``, cheaper (detection in expected mode adds evidence in every projection)."""


def phase_transparency(ctx: Ctx) -> None:
    """Phase 5: declarations, CBMs, observer visits, declared limits, challenge policy (B4.5)."""
    p = ctx.p
    for sid, o, _ in ctx.accepted_of(Declare):
        counts = dict.fromkeys(CLASS_ORDER, 0)
        counts.update(dict(o.counts))
        decl = {c: n for c, n in counts.items() if n or ctx.n[sid].public_ledger.get(c, 0)}
        ctx.setn(sid, declared=decl, declared_turn=ctx.turn, public_ledger=dict(decl))
        shown = [msg("count.missiles", n=n, cls=c) for c, n in decl.items() if n]
        ctx.emit(
            "declare",
            None,
            msg("event.declare", *shown, s=sid) if shown else msg("event.declare_none", s=sid),
            state=sid,
            counts=dict(decl.items()),
        )
    cbms: tuple[type[Invite], ...] = (JointExercise, InviteObservers)
    for otype in cbms:
        for sid, cbm, _ in ctx.accepted_of(otype):
            w = cbm.partner
            for a, b in ((sid, w), (w, sid)):
                pr = ctx.pr[(a, b)]
                ctx.pr[(a, b)] = replace(pr, last_cbm_turn=ctx.turn)
                ctx.trust(a, b, da=p.trust_cbm)
            if otype is InviteObservers:
                pr = ctx.pr[(w, sid)]
                ctx.pr[(w, sid)] = replace(pr, last_observed_turn=ctx.turn)
                ctx.emit(
                    "observers",
                    None,
                    msg("event.observers_at", s=sid, s2=w, site=cbm.site)
                    if cbm.site
                    else msg("event.observers", s=sid, s2=w),
                    a=sid,
                    b=w,
                )
            else:
                ctx.emit(
                    "exercise",
                    None,
                    msg("event.exercise", s=sid, s2=w),
                    a=sid,
                    b=w,
                )
                world = ctx.world()
                for k in ctx.ids:
                    if k in (sid, w):
                        continue
                    if m.is_rival(world, k, w):
                        ctx.incident(k, sid, p.inc_exercise)
                    if m.is_rival(world, k, sid):
                        ctx.incident(k, w, p.inc_exercise)
    for sid, o, _ in ctx.accepted_of(DeclareLimits):
        site = ctx.sites[o.site]
        cap = o.max_interceptors if o.max_interceptors else None
        lim = Limits(
            max_interceptors=cap,
            terminal_only=o.terminal_only,
            no_sensor_sharing=o.no_sensor_sharing,
            note=o.note,
            declared_by=sid,
            turn=ctx.turn,
        )
        ctx.sites[site.id] = replace(site, limits=lim)
        bits = [
            *([msg("limit.max_interceptors", n=cap)] if cap is not None else []),
            *([msg("limit.terminal_only")] if lim.terminal_only else []),
            *([msg("limit.no_sensor_sharing")] if lim.no_sensor_sharing else []),
        ]
        ctx.emit(
            "limits",
            None,
            msg("event.limits", *(bits or [msg("limit.see_note")]), s=sid, site=site.id),
            site=site.id,
        )
    for sid, o, _ in ctx.accepted_of(SetChallengePolicy):
        ctx.setn(sid, allow_challenge=o.allow)
        ctx.emit(
            "policy",
            [sid],
            msg("event.policy_accept" if o.allow else "event.policy_refuse", s=sid),
        )


def phase_verification(ctx: Ctx) -> None:
    """Phase 6: NTM, routine inspections, challenges, false alarms -> evidence (B5.6)."""
    p = ctx.p
    world = ctx.world()
    eta_kind = {
        "cap": p.eta_build,
        "defense": p.eta_deploy,
        "export": p.eta_export,
        "program": p.eta_program,
        "misdeclare": p.eta_misdeclare,
    }
    inspections: dict[tuple[str, str, str], int] = {}
    for sid, o, _ in ctx.accepted_of(Inspect):
        key = (sid, o.target, o.treaty)
        inspections[key] = inspections.get(key, 0) + o.visits
        vk = (sid, o.target)
        ctx.visits[vk] = ctx.visits.get(vk, 0) + o.visits
    challenges: list[tuple[str, str, str]] = []
    for sid, o, _ in ctx.accepted_of(ChallengeInspection):
        tgt = o.target
        t = ctx.treaties[o.treaty]
        if ctx.n[tgt].allow_challenge:
            challenges.append((sid, tgt, t.id))
            ctx.visits[(sid, tgt)] = ctx.visits.get((sid, tgt), 0) + 1
            ctx.emit(
                "challenge",
                None,
                msg("event.challenge", s=sid, s2=tgt),
                a=sid,
                b=tgt,
                treaty=t.id,
            )
        else:
            ctx.pinc["refused"] = ctx.pinc.get("refused", 0.0) + 1
            ctx.pinc_true["refused"] = ctx.pinc_true.get("refused", 0.0) + 1
            for k in ctx.ids:
                if k != tgt:
                    ctx.trust(k, tgt, db=p.trust_refused_challenge)
            ctx.incident(sid, tgt, p.inc_refused_challenge)
            ctx.emit(
                "challenge_refused",
                None,
                msg("event.challenge_refused", s=tgt, s2=sid),
                a=sid,
                b=tgt,
                treaty=t.id,
            )
    open_v = open_violations(ctx)
    found_osi: dict[tuple[str, str, str], float] = {}
    # whether each breach was public before this turn: a second observer finding it in the
    # same turn neither re-publishes nor re-charges it (issue 14)
    public_before = {vid: v.published for vid, v in ctx.violations.items()}
    redetected_now: set[str] = set()
    # This phase changes no treaty or agreement: which pairs exchange data is found once.
    de_pairs = ctx.data_exchange_pairs() if open_v else set()
    for v0 in open_v:
        j = v0.state
        vt = ctx.treaties.get(v0.treaty)
        nat_j = ctx.n[j]
        for i in ctx.ids:
            if i == j:
                continue
            # the current record, not the start-of-phase copy (rules 1 read the copy)
            v = ctx.violations[v0.id] if p.rules >= 2 else v0
            interested = (vt is not None and is_party(vt, i)) or m.is_rival(world, i, j)
            if not interested:
                continue
            nat_i = ctx.n[i]
            # NTM (private evidence)
            ntm = nat_i.ntm
            if any(
                s.owner == i
                and s.radar_mode == "forward"
                and j in s.sees
                and m.site_active(world, s)
                for s in ctx.sites.values()
            ):
                ntm += p.forward_radar_ntm_bonus
            de = 1.0 if (i, j) in de_pairs else 0.0
            pn = 0.0
            if not v.published:
                pn = f.p_ntm(
                    eta_kind.get(v.kind, 0.0),
                    # B5.6: no cap at 1 (issue 14; rules 1 capped it)
                    ntm * (1 + p.ntm_de_bonus * de)
                    if p.rules >= 2
                    else min(1.0, ntm * (1 + p.ntm_de_bonus * de)),
                    nat_j.conceal,
                    v.magnitude,
                    p.gamma,
                )
            # routine inspection / challenge (reported to all parties)
            po = 0.0
            k_vis = inspections.get((i, j, v.treaty), 0)
            if k_vis and v.kind in ("cap", "misdeclare", "defense") and not v.hidden_site:
                r_bad = min(nat_j.n_sites, math.ceil(v.magnitude / p.units_per_site))
                q = p.osi_q * (1 - p.osi_conceal_factor * nat_j.conceal)
                po = f.p_osi(nat_j.n_sites, r_bad, k_vis, q)
            pc = 0.0
            if (i, j, v.treaty) in challenges and v.kind not in ("test", "withdrawal"):
                pc = p.challenge_q
            p_insp = f.combine([po, pc])
            w_insp = ctx.chance(p_insp, "osi", i, j, v.id) if p_insp > 0 else 0.0
            if w_insp > 0:
                found_osi[(i, j, v.treaty)] = found_osi.get((i, j, v.treaty), 0.0) + w_insp
                _inspection_evidence(
                    ctx, i, v, p_insp, w_insp, k_vis, public_before[v.id], redetected_now
                )
            if pn > 0:
                remaining = 1.0 - w_insp
                w_ntm = ctx.chance(pn, "ntm", i, j, v.id) * remaining if remaining > 0 else 0.0
                if w_ntm > 0:
                    _ntm_evidence(ctx, i, v, pn, w_ntm)
    # clean inspections and false alarms
    for (i, j, tid), k_vis in sorted(inspections.items()):
        found = min(1.0, found_osi.get((i, j, tid), 0.0))
        clean = 1.0 - found
        if clean <= 0:
            continue
        t = ctx.treaties[tid]
        innocent = not any(v.state == j and v.treaty == tid for v in open_v)
        alpha = 1 - (1 - p.alpha_osi) ** k_vis
        if innocent and not ctx.expected:
            fa = ctx.chance(alpha, "fa-osi", i, j, tid)
            if fa > 0:
                _false_alarm(ctx, i, j, tid, "osi", alpha)
                continue
        for k in ctx.ids:
            if k != j and is_party(t, k):
                ctx.trust(k, j, da=p.trust_clean_inspection * clean)
        ctx.emit(
            "inspection_clean",
            None,
            msg("event.inspection_clean", s=i, n=k_vis, s2=j),
            a=i,
            b=j,
            treaty=tid,
            weight=round(clean, 6),
        )
        if clean >= 0.5:
            _refute(ctx, j, tid)
    for ci, cj, tid in challenges:
        if found_osi.get((ci, cj, tid), 0.0) < 0.5:
            _refute(ctx, cj, tid)
    if not ctx.expected:
        for i in ctx.ids:
            if ctx.n[i].ntm <= 0:
                continue
            for j in ctx.ids:
                if i == j or not m.is_rival(world, i, j):
                    continue
                if any(v.state == j for v in open_v):
                    continue
                if ctx.chance(p.alpha_ntm, "fa-ntm", i, j) > 0:
                    _false_alarm(ctx, i, j, "", "ntm", p.alpha_ntm)


def _evidence(
    ctx: Ctx,
    holder: str,
    target: str,
    treaty: str,
    kind: str,
    channel: str,
    mag: float,
    pch: float,
    alpha: float,
    is_true: bool,
    vid: str,
    weight: float,
    published: bool,
) -> Evidence:
    # One evidence item per holder and violation: in expected mode weights accumulate.
    for e in ctx.evidence.values():
        if (
            e.holder == holder
            and vid
            and e.violation == vid
            and e.channel == channel
            and not e.shared_from
        ):
            w = 1 - (1 - e.weight) * (1 - weight)
            new = replace(e, weight=ctx.rf(w), turn=ctx.turn, magnitude=mag)
            ctx.evidence[e.id] = new
            return new
    eid = ctx.new_id("evidence", "E")
    e = _new_evidence(
        id=eid,
        holder=holder,
        target=target,
        treaty=treaty,
        kind=kind,
        channel=channel,
        magnitude=mag,
        quality=ctx.rf(f.evidence_quality(pch, alpha)),
        p_channel=ctx.rf(pch),
        alpha_channel=alpha,
        is_true=is_true,
        violation=vid,
        turn=ctx.turn,
        weight=ctx.rf(weight),
        published=published,
        published_turn=ctx.turn if published else 0,
    )
    ctx.evidence[eid] = e
    return e


def _inspection_evidence(
    ctx: Ctx,
    i: str,
    v: Violation,
    pch: float,
    w: float,
    k_vis: int,
    was_public: bool,
    redetected_now: set[str],
) -> None:
    """An inspection report: public at once. A breach public before this turn is charged as
    re-detected (once a turn); one first found this turn is charged as newly public once, in
    expected mode for the part of its weight not already published this turn."""
    alpha = 1 - (1 - ctx.p.alpha_osi) ** max(1, k_vis)
    e = _evidence(
        ctx, i, v.state, v.treaty, v.kind, "osi", v.magnitude, pch, alpha, True, v.id, w, True
    )
    if ctx.p.rules < 2:  # before issue 14: every report charged in full, as it was read
        legacy_public = v.published
        ctx.violations[v.id] = replace(
            v,
            detected_by=tuple(sorted({*v.detected_by, i}, key=ctx.ids.index)),
            published=True,
            public_weight=ctx.rf(min(1.0, v.public_weight + w)),
        )
        made_public(ctx, v, w, redetected=legacy_public)
        ctx.detections.setdefault(i, []).append(
            {"evidence": e.id, "target": v.state, "channel": "inspection", "weight": round(w, 6)}
        )
        return
    new_weight = w if was_public else w * (1 - v.public_weight)
    ctx.violations[v.id] = replace(
        v,
        detected_by=tuple(sorted({*v.detected_by, i}, key=ctx.ids.index)),
        published=True,
        public_weight=ctx.rf(min(1.0, v.public_weight + new_weight)),
    )
    if was_public:
        if v.id not in redetected_now:
            redetected_now.add(v.id)
            made_public(ctx, v, w, redetected=True)
    elif new_weight > 1e-12:
        made_public(ctx, v, new_weight)
    ctx.detections.setdefault(i, []).append(
        {"evidence": e.id, "target": v.state, "channel": "inspection", "weight": round(w, 6)}
    )


def _ntm_evidence(ctx: Ctx, i: str, v: Violation, pch: float, w: float) -> None:
    p = ctx.p
    e = _evidence(
        ctx,
        i,
        v.state,
        v.treaty,
        v.kind,
        "ntm",
        v.magnitude,
        pch,
        p.alpha_ntm,
        True,
        v.id,
        w,
        False,
    )
    # keep what other observers found this turn (issue 14; rules 1 rewrote from the copy)
    cur = ctx.violations[v.id] if p.rules >= 2 else v
    ctx.violations[v.id] = replace(
        cur, detected_by=tuple(sorted({*cur.detected_by, i}, key=ctx.ids.index))
    )
    ambiguous_update(ctx, i, v.state, pch, p.alpha_ntm, w)
    ctx.detections.setdefault(i, []).append(
        {"evidence": e.id, "target": v.state, "channel": "ntm", "weight": round(w, 6)}
    )
    ctx.emit(
        "evidence",
        [i],
        msg("event.evidence_kind", s=v.state, w=vkind_word(v.kind), e=e.id, x=f"{e.quality:.2f}"),
        evidence=e.id,
        target=v.state,
    )


def _false_alarm(ctx: Ctx, i: str, j: str, tid: str, channel: str, alpha: float) -> None:
    p = ctx.p
    eta = p.eta_build
    pch = (
        f.p_ntm(eta, ctx.n[i].ntm, ctx.n[j].conceal, float(p.units_per_site), p.gamma)
        if channel == "ntm"
        else p.osi_q
    )
    e = _evidence(
        ctx, i, j, tid, "cap", channel, float(p.units_per_site), pch, alpha, False, "", 1.0, False
    )
    ambiguous_update(ctx, i, j, pch, alpha, 1.0)
    ctx.detections.setdefault(i, []).append(
        {"evidence": e.id, "target": j, "channel": channel, "weight": 1.0}
    )
    ctx.emit(
        "evidence",
        [i],
        msg(
            "event.evidence_osi" if channel == "osi" else "event.evidence_ntm",
            s=j,
            e=e.id,
            x=f"{e.quality:.2f}",
        ),
        evidence=e.id,
        target=j,
    )


def ambiguous_update(ctx: Ctx, i: str, j: str, pd: float, alpha: float, w: float) -> None:
    """Fractional Beta update from an alarm i cannot confirm (B5.7)."""
    prior = 1 - ctx.pr[(i, j)].tau
    post = f.posterior_violation(prior, pd, alpha)
    wt = ctx.p.trust_ambiguous_weight * w
    ctx.trust(i, j, da=wt * (1 - post), db=wt * post)


def _refute(ctx: Ctx, target: str, tid: str) -> None:
    """A clean inspection refutes published, unconfirmed accusations against ``target``."""
    p = ctx.p
    for e in list(ctx.evidence.values()):
        if (
            e.target == target
            and e.treaty == tid
            and e.published
            and not e.refuted
            and e.channel != "osi"
        ):
            ctx.evidence[e.id] = replace(e, refuted=True)
            if not e.is_true:
                ctx.trust(e.holder, target, da=p.trust_unfounded)
                for k in ctx.ids:
                    if k not in (e.holder, target):
                        ctx.trust(k, e.holder, db=p.trust_accuser_penalty)
            ctx.emit(
                "accusation_refuted",
                None,
                msg("event.accusation_refuted", s=e.holder, s2=target),
                evidence=e.id,
            )
