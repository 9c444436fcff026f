"""Injects: news the scenario schedules (by turn) or the facilitator sends, to everyone or to
chosen states, optionally changing the game through an engine effect (e.g. a radar outage)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction

import game_engine
from negotiation.errors import InvalidInput, PhaseClosed
from negotiation.models import Game, Inject, Phase, Seat
from negotiation.scenarios import scenario
from negotiation.services.common import lock_game, log, next_seq, notify


def _audience(game: Game, targets: list[str] | None) -> list[str] | None:
    if not targets or targets == ["all"] or "all" in targets:
        return None
    state_ids = set(game_engine.state_from_json(game.state).state_ids)
    unknown = [t for t in targets if t not in state_ids]
    if unknown:
        raise InvalidInput(f"Unknown state(s): {', '.join(unknown)}.")
    return sorted(set(targets))


def _deliver(game: Game, inject: Inject) -> None:
    log(game, "inject.sent", inject.source,
        {"inject": inject.pk, "turn": inject.turn, "title": inject.title, "text": inject.text,
         "effect": inject.effect},
        audience=inject.audience, seq=inject.seq)
    if inject.audience is None:
        notify(game.pk, public=("news",), private=("my-forces",))
    else:
        seats = tuple(Seat.objects.filter(game=game, state_id__in=inject.audience).values_list("pk", flat=True))
        notify(game.pk, private=("news-private", "my-forces"), seats=seats)


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


@transaction.atomic
def inject_send(*, game_id: int, actor: str, title: str, text: str, targets: list[str] | None,
                effect: Mapping[str, Any] | None = None) -> Inject:
    game = lock_game(game_id)
    if game.phase in (Phase.LOBBY, Phase.FINISHED):
        raise PhaseClosed("Injects are sent while the game runs.")
    title, text = title.strip(), text.strip()
    if not title or not text:
        raise InvalidInput("An inject needs a title and a text.")
    if len(title) > 120 or len(text) > 4000:
        raise InvalidInput("Titles are at most 120 characters and texts at most 4,000.")
    audience = _audience(game, targets)
    if effect:
        # The engine queues the effect and applies it when the turn resolves (like a scheduled inject).
        try:
            state = game_engine.add_inject(game_engine.state_from_json(game.state), title=title, text=text,
                                           targets=audience, effect=dict(effect))
        except game_engine.RuleViolation as exc:
            raise InvalidInput(exc.message) from exc
        game.state = game_engine.state_to_json(state)
        game.save(update_fields=["state"])
    inject = _create(game, title=title, text=text, audience=audience, effect=effect, source=actor)
    _deliver(game, inject)
    return inject
