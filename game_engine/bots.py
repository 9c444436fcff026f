"""Reference bots (B10 step 1): pure policies over ``view_for`` output.

``bot_orders(policy, state, actor, seed)`` looks only at ``view_json(state, actor)`` (never at
the truth) and returns raw order dicts that pass ``validate_orders``. Policies:

- ``hawk``: builds and deploys, tests without notice, signs nothing.
- ``dove``: declares truthfully, proposes every CBM, declares limits, signs everything.
- ``reciprocator``: tit-for-tat with forgiveness - cooperates like a dove unless a rival was
  caught cheating or out-armed it, then answers like a hawk; forgives with probability 0.2.
- ``verifier``: a dove that invests in NTM, inspects under treaties and publishes evidence.
- ``cheater``: a dove in public that builds covertly when detection looks unlikely.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from game_engine.engine import add_treaty_draft, validate_orders
from game_engine.errors import OrderError
from game_engine.jsontypes import JSON
from game_engine.params import CLASS_ORDER
from game_engine.rng import u01
from game_engine.state import GameState
from game_engine.visibility import view_json

POLICIES: tuple[str, ...] = ("hawk", "dove", "reciprocator", "verifier", "cheater")
COOPERATIVE: tuple[str, ...] = ("dove", "reciprocator", "verifier", "cheater")
FORGIVENESS = 0.2  # reciprocator: chance of cooperating despite a provocation
RIVAL_THREAT = 35.0  # a state the bot fears at least this much is treated as a rival

Raw = dict[str, object]


def _d(x: object) -> Mapping[str, object]:
    return x if isinstance(x, Mapping) else {}


def _l(x: object) -> Sequence[object]:
    return x if isinstance(x, list) else []


def _i(x: object) -> int:
    return x if isinstance(x, int) and not isinstance(x, bool) else 0


def _f(x: object) -> float:
    return float(x) if isinstance(x, (int, float)) and not isinstance(x, bool) else 0.0


def _s(x: object) -> str:
    return x if isinstance(x, str) else ""


class _View:
    """Typed accessors over a ``view_for`` dict for one state."""

    def __init__(self, view: Mapping[str, object]) -> None:
        self.v = view
        self.me = _d(view.get("me"))
        self.id = _s(self.me.get("id"))
        self.turn = _i(view.get("turn"))
        table = _d(view.get("class_table"))
        self.cost = {c: max(1, _i(_d(table.get(c)).get("cost"))) for c in CLASS_ORDER}
        self.weight = {c: _f(_d(table.get(c)).get("w")) for c in CLASS_ORDER}

    @property
    def budget(self) -> int:
        return _i(self.me.get("budget"))

    @property
    def tech(self) -> list[str]:
        return [_s(x) for x in _l(self.me.get("tech"))]

    def missiles(self) -> dict[str, int]:
        return {k: _i(v) for k, v in _d(self.me.get("missiles")).items()}

    def prod_cap(self) -> dict[str, int]:
        return {k: _i(v) for k, v in _d(self.me.get("prod_cap")).items()}

    def store(self) -> dict[str, int]:
        return {k: _i(v) for k, v in _d(self.me.get("interceptors_store")).items()}

    def threat(self) -> dict[str, float]:
        return {k: _f(v) for k, v in _d(self.me.get("threat")).items()}

    def rivals(self) -> list[str]:
        t = self.threat()
        return sorted((k for k, v in t.items() if v >= RIVAL_THREAT), key=lambda k: (-t[k], k))

    def states(self) -> list[Mapping[str, object]]:
        return [_d(x) for x in _l(self.v.get("states"))]

    def state(self, sid: str) -> Mapping[str, object]:
        return next((s for s in self.states() if s.get("id") == sid), {})

    def treaties(self) -> list[Mapping[str, object]]:
        return [_d(x) for x in _l(self.v.get("treaties"))]

    def agreements(self) -> list[Mapping[str, object]]:
        return [_d(x) for x in _l(self.v.get("agreements"))]

    def has_agreement(self, kind: str, other: str) -> bool:
        a, b = sorted((self.id, other))
        return any(
            g.get("kind") == kind and g.get("a") == a and g.get("b") == b for g in self.agreements()
        )

    def own_sites(self) -> list[Mapping[str, object]]:
        return [_d(x) for x in _l(self.me.get("sites")) if _d(x).get("owner") == self.id]

    def ds(self) -> float:
        return _f(self.me.get("ds"))


def _preferred_class(v: _View) -> str | None:
    caps = v.prod_cap()
    best: tuple[float, str] | None = None
    for c in CLASS_ORDER:
        if c in v.tech and caps.get(c, 0) > 0:
            score = v.weight[c] / v.cost[c]
            if best is None or score > best[0]:
                best = (score, c)
    return None if best is None else best[1]


def _build(v: _View, share: float, covert: bool = False) -> list[Raw]:
    c = _preferred_class(v)
    if c is None:
        return []
    unit = math.ceil(v.cost[c] * (1.25 if covert else 1.0))
    qty = min(v.prod_cap().get(c, 0), int(v.budget * share) // max(1, unit))
    if qty <= 0:
        return []
    return [{"type": "BUILD", "class": c, "qty": qty, "covert": covert}]


def _deploy(v: _View) -> list[Raw]:
    out: list[Raw] = []
    store = v.store()
    for site in v.own_sites():
        inter = {k: _i(x) for k, x in _d(site.get("interceptors")).items()}
        free = _i(site.get("capacity")) - sum(inter.values())
        for t in ("MIDCOURSE", "TERMINAL"):
            allowed = [_s(x) for x in _l(site.get("allowed"))]
            if t not in allowed or free <= 0 or store.get(t, 0) <= 0:
                continue
            q = min(free, store[t])
            out.append({"type": "DEPLOY", "site": _s(site.get("id")), "itype": t, "qty": q})
            free -= q
            store[t] -= q
    return out


def _hawk(v: _View, seed: str) -> list[Raw]:
    out: list[Raw] = _build(v, 0.6)
    out += _deploy(v)
    dev = _d(v.me.get("developing"))
    for c in list(dev)[:1]:
        out.append({"type": "TEST", "class": c, "notify": False})
    if not dev and v.budget >= 45 and "HGV" not in v.tech and "IRBM" in v.tech:
        out.append({"type": "RESEARCH", "tech": "HGV"})
    if v.me.get("allow_challenge") is True:
        out.append({"type": "SET_CHALLENGE_POLICY", "allow": False})
    return out


def _cbms(v: _View, partners: Sequence[str]) -> list[Raw]:
    out: list[Raw] = []
    for w in partners[:2]:
        for kind, otype in (
            ("HOTLINE", "AGREE_HOTLINE"),
            ("NOTIFICATION", "AGREE_NOTIFICATION"),
            ("DATA_EXCHANGE", "AGREE_DATA_EXCHANGE"),
        ):
            if not v.has_agreement(kind, w):
                out.append({"type": otype, "with": w})
        if v.turn % 2 == 1:
            out.append({"type": "INVITE_OBSERVERS", "with": w})
            out.append({"type": "ACCEPT", "with": w, "what": "INVITE_OBSERVERS"})
    return out


def _dove(v: _View, declare: Mapping[str, int] | None = None) -> list[Raw]:
    out: list[Raw] = [
        {"type": "DECLARE", "counts": dict(declare if declare is not None else v.missiles())}
    ]
    out += _cbms(v, v.rivals())
    for site in v.own_sites():
        if site.get("limits") is None and _i(site.get("capacity")) > 0:
            inter = sum(_i(x) for x in _d(site.get("interceptors")).values())
            out.append(
                {
                    "type": "DECLARE_LIMITS",
                    "site": _s(site.get("id")),
                    "max_interceptors": max(inter, 1),
                    "terminal_only": site.get("radar_mode") == "terminal",
                    "no_sensor_sharing": site.get("sensor_sharing") is not True,
                }
            )
    dev = _d(v.me.get("developing"))
    for c in list(dev)[:1]:
        out.append({"type": "TEST", "class": c, "notify": True})
    return out


def _provoked(v: _View) -> bool:
    """A rival was caught cheating, refused transparency, or out-arms us (public data only)."""
    mine = sum(v.weight[c] * n for c, n in v.missiles().items())
    for r in v.rivals():
        st = v.state(r)
        comp = st.get("compliance")
        if isinstance(comp, (int, float)) and comp < 90:
            return True
        ledger = {k: _i(x) for k, x in _d(st.get("public_ledger")).items()}
        theirs = sum(v.weight.get(c, 0.0) * n for c, n in ledger.items())
        if theirs > 1.5 * max(1.0, mine) and v.turn > 1:
            return True
    for e in _l(v.v.get("public_evidence")):
        ed = _d(e)
        if ed.get("target") in v.rivals() and _i(ed.get("published_turn")) >= v.turn - 2:
            return True
    return False


def _verifier(v: _View) -> list[Raw]:
    out = _dove(v)
    ntm = _f(v.me.get("ntm"))
    if ntm < 0.8 and v.budget >= 20:
        out.append({"type": "INVEST_NTM", "points": 5})
    for t in v.treaties():
        if t.get("status") not in ("in_force", "withdrawing"):
            continue
        terms = _d(t.get("terms"))
        parties = [_s(x) for x in _l(t.get("parties"))]
        quota = _i(terms.get("inspection_quota"))
        if v.id not in parties or quota <= 0:
            continue
        for r in v.rivals():
            if r in parties:
                out.append(
                    {"type": "INSPECT", "target": r, "treaty": t.get("id"), "visits": min(quota, 2)}
                )
    for e in _l(v.me.get("evidence")):
        ed = _d(e)
        if ed.get("published") is False and _f(ed.get("quality")) >= 0.9 and ed.get("treaty"):
            out.append({"type": "PUBLISH_EVIDENCE", "evidence": ed.get("id")})
    return out


def _cheater(v: _View, seed: str) -> list[Raw]:
    public = {k: _i(x) for k, x in _d(v.state(v.id).get("public_ledger")).items()}
    out = _dove(v, declare=public)
    conceal = _f(v.me.get("conceal"))
    p_guess = 1 - math.exp(-0.6 * 0.5 * (1 - conceal) * math.sqrt(2))
    if p_guess < 0.3:
        out += _build(v, 0.4, covert=True)
    elif conceal < 0.6 and v.budget >= 15:
        out.append({"type": "SET_CONCEALMENT", "level": 6})
    return out


def bot_orders(
    policy: str,
    state: GameState,
    actor: str,
    seed: str,
    *,
    view: Mapping[str, object] | None = None,
) -> list[dict[str, object]]:
    """Legal raw orders for ``actor`` this turn under ``policy`` (uses only the actor's view;
    ``view`` is its ``view_json`` when the caller already has it)."""
    if policy not in POLICIES:
        raise ValueError(f"unknown policy {policy!r}; choose from {', '.join(POLICIES)}")
    v = _View(view if view is not None else view_json(state, actor))
    if policy == "hawk":
        raw = _hawk(v, seed)
    elif policy == "dove":
        raw = _dove(v)
    elif policy == "reciprocator":
        forgive = u01(seed, "forgive", actor, v.turn) < FORGIVENESS
        raw = _hawk(v, seed) if _provoked(v) and not forgive else _dove(v)
    elif policy == "verifier":
        raw = _verifier(v)
    else:
        raw = _cheater(v, seed)
    return legal_subset(state, actor, raw)


def legal_subset(
    state: GameState, actor: str, raw: Sequence[Mapping[str, object]]
) -> list[dict[str, object]]:
    """Drop orders until ``validate_orders`` accepts the rest (first failing order first)."""
    items = [dict(x) for x in raw]
    while items:
        try:
            validate_orders(state, actor, items)
            return items
        except OrderError as exc:
            idx = exc.order_index if exc.order_index is not None else len(items) - 1
            del items[idx]
    return items


def bot_answer_proposal(
    policy: str, view: Mapping[str, object], proposal: Mapping[str, object]
) -> bool:
    """Whether ``policy`` would sign ``proposal`` ({template, parties, terms, from})."""
    v = _View(view)
    terms = _d(proposal.get("terms"))
    if policy == "hawk":
        return False
    if policy in ("dove", "cheater"):
        return True
    if policy == "verifier":
        return (
            _i(terms.get("inspection_quota")) > 0
            or terms.get("data_exchange") is True
            or proposal.get("template") in ("EXPORT_CONTROL", "NONPROLIFERATION", "DEFENSE_LIMIT")
        )
    return not _provoked(v)


def _public_interceptors(v: _View, sid: str) -> int:
    return sum(_i(x) for x in _d(v.state(sid).get("public_interceptors")).values())


def negotiate(
    state: GameState, policies: Mapping[str, str], seed: str
) -> tuple[GameState, dict[str, list[dict[str, object]]]]:
    """Table and answer treaty proposals between rival bots; returns SIGN orders to add.

    Cooperative bots propose, on turns 1, 4 and 7, a package for each rival dyad without one:
    an offense cap at current public levels with inspections, and a defense limit a little
    above current interceptor holdings. Every party answers with ``bot_answer_proposal``.
    Cooperative bots also re-sign expiring treaties they belong to.
    """
    signs: dict[str, list[dict[str, object]]] = {}
    ids = state.state_ids
    views = {sid: view_json(state, sid) for sid in ids}
    for t in state.treaties:
        exp = t.terms.get("expires_turn")
        if t.status == "in_force" and isinstance(exp, int) and exp >= state.turn:
            members = [x for x in t.parties if x not in t.withdrawn]
            if all(policies.get(x) in COOPERATIVE for x in members):
                for x in members:
                    signs.setdefault(x, []).append({"type": "SIGN", "terms_hash": t.terms_hash})
    if state.turn not in (1, 4, 7):
        return state, signs
    done: set[tuple[str, str]] = set()
    for a in ids:
        if policies.get(a) not in COOPERATIVE:
            continue
        va = _View(views[a])
        for b in va.rivals():
            key = (min(a, b), max(a, b))
            if key in done:
                continue
            done.add(key)
            covered = [
                t
                for t in state.treaties
                if t.status == "in_force"
                and a in t.parties
                and b in t.parties
                and t.template in ("OFFENSE_CAP", "DEFENSE_LIMIT")
            ]
            if covered:
                continue
            caps: dict[str, JSON] = {}
            for sid in (a, b):
                for c, n in _d(va.state(sid).get("public_ledger")).items():
                    caps[c] = max(_i(caps.get(c)), _i(n))
            caps = {c: n for c, n in caps.items() if _i(n) > 0}
            defense_cap = max(_public_interceptors(va, a), _public_interceptors(va, b)) + 8
            package: list[tuple[str, dict[str, JSON]]] = []
            if caps:
                package.append(
                    ("OFFENSE_CAP", {"caps": caps, "inspection_quota": 2, "data_exchange": True})
                )
            package.append(("DEFENSE_LIMIT", {"max_interceptors": defense_cap}))
            for template, terms in package:
                proposal: dict[str, object] = {
                    "template": template,
                    "parties": [a, b],
                    "terms": terms,
                    "from": a,
                }
                if all(
                    bot_answer_proposal(policies.get(x, "hawk"), views[x], proposal) for x in (a, b)
                ):
                    state, _, h = add_treaty_draft(state, template, [a, b], terms)
                    for x in (a, b):
                        signs.setdefault(x, []).append({"type": "SIGN", "terms_hash": h})
    return state, signs
