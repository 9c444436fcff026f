"""Languages beyond the room: the review pages and the socket's own notices in Spanish, and the
research export staying in English whatever the reviewer's language."""

from __future__ import annotations

import json
import re

import pytest
from django.conf import settings
from django.utils import translation

from negotiation.models import Game, TurnRecord
from tests.helpers import seat_client
from tests.negotiation.test_consumers import communicator, drain, make_game, receive_until, seat_cookie
from tests.negotiation.test_review_fixtures import play


@pytest.fixture(autouse=True)
def _english_afterwards():
    """LocaleMiddleware activates a request's language in the test's thread and never resets it;
    a Spanish request must not leave Spanish active for the tests that run after this module."""
    yield
    translation.deactivate()


@pytest.fixture
def played_game(game) -> Game:
    play(game)
    return game


@pytest.fixture
def spanish_fac(fac_client):
    fac_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    return fac_client


def page_text(response) -> str:
    """The visible text and the attributes a screen reader reads, with whitespace collapsed."""
    html = response.content.decode()
    attributes = " ".join(re.findall(r'(?:aria-label|placeholder|label)="([^"]*)"', html))
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)) + " " + attributes


def assert_spanish(text: str, spanish: list[str], english: list[str]) -> None:
    missing = [s for s in spanish if s not in text]
    leftover = [e for e in english if e in text]
    assert missing == [] and leftover == [], f"missing Spanish {missing}, English left {leftover}"


def test_the_overview_and_its_charts_are_in_spanish(played_game, spanish_fac):
    response = spanish_fac.get(f"/review/{played_game.pk}/")

    assert response.status_code == 200
    assert_spanish(page_text(response),
                   ["La partida en resumen", "Puntuaciones finales", "Para el facilitador", "Exportar para investigación",
                    "Comprobar el registro", "Gráficos a lo largo de los turnos",
                    "Índice de Estabilidad Regional por turno", "Seguridad nacional por turno",
                    "Los datos en una tabla", "Leyenda", "Marca este momento para el balance", "Inicio"],
                   ["The game in brief", "Final scores", "For the facilitator", "Export for research",
                    "Check the record", "Charts over the turns", "Regional Stability Index by turn",
                    "National security by turn", "Numbers as a table", "Bookmark this moment", "mean of"])
    assert re.search(r"<td>\d+,\d</td>", response.content.decode())  # the charts' tables use a decimal comma


def test_the_timeline_is_in_spanish(played_game, spanish_fac):
    response = spanish_fac.get(f"/review/{played_game.pk}/timeline/")

    assert response.status_code == 200
    assert_spanish(page_text(response),
                   ["Cronología", "Todas las entradas del registro de la partida", "Visto por", "Buscar",
                    "Registro de la partida", "La partida empezó.", "Turno 1 resuelto.", "Fase negociación → órdenes"],
                   ["Every entry of the game's log", "As seen by", "Game log", "The game started.",
                    "Turn 1 resolved.", "Seen by"])


def test_a_turns_engine_page_is_in_spanish(played_game, spanish_fac):
    response = spanish_fac.get(f"/review/{played_game.pk}/turn/1/")

    assert response.status_code == 200
    assert_spanish(page_text(response),
                   ["Turno 1: entrada y salida del motor", "Órdenes que recibió el motor", "Lo que pasó",
                    "Por qué cambió la estabilidad", "Semilla", "Construir 1 IRBM"],
                   ["engine input and output", "Orders the engine received", "What happened",
                    "Why stability moved", "Seed"])


def test_what_a_state_knew_is_in_spanish(played_game, spanish_fac):
    response = spanish_fac.get(f"/review/{played_game.pk}/knowledge/?state=aurel&turn=2")

    assert response.status_code == 200
    assert_spanish(page_text(response),
                   ["¿Qué sabía un Estado, y cuándo?", "Sus propias fuerzas", "Presupuesto", "Su estimación",
                    "Registro público", "En realidad", "Su informe del turno anterior", "Turno 2, al dar las órdenes"],
                   ["What did a state know", "Its own forces", "Its estimate", "Public ledger",
                    "Its report of the previous turn", "when orders were given"])


def test_the_debrief_is_in_spanish(played_game, spanish_fac):
    response = spanish_fac.get(f"/review/{played_game.pk}/debrief/")

    assert response.status_code == 200
    assert_spanish(page_text(response),
                   ["Balance:", "3 turnos jugados", "Puntuaciones finales", "Momentos clave",
                    "Los mayores cambios de estabilidad", "Tratados firmados y rotos", "Preguntas para el debate",
                    "Imprimir o guardar como PDF", "media de 3 puntuaciones de turno", "La estabilidad"],
                   ["Debrief:", "turns played", "Final scores", "Key moments", "Largest moves in stability",
                    "Questions for the discussion", "Print or save as PDF", "mean of 3 turn scores"])
    # Numbers and dates written in Python follow Spanish conventions too.
    assert re.search(r"La estabilidad (subió|bajó) \d+,\d puntos \(\d+,\d → \d+,\d\)", page_text(response))
    assert re.search(r"\d+ de \w+ de \d{4}", page_text(response))


def test_the_what_if_page_and_its_result_are_in_spanish(played_game, spanish_fac):
    page = spanish_fac.get(f"/review/{played_game.pk}/what-if/")
    recorded = TurnRecord.objects.get(game=played_game, turn=1).orders
    keep = {f"keep-{sid}": [str(i) for i in range(len(orders))] for sid, orders in recorded.items() if sid != "borun"}
    result = spanish_fac.post(f"/review/{played_game.pk}/what-if/",
                              {"turn": "1", **keep, "add-borun": '{"type": "REDUCE", "class": "SRBM", "qty": 4}'},
                              HTTP_HX_REQUEST="true")
    error = spanish_fac.post(f"/review/{played_game.pk}/what-if/", {"turn": "1", "add-calla": "not json"},
                             HTTP_HX_REQUEST="true")

    assert page.status_code == 200 and result.status_code == 200 and error.status_code == 422
    assert_spanish(page_text(page),
                   ["¿Y si…?", "Desde el turno", "Tipos de órdenes que puedes añadir", "Volver a jugar el resto de la partida"],
                   ["What if…?", "From turn", "Order types you can add", "Play the rest of the game again"])
    assert_spanish(page_text(result),
                   ["Lado a lado", "Estabilidad al final:", "Puntuación, real", "Estabilidad desde el turno 1",
                    "Lo que pasó (público)", "Reducir SRBM en 4"],
                   ["Side by side", "Stability at the end", "Score, real", "What happened (public)"])
    assert "no es JSON válido" in page_text(error)


def test_the_facilitators_bookmark_notice_is_in_spanish(played_game, spanish_fac):
    response = spanish_fac.post(f"/review/{played_game.pk}/bookmark/", {"note": "Momento clave"}, HTTP_HX_REQUEST="true")

    assert "Marcador guardado (turno" in page_text(response)


def test_the_research_export_stays_in_english_for_a_spanish_reviewer(played_game, fac_client, spanish_fac):
    spanish = json.loads(spanish_fac.get(f"/review/{played_game.pk}/export/?format=json").content)
    fac_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = json.loads(fac_client.get(f"/review/{played_game.pk}/export/?format=json").content)

    assert "The game started." in [row["summary"] for row in spanish["events"]]
    assert spanish | {"exported_at": ""} == english | {"exported_at": ""}


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_the_sockets_own_notices_arrive_in_the_sockets_language():
    game = await make_game()
    _, cookie = await seat_cookie(game, "aurel", "Ana")
    spanish = communicator(game, cookie + f"; {settings.LANGUAGE_COOKIE_NAME}=es".encode())
    english = communicator(game, cookie)
    assert (await spanish.connect())[0] and (await english.connect())[0]
    await drain(spanish)
    await drain(english)

    for comm in (spanish, english):
        await comm.send_to(text_data='{"type": "ping", "pad": "' + "x" * 20000 + '"}')
        await comm.send_to(bytes_data=b"\x00")
        await comm.send_to(text_data="{not json")

    heard = await receive_until(spanish, "no ha entendido")
    assert "demasiado grande" in heard and "tramas binarias" in heard
    assert "too large" not in heard and "Binary frames" not in heard
    assert "did not understand" in await receive_until(english, "did not understand")
    await spanish.disconnect()
    await english.disconnect()


def test_a_player_whose_review_is_not_open_is_told_so_in_spanish(started_game):
    client, _member = seat_client(started_game, "aurel", "Ana")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"

    response = client.get(f"/review/{started_game.pk}/debrief/")

    assert response.status_code == 403
    assert_spanish(page_text(response), ["La revisión no está abierta", "Volver a la partida"],
                   ["The review is not open", "Back to the game"])
