"""Orders of the negotiating bots: the reference policies of :mod:`game_engine.bots` plus the
reactions of issue #15, from the bot's own view only.

- ``richardson`` builds ``round(max(0, Pi) / w_c)`` of its preferred class (B5.5), where
  ``Pi = ARP x max(1, X)`` is its own arms-race pressure, and eliminates along negative
  pressure;
- a rival's defenses within reach (deployed interceptors) without transparency (no defense
  limit in force, no declared limits on its sites, no data exchange with us) make the
  reciprocator, verifier and cheater build offence;
- the cheater builds covertly only when its estimate of being caught, from the inspection
  quota, the others' satellites (scenario NTM) and data exchanges, is below its deterrence
  threshold ``d/(d+b)`` of each cap it is party to;
- complying bots stay within the caps in force and eliminate their excess, verified by the
  treaty partner's observers when it accepts (matched in :mod:`game_engine.negotiator.table`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from game_engine import formulas as f
from game_engine.belief import belief_nations
from game_engine.bots import POLICIES as REFERENCE_POLICIES
from game_engine.bots import _build, _dove, _preferred_class, _View, bot_orders, legal_subset
from game_engine.params import CLASS_ORDER
from game_engine.state import GameState
from game_engine.visibility import view_json

Raw = dict[str, object]

REACTION_SHARE = 0.4
"""Budget share a bot spends on offence answering a rival's unreassured defenses [INV]."""
CHEATER_SHARE = 0.4
"""Budget share of a cheater's covert build [INV]."""
NO_TREATY_RISK = 0.3
"""Without a cap to breach, the detection risk below which a covert build is worth hiding [INV]."""
ASSUMED_CHALLENGE = 0.5
"""Chance the cheater assumes a rival uses a treaty's challenge clause in a turn [INV]."""
COMPLIERS = ("dove", "reciprocator", "verifier", "cheater", "richardson")


def _caps_in_force(v: _View) -> dict[str, int]:
    caps: dict[str, int] = {}
    for t in v.treaties():
        parties = t.get("parties")
        if t.get("status") not in ("in_force", "withdrawing") or not isinstance(parties, list):
            continue
        if v.id not in parties:
            continue
        terms = t.get("terms")
        if not isinstance(terms, Mapping):
            continue
        if t.get("template") == "OFFENSE_CAP" and isinstance(terms.get("caps"), Mapping):
            for c, n in terms["caps"].items():
                if isinstance(n, int):
                    caps[c] = min(caps.get(c, n), n)
        if t.get("template") == "CLASS_BAN" and isinstance(terms.get("classes"), list):
            for c in terms["classes"]:
                caps[str(c)] = 0
    return caps


def _treaty_partners(v: _View) -> list[str]:
    out: list[str] = []
    for t in v.treaties():
        parties = t.get("parties")
        if t.get("status") == "in_force" and isinstance(parties, list) and v.id in parties:
            out += [str(p) for p in parties if p != v.id and p not in out]
    return out


def deployed_interceptors(v: _View, rival: str) -> int:
    """Interceptors ``rival`` has deployed at its sites (public data): defenses within reach."""
    sites = v.state(rival).get("sites")
    total = 0
    if isinstance(sites, list):
        for s in sites:
            if isinstance(s, Mapping) and s.get("owner") == rival:
                n = s.get("interceptors_public")
                total += n if isinstance(n, int) else 0
    return total


def unreassured_defenses(v: _View, rival: str) -> bool:
    """``rival`` has deployed interceptors and offers no transparency about them: no defense
    limit with us in force, no data exchange with us, no declared limits on its sites."""
    if deployed_interceptors(v, rival) <= 0:
        return False
    for t in v.treaties():
        parties = t.get("parties")
        if (
            t.get("template") == "DEFENSE_LIMIT"
            and t.get("status") == "in_force"
            and isinstance(parties, list)
            and rival in parties
            and v.id in parties
        ):
            return False
    if v.has_agreement("DATA_EXCHANGE", rival):
        return False
    sites = v.state(rival).get("sites")
    if isinstance(sites, list):
        own = [s for s in sites if isinstance(s, Mapping) and s.get("owner") == rival]
        if own and all(s.get("limits") is not None for s in own):
            return False
    return True


def _defense_terms(v: _View) -> list[Mapping[str, object]]:
    """Terms of the defense limits in force (or being withdrawn from) the bot is party to."""
    out: list[Mapping[str, object]] = []
    for t in v.treaties():
        parties = t.get("parties")
        terms = t.get("terms")
        if (
            t.get("template") == "DEFENSE_LIMIT"
            and t.get("status") in ("in_force", "withdrawing")
            and isinstance(parties, list)
            and v.id in parties
            and isinstance(terms, Mapping)
        ):
            out.append(terms)
    return out


def _comply_defense(v: _View, raw: list[Raw]) -> list[Raw]:
    """Keep the defense limits in force: no buying interceptors past a total limit, radars back
    to terminal mode under a terminal-only clause, interceptors withdrawn to store from a site
    over a per-site limit or abroad under a no-foreign-basing clause."""
    limits = _defense_terms(v)
    if not limits:
        return raw
    total_caps = [n for lim in limits if isinstance(n := lim.get("max_interceptors"), int)]
    per_caps = [n for lim in limits if isinstance(n := lim.get("max_per_site"), int)]
    terminal = any(lim.get("terminal_only") is True for lim in limits)
    no_abroad = any(lim.get("no_foreign_basing") is True for lim in limits)
    out = [o for o in raw if not (o.get("type") == "BUY_INTERCEPTORS" and total_caps)]
    per = min(per_caps) if per_caps else None
    for site in v.own_sites():
        sid = str(site.get("id"))
        inter = site.get("interceptors")
        held = (
            {str(k): n for k, n in inter.items() if isinstance(n, int) and n > 0}
            if isinstance(inter, Mapping)
            else {}
        )
        room = 0 if (no_abroad and site.get("host") != v.id) else per
        if room is not None:
            free = room - sum(held.values())
            kept: list[Raw] = []
            for o in out:  # deployments here only up to the room left
                if o.get("type") == "DEPLOY" and o.get("site") == sid:
                    q = o.get("qty")
                    q = min(q, free) if isinstance(q, int) else 0
                    if q <= 0:
                        continue
                    free -= q
                    o = {**o, "qty": q}
                kept.append(o)
            out = kept
            excess = -free if free < 0 else 0
            for itype in sorted(held):
                if excess <= 0:
                    break
                q = min(excess, held[itype])
                out.append({"type": "WITHDRAW_DEPLOYMENT", "site": sid, "itype": itype, "qty": q})
                excess -= q
        if terminal and site.get("radar_mode") == "forward":
            out.append({"type": "SET_RADAR_MODE", "site": sid, "mode": "terminal"})
    return out


def _comply(v: _View, raw: list[Raw]) -> list[Raw]:
    """Clip builds to the caps in force and eliminate any excess, inviting partners to watch;
    keep the defense limits in force."""
    raw = _comply_defense(v, raw)
    caps = _caps_in_force(v)
    if not caps:
        return raw
    have = v.missiles()
    out: list[Raw] = []
    for o in raw:
        if o.get("type") == "BUILD" and o.get("covert") is not True:
            c = str(o.get("class"))
            room = caps.get(c, 10**6) - have.get(c, 0)
            qty = o.get("qty")
            if isinstance(qty, int) and room < qty:
                if room <= 0:
                    continue
                o = {**o, "qty": room}
        out.append(o)
    partners = _treaty_partners(v)
    reduced = False
    for c in CLASS_ORDER:
        excess = have.get(c, 0) - caps.get(c, 10**6)
        if excess > 0:
            out.insert(0, {"type": "REDUCE", "class": c, "qty": excess, "verified": bool(partners)})
            reduced = True
    if reduced and partners:
        out.append({"type": "INVITE_OBSERVERS", "with": partners[0]})
    return out


def _partners_and_terms(v: _View) -> tuple[list[str], int, bool]:
    """The parties sharing a force limit in force with the bot, its largest inspection quota
    and whether any allows challenge inspections."""
    partners: list[str] = []
    quota = 0
    challenge = False
    for t in v.treaties():
        parties = t.get("parties")
        terms = t.get("terms")
        if t.get("status") != "in_force" or not isinstance(parties, list) or v.id not in parties:
            continue
        if t.get("template") not in ("OFFENSE_CAP", "CLASS_BAN"):
            continue
        partners += [str(p) for p in parties if p != v.id and p not in partners]
        if isinstance(terms, Mapping):
            q = terms.get("inspection_quota")
            quota = max(quota, q if isinstance(q, int) else 0)
            challenge = challenge or terms.get("challenge") is True
    return partners, quota, challenge


def detection_estimate(state: GameState, v: _View, units: int) -> float:
    """The cheater's estimate of being caught for a covert build of ``units`` above its caps
    (B5.6 formulas), from public data and scenario values only: its treaty partners'
    satellites (scenario NTM, raised by a data exchange), the inspection quota (routine visits
    over its declared sites, useless against concealed sites), the challenge clause, and its
    own concealment."""
    p = state.scenario.params
    partners, quota, challenge = _partners_and_terms(v)
    others = partners or [x for x in state.state_ids if x != v.id]
    nations = belief_nations(state, v.id)
    me = state.nations[v.id]
    best = 0.0
    for k in others:
        de = 1.0 if v.has_agreement("DATA_EXCHANGE", k) else 0.0
        ntm = min(1.0, nations[k].ntm * (1 + p.ntm_de_bonus * de))
        best = max(best, f.p_ntm(p.eta_build, ntm, me.conceal, float(units), p.gamma))
    ps = [best]
    if quota and me.conceal < 0.5:
        n = max(1, me.n_sites)
        r = min(n, math.ceil(units / p.units_per_site))
        q = p.osi_q * (1 - p.osi_conceal_factor * me.conceal)
        ps.append(f.p_osi(n, r, min(quota, n), q))
    if challenge and me.allow_challenge:
        ps.append(ASSUMED_CHALLENGE * p.challenge_q)
    return f.combine(ps)


def cheater_threshold(v: _View) -> float | None:
    """The smallest deterrence threshold d/(d+b) among the caps the cheater is party to."""
    dt = v.me.get("deterrence_threshold")
    best: float | None = None
    if isinstance(dt, Mapping):
        for e in dt.values():
            if isinstance(e, Mapping):
                thr = e.get("threshold")
                if isinstance(thr, (int, float)):
                    best = float(thr) if best is None else min(best, float(thr))
    return best


def covert_units(state: GameState, v: _View, most: int) -> int:
    """The largest covert build (at most ``most`` units) whose detection risk stays below the
    cheater's deterrence threshold; 0 when even one unit is deterred."""
    thr = cheater_threshold(v)
    if thr is None:
        thr = NO_TREATY_RISK
    for units in range(most, 0, -1):
        if detection_estimate(state, v, units) < thr:
            return units
    return 0


def _richardson(state: GameState, v: _View) -> list[Raw]:
    out: list[Raw] = _dove(v)
    nat = belief_nations(state, v.id)[v.id]
    classes = {c.name: c for c in state.scenario.classes}
    x = sum(classes[c].w * n for c, n in nat.missiles.items() if c in classes)
    arp = v.me.get("arms_pressure")
    pi = (float(arp) if isinstance(arp, (int, float)) else 0.0) * max(1.0, x)
    c = _preferred_class(v)
    if c is None:
        return out
    w = max(1e-6, v.weight[c])
    if pi > 0:
        qty = min(round(pi / w), v.prod_cap().get(c, 0), v.budget // max(1, v.cost[c]))
        if qty > 0:
            out.append({"type": "BUILD", "class": c, "qty": qty, "covert": False})
    elif pi < 0:
        have = v.missiles()
        big = max(CLASS_ORDER, key=lambda k: (v.weight[k] * have.get(k, 0), k))
        qty = min(have.get(big, 0), round(-pi / max(1e-6, v.weight[big])))
        if qty > 0:
            out.append({"type": "REDUCE", "class": big, "qty": qty, "verified": False})
    return out


def _cheater(state: GameState, v: _View) -> list[Raw]:
    ledger = v.state(v.id).get("public_ledger")
    public = (
        {str(k): x for k, x in ledger.items() if isinstance(x, int)}
        if isinstance(ledger, Mapping)
        else {}
    )
    out = _comply(v, _dove(v, declare=public))
    plan = _build(v, CHEATER_SHARE, covert=True)
    if plan:
        qty = plan[0].get("qty")
        units = covert_units(state, v, qty if isinstance(qty, int) else 0)
        if units > 0:
            out.append({**plan[0], "qty": units})
    return out


def negotiating_bot_orders(
    policy: str,
    state: GameState,
    actor: str,
    seed: str,
    *,
    table_cbms: bool = False,
    view: Mapping[str, object] | None = None,
) -> list[Raw]:
    """Legal raw orders for ``actor`` under a negotiating policy (its own view only).

    ``table_cbms``: CBMs are agreed at a negotiating table (which adds the mirror orders), so
    the reference bots' unilateral AGREE_* orders are left out. ``view``: the actor's
    ``view_json`` if the caller has it (the table's reading: with the deterrence thresholds
    only for the cheater, the one policy that reads them), else it is computed here."""
    if view is None:
        view = view_json(state, actor)
    v = _View(view)
    if policy == "richardson":
        raw = _comply(v, _richardson(state, v))
    elif policy == "cheater":
        raw = _cheater(state, v)
    elif policy in REFERENCE_POLICIES:
        raw = bot_orders(policy, state, actor, seed, view=view)
        if policy in COMPLIERS:
            raw = _comply(v, raw)
    else:
        raise ValueError(f"unknown policy {policy!r}")
    # The table agrees CBMs (mirror orders come from it); a notification regime is honoured.
    if table_cbms:
        raw = [o for o in raw if not str(o.get("type", "")).startswith("AGREE_")]
    if policy != "hawk":
        raw = [{**o, "notify": True} if o.get("type") == "TEST" else o for o in raw]
    if (
        policy in ("reciprocator", "verifier", "cheater")
        and any(unreassured_defenses(v, r) for r in v.rivals())
        and not any(o.get("type") == "BUILD" for o in raw)
    ):
        raw += _comply(v, _build(v, REACTION_SHARE))
    return legal_subset(state, actor, raw)
