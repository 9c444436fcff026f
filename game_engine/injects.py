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
from game_engine.messages import Message, msg
from game_engine.scenario import Inject, InjectEffect
from game_engine.state import GameState

EFFECT_KINDS: tuple[str, ...] = ("radar_outage", "ds_change", "budget_change", "incident")
DS_CHANGE_MAX = 100.0
BUDGET_CHANGE_MAX = 10_000
TITLE_MAX = 200
TEXT_MAX = 4_000


def _names(state: GameState) -> dict[str, str]:
    return {sid: state.name_of(sid) for sid in state.state_ids}


def _bad(message: Message, state: GameState | None = None) -> RuleViolation:
    """A malformed value; ``state`` lets the English text name the states."""
    return RuleViolation(
        RuleCode.E_BAD_PARAM, message, names=_names(state) if state is not None else None
    )


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


def _state_id(state: GameState, sid: object) -> str:
    if not isinstance(sid, str) or sid not in state.nations:
        raise RuleViolation(
            RuleCode.E_UNKNOWN,
            msg("inject.unknown_state", raw=repr(sid), states=",".join(state.state_ids)),
            names=_names(state),
        )
    return sid


def _table(v: JSON, error: str) -> Mapping[str, JSON]:
    """The effect's table ``v`` (none: empty); ``error`` is the message id if it is not one."""
    if v is None:
        return {}
    if not isinstance(v, Mapping):
        raise _bad(msg(error))
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
        raise _bad(msg("inject.effect_not_object"))
    for key in effect:
        if key not in EFFECT_KINDS:
            raise _bad(msg("inject.unknown_effect", raw=repr(key)))

    outage_raw = effect.get("radar_outage")
    outage = ""
    if outage_raw is not None and outage_raw != "":
        if not isinstance(outage_raw, str):
            raise _bad(msg("inject.outage_not_site"))
        if state.site(outage_raw) is None:
            known = ", ".join(s.id for s in state.sites)
            raise RuleViolation(
                RuleCode.E_UNKNOWN, msg("inject.unknown_site", raw=repr(outage_raw), sites=known)
            )
        outage = outage_raw

    ds: dict[str, float] = {}
    for sid, v in _table(effect.get("ds_change"), "inject.ds_change_not_table").items():
        k = _state_id(state, sid)
        x = _number(v)
        if x is None or abs(x) > DS_CHANGE_MAX:
            raise _bad(msg("inject.ds_range", s=k, n=f"{DS_CHANGE_MAX:g}"), state)
        ds[k] = x

    budget: dict[str, int] = {}
    for sid, v in _table(effect.get("budget_change"), "inject.budget_change_not_table").items():
        k = _state_id(state, sid)
        x = _number(v)
        if x is None or x != int(x) or abs(x) > BUDGET_CHANGE_MAX:
            raise _bad(msg("inject.budget_range", s=k, n=BUDGET_CHANGE_MAX), state)
        budget[k] = int(x)

    incident: dict[str, float] = {}
    for key, v in _table(effect.get("incident"), "inject.incident_not_table").items():
        parts = [x.strip() for x in key.split(">")]
        if len(parts) != 2 or parts[0] == parts[1]:
            raise _bad(msg("inject.incident_key", raw=repr(key)))
        a = _state_id(state, parts[0])
        b = _state_id(state, parts[1])
        x = _number(v)
        if x is None or not 0.0 <= x <= 1.0:
            raise _bad(msg("inject.incident_weight", raw=repr(key)))
        incident[f"{a}>{b}"] = incident.get(f"{a}>{b}", 0.0) + x
        if incident[f"{a}>{b}"] > 1.0:
            raise _bad(msg("inject.incident_weight", raw=repr(key)))

    ids = state.state_ids
    return InjectEffect(
        radar_outage=outage,
        ds_change={k: ds[k] for k in ids if k in ds},
        budget_change={k: budget[k] for k in ids if k in budget},
        incident={k: incident[k] for k in sorted(incident)},
    )


def _targets(state: GameState, targets: Sequence[str] | None) -> tuple[str, ...]:
    if isinstance(targets, str):
        raise _bad(msg("inject.targets_not_list"))
    if targets is None:
        return ("all",)
    chosen = list(targets)
    if not chosen or "all" in chosen:
        return ("all",)
    for t in chosen:
        _state_id(state, t)
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
        raise _bad(msg("inject.no_title"))
    if len(title) > TITLE_MAX or len(text) > TEXT_MAX:
        raise _bad(msg("inject.too_long", n=TITLE_MAX, m=TEXT_MAX))
    inj = Inject(
        turn=state.turn,
        targets=_targets(state, targets),
        title=title.strip(),
        text=text.strip(),
        effect=effect_from_json(state, effect),
    )
    return replace(state, pending_injects=(*state.pending_injects, inj))
