"""Engine identifiers are words wherever a person reads them, in their language."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from negotiation import labels, orderforms
from negotiation.review.timeline import summarize

pytestmark = pytest.mark.django_db

@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    translation.activate("en")


def test_order_form_choices_are_words(started_game):
    from negotiation import engine_views

    view = engine_views.typed_view(started_game, "borun")
    sites = dict(orderforms._options("site", view, "borun", ()))
    assert sites and all("(" in label and label.split("(")[1].rstrip(")")[0].isupper() for label in sites.values())
    assert dict(orderforms._options("interceptor_type", view, "borun", ())) == {
        "TERMINAL": "Terminal", "MIDCOURSE": "Midcourse"}


def test_order_lines_name_no_codes_and_no_hash():
    assert orderforms.describe({"type": "SIGN", "terms_hash": "f" * 64}) == "Sign a treaty"
    assert orderforms.describe({"type": "BUY_INTERCEPTORS", "itype": "MIDCOURSE", "qty": 2}) == \
        "Buy 2 midcourse interceptors"
    assert labels.order_type("ACCEPT_IMPORT") == "Accept an import"


def test_a_log_entry_without_its_own_sentence_shows_words_not_fields():
    line = summarize("seat.something", {"member": 25, "state": "aurel", "terms_hash": "f" * 64}, {"aurel": "Aurel"})
    assert line == "state: Aurel"
    assert "member" not in line and "=" not in line


def test_labels_are_translated():
    with translation.override("es"):
        assert labels.treaty_status("in_force") == "en vigor"
        assert labels.interceptor_type("MIDCOURSE") == "de mitad de trayecto"
        assert labels.bot_policy("hawk") == "halcón"
        assert labels.order_type("ACCEPT_IMPORT") != "Accept an import"


def test_the_console_names_bot_policies_in_words(fac_client, game):
    html = fac_client.get(reverse("negotiation:console", args=[game.pk]), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert ">recíproco</option>" in html


def test_review_numbers_round_as_the_room_does():
    from django.template.defaultfilters import floatformat

    from negotiation.review import charts, history

    for value in (49.16, 49.25, 0.05, 12.0, -3.35):
        assert labels.number_format(value, 1) == floatformat(value, 1)
    assert history.number_format is labels.number_format and charts.number_format is labels.number_format
