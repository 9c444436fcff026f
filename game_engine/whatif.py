"""What-if projections (B0.4): ``expected_outcome(state, viewer, extra_orders, drafts)``.

The projection runs one turn in expected mode on a *belief state* built only from what
``viewer`` may know: its own true posture and beliefs, public data about everyone else, and
its own estimates of their forces. Hidden facts (others' true arsenals, budgets, evidence,
perceptions, violations) never enter the computation, so the projection cannot leak them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from game_engine.belief import belief_nations
from game_engine.bots import legal_subset
from game_engine.engine import add_treaty_draft, resolve, validate_orders
from game_engine.errors import RuleCode, RuleViolation
from game_engine.jsontypes import JSON
from game_engine.messages import msg
from game_engine.orders import Order
from game_engine.pipeline.context import thaw
from game_engine.pipeline.perception import phase_perception
from game_engine.state import EXPECTED, FACILITATOR, GameState, Pair, replace
from game_engine.visibility import treaty_visible

WHAT_IF_SEED = "what-if"


def belief_state(state: GameState, viewer: str | None) -> GameState:
    """The world as ``viewer`` (a state id or None for the public) can reconstruct it."""
    if viewer is not None and viewer not in state.nations:
        raise RuleViolation(RuleCode.E_UNKNOWN, msg("rule.unknown_viewer", raw=repr(viewer)))
    nations = belief_nations(state, viewer)
    pairs: dict[tuple[str, str], Pair] = {}
    for key, pr in state.pairs.items():
        if key[0] == viewer:
            pairs[key] = pr
            continue
        target = state.nations[key[1]]
        pairs[key] = replace(
            pr,
            alpha=pr.alpha0,
            beta=pr.beta0,
            est=dict(target.public_ledger),
            ev=0.0,
            threat=0.0,
        )
    # Drafts the viewer is not party to, and the facilitator's pending injects, are unknown to it.
    treaties = tuple(
        replace(t, cs_true=dict(t.cs)) for t in state.treaties if treaty_visible(t, viewer)
    )
    belief = replace(
        state,
        mode=EXPECTED,
        seed=WHAT_IF_SEED,
        nations=nations,
        pairs=pairs,
        treaties=treaties,
        pending_injects=(),
        violations=tuple(v for v in state.violations if v.published),
        evidence=tuple(
            e for e in state.evidence if e.holder == viewer or (e.published and not e.shared_from)
        ),
        rsi_true=state.rsi_pub,
        rsi_components_true=dict(state.rsi_components),
        rsi_true_history=tuple(state.rsi_history),
        x_true_total=state.x_pub_total,
        rho_true=state.rho_pub,
    )
    # Others' threat perceptions are private: re-derive them from the belief data alone. Only
    # the pairs are kept, and of evaluate's phases only perception writes them: the metrics and
    # stability phases after it are not run (tests/game_engine/test_negotiator.py checks that
    # the pairs equal a full evaluate's).
    ctx = thaw(belief, WHAT_IF_SEED, belief.turn)
    ctx.init = True
    phase_perception(ctx, 0.0, skip=viewer)  # the viewer's own pairs are kept as they are
    rebuilt = {k: (state.pairs[k] if k[0] == viewer else ctx.pr[k]) for k in state.pairs}
    return replace(belief, pairs=rebuilt)


def expected_outcome(
    state: GameState,
    viewer: str | None,
    extra_orders: Mapping[str, Sequence[Mapping[str, object]]] | None = None,
    drafts: Sequence[Mapping[str, object]] | None = None,
) -> dict[str, object]:
    """Project one turn in expected mode from ``viewer``'s information only.

    ``extra_orders`` maps state ids to raw order lists (the viewer's plan and guesses about
    others); ``drafts`` are treaty texts ``{"template", "parties", "terms", "sign": bool}``
    assumed tabled (and, if ``sign`` is true, signed by every party). Orders that would be
    invalid are dropped and listed under ``"dropped"``. Raises ``RuleViolation`` for an
    unknown viewer or a finished game.
    """
    if state.game_over:
        raise RuleViolation(RuleCode.E_GAME_OVER, msg("rule.over"))
    if viewer == FACILITATOR:
        viewer = None
    belief = belief_state(state, viewer)
    raw: dict[str, list[dict[str, object]]] = {
        sid: [dict(o) for o in (extra_orders or {}).get(sid, [])] for sid in belief.state_ids
    }
    hashes: list[str] = []
    for d in drafts or ():
        template = str(d.get("template", ""))
        parties_raw = d.get("parties", [])
        parties = [str(x) for x in parties_raw] if isinstance(parties_raw, list) else []
        terms_raw = d.get("terms", {})
        terms: dict[str, JSON] = {}
        if isinstance(terms_raw, Mapping):
            for k, v in terms_raw.items():
                if v is None or isinstance(v, (bool, int, float, str, list, dict)):
                    terms[str(k)] = v
        belief, _, h = add_treaty_draft(belief, template, parties, terms)
        hashes.append(h)
        if d.get("sign", True) is not False:
            for x in parties:
                if x in raw:
                    raw[x].append({"type": "SIGN", "terms_hash": h})
    dropped: dict[str, list[dict[str, object]]] = {}
    orders: dict[str, tuple[Order, ...]] = {}
    for sid, lst in raw.items():
        keep = legal_subset(belief, sid, lst)
        gone = [o for o in lst if o not in keep]
        if gone:
            dropped[sid] = gone
        orders[sid] = validate_orders(belief, sid, keep)
    r = resolve(belief, orders, WHAT_IF_SEED)
    out: dict[str, object] = {
        "viewer": viewer,
        "turn": state.turn,
        "mode": "expected",
        "rsi_pub": {"before": belief.rsi_pub, "after": r.state.rsi_pub},
        "components": r.public_report["components"],
        "incident_penalty": r.public_report["incident_penalty"],
        "explanation": [dict(e) for e in r.explanation],
        "actions": r.public_report["actions"],
        "treaties_in_force": [t.id for t in r.state.treaties if t.status == "in_force"],
        "draft_hashes": hashes,
        "dropped": dropped,
        "me": None,
    }
    if viewer is not None:
        rep = r.private_reports[viewer]
        out["me"] = {
            "security": rep["security"],
            "vp": rep["vp"],
            "budget": rep["budget"],
            "ds": rep["ds"],
            "rejected": rep["rejected"],
            "threat_from_me": {
                k: r.state.pairs[(viewer, k)].threat for k in r.state.state_ids if k != viewer
            },
            "threat_to_me": {
                k: r.state.pairs[(k, viewer)].threat for k in r.state.state_ids if k != viewer
            },
        }
    return out
