"""Scripted B5.12 experiments: a verified reduction paired with a verified cap and one's own
defense, in each bundled scenario (issue 14).

Two worlds per scenario, played from the same start and seed for the whole game (expected mode):
``package`` (the reducer and its rival sign an inspected offense cap on turn 1, the reducer
deploys its own defense at home and the rival inspects it every turn) and ``reduced`` (the same,
plus the reducer eliminating part of its arsenal on turn 2 with the rival's observers watching).
``final_vp`` returns every state's final score.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import game_engine as ge
from game_engine.engine import add_treaty_draft

Raw = dict[str, object]


@dataclass(frozen=True)
class Package:
    slug: str
    reducer: str
    rival: str
    caps: Mapping[str, int]  # the cap on both parties' classes (at or above their arsenals)
    cut: tuple[str, int]  # (class, qty) eliminated under observation
    defense: tuple[Raw, ...]  # the reducer's own defense orders on turn 1


PACKAGES: dict[str, Package] = {
    "meridian-sea": Package(
        "meridian-sea",
        "aurel",
        "borun",
        {"IRBM": 10, "ICBM": 6, "MRBM": 16, "SRBM": 20},
        ("IRBM", 2),
        ({"type": "DEPLOY", "site": "AUR-1", "itype": "MIDCOURSE", "qty": 12},),
    ),
    "shield-of-the-east": Package(
        "shield-of-the-east",
        "russia",
        "usa",
        {"ICBM": 40, "SRBM": 48, "HGV": 2, "GLCM": 12},
        ("SRBM", 16),
        ({"type": "BUY_INTERCEPTORS", "itype": "TERMINAL", "qty": 8},
         {"type": "DEPLOY", "site": "MOSCOW", "itype": "TERMINAL", "qty": 8}),
    ),
    "peninsula-and-straits": Package(
        "peninsula-and-straits",
        "china",
        "usa",
        {"ICBM": 40, "SRBM": 60, "MRBM": 40, "IRBM": 20, "HGV": 4},
        ("MRBM", 12),
        ({"type": "BUY_INTERCEPTORS", "itype": "TERMINAL", "qty": 8},
         {"type": "DEPLOY", "site": "CN-HOME", "itype": "TERMINAL", "qty": 8}),
    ),
}


def play_package(
    pk: Package, reduce: bool, mode: str = "expected", seed: str = "s1", params: Mapping[str, object] | None = None
) -> tuple[ge.GameState, list[ge.Resolution]]:
    scenario = ge.load_scenario(pk.slug)
    if params:
        from dataclasses import replace

        from game_engine.params import replace_fields

        scenario = replace(scenario, params=replace_fields(scenario.params, params))
    state = ge.new_game(scenario, game_id="restraint", seed=seed, mode=mode)
    state, tid, h = add_treaty_draft(
        state, "OFFENSE_CAP", [pk.reducer, pk.rival], {"caps": dict(pk.caps), "inspection_quota": 4}
    )
    results: list[ge.Resolution] = []
    while not state.game_over:
        t = len(results) + 1
        raw: dict[str, list[Raw]] = {pk.reducer: [], pk.rival: []}
        if t == 1:
            for sid in (pk.reducer, pk.rival):
                raw[sid].append({"type": "SIGN", "terms_hash": h})
            raw[pk.reducer].extend(dict(o) for o in pk.defense)
        else:
            raw[pk.rival].append({"type": "INSPECT", "target": pk.reducer, "treaty": tid, "visits": 2})
        if reduce and t == 2:
            cls, qty = pk.cut
            raw[pk.reducer].append({"type": "REDUCE", "class": cls, "qty": qty, "verified": True})
            raw[pk.reducer].append({"type": "INVITE_OBSERVERS", "with": pk.rival})
            raw[pk.rival].append({"type": "ACCEPT", "with": pk.reducer, "what": "INVITE_OBSERVERS"})
        orders = {sid: ge.validate_orders(state, sid, lst) for sid, lst in raw.items()}
        r = ge.resolve(state, orders, seed)
        results.append(r)
        state = r.state
    return state, results
