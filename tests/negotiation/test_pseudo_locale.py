"""A test-only pseudo-locale proves that every engine text goes through the gettext catalogue.

The active language's translation is replaced by one that wraps every catalogue string in ⟦…⟧
(gettext, ngettext and their context forms). A game is played, and its room, console, turn,
timeline, knowledge and debrief pages are rendered in that locale. With every wrapped span cut
out, no sentence the engine said during the game (its English rendering) is left on any page: an
engine text shown without the catalogue (a stored sentence, an f-string, a fallback) would be.
"""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils.translation import trans_real

from negotiation import engine_texts
from negotiation.models import Game, TurnRecord
from tests.negotiation.test_review_fixtures import play

SEP = trans_real.CONTEXT_SEPARATOR
WRAPPED = re.compile(r"⟦[^⟦⟧]*⟧")


class Pseudo(trans_real.DjangoTranslation):
    """English, with every catalogue string wrapped: ``gettext("Turn")`` -> ``"⟦Turn⟧"``."""

    @staticmethod
    def _wrap(message: str, out: str) -> str:
        if not message:
            return out  # the catalogue's header
        if SEP in out:  # a context form the catalogue does not have: Django shows the message
            out = message.split(SEP, 1)[1]
        return f"⟦{out}⟧"

    def gettext(self, message: str) -> str:
        return self._wrap(message, super().gettext(message))

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return self._wrap(msgid1, super().ngettext(msgid1, msgid2, n))


@pytest.fixture
def pseudo_locale(monkeypatch):
    pseudo = Pseudo("en")
    for code in ("en", "en-us"):
        monkeypatch.setitem(trans_real._translations, code, pseudo)
    monkeypatch.setattr(trans_real._active, "value", pseudo, raising=False)
    return pseudo


def _unwrapped(page: str) -> str:
    text = html.unescape(page)
    while True:
        cut = WRAPPED.sub(" ", text)
        if cut == text:
            return text
        text = cut


def _messages(value: Any) -> list[Any]:
    """Every stored message (JSON form) inside a turn record's parts."""
    if isinstance(value, dict):
        if isinstance(value.get("id"), str) and isinstance(value.get("params"), dict):
            return [value]
        return [m for v in value.values() for m in _messages(v)]
    if isinstance(value, list):
        return [m for v in value for m in _messages(v)]
    return []


def _engine_sentences(game: Game) -> set[str]:
    names = {"aurel": "Aurel", "borun": "Borun", "calla": "Calla", "dresk": "Dresk"}
    said: set[str] = set()
    for record in TurnRecord.objects.filter(game=game):
        for m in _messages([record.events, record.explanation, record.public_report, record.private_reports]):
            if m["id"] in ("text.legacy", "text.verbatim", "event.inject"):
                continue  # people's own words (an inject, a facilitator's reason) are not the engine's
            english = engine_texts.in_english(m, names)
            said.add(english[:40])
    return {s for s in said if len(s) >= 12}


@pytest.mark.django_db
def test_pages_in_the_pseudo_locale_show_no_engine_text_outside_the_catalogue(game, fac_client, pseudo_locale):
    seats = play(game, turns=3, end=False)
    game.refresh_from_db()
    sentences = _engine_sentences(game)
    assert len(sentences) > 10, sentences
    pages = {
        "room": seats["aurel"][0].get(f"/play/{game.code}/"),
        "console": fac_client.get(reverse("negotiation:console", args=[game.pk])),
        "turn": fac_client.get(f"/review/{game.pk}/turn/1/"),
        "turn 3": fac_client.get(f"/review/{game.pk}/turn/3/"),
        "timeline": fac_client.get(f"/review/{game.pk}/timeline/?kind=engine.build"),
        "knowledge": fac_client.get(f"/review/{game.pk}/knowledge/?state=borun&turn=2"),
    }
    from negotiation import services

    services.game_end(game_id=game.pk, actor="facilitator:teacher", reason="")
    pages["debrief"] = fac_client.get(f"/review/{game.pk}/debrief/")

    wrapped_engine_text = 0
    for name, response in pages.items():
        assert response.status_code == 200, name
        page = response.content.decode()
        rest = _unwrapped(page)
        leaked = sorted(s for s in sentences if s in rest)
        assert leaked == [], f"{name}: engine text outside the catalogue: {leaked}"
        wrapped_engine_text += sum(1 for s in sentences if s in html.unescape(page))
    assert wrapped_engine_text > 10  # the engine's sentences are on the pages, inside the wrapper
    assert "⟦The facilitator ended the game.⟧" in pages["debrief"].content.decode()
