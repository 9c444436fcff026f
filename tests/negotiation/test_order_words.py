"""An order reads in words in the reader's language: the states it names by their names, the
treaty by its name, a fixed choice (a radar mode, an invitation) by its word, never an engine code."""

from __future__ import annotations

import pytest
from django.utils import translation

import game_engine
from negotiation import orderforms, selectors
from negotiation.models import Game

pytestmark = pytest.mark.django_db

ES_NAMES = {"russia": "Rusia"}


def test_an_order_names_its_state_treaty_and_choice_in_spanish():
    with translation.override("es"):
        line = orderforms.describe({"type": "ACCEPT", "with": "russia", "what": "INVITE_OBSERVERS"}, names=ES_NAMES)
        assert "Rusia" in line and "Invitar a observadores" in line and "INVITE_OBSERVERS" not in line
        line = orderforms.describe({"type": "SET_RADAR_MODE", "site": "RED", "mode": "forward"})
        assert "avanzado" in line
        line = orderforms.describe({"type": "INSPECT", "target": "russia", "treaty": "T1", "visits": 2},
                                   {"T1": "Límite al estilo del Nuevo START"}, ES_NAMES)
        assert "Límite al estilo del Nuevo START" in line and "T1" not in line


def test_the_composer_offers_an_invitation_and_a_radar_mode_as_words():
    state = game_engine.new_game(game_engine.load_scenario("shield-of-the-east"), seed="s", mode="expected", game_id="t")
    with translation.override("es"):
        view = game_engine.view_for(state, "usa", lang="es")
        forms = {f.type: f for g in orderforms.order_groups(view, "usa") for f in g.forms}
    what = next(f for f in forms["ACCEPT"].fields if f.name == "what")
    assert ("INVITE_OBSERVERS", "Invitar a observadores") in what.options
    mode = next(f for f in forms["SET_RADAR_MODE"].fields if f.name == "mode")
    assert ("forward", "avanzado") in mode.options


def test_the_review_names_the_states_an_order_names(started_game):
    game = Game.objects.get(pk=started_game.pk)
    with translation.override("es"):
        line = selectors.describe_order({"type": "AGREE_HOTLINE", "with": "borun"}, game)
    assert "Borun" in line and "borun" not in line
