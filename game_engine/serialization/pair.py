"""JSON codec of a :class:`~game_engine.state.Pair` (what one state believes of another)."""

from __future__ import annotations

from game_engine.jsontypes import JSONDict
from game_engine.serialization.reader import Fields
from game_engine.state import (
    Pair,
)


def pair_to_json(p: Pair) -> JSONDict:
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


def pair_from_json(r: Fields) -> Pair:
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

