"""The deterrence threshold of each treaty a state is party to (B5.6, inspector leadership).

A breach worth ``d`` victory points per turn if it stays hidden, and costing ``b`` per turn if
it is caught, is deterred when the chance of being caught ``p_det >= d / (d + b)``. Both numbers
are computed for the viewer's *representative breach* of each treaty, from the viewer's own
information only (its true posture, public data and its estimates of the others), with the
engine's formulas in expected mode (docs/rules.md#deterrence-threshold):

- ``d = w_sec x (Sec with the breach - Sec without it)``: the security the breach adds, from the
  exchange model of B5.3 (Sec is on the 0-100 scale of the VP formula).
- ``b``: the VP the viewer would lose, averaged over the turns left, if the breach were made
  public now: the compliance score falls by ``60 s`` (recovering 10% a turn), every other state
  adds 3 to its distrust (fading 5% a turn), and the RSI takes the 8-point incident penalty once.
"""

from __future__ import annotations

from game_engine import metrics as m
from game_engine.belief import belief_nations
from game_engine.jsontypes import JSONDict
from game_engine.orders import in_force, is_party
from game_engine.params import CLASS_ORDER, ITYPE_ORDER
from game_engine.pipeline.terms import OFFENSE_TEMPLATES, t_caps, t_float, t_int
from game_engine.state import GameState, Site, Treaty, replace

DEFENSE_BATCH = 8
"""Interceptors in the representative defense-limit breach (one purchase batch)."""


def _world(state: GameState, viewer: str, sites: dict[str, Site] | None = None) -> m.World:
    return m.World(
        scenario=state.scenario,
        turn=state.turn,
        nations=belief_nations(state, viewer),
        pairs=state.pairs,
        sites=sites if sites is not None else {s.id: s for s in state.sites},
        consents=state.consents,
        treaties={t.id: t for t in state.treaties},
        agreements=state.agreements,
    )


def _security(
    w: m.World, viewer: str, extra: dict[str, int] | None = None, eng: m.Engine | None = None
) -> float:
    """The viewer's Sec with ``extra`` missiles; ``eng`` (built on ``w``) may be shared."""
    view: dict[str, m.Counts] = {s: w.nations[s].missiles for s in w.ids}
    if extra:
        mine = dict(view[viewer])
        for c, q in extra.items():
            mine[c] = mine.get(c, 0) + q
        view[viewer] = mine
    return m.security(eng if eng is not None else m.Engine.build(w), view, viewer, {}).sec


def _offense_breach(
    state: GameState, viewer: str, t: Treaty
) -> tuple[dict[str, int], dict[str, int], float, str] | str:
    """One turn's production of the viewer's biggest limited class beyond what the treaty
    allows: (legal baseline extra, breach extra, severity, text). The baseline builds up to the
    limit legally, so the gain counts only what the breach adds."""
    nat = state.nations[viewer]
    cls = {c.name: c for c in state.scenario.classes}
    caps = t_caps(t)
    wcap = t_float(t, "weighted_cap", 0.0)
    limited = [c for c in CLASS_ORDER if c in caps or wcap > 0]
    options = [c for c in limited if c in nat.tech and nat.prod_cap.get(c, 0) > 0]
    if not options:
        return "you cannot build any class it limits"
    best = max(options, key=lambda c: (cls[c].w * nat.prod_cap[c], -CLASS_ORDER.index(c)))
    q = nat.prod_cap[best]
    have = nat.missiles.get(best, 0)
    if best in caps:
        legal = max(0, caps[best] - have)
        sev = min(1.0, q / max(1, caps[best]))
    else:
        x = m.x_off(cls, nat.missiles)
        legal = max(0, int((wcap - x) // cls[best].w)) if cls[best].w > 0 else 0
        sev = min(1.0, cls[best].w * q / max(1.0, wcap))
    what = "banned " if t.template == "CLASS_BAN" else ""
    beyond = "" if t.template == "CLASS_BAN" else " beyond the cap"
    return (
        {best: legal},
        {best: legal + q},
        sev,
        f"a covert build of {q} {what}{best}{beyond}",
    )


def _defense_breach(
    state: GameState, viewer: str, t: Treaty
) -> tuple[dict[str, Site], dict[str, Site], float, str] | str:
    """One batch of interceptors beyond the limit at the viewer's fullest own site with room:
    (legal baseline sites, breach sites, severity, text)."""
    cap = t_int(t, "max_interceptors", -1)
    per = t_int(t, "max_per_site", -1)
    if cap < 0 and per < 0:
        return "it limits only sites, basing or radar modes, not interceptor numbers"
    nat = state.nations[viewer]
    total = sum(nat.store.values()) + sum(
        sum(s.interceptors.values()) for s in state.sites if s.owner == viewer
    )
    best: tuple[Site, int, int] | None = None
    for s in state.sites:
        if s.owner != viewer or not s.allowed:
            continue
        here = sum(s.interceptors.values())
        room = s.capacity - here
        legal = room
        if cap >= 0:
            legal = min(legal, max(0, cap - total))
        if per >= 0:
            legal = min(legal, max(0, per - here))
        q = min(DEFENSE_BATCH, room - legal)
        if q > 0 and (best is None or here > sum(best[0].interceptors.values())):
            best = (s, legal, q)
    if best is None:
        return "none of your sites has room for interceptors beyond the limit"
    site, legal, q = best
    itype = next(x for x in ITYPE_ORDER if x in site.allowed)

    def loaded(n: int) -> dict[str, Site]:
        inter = dict(site.interceptors)
        inter[itype] = inter.get(itype, 0) + n
        out = {s.id: s for s in state.sites}
        out[site.id] = replace(site, interceptors=inter)
        return out

    limit = cap if cap >= 0 else per
    sev = min(1.0, q / max(1, limit))
    return (
        loaded(legal),
        loaded(legal + q),
        sev,
        f"{q} {itype} interceptors at {site.id} beyond the limit",
    )


def _sanction(state: GameState, viewer: str, t: Treaty, sev: float) -> float:
    """Per-turn VP lost over the rest of the game if the breach were made public now."""
    p = state.scenario.params
    nat = state.nations[viewer]
    _, w_comp, w_reg = nat.weights
    left = max(1, state.max_turns - state.turn + 1)
    n_t = max(
        1,
        sum(
            1
            for x in state.treaties
            if viewer in x.cs and x.status != "draft" and is_party(x, viewer)
        ),
    )
    cs_drop = min(t.cs.get(viewer, 100.0), p.cs_new_public * sev)
    cs_total = cs_drop * sum((1 - p.cs_recovery) ** k for k in range(left))
    others = [k for k in state.state_ids if k != viewer]
    rep_drop = 0.0
    for k in others:
        pr = state.pairs[(k, viewer)]
        rep_drop += pr.tau - pr.alpha / (pr.alpha + pr.beta + p.trust_violation)
    rep_drop /= max(1, len(others))
    rep_total = rep_drop * sum(p.trust_forgetting**k for k in range(left))
    comp_total = p.comp_w_cs * cs_total / n_t + p.comp_w_rep * 100 * rep_total
    return (w_comp * comp_total + w_reg * p.pinc_violation) / left


def _entry(
    t: Treaty, gain: float | None, sanction: float | None, breach: str, why: str
) -> JSONDict:
    if gain is None or sanction is None:
        return {
            "treaty": t.id,
            "name": t.name,
            "breach": "",
            "gain": None,
            "sanction": None,
            "threshold": None,
            "text": f"No threshold for {t.name}: {why}.",
        }
    d = max(0.0, gain)
    thr = d / (d + sanction) if d + sanction > 0 else 0.0
    public = t.template == "DEFENSE_LIMIT"
    if d <= 0:
        text = (
            f"Breaking {t.name} ({breach}) would not raise your score, so any chance of being "
            "caught deters it."
        )
    else:
        text = (
            f"Breaking {t.name} ({breach}) would add about {d:.2f} VP a turn if it stayed hidden "
            f"and cost about {sanction:.2f} VP a turn if caught: it is deterred when the chance "
            f"of being caught is at least {100 * thr:.0f}%."
        )
        if public:
            text += " Deployments are public, so this breach would be seen at once."
    return {
        "treaty": t.id,
        "name": t.name,
        "breach": breach,
        "gain": round(d, 4),
        "sanction": round(sanction, 4),
        "threshold": round(thr, 4),
        "text": text,
    }


_MEMO: list[tuple[GameState, str, dict[str, JSONDict]]] = []
_MEMO_SIZE = 32


def deterrence_thresholds(state: GameState, viewer: str) -> dict[str, JSONDict]:
    """Memoised :func:`compute_deterrence_thresholds` for the same (immutable) state object.

    Bots and views ask for the same state's thresholds several times a turn; the cache holds
    the state itself and matches by identity. Callers get copies; the output is the same with
    or without the cache (a race between threads can only cost a miss).
    """
    for st, who, out in _MEMO:  # identity, not equality: a cheap check
        if st is state and who == viewer:
            return {k: dict(v) for k, v in out.items()}
    out = compute_deterrence_thresholds(state, viewer)
    _MEMO.append((state, viewer, out))
    if len(_MEMO) > _MEMO_SIZE:
        del _MEMO[: len(_MEMO) - _MEMO_SIZE]
    return {k: dict(v) for k, v in out.items()}


def compute_deterrence_thresholds(state: GameState, viewer: str) -> dict[str, JSONDict]:
    """Treaty id -> the viewer's deterrence threshold for each treaty in force it is party to.

    Each entry has ``breach`` (the representative breach, in words), ``gain`` (d, VP per turn),
    ``sanction`` (b, VP per turn), ``threshold`` (d / (d + b), or None when no breach of that
    treaty changes victory points directly) and ``text`` (plain English).
    """
    out: dict[str, JSONDict] = {}
    mine = [t for t in state.treaties if in_force(t) and is_party(t, viewer)]
    if not mine:
        return out
    w = _world(state, viewer)
    eng = m.Engine.build(w)  # offense breaches change only the viewer's counts: one engine
    w_sec = state.nations[viewer].weights[0]
    for t in mine:
        if t.template in OFFENSE_TEMPLATES:
            ob = _offense_breach(state, viewer, t)
            if isinstance(ob, str):
                out[t.id] = _entry(t, None, None, "", ob)
                continue
            legal, extra, sev, breach = ob
            gain = w_sec * (_security(w, viewer, extra, eng) - _security(w, viewer, legal, eng))
        elif t.template == "DEFENSE_LIMIT":
            db = _defense_breach(state, viewer, t)
            if isinstance(db, str):
                out[t.id] = _entry(t, None, None, "", db)
                continue
            legal_sites, sites, sev, breach = db
            gain = w_sec * (
                _security(replace(w, sites=sites), viewer)
                - _security(replace(w, sites=legal_sites), viewer)
            )
        else:
            if t.template == "EXPORT_CONTROL":
                why = "it limits exports, which bring budget but no victory points directly"
            elif state.nations[viewer].nuclear:
                why = "it binds only its non-nuclear parties"
            else:
                why = "it limits nuclear programmes, which bring no victory points until completed"
            out[t.id] = _entry(t, None, None, "", why)
            continue
        out[t.id] = _entry(t, gain, _sanction(state, viewer, t, sev), breach, "")
    return out
