"""Languages: the interface in Spanish, a complete and compiled catalogue, translated engine texts."""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from negotiation import engine_texts
from tests.helpers import seat_client

LOCALE = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES"


@pytest.fixture(autouse=True)
def _english_afterwards():
    """LocaleMiddleware activates a request's language in the test's thread and never resets it."""
    yield
    translation.deactivate()


def po_entries(path: Path) -> list[dict[str, object]]:
    """msgid, msgid_plural, msgstr / msgstr[n] and flags of every entry of a .po file."""
    entries: list[dict[str, object]] = []
    entry: dict[str, object] = {}
    key = ""
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:
            if "msgid" in entry:
                entries.append(entry)
            entry, key = {}, ""
        elif line.startswith("#,"):
            entry["flags"] = line[2:].strip()
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] = str(entry[key]) + ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            entry[key] = ast.literal_eval(value)
    return entries


def test_every_message_has_a_spanish_translation():
    entries = [e for e in po_entries(LOCALE / "django.po") if e["msgid"]]
    assert len(entries) > 900
    untranslated = [e["msgid"] for e in entries
                    if not (e.get("msgstr") or all(e.get(f"msgstr[{n}]") for n in range(3)))]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in str(e.get("flags", ""))]
    assert untranslated == [], f"untranslated: {untranslated}"
    assert fuzzy == [], f"fuzzy (check the guess, then drop the flag): {fuzzy}"


def test_the_committed_mo_file_matches_the_po_file():
    compiled = gettext.GNUTranslations((LOCALE / "django.mo").open("rb"))
    for e in po_entries(LOCALE / "django.po"):
        if not e["msgid"]:
            continue
        context = e.get("msgctxt")
        if "msgid_plural" in e:
            plural = (compiled.npgettext(str(context), str(e["msgid"]), str(e["msgid_plural"]), 2) if context
                      else compiled.ngettext(str(e["msgid"]), str(e["msgid_plural"]), 2))
            assert plural == e["msgstr[2]"], e["msgid"]
        else:
            single = compiled.pgettext(str(context), str(e["msgid"])) if context else compiled.gettext(str(e["msgid"]))
            assert single == e["msgstr"], e["msgid"]


def test_every_engine_order_text_is_translated_in_the_catalogue():
    translated = {e["msgid"] for e in po_entries(LOCALE / "django.po") if e.get("msgstr") and "msgctxt" not in e}
    missing = [text for text in engine_texts.ORDER_TEXTS if text not in translated]
    assert len(engine_texts.ORDER_TEXTS) > 100
    assert missing == []


def test_a_player_switches_to_spanish_and_the_room_is_in_spanish(started_game):
    client, _member = seat_client(started_game, "aurel", "Ana")
    english = client.get(f"/play/{started_game.code}/").content.decode()
    assert "Turn 1: negotiation" in english and "Your orders for turn 1" in english

    response = client.post("/i18n/setlang/", {"language": "es", "next": f"/play/{started_game.code}/"})
    assert response.status_code == 302
    page = client.get(f"/play/{started_game.code}/").content.decode()
    assert '<html lang="es">' in page
    for text in ("Turno 1: negociación", "Tus órdenes para el turno 1", "Tu mapa de la región", "Estoy listo",
                 "Conversaciones", "Construir misiles", "Tratados y propuestas", "Ir al contenido"):
        assert text in page, text
    # Scenario texts come translated from the scenario file, through the engine.
    assert "Potencia marítima defensora del statu quo" in page
    assert "Your orders for turn" not in page and "Skip to content" not in page


def test_errors_from_the_services_are_translated(started_game):
    client, _member = seat_client(started_game, "borun", "Bo")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    response = client.post(f"/g/{started_game.pk}/orders/add/",
                           {"type": "BUILD", "class": "MRBM", "qty": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Construir 1 MRBM" in response.content.decode()
    response = client.post(f"/g/{started_game.pk}/chat/", {"body": "", "channel": "plenary", "client_token": "t1"},
                           HTTP_HX_REQUEST="true")
    assert "El mensaje está vacío." in response.content.decode()


@pytest.mark.parametrize("accept, expected", [("es-ES,es;q=0.9", "es"), ("fr-FR,en;q=0.5", "en"), ("", "en")])
def test_the_browser_language_is_used_until_the_user_chooses(accept, expected, db):
    page = Client(HTTP_ACCEPT_LANGUAGE=accept).get("/").content.decode()
    assert f'<html lang="{expected}">' in page
