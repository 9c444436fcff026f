"""Phase 8: perception (B5.6-B5.7): trust forgetting, estimates and threat of each state about
the others.
"""

from __future__ import annotations

from game_engine import formulas as f
from game_engine import metrics as m
from game_engine.params import CLASS_ORDER
from game_engine.pipeline.context import Ctx, half_up
from game_engine.rng import normal
from game_engine.state import replace

_FORGOTTEN: list[tuple[object, object, dict[tuple[str, str], object]]] = []
"""The last few (pairs mapping of a state, parameters, its pairs after forgetting); see
:func:`forget`."""
_FORGOTTEN_MAX = 4


def forget(ctx: Ctx) -> None:
    """Trust drifts back toward the prior each turn (B5.7 forgetting).

    The first phase of a turn, on pairs just thawed from ``ctx.state.pairs``: it reads only
    those pairs and two parameters. A bot's projections of one turn start from one belief
    state (a draft adds a treaty, not pairs: the state's ``pairs`` mapping is the same
    object), so the forgotten pairs of that mapping are remembered by identity (the mapping
    is immutable, like every container in a state) and copied, not recomputed."""
    p = ctx.p
    src = ctx.state.pairs
    fresh = ctx.pr.keys() == src.keys() and all(ctx.pr[k] is v for k, v in src.items())
    if fresh:
        for held, params, out in _FORGOTTEN:
            if held is src and params is p:
                ctx.pr.update(out)  # type: ignore[arg-type]
                return
    fgt = p.trust_forgetting
    for key, pr in ctx.pr.items():
        ctx.pr[key] = replace(
            pr,
            alpha=ctx.rf(pr.alpha0 + fgt * (pr.alpha - pr.alpha0)),
            beta=ctx.rf(pr.beta0 + fgt * (pr.beta - pr.beta0)),
        )
    if fresh:
        _FORGOTTEN.insert(0, (src, p, dict(ctx.pr)))
        del _FORGOTTEN[_FORGOTTEN_MAX:]


_Known = dict[tuple[object, ...], tuple[dict[str, object], float]]
_SEEN: dict[tuple[object, ...], list[tuple[object, ...]]] = {}
"""Pairs already perceived, by the hashable part of the inputs all pairs share (see
:func:`_shared`); each entry also holds the part compared by value (scenario, nations, sites,
consents) and, by each pair's own inputs (:func:`_own`), that pair's new fields and threat.
At most ``_SEEN_MAX`` keys, then afresh."""
_SEEN_MAX = 256


def _shared(ctx: Ctx, inertia: float) -> tuple[tuple[object, ...], tuple[object, ...]]:
    """What every pair's perception reads besides the pair itself, as (hashable part, part
    compared by value): the nations, sites, consents and weather (through the world and the
    exchange model), every pair's extended deterrence (which sites defend whom, extended
    deterrence in ``det``), the turn, the seed, the game id and the mode (the estimates'
    noise), the inertia."""
    eds = tuple((k, pr.ed) for k, pr in ctx.pr.items())
    hashed = (
        inertia,
        ctx.turn,
        ctx.init,
        ctx.state.mode,
        ctx.seed,
        ctx.state.game_id,
        ctx.ids,
        eds,
        tuple(ctx.env.items()),
    )
    return hashed, (tuple(ctx.n.items()), tuple(ctx.sites.items()), tuple(ctx.consents))


def _own(ctx: Ctx, i: str, j: str, de: bool) -> tuple[object, ...]:
    """What the perception of (i, j) reads of its own: trust (alpha, beta), the old threat and
    evidence, h, the rivalry flag, last turn's visits, the turns of the last CBM and
    observation (its old estimates, coverage and clarity it overwrites), this turn's visits,
    incidents and data exchange."""
    pr = ctx.pr[(i, j)]
    return (
        i,
        j,
        pr.alpha,
        pr.beta,
        pr.threat,
        pr.h,
        pr.ev,
        pr.rival,
        pr.visits_prev,
        pr.last_cbm_turn,
        pr.last_observed_turn,
        de,
        ctx.visits.get((i, j), 0),
        ctx.incidents.get((i, j), 0.0),
    )


def phase_perception(ctx: Ctx, inertia: float, skip: str | None = None) -> m.Engine:
    """Phase 8: coverage, estimates, clarity, incident decay, threat (B5.4).

    Returns the exchange-model engine built on the world after the estimates: phase 9 reuses
    it (nothing it reads - sites, consents, extended deterrence, nations, weather - changes in
    between, and its world holds the context's live pairs and nations).

    A bot's projections of one turn reach this phase with mostly the same inputs (a text that
    does not enter into force this turn changes none; one with data exchange changes only its
    parties' pairs): a pair whose inputs were perceived before is written again from memory,
    not recomputed. A pair's result reads only its own inputs and the shared ones.

    ``skip``: a state whose own perceptions (its pairs ``(skip, j)``) are left as they are,
    not computed (the belief state keeps the viewer's true pairs: the others' do not read
    them)."""
    hashed, by_value = _shared(ctx, inertia)
    known: _Known | None = None
    held = _SEEN.get(hashed)
    if held is not None:
        for sc, value, pairs in held:
            if sc is ctx.sc and value == by_value:
                known = pairs  # type: ignore[assignment]
                break
    if known is None:
        if len(_SEEN) >= _SEEN_MAX:
            _SEEN.clear()
        known = {}
        _SEEN.setdefault(hashed, []).append((ctx.sc, by_value, known))
    return _perceive(ctx, inertia, known, skip)


def _perceive(ctx: Ctx, inertia: float, known: _Known, skip: str | None = None) -> m.Engine:
    p = ctx.p
    world = ctx.world()
    public = {s: ctx.n[s].public_ledger for s in ctx.ids}
    truth = {s: ctx.n[s].missiles for s in ctx.ids}
    de_pairs = ctx.data_exchange_pairs()
    # Each pair's inputs, and the result of those already perceived with the same shared ones.
    own: dict[tuple[str, str], tuple[object, ...]] = {}
    done: dict[tuple[str, str], tuple[dict[str, object], float]] = {}
    for i in ctx.ids:
        for j in ctx.ids:
            if i != j and i != skip:
                key = own[(i, j)] = _own(ctx, i, j, (i, j) in de_pairs)
                hit = known.get(key)
                if hit is not None:
                    done[(i, j)] = hit
    # Sites, consents and the turn stay as they are through this phase: which sites are
    # active is read once, not per pair and site.
    active = [s for s in world.sites.values() if m.site_active(world, s)]
    active_ids = {s.id for s in active}
    # Each pair's new estimates, clarity and coverage, written back with its threat in one
    # copy at the end (the threat loop reads them from here; nothing reads them through the
    # world in between: the world's pairs are read only for ed, rival and the old threat).
    upd: dict[tuple[str, str], dict[str, object]] = {}
    for i in ctx.ids:
        for j in ctx.ids:
            if i in (j, skip) or (i, j) in done:
                continue
            pr = ctx.pr[(i, j)]
            nat_i, nat_j = ctx.n[i], ctx.n[j]
            de = (i, j) in de_pairs
            visits = ctx.visits.get((i, j), 0) + pr.visits_prev
            vcov = 1 - (1 - p.vcov_ntm * nat_i.ntm * (1 - nat_j.conceal)) * (
                1 - p.vcov_de * (1.0 if de else 0.0)
            ) * (1 - p.vcov_visits * min(1.0, visits / max(1, nat_j.n_sites)))
            vcov = f.clamp(vcov, 0.0, 1.0)
            tau = pr.tau
            bias = p.est_bias * (1 - tau)
            sigma = p.est_sigma * (1 - vcov)
            est: dict[str, int] = {}
            for c in CLASS_ORDER:
                pub_c = nat_j.public_ledger.get(c, 0)
                true_c = nat_j.missiles.get(c, 0)
                if pub_c == 0 and true_c == 0:
                    continue
                eps = (
                    0.0
                    if ctx.expected or sigma <= 0
                    else sigma * normal(ctx.seed, ctx.state.game_id, ctx.turn, "est", i, j, c)
                )
                val = (pub_c + vcov * (true_c - pub_c)) * (1 + eps) * (1 + bias)
                est[c] = max(0, half_up(val))
            ev = (
                min(1.0, p.ev_decay * pr.ev + ctx.incidents.get((i, j), 0.0))
                if not ctx.init
                else pr.ev
            )
            cbm = pr.last_cbm_turn > 0 and ctx.turn - pr.last_cbm_turn <= 1
            observed = pr.last_observed_turn > 0 and ctx.turn - pr.last_observed_turn <= 1
            chi = m.clarity(world, i, j, cbm, observed, de, active)
            upd[(i, j)] = {
                "vcov": ctx.rf(vcov),
                "est": est,
                "ev": ctx.rf(ev),
                "chi": ctx.rf(chi),
                "visits_prev": ctx.visits.get((i, j), 0),
            }
    world = ctx.world()
    eng = m.Engine.build(world)
    new_t: dict[tuple[str, str], float] = {}
    for i in ctx.ids:
        for j in ctx.ids:
            if i in (j, skip) or (i, j) in done:
                continue
            pr = ctx.pr[(i, j)]
            u = upd[(i, j)]
            est_ij: dict[str, int] = u["est"]  # type: ignore[assignment]
            view = dict(public)
            view[i] = truth[i]
            view[j] = est_ij
            dy = eng.dyad(i, j, view[i], view[j])
            h_hat = dy.f_ij
            e_hat = 0.0
            if ctx.sc.reach.get(j, {}).get(i):
                # the exchange model's erosion, combined with the posture i reads as aimed at
                # its deterrent (forward radars, cueing, loaded sites within reach; issue 14)
                e_det = 1 - m.deterrence(eng, view, i, j, dy)
                e_post = m.posture_erosion(world, i, j, active_ids)
                e_hat = 1 - (1 - e_det) * (1 - e_post) if ctx.p.rules >= 2 else e_det
            chi_ij: float = u["chi"]  # type: ignore[assignment]
            ev_ij: float = u["ev"]  # type: ignore[assignment]
            t_star = f.threat_target(h_hat, e_hat, chi_ij, pr.h, pr.tau, ev_ij)
            new_t[(i, j)] = inertia * pr.threat + (1 - inertia) * t_star
    for i in ctx.ids:
        for j in ctx.ids:
            if i in (j, skip):
                continue
            key = (i, j)
            hit = done.get(key)
            if hit is None:
                threat = ctx.rf(f.clamp(new_t[key], 0.0, 100.0))
                u = upd[key]
                known[own[key]] = ({**u, "est": dict(u["est"])}, threat)  # type: ignore[call-overload]
            else:
                u = {**hit[0], "est": dict(hit[0]["est"])}  # type: ignore[call-overload]
                threat = hit[1]
            ctx.pr[key] = replace(ctx.pr[key], **u, threat=threat)
    return eng
