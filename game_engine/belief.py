"""What a state can reconstruct about the others from its own information (B1).

Used by the what-if projection and the deterrence threshold, so that neither can leak another
state's private data: the others' true arsenals, budgets, countermeasures and perceptions are
replaced by public data, scenario starting values and the viewer's own estimates.
"""

from __future__ import annotations

from game_engine.params import CLASS_ORDER
from game_engine.state import GameState, Nation, replace


def belief_nations(state: GameState, viewer: str | None) -> dict[str, Nation]:
    """Every nation as ``viewer`` can reconstruct it: itself as it is, the others from public
    data, the scenario's starting values and ``viewer``'s estimates of their missiles."""
    sc = state.scenario
    setups = {s.info.id: s for s in sc.states}
    step = sc.params.ds_display_step
    nations: dict[str, Nation] = {}
    for sid in state.state_ids:
        nat = state.nations[sid]
        if sid == viewer:
            nations[sid] = nat
            continue
        setup = setups[sid]
        if viewer is not None:
            guess = dict(state.pairs[(viewer, sid)].est)
        else:
            guess = dict(nat.public_ledger)
        missiles = {c: guess[c] for c in CLASS_ORDER if c in guess}
        seen = {c for c, n in nat.public_ledger.items() if n > 0}
        nations[sid] = replace(
            nat,
            missiles=missiles,
            tech=tuple(c for c in CLASS_ORDER if c in setup.tech or c in seen),
            developing=dict(setup.developing),
            prod_cap=dict(setup.prod_cap),
            cm=setup.cm,
            ntm=setup.ntm,
            conceal=setup.conceal,
            conceal_base=setup.conceal,
            disc=0.0,
            program=setup.program,
            budget=nat.income,
            ds=float(step * round(nat.ds / step)),
            sec=0.0,
            sec_pub=0.0,
            arp=0.0,
            allow_challenge=setup.allow_challenge,
            vp_history=(),
            objectives_met={},
            audit_charge=0.0,
            catastrophe_penalty=0.0,
            last_spend=0,
        )
    return nations
