"""Injects: news the scenario schedules (by turn) or the facilitator sends, to everyone or to
chosen states, optionally changing the game through an engine effect (e.g. a radar outage)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

import game_engine
from negotiation import engine_views
from negotiation.changes import HeldNewsChanged, NewsReleased, publish
from negotiation.errors import InvalidInput, PhaseClosed
from negotiation.models import Game, Inject, Phase
from negotiation.scenarios import scenario
from negotiation.services.common import lock_game, log, next_seq


def _audience(game: Game, targets: list[str] | None) -> list[str] | None:
    if not targets or targets == ["all"] or "all" in targets:
        return None
    state_ids = set(game_engine.state_from_json(game.state).state_ids)
    unknown = [t for t in targets if t not in state_ids]
    if unknown:
        raise InvalidInput(gettext("Unknown state(s): %(states)s.") % {"states": ", ".join(unknown)})
    return sorted(set(targets))


def _deliver(game: Game, inject: Inject) -> None:
    log(game, "inject.sent", inject.source,
        {"inject": inject.pk, "turn": inject.turn, "title": inject.title, "text": inject.text,
         "effect": inject.effect},
        audience=inject.audience, seq=inject.seq)
    publish(NewsReleased(game.pk, None if inject.audience is None else tuple(inject.audience)))


def _create(game: Game, *, title: str, text: str, audience: list[str] | None,
            effect: Mapping[str, Any] | None, source: str, key: str = "") -> Inject:
    return Inject.objects.create(
        game=game, seq=next_seq(game), turn=game.turn, title=title, text=text, audience=audience,
        effect=dict(effect) if effect else None, source=source, scenario_key=key,
    )


def fire_scheduled_injects(game: Game) -> list[Inject]:
    """Inside a locked service: announce the scenario's injects scheduled for the game's turn
    (once). The engine itself applies their effects when that turn resolves, so the news is
    delivered here without an effect."""
    sent = []
    for index, item in enumerate(scenario(game.scenario_slug).injects):
        if item.turn != game.turn:
            continue
        key = f"scenario:{index}"
        if Inject.objects.filter(game=game, scenario_key=key).exists():
            continue
        try:
            with transaction.atomic():
                inject = _create(game, title=item.title, text=item.text, audience=_audience(game, list(item.targets)),
                                 effect=None, source="scenario", key=key)
        except IntegrityError:
            continue
        _deliver(game, inject)
        sent.append(inject)
    return sent


# Conditions a held-back inject can wait for, checked after every resolution.
CONDITIONS: dict[str, str] = {
    "unnotified_test": "a state tests a missile without notifying",
    "deployment": "a state deploys interceptors",
    "violation_public": "a treaty violation becomes public",
    "crisis": "a crisis breaks out",
    "rsi_below": "the public stability index falls below",
}


def _check_trigger(game: Game, trigger: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not trigger:
        return None
    if "turn" in trigger:
        turn = int(trigger["turn"])
        state = game_engine.state_from_json(game.state)
        if not game.turn < turn <= state.max_turns:
            raise InvalidInput(gettext("Schedule it for a later turn of this game (turns %(first)s to %(last)s).") % {
                "first": game.turn + 1, "last": state.max_turns})
        return {"turn": turn}
    kind = str(trigger.get("condition", ""))
    if kind not in CONDITIONS:
        raise InvalidInput(gettext("Unknown condition."))
    out: dict[str, Any] = {"condition": kind, "state": trigger.get("state") or None}
    if kind == "rsi_below":
        out["threshold"] = float(trigger.get("threshold") or 0)
    return out


def _condition_met(trigger: Mapping[str, Any], events: list[dict[str, Any]], report: Mapping[str, Any]) -> bool:
    kind = trigger.get("condition")
    if kind == "rsi_below":
        after = ((report or {}).get("rsi_pub") or {}).get("after")
        return after is not None and float(after) < float(trigger.get("threshold", 0))
    state = trigger.get("state")
    for event in events:
        if event.get("audience") is not None:
            continue  # only what the world saw
        data = event.get("data") or {}
        if state and data.get("state") != state:
            continue
        if kind == "unnotified_test" and event.get("kind") == "test" and data.get("notified") is False:
            return True
        if kind in ("deployment", "violation_public", "crisis") and event.get("kind") == {
                "deployment": "deploy", "violation_public": "violation_public", "crisis": "crisis"}[str(kind)]:
            return True
    return False


def _release(game: Game, inject: Inject) -> None:
    if inject.effect:
        state = game_engine.add_inject(game_engine.state_from_json(game.state), title=inject.title, text=inject.text,
                                       targets=inject.audience, effect=dict(inject.effect))
        game.state = game_engine.state_to_json(state)
        game.save(update_fields=["state"])
    inject.pending = False
    inject.turn = game.turn
    inject.seq = next_seq(game)
    inject.save(update_fields=["pending", "turn", "seq"])
    _deliver(game, inject)


def fire_turn_injects(game: Game) -> None:
    """Inside a locked service, at the start of a turn: release injects held for this turn."""
    for inject in Inject.objects.filter(game=game, pending=True, trigger__turn=game.turn):
        _release(game, inject)


def fire_condition_injects(game: Game, events: list[dict[str, Any]], report: Mapping[str, Any]) -> None:
    """Inside a resolution: release injects whose condition the turn's public events meet."""
    for inject in Inject.objects.filter(game=game, pending=True, trigger__condition__isnull=False):
        if inject.trigger and _condition_met(inject.trigger, events, report):
            _release(game, inject)


@transaction.atomic
def inject_cancel(*, game_id: int, actor: str, inject_id: int) -> None:
    game = lock_game(game_id)
    deleted, _ = Inject.objects.filter(game=game, pk=inject_id, pending=True).delete()
    if deleted:
        log(game, "inject.cancelled", actor, {"inject": inject_id}, audience=[game_engine.FACILITATOR])
        publish(HeldNewsChanged(game.pk))


@transaction.atomic
def inject_send(*, game_id: int, actor: str, title: str, text: str, targets: list[str] | None,
                effect: Mapping[str, Any] | None = None, trigger: Mapping[str, Any] | None = None) -> Inject:
    """Send an inject now, or hold it back until its trigger (a turn, or a condition) fires."""
    game = lock_game(game_id)
    if game.phase in (Phase.LOBBY, Phase.FINISHED):
        raise PhaseClosed(gettext("Injects are sent while the game runs."))
    title, text = title.strip(), text.strip()
    if not title or not text:
        raise InvalidInput(gettext("An inject needs a title and a text."))
    if len(title) > 120 or len(text) > 4000:
        raise InvalidInput(gettext("Titles are at most 120 characters and texts at most 4,000."))
    audience = _audience(game, targets)
    when = _check_trigger(game, trigger)
    if when is not None:
        if effect:  # validated now, queued in the engine when released
            try:
                game_engine.add_inject(game_engine.state_from_json(game.state), title=title, text=text,
                                       targets=audience, effect=dict(effect))
            except game_engine.RuleViolation as exc:
                raise InvalidInput(engine_views.texts(game).rule_error(exc.code, exc.message)) from exc
        held = Inject.objects.create(game=game, seq=next_seq(game), turn=game.turn, title=title, text=text,
                                     audience=audience, effect=dict(effect) if effect else None, source=actor,
                                     trigger=when, pending=True)
        log(game, "inject.scheduled", actor, {"inject": held.pk, "title": title, "trigger": when},
            audience=[game_engine.FACILITATOR], seq=held.seq)
        publish(HeldNewsChanged(game.pk))
        return held
    if effect:
        # The engine queues the effect and applies it when the turn resolves (like a scheduled inject).
        try:
            state = game_engine.add_inject(game_engine.state_from_json(game.state), title=title, text=text,
                                           targets=audience, effect=dict(effect))
        except game_engine.RuleViolation as exc:
            raise InvalidInput(engine_views.texts(game).rule_error(exc.code, exc.message)) from exc
        game.state = game_engine.state_to_json(state)
        game.save(update_fields=["state"])
    inject = _create(game, title=title, text=text, audience=audience, effect=effect, source=actor)
    _deliver(game, inject)
    return inject
