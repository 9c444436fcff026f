"""JSON codec of a :class:`~game_engine.state.Nation` (one state's forces, budget and beliefs)."""

from __future__ import annotations

from game_engine.errors import RuleCode, RuleViolation
from game_engine.jsontypes import JSONDict
from game_engine.params import ITYPE_ORDER
from game_engine.serialization.reader import Fields
from game_engine.state import (
    Nation,
)


def nation_to_json(n: Nation) -> JSONDict:
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
        # written only once there is one, so snapshots of games without a verified elimination
        # (and every game stored before rules 4) keep their exact form (issue 13's replay)
        **({"verified_cut": n.verified_cut} if n.verified_cut else {}),
    }


def nation_from_json(r: Fields) -> Nation:
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
        # snapshots written before rules 4 have no verified-restraint record
        verified_cut=r.f("verified_cut") if "verified_cut" in r.d else 0.0,
    )

