"""Explicit JSON snapshots of the game state (P8, B6). No pickle, no reflection.

``state_from_json(state_to_json(s)) == s`` for every state; JSON keys are sorted by
:func:`canonical_json`, and counts are rebuilt in the canonical class order so that a
reloaded state resolves byte-identically.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace

from game_engine.errors import RuleCode, RuleViolation
from game_engine.injects import effect_from_json
from game_engine.jsontypes import JSON, JSONDict
from game_engine.params import CLASS_ORDER, ITYPE_ORDER, with_legacy_values
from game_engine.scenario import (
    Coverage,
    Geo,
    Inject,
    inject_to_json,
    parse_scenario,
    scenario_to_json,
)
from game_engine.state import (
    Agreement,
    Consent,
    Evidence,
    GameState,
    Limits,
    Nation,
    Pair,
    Site,
    Treaty,
    Violation,
)

SCHEMA_VERSION = 1


def canonical_json(data: object) -> str:
    """Canonical text: sorted keys, no spaces, no NaN."""
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), allow_nan=False, ensure_ascii=False
    )


class _In:
    """Typed readers over a JSON object; raise RuleViolation(E_BAD_PARAM) on bad data."""

    def __init__(self, d: Mapping[str, object], where: str) -> None:
        self.d = d
        self.where = where

    def _bad(self, key: str) -> RuleViolation:
        return RuleViolation(RuleCode.E_BAD_PARAM, f"invalid snapshot field {self.where}.{key}")

    def raw(self, key: str) -> object:
        if key not in self.d:
            raise self._bad(key)
        return self.d[key]

    def s(self, key: str) -> str:
        v = self.raw(key)
        if not isinstance(v, str):
            raise self._bad(key)
        return v

    def i(self, key: str) -> int:
        v = self.raw(key)
        if not isinstance(v, int) or isinstance(v, bool):
            raise self._bad(key)
        return v

    def oi(self, key: str) -> int | None:
        v = self.d.get(key)
        if v is None:
            return None
        return self.i(key)

    def f(self, key: str) -> float:
        v = self.raw(key)
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise self._bad(key)
        return float(v)

    def b(self, key: str) -> bool:
        v = self.raw(key)
        if not isinstance(v, bool):
            raise self._bad(key)
        return v

    def obj(self, key: str) -> Mapping[str, object]:
        v = self.raw(key)
        if not isinstance(v, Mapping):
            raise self._bad(key)
        return {str(k): x for k, x in v.items()}

    def lst(self, key: str) -> list[object]:
        v = self.raw(key)
        if not isinstance(v, list):
            raise self._bad(key)
        return v

    def strs(self, key: str) -> tuple[str, ...]:
        out = []
        for x in self.lst(key):
            if not isinstance(x, str):
                raise self._bad(key)
            out.append(x)
        return tuple(out)

    def counts(self, key: str, order: tuple[str, ...] = CLASS_ORDER) -> dict[str, int]:
        d = self.obj(key)
        out: dict[str, int] = {}
        for k in order:
            if k in d:
                v = d[k]
                if not isinstance(v, int) or isinstance(v, bool):
                    raise self._bad(key)
                out[k] = v
        for k in d:
            if k not in order:
                raise self._bad(key)
        return out

    def floats(self, key: str, order: tuple[str, ...] | None = None) -> dict[str, float]:
        d = self.obj(key)
        keys = order if order is not None else tuple(d)
        out: dict[str, float] = {}
        for k in keys:
            if k in d:
                v = d[k]
                if isinstance(v, bool) or not isinstance(v, (int, float)):
                    raise self._bad(key)
                out[k] = float(v)
        return out

    def sub(self, key: str) -> _In:
        return _In(self.obj(key), f"{self.where}.{key}")


def _objs(items: list[object], where: str) -> list[_In]:
    out = []
    for n, x in enumerate(items):
        if not isinstance(x, Mapping):
            raise RuleViolation(RuleCode.E_BAD_PARAM, f"invalid snapshot field {where}[{n}]")
        out.append(_In({str(k): v for k, v in x.items()}, f"{where}[{n}]"))
    return out


def _json_value(v: object) -> JSON:
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, Mapping):
        return {str(k): _json_value(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_json_value(x) for x in v]
    raise RuleViolation(RuleCode.E_BAD_PARAM, "snapshot contains a non-JSON value")


# ------------------------------------------------------------------------------ out


def _nation(n: Nation) -> JSONDict:
    return {
        "id": n.id,
        "nuclear": n.nuclear,
        "missiles": dict(n.missiles),
        "tech": list(n.tech),
        "developing": dict(n.developing),
        "prod_cap": dict(n.prod_cap),
        "store": dict(n.store),
        "cm": n.cm,
        "ntm": n.ntm,
        "conceal": n.conceal,
        "conceal_base": n.conceal_base,
        "disc": n.disc,
        "program": n.program,
        "budget": n.budget,
        "income": n.income,
        "ds": n.ds,
        "n_sites": n.n_sites,
        "l_half": n.l_half,
        "u": n.u,
        "weights": list(n.weights),
        "k": n.k,
        "a": n.a,
        "g": n.g,
        "s0": n.s0,
        "treaty_pref": n.treaty_pref,
        "shame": n.shame,
        "hawkish": n.hawkish,
        "allow_challenge": n.allow_challenge,
        "doctrine": n.doctrine,
        "public_ledger": dict(n.public_ledger),
        "declared": None if n.declared is None else dict(n.declared),
        "declared_turn": n.declared_turn,
        "sec": n.sec,
        "sec_pub": n.sec_pub,
        "arp": n.arp,
        "vp_history": list(n.vp_history),
        "objectives_met": dict(n.objectives_met),
        "audit_charge": n.audit_charge,
        "catastrophe_penalty": n.catastrophe_penalty,
        "last_spend": n.last_spend,
        "npc": n.npc,
    }


def _pair(p: Pair) -> JSONDict:
    return {
        "src": p.src,
        "dst": p.dst,
        "alpha": p.alpha,
        "beta": p.beta,
        "alpha0": p.alpha0,
        "beta0": p.beta0,
        "threat": p.threat,
        "h": p.h,
        "ev": p.ev,
        "chi": p.chi,
        "est": dict(p.est),
        "vcov": p.vcov,
        "ed": p.ed,
        "rival": p.rival,
        "visits_prev": p.visits_prev,
        "last_cbm_turn": p.last_cbm_turn,
        "last_observed_turn": p.last_observed_turn,
    }


def _geo(g: Geo) -> JSONDict:
    return {"x": g.x, "y": g.y, "polygon": [[a, b] for a, b in g.polygon]}


def _site(s: Site) -> JSONDict:
    lim: JSON = None
    if s.limits is not None:
        lim = {
            "max_interceptors": s.limits.max_interceptors,
            "terminal_only": s.limits.terminal_only,
            "no_sensor_sharing": s.limits.no_sensor_sharing,
            "note": s.limits.note,
            "declared_by": s.limits.declared_by,
            "turn": s.limits.turn,
        }
    return {
        "id": s.id,
        "host": s.host,
        "owner": s.owner,
        "kind": s.kind,
        "capacity": s.capacity,
        "allowed": list(s.allowed),
        "interceptors": dict(s.interceptors),
        "radar_q": s.radar_q,
        "radar_max_q": s.radar_max_q,
        "radar_mode": s.radar_mode,
        "sensor_sharing": s.sensor_sharing,
        "ready_turn": s.ready_turn,
        "coverage": [
            {"defends": c.defends, "against": c.against, "value": c.value} for c in s.coverage
        ],
        "sees": list(s.sees),
        "ds_burden": s.ds_burden,
        "geo": _geo(s.geo),
        "limits": lim,
        "outage_turn": s.outage_turn,
    }


def _consent(c: Consent) -> JSONDict:
    return {
        "host": c.host,
        "owner": c.owner,
        "site": c.site,
        "max_interceptors": c.max_interceptors,
        "max_radar_q": c.max_radar_q,
        "forward_allowed": c.forward_allowed,
        "sensor_sharing_allowed": c.sensor_sharing_allowed,
        "compensation": c.compensation,
        "notice_turns": c.notice_turns,
        "granted_turn": c.granted_turn,
        "revoke_effective": c.revoke_effective,
    }


def _treaty(t: Treaty) -> JSONDict:
    return {
        "id": t.id,
        "template": t.template,
        "name": t.name,
        "parties": list(t.parties),
        "terms": _json_value(t.terms),
        "terms_hash": t.terms_hash,
        "status": t.status,
        "entry_turn": t.entry_turn,
        "created_turn": t.created_turn,
        "withdrawing": dict(t.withdrawing),
        "withdrawn": list(t.withdrawn),
        "cs": dict(t.cs),
        "cs_true": dict(t.cs_true),
    }


def _violation(v: Violation) -> JSONDict:
    return {
        "id": v.id,
        "state": v.state,
        "treaty": v.treaty,
        "clause": v.clause,
        "kind": v.kind,
        "magnitude": v.magnitude,
        "severity": v.severity,
        "first_turn": v.first_turn,
        "last_turn": v.last_turn,
        "ongoing": v.ongoing,
        "covert": v.covert,
        "hidden_site": v.hidden_site,
        "detected_by": list(v.detected_by),
        "published": v.published,
        "public_weight": v.public_weight,
        "audit_weight": v.audit_weight,
    }


def evidence_to_json(e: Evidence, *, with_truth: bool = True) -> JSONDict:
    """JSON of an evidence item; ``with_truth=False`` drops what the holder cannot know."""
    out: JSONDict = {
        "id": e.id,
        "holder": e.holder,
        "target": e.target,
        "treaty": e.treaty,
        "kind": e.kind,
        "channel": e.channel,
        "magnitude": e.magnitude,
        "quality": e.quality,
        "p_channel": e.p_channel,
        "alpha_channel": e.alpha_channel,
        "turn": e.turn,
        "weight": e.weight,
        "published": e.published,
        "published_turn": e.published_turn,
        "refuted": e.refuted,
        "shared_from": e.shared_from,
    }
    if with_truth:
        out["is_true"] = e.is_true
        out["violation"] = e.violation
    return out


def state_to_json(state: GameState) -> dict[str, object]:
    """The complete state as a JSON-safe dict (server-side snapshot; includes the seed)."""
    ids = state.state_ids
    out: JSONDict = {
        "schema_version": SCHEMA_VERSION,
        "game_id": state.game_id,
        "turn": state.turn,
        "max_turns": state.max_turns,
        "mode": state.mode,
        "seed": state.seed,
        "seed_commit": state.seed_commit,
        "scenario": scenario_to_json(state.scenario),
        "nations": [_nation(state.nations[s]) for s in ids],
        "pairs": [_pair(state.pairs[(i, j)]) for i in ids for j in ids if i != j],
        "sites": [_site(s) for s in state.sites],
        "consents": [_consent(c) for c in state.consents],
        "treaties": [_treaty(t) for t in state.treaties],
        "agreements": [
            {"kind": a.kind, "a": a.a, "b": a.b, "since": a.since} for a in state.agreements
        ],
        "violations": [_violation(v) for v in state.violations],
        "evidence": [evidence_to_json(e) for e in state.evidence],
        "rsi_pub": state.rsi_pub,
        "rsi_true": state.rsi_true,
        "rsi_components": dict(state.rsi_components),
        "rsi_components_true": dict(state.rsi_components_true),
        "rsi_history": list(state.rsi_history),
        "rsi_true_history": list(state.rsi_true_history),
        "x_pub_total": state.x_pub_total,
        "x_true_total": state.x_true_total,
        "rho_pub": state.rho_pub,
        "rho_true": state.rho_true,
        "counters": dict(state.counters),
        "crises": [dict(c) for c in state.crises],
        "game_over": state.game_over,
        "game_over_reason": state.game_over_reason,
        "pending_injects": [inject_to_json(i) for i in state.pending_injects],
    }
    return dict(out)


# ------------------------------------------------------------------------------ in


def _geo_in(r: _In) -> Geo:
    pts: list[tuple[float, float]] = []
    for pt in r.lst("polygon"):
        if not (
            isinstance(pt, list) and len(pt) == 2 and all(isinstance(c, (int, float)) for c in pt)
        ):
            raise RuleViolation(RuleCode.E_BAD_PARAM, f"invalid snapshot field {r.where}.polygon")
        pts.append((float(pt[0]), float(pt[1])))
    return Geo(x=r.f("x"), y=r.f("y"), polygon=tuple(pts))


def _nation_in(r: _In) -> Nation:
    w = r.lst("weights")
    if len(w) != 3 or not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in w):
        raise RuleViolation(RuleCode.E_BAD_PARAM, f"invalid snapshot field {r.where}.weights")
    weights = (float(w[0]), float(w[1]), float(w[2]))  # type: ignore[arg-type]
    vp: list[float] = []
    for x in r.lst("vp_history"):
        if isinstance(x, bool) or not isinstance(x, (int, float)):
            raise RuleViolation(
                RuleCode.E_BAD_PARAM, f"invalid snapshot field {r.where}.vp_history"
            )
        vp.append(float(x))
    om = r.obj("objectives_met")
    met: dict[str, int] = {}
    for k, v in om.items():
        if not isinstance(v, int) or isinstance(v, bool):
            raise RuleViolation(
                RuleCode.E_BAD_PARAM, f"invalid snapshot field {r.where}.objectives_met"
            )
        met[k] = v
    return Nation(
        id=r.s("id"),
        nuclear=r.b("nuclear"),
        missiles=r.counts("missiles"),
        tech=r.strs("tech"),
        developing=r.counts("developing"),
        prod_cap=r.counts("prod_cap"),
        store=r.counts("store", ITYPE_ORDER),
        cm=r.f("cm"),
        ntm=r.f("ntm"),
        conceal=r.f("conceal"),
        conceal_base=r.f("conceal_base"),
        disc=r.f("disc"),
        program=r.i("program"),
        budget=r.i("budget"),
        income=r.i("income"),
        ds=r.f("ds"),
        n_sites=r.i("n_sites"),
        l_half=r.f("l_half"),
        u=r.f("u"),
        weights=weights,
        k=r.f("k"),
        a=r.f("a"),
        g=r.f("g"),
        s0=r.f("s0"),
        treaty_pref=r.f("treaty_pref"),
        shame=r.f("shame"),
        hawkish=r.f("hawkish"),
        allow_challenge=r.b("allow_challenge"),
        doctrine=r.s("doctrine"),
        public_ledger=r.counts("public_ledger"),
        declared=None if r.d.get("declared") is None else r.counts("declared"),
        declared_turn=r.oi("declared_turn"),
        sec=r.f("sec"),
        sec_pub=r.f("sec_pub"),
        arp=r.f("arp"),
        vp_history=tuple(vp),
        objectives_met=met,
        audit_charge=r.f("audit_charge"),
        catastrophe_penalty=r.f("catastrophe_penalty"),
        last_spend=r.i("last_spend"),
        npc=r.b("npc"),
    )


def _pair_in(r: _In) -> Pair:
    return Pair(
        src=r.s("src"),
        dst=r.s("dst"),
        alpha=r.f("alpha"),
        beta=r.f("beta"),
        alpha0=r.f("alpha0"),
        beta0=r.f("beta0"),
        threat=r.f("threat"),
        h=r.f("h"),
        ev=r.f("ev"),
        chi=r.f("chi"),
        est=r.counts("est"),
        vcov=r.f("vcov"),
        ed=r.f("ed"),
        rival=r.b("rival"),
        visits_prev=r.i("visits_prev"),
        last_cbm_turn=r.i("last_cbm_turn"),
        last_observed_turn=r.i("last_observed_turn"),
    )


def _site_in(r: _In) -> Site:
    lim = None
    if r.d.get("limits") is not None:
        q = r.sub("limits")
        lim = Limits(
            max_interceptors=q.oi("max_interceptors"),
            terminal_only=q.b("terminal_only"),
            no_sensor_sharing=q.b("no_sensor_sharing"),
            note=q.s("note"),
            declared_by=q.s("declared_by"),
            turn=q.i("turn"),
        )
    cov = tuple(
        Coverage(defends=c.s("defends"), against=c.s("against"), value=c.f("value"))
        for c in _objs(r.lst("coverage"), f"{r.where}.coverage")
    )
    return Site(
        id=r.s("id"),
        host=r.s("host"),
        owner=r.s("owner"),
        kind=r.s("kind"),
        capacity=r.i("capacity"),
        allowed=r.strs("allowed"),
        interceptors=r.counts("interceptors", ITYPE_ORDER),
        radar_q=r.f("radar_q"),
        radar_max_q=r.f("radar_max_q"),
        radar_mode=r.s("radar_mode"),
        sensor_sharing=r.b("sensor_sharing"),
        ready_turn=r.i("ready_turn"),
        coverage=cov,
        sees=r.strs("sees"),
        ds_burden=r.f("ds_burden"),
        geo=_geo_in(r.sub("geo")),
        limits=lim,
        outage_turn=r.i("outage_turn"),
    )


def _consent_in(r: _In) -> Consent:
    return Consent(
        host=r.s("host"),
        owner=r.s("owner"),
        site=r.s("site"),
        max_interceptors=r.i("max_interceptors"),
        max_radar_q=r.f("max_radar_q"),
        forward_allowed=r.b("forward_allowed"),
        sensor_sharing_allowed=r.b("sensor_sharing_allowed"),
        compensation=r.i("compensation"),
        notice_turns=r.i("notice_turns"),
        granted_turn=r.i("granted_turn"),
        revoke_effective=r.oi("revoke_effective"),
    )


def _treaty_in(r: _In, ids: tuple[str, ...]) -> Treaty:
    terms = _json_value(r.obj("terms"))
    assert isinstance(terms, dict)
    wd = r.obj("withdrawing")
    withdrawing: dict[str, int] = {}
    for k in ids:
        if k in wd:
            v = wd[k]
            if not isinstance(v, int) or isinstance(v, bool):
                raise RuleViolation(
                    RuleCode.E_BAD_PARAM, f"invalid snapshot field {r.where}.withdrawing"
                )
            withdrawing[k] = v
    return Treaty(
        id=r.s("id"),
        template=r.s("template"),
        name=r.s("name"),
        parties=r.strs("parties"),
        terms={k: terms[k] for k in sorted(terms)},
        terms_hash=r.s("terms_hash"),
        status=r.s("status"),
        entry_turn=r.oi("entry_turn"),
        created_turn=r.i("created_turn"),
        withdrawing=withdrawing,
        withdrawn=r.strs("withdrawn"),
        cs=r.floats("cs", ids),
        cs_true=r.floats("cs_true", ids),
    )


def _violation_in(r: _In) -> Violation:
    return Violation(
        id=r.s("id"),
        state=r.s("state"),
        treaty=r.s("treaty"),
        clause=r.s("clause"),
        kind=r.s("kind"),
        magnitude=r.f("magnitude"),
        severity=r.f("severity"),
        first_turn=r.i("first_turn"),
        last_turn=r.i("last_turn"),
        ongoing=r.b("ongoing"),
        covert=r.b("covert"),
        hidden_site=r.b("hidden_site"),
        detected_by=r.strs("detected_by"),
        published=r.b("published"),
        public_weight=r.f("public_weight"),
        audit_weight=r.f("audit_weight"),
    )


def _evidence_in(r: _In) -> Evidence:
    return Evidence(
        id=r.s("id"),
        holder=r.s("holder"),
        target=r.s("target"),
        treaty=r.s("treaty"),
        kind=r.s("kind"),
        channel=r.s("channel"),
        magnitude=r.f("magnitude"),
        quality=r.f("quality"),
        p_channel=r.f("p_channel"),
        alpha_channel=r.f("alpha_channel"),
        is_true=r.b("is_true"),
        violation=r.s("violation"),
        turn=r.i("turn"),
        weight=r.f("weight"),
        published=r.b("published"),
        published_turn=r.i("published_turn"),
        refuted=r.b("refuted"),
        shared_from=r.s("shared_from"),
    )


def state_from_json(data: Mapping[str, object]) -> GameState:
    """Inverse of :func:`state_to_json`. Raises ``RuleViolation(E_BAD_PARAM)`` on a bad snapshot."""
    r = _In({str(k): v for k, v in data.items()}, "state")
    if r.d.get("schema_version") != SCHEMA_VERSION:
        raise RuleViolation(
            RuleCode.E_BAD_PARAM, f"unsupported snapshot schema_version (need {SCHEMA_VERSION})"
        )
    stored = r.obj("scenario")
    params = stored.get("params")
    if isinstance(params, Mapping):  # a game keeps the rules it began under (params.LEGACY_VALUES)
        stored = {**stored, "params": with_legacy_values(params)}
    scenario = parse_scenario(stored, "snapshot")
    ids = scenario.state_ids
    nations_l = [_nation_in(x) for x in _objs(r.lst("nations"), "nations")]
    nations = {n.id: n for n in sorted(nations_l, key=lambda n: ids.index(n.id))}
    pairs_l = [_pair_in(x) for x in _objs(r.lst("pairs"), "pairs")]
    pairs = {
        (p.src, p.dst): p
        for p in sorted(pairs_l, key=lambda p: (ids.index(p.src), ids.index(p.dst)))
    }
    crises: list[JSONDict] = []
    for c in r.lst("crises"):
        cj = _json_value(c)
        if not isinstance(cj, dict):
            raise RuleViolation(RuleCode.E_BAD_PARAM, "invalid snapshot field state.crises")
        crises.append(cj)
    counters: dict[str, int] = {}
    for k, v in r.obj("counters").items():
        if not isinstance(v, int) or isinstance(v, bool):
            raise RuleViolation(RuleCode.E_BAD_PARAM, "invalid snapshot field state.counters")
        counters[k] = v
    comp_keys = ("S_crisis", "S_race", "S_trust", "S_regime", "S_transp", "S_percep")

    def floats_list(key: str) -> tuple[float, ...]:
        out = []
        for x in r.lst(key):
            if isinstance(x, bool) or not isinstance(x, (int, float)):
                raise RuleViolation(RuleCode.E_BAD_PARAM, f"invalid snapshot field state.{key}")
            out.append(float(x))
        return tuple(out)

    state = GameState(
        game_id=r.s("game_id"),
        turn=r.i("turn"),
        max_turns=r.i("max_turns"),
        mode=r.s("mode"),
        seed=r.s("seed"),
        seed_commit=r.s("seed_commit"),
        scenario=scenario,
        nations=nations,
        pairs=pairs,
        sites=tuple(_site_in(x) for x in _objs(r.lst("sites"), "sites")),
        consents=tuple(_consent_in(x) for x in _objs(r.lst("consents"), "consents")),
        treaties=tuple(_treaty_in(x, ids) for x in _objs(r.lst("treaties"), "treaties")),
        agreements=tuple(
            Agreement(kind=x.s("kind"), a=x.s("a"), b=x.s("b"), since=x.i("since"))
            for x in _objs(r.lst("agreements"), "agreements")
        ),
        violations=tuple(_violation_in(x) for x in _objs(r.lst("violations"), "violations")),
        evidence=tuple(_evidence_in(x) for x in _objs(r.lst("evidence"), "evidence")),
        rsi_pub=r.f("rsi_pub"),
        rsi_true=r.f("rsi_true"),
        rsi_components=r.floats("rsi_components", comp_keys),
        rsi_components_true=r.floats("rsi_components_true", comp_keys),
        rsi_history=floats_list("rsi_history"),
        rsi_true_history=floats_list("rsi_true_history"),
        x_pub_total=r.f("x_pub_total"),
        x_true_total=r.f("x_true_total"),
        rho_pub=r.f("rho_pub"),
        rho_true=r.f("rho_true"),
        counters=counters,
        crises=tuple(crises),
        game_over=r.b("game_over"),
        game_over_reason=r.s("game_over_reason"),
    )
    if "pending_injects" not in r.d:  # snapshots written before ad-hoc injects existed
        return state
    pending = tuple(
        _inject_in(state, x) for x in _objs(r.lst("pending_injects"), "pending_injects")
    )
    return replace(state, pending_injects=pending)


def _inject_in(state: GameState, r: _In) -> Inject:
    effect = _json_value(r.obj("effect"))
    assert isinstance(effect, dict)
    return Inject(
        turn=r.i("turn"),
        targets=r.strs("targets"),
        title=r.s("title"),
        text=r.s("text"),
        effect=effect_from_json(state, effect),
    )
