"""Phase 12: domestic support (B5.10) and automatic revocation of consents below the threshold."""

from __future__ import annotations

from game_engine import formulas as f
from game_engine import metrics as m
from game_engine.messages import msg
from game_engine.pipeline.context import Ctx
from game_engine.pipeline.stability import Metrics
from game_engine.rng import u01
from game_engine.state import replace


def phase_domestic(ctx: Ctx, met: Metrics) -> None:
    """Phase 12: domestic support (B5.10), automatic revocation below the threshold."""
    p = ctx.p
    world = ctx.world()
    for sid in ctx.ids:
        nat = ctx.n[sid]
        d = p.ds_sec * (met.sec[sid].sec - nat.sec)
        inc = max(1, ctx.ledger.get(sid, {}).get("income", nat.income))
        d -= p.ds_spend * max(0.0, nat.last_spend / inc - nat.s0)
        d += nat.treaty_pref * (ctx.joined.get(sid, 0) - ctx.left.get(sid, 0))
        for s in ctx.sites.values():
            if s.host == sid and s.owner and s.owner != sid and m.site_active(world, s):
                comp = next((c.compensation for c in ctx.consents if c.site == s.id), 0)
                d -= p.ds_hosting * s.ds_burden * (1 - min(1.0, comp / p.ds_hosting_comp_full))
        d -= nat.shame * p.ds_shame * min(1.0, ctx.shamed.get(sid, 0.0))
        d += ctx.rally.get(sid, 0.0)
        arp = met.pressure[sid] / max(1.0, met.x_true[sid])
        if arp > p.ds_arp_threshold and sid not in ctx.built:
            d -= p.ds_hawk * nat.hawkish * min(1.0, arp)
        ctx.setn(sid, ds=ctx.rf(f.clamp(nat.ds + d, 0.0, 100.0)))
    for sid in ctx.ids:
        if ctx.n[sid].ds >= p.ds_revoke:
            continue
        mine = [
            (c.compensation, c.site, n_)
            for n_, c in enumerate(ctx.consents)
            if c.host == sid and c.revoke_effective is None
        ]
        if not mine:
            continue
        if ctx.expected:
            _, site_id, idx = sorted(mine)[0]
        else:
            idx = mine[int(u01(ctx.seed, ctx.state.game_id, ctx.turn, "revoke", sid) * len(mine))][
                2
            ]
            site_id = ctx.consents[idx].site
        c = ctx.consents[idx]
        eff = ctx.turn + max(1, c.notice_turns)
        ctx.consents[idx] = replace(c, revoke_effective=eff)
        ctx.emit(
            "consent_revoked",
            None,
            msg("event.consent_revoked_by_opposition", s=sid, site=site_id, n=eff),
            site=site_id,
            effective_turn=eff,
        )
