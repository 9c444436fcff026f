"""Ad-hoc injects: news the facilitator sends during a game, with an engine effect.

``add_inject`` checks the effect (the same kinds as a scenario inject's ``effect`` table) and
stores the inject in the state as *pending*. The next ``resolve`` applies it exactly like a
scheduled inject of that turn (same ``inject`` event, same effects) and clears it. Until then
only the facilitator's view lists it; the targets learn of it from the event at resolution.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace

from game_engine.errors import RuleCode, RuleViolation
from game_engine.jsontypes import JSON
from game_engine.messages import msg
from game_engine.scenario import Inject, InjectEffect
from game_engine.state import GameState

EFFECT_KINDS: tuple[str, ...] = ("radar_outage", "ds_change", "budget_change", "incident")
DS_CHANGE_MAX = 100.0
BUDGET_CHANGE_MAX = 10_000
TITLE_MAX = 200
TEXT_MAX = 4_000


def _bad(message: str) -> RuleViolation:
    return RuleViolation(RuleCode.E_BAD_PARAM, message)


def _number(v: object) -> float | None:
    """A finite number, also from a numeric string (form input); None otherwise."""
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        x = float(v)
    elif isinstance(v, str):
        try:
            x = float(v.strip())
        except ValueError:
            return None
    else:
        return None
    return x if math.isfinite(x) else None


def _state_id(state: GameState, sid: object, where: str) -> str:
    if not isinstance(sid, str) or sid not in state.nations:
        known = ", ".join(state.state_ids)
        raise RuleViolation(
            RuleCode.E_UNKNOWN, f"Unknown state {sid!r} in {where} (states: {known})."
        )
    return sid


def _table(v: JSON, kind: str, example: str) -> Mapping[str, JSON]:
    if v is None:
        return {}
    if not isinstance(v, Mapping):
        raise _bad(f"{kind} must map {example}.")
    return v


def effect_from_json(state: GameState, effect: Mapping[str, JSON] | None) -> InjectEffect:
    """Check an inject effect against the game and build it (pure).

    Accepted keys (each optional): ``radar_outage`` (a site id; ``""`` for none),
    ``ds_change`` ``{state: -100..100}``, ``budget_change`` ``{state: whole number}``,
    ``incident`` ``{"from>to": 0..1}``. Raises ``RuleViolation`` with ``E_BAD_PARAM`` for a
    malformed value and ``E_UNKNOWN`` for an unknown state or site.
    """
    if effect is None:
        return InjectEffect()
    if not isinstance(effect, Mapping):
        raise _bad('The effect must be an object such as {"ds_change": {"calla": -5}}.')
    for key in effect:
        if key not in EFFECT_KINDS:
            raise _bad(
                f"Unknown inject effect {key!r}; use radar_outage, ds_change, budget_change "
                "or incident."
            )

    outage_raw = effect.get("radar_outage")
    outage = ""
    if outage_raw is not None and outage_raw != "":
        if not isinstance(outage_raw, str):
            raise _bad('radar_outage must be the id of a site, for example "CAL-1".')
        if state.site(outage_raw) is None:
            known = ", ".join(s.id for s in state.sites)
            raise RuleViolation(
                RuleCode.E_UNKNOWN,
                f"Unknown site {outage_raw!r} for a radar outage (sites: {known}).",
            )
        outage = outage_raw

    ds: dict[str, float] = {}
    for sid, v in _table(
        effect.get("ds_change"),
        "ds_change",
        'state ids to a change of domestic support, e.g. {"calla": -5}',
    ).items():
        k = _state_id(state, sid, "ds_change")
        x = _number(v)
        if x is None or abs(x) > DS_CHANGE_MAX:
            raise _bad(
                f"The change of domestic support for {state.name_of(k)} must be a number "
                f"between -{DS_CHANGE_MAX:g} and {DS_CHANGE_MAX:g}."
            )
        ds[k] = x

    budget: dict[str, int] = {}
    for sid, v in _table(
        effect.get("budget_change"),
        "budget_change",
        'state ids to budget points, e.g. {"dresk": -10}',
    ).items():
        k = _state_id(state, sid, "budget_change")
        x = _number(v)
        if x is None or x != int(x) or abs(x) > BUDGET_CHANGE_MAX:
            raise _bad(
                f"The budget change for {state.name_of(k)} must be a whole number between "
                f"-{BUDGET_CHANGE_MAX} and {BUDGET_CHANGE_MAX}."
            )
        budget[k] = int(x)

    incident: dict[str, float] = {}
    for key, v in _table(
        effect.get("incident"), "incident", '"from>to" pairs to a weight, e.g. {"borun>calla": 0.2}'
    ).items():
        parts = [x.strip() for x in key.split(">")]
        if len(parts) != 2 or parts[0] == parts[1]:
            raise _bad(
                f'Incident key {key!r} must name two different states as "from>to" '
                "(the state that feels the incident, then the one it blames)."
            )
        a = _state_id(state, parts[0], "incident")
        b = _state_id(state, parts[1], "incident")
        x = _number(v)
        if x is None or not 0.0 <= x <= 1.0:
            raise _bad(f"The incident weight for {key!r} must be a number between 0 and 1.")
        incident[f"{a}>{b}"] = incident.get(f"{a}>{b}", 0.0) + x
        if incident[f"{a}>{b}"] > 1.0:
            raise _bad(f"The incident weight for {key!r} must be a number between 0 and 1.")

    ids = state.state_ids
    return InjectEffect(
        radar_outage=outage,
        ds_change={k: ds[k] for k in ids if k in ds},
        budget_change={k: budget[k] for k in ids if k in budget},
        incident={k: incident[k] for k in sorted(incident)},
    )


def _targets(state: GameState, targets: Sequence[str] | None) -> tuple[str, ...]:
    if isinstance(targets, str):
        raise _bad("targets must be a list of state ids (or None for everyone).")
    if targets is None:
        return ("all",)
    chosen = list(targets)
    if not chosen or "all" in chosen:
        return ("all",)
    for t in chosen:
        _state_id(state, t, "targets")
    return tuple(x for x in state.state_ids if x in chosen)


def add_inject(
    state: GameState,
    *,
    title: str,
    text: str,
    targets: Sequence[str] | None,
    effect: Mapping[str, JSON],
) -> GameState:
    """Queue an ad-hoc inject with an engine effect for the next resolution (pure).

    ``targets`` None, empty or containing ``"all"`` means everyone. The inject is applied
    once, at the next ``resolve``, exactly like a scheduled inject (an ``inject`` event to the
    targets, then its effects), and is then cleared. Raises ``RuleViolation``: ``E_BAD_PARAM``
    for a missing title or malformed effect, ``E_UNKNOWN`` for an unknown state or site,
    ``E_GAME_OVER`` once the game has ended.
    """
    if state.game_over:
        raise RuleViolation(RuleCode.E_GAME_OVER, msg("rule.over_injects"))
    if not title.strip():
        raise _bad("An inject needs a title.")
    if len(title) > TITLE_MAX or len(text) > TEXT_MAX:
        raise _bad(f"Titles are at most {TITLE_MAX} characters and texts at most {TEXT_MAX}.")
    inj = Inject(
        turn=state.turn,
        targets=_targets(state, targets),
        title=title.strip(),
        text=text.strip(),
        effect=effect_from_json(state, effect),
    )
    return replace(state, pending_injects=(*state.pending_injects, inj))
