"""Reflection prompts (set by the facilitator, or taken from the scenario's suggestions) and the
students' answers."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from django.db import transaction
from django.utils.translation import gettext

import game_engine
from negotiation.errors import InvalidInput, PhaseClosed
from negotiation.models import Game, Member, Phase, ReflectionAnswer, ReflectionPrompt
from negotiation.scenarios import info as scenario_info
from negotiation.services.common import lock_game, log

MAX_ANSWER = 4000


@dataclass(frozen=True, slots=True)
class Suggestion:
    turn: int | None
    question: str


@cache
def suggestions(slug: str) -> tuple[Suggestion, ...]:
    """The `[[reflections]]` a bundled scenario file suggests (turn = N, or "debrief")."""
    path = resources.files("game_engine") / "scenarios" / f"{slug}.toml"
    try:
        with path.open("rb") as fh:
            raw = tomllib.load(fh).get("reflections", [])
    except (OSError, tomllib.TOMLDecodeError):
        return ()
    found = []
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("question"), str):
            continue
        turn = item.get("turn")
        found.append(Suggestion(turn=turn if isinstance(turn, int) and turn > 0 else None,
                                question=item["question"].strip()[:500]))
    return tuple(found)


def is_open(prompt: ReflectionPrompt, game: Game) -> bool:
    """A turn's question is asked from that turn's report on; a debrief question once the game ended."""
    if prompt.turn is None:
        return game.phase == Phase.FINISHED
    return game.phase == Phase.FINISHED or game.turn > prompt.turn


@transaction.atomic
def prompt_add(*, game_id: int, actor: str, turn: int | None, question: str) -> ReflectionPrompt:
    game = lock_game(game_id)
    text = " ".join(question.split())
    if not text:
        raise InvalidInput(gettext("Write the question."))
    if len(text) > 500:
        raise InvalidInput(gettext("A question is at most 500 characters."))
    last = scenario_info(game.scenario_slug).turns
    if turn is not None and not 1 <= turn <= last:
        raise InvalidInput(gettext("Choose a turn between 1 and %(last)s, or the debrief.") % {"last": last})
    if ReflectionPrompt.objects.filter(game=game, turn=turn, question=text).exists():
        raise InvalidInput(gettext("That question is already set for that moment."))
    prompt = ReflectionPrompt.objects.create(game=game, turn=turn, question=text, created_by=actor)
    log(game, "reflection.prompt_set", actor, {"prompt": prompt.pk, "turn": turn, "question": text}, audience=[])
    return prompt


@transaction.atomic
def prompt_remove(*, game_id: int, actor: str, prompt_id: int) -> None:
    game = lock_game(game_id)
    prompt = ReflectionPrompt.objects.filter(game=game, pk=prompt_id).first()
    if prompt is None:
        raise InvalidInput(gettext("That question no longer exists."))
    if prompt.answers.exists():
        raise InvalidInput(gettext("Students have answered this question; it stays."))
    prompt.delete()
    log(game, "reflection.prompt_removed", actor, {"prompt": prompt_id}, audience=[])


@transaction.atomic
def answer_save(*, game_id: int, member_id: int, prompt_id: int, body: str) -> ReflectionAnswer:
    game = lock_game(game_id)
    member = Member.objects.select_related("seat").get(pk=member_id, seat__game=game, removed_at=None)
    prompt = ReflectionPrompt.objects.filter(game=game, pk=prompt_id).first()
    if prompt is None:
        raise InvalidInput(gettext("That question no longer exists."))
    if not is_open(prompt, game):
        raise PhaseClosed(gettext("This question opens later in the game."))
    text = body.strip()
    if not text:
        raise InvalidInput(gettext("Write your answer first."))
    if len(text) > MAX_ANSWER:
        raise InvalidInput(gettext("An answer is at most 4,000 characters."))
    answer, created = ReflectionAnswer.objects.update_or_create(prompt=prompt, member=member,
                                                                defaults={"body": text})
    log(game, "reflection.answered", f"player:{member.seat.state_id}",
        {"prompt": prompt.pk, "member": member.pk, "revised": not created, "length": len(text)},
        audience=[member.seat.state_id, game_engine.FACILITATOR])
    return answer
