"""The messages the engine says when a turn resolves (events, why the index moved, rejected orders,
rule errors) reach a Spanish player in Spanish, in the page and over the socket push; the stored
turn record holds message ids and parameters, no sentence in any language."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

import game_engine
from game_engine.messages import msg
from negotiation import broadcasts, engine_texts, selectors, services
from negotiation.errors import InvalidInput
from negotiation.models import Game, TurnRecord
from tests.helpers import resolve, seat_client
from tests.negotiation.test_review_fixtures import play

HX = {"HTTP_HX_REQUEST": "true"}


def _in_spanish(client: Client, game: Game) -> Client:
    client.post("/i18n/setlang/", {"language": "es", "next": f"/play/{game.code}/"})
    return client


@pytest.fixture
def resolved(started_game) -> tuple[Game, dict[str, tuple[Client, object]]]:
    """Turn 1 played: Borun builds in public, Calla builds covertly, Dresk asks for a hotline
    that Aurel never agrees (rejected at resolution)."""
    seats = {sid: seat_client(started_game, sid, name)
             for sid, name in (("aurel", "Ana"), ("borun", "Bo"), ("calla", "Cy"), ("dresk", "Di"))}
    orders = {
        "borun": [{"type": "BUILD", "class": "MRBM", "qty": 2}],
        "calla": [{"type": "BUILD", "class": "SRBM", "qty": 1, "covert": True}],
        "dresk": [{"type": "AGREE_HOTLINE", "with": "aurel"}],
    }
    for sid, raws in orders.items():
        member = seats[sid][1]
        for raw in raws:
            services.order_add(game_id=started_game.pk, seat_id=member.seat_id, member_id=member.pk, raw=raw)
    resolve(started_game)
    started_game.refresh_from_db()
    return started_game, seats


def test_the_stored_turn_record_holds_messages_not_sentences(resolved):
    game, _ = resolved
    record = TurnRecord.objects.get(game=game, turn=1)
    said = [e["text"] for e in record.events]

    assert {"id": "event.build", "params": {"s": "borun", "n": 2, "cls": "MRBM"}} in said
    assert {"id": "event.build_covert", "params": {"s": "calla", "n": 1, "cls": "SRBM"}} in said
    rejected = next(m for m in said if m["id"] == "event.order_rejected")
    assert rejected["parts"] == [{"id": "rule.not_agreed", "params": {"s": "aurel", "w": "word.agreed.HOTLINE"}}]
    assert "built" not in json.dumps([record.events, record.explanation, record.private_reports])
    names = {"aurel": "Aurel", "borun": "Borun", "calla": "Calla", "dresk": "Dresk"}
    assert engine_texts.in_english(rejected, names) == (
        "Order 1 (Agree a hotline) was rejected: Aurel did not agree the hotline this turn.")


def test_a_spanish_player_reads_the_turns_events_and_explanation_in_spanish(resolved):
    game, seats = resolved
    record = TurnRecord.objects.get(game=game, turn=1)
    client = _in_spanish(seats["aurel"][0], game)

    page = client.get(f"/play/{game.code}/").content.decode()

    assert "Borun construyó 2 MRBM." in page
    assert "Borun built 2 MRBM." not in page
    assert record.explanation, "the turn moved the index, so there is something to explain"
    names = {"aurel": "Aurel", "borun": "Borun", "calla": "Calla", "dresk": "Dresk"}
    for item in record.explanation:
        assert engine_texts.in_english(item["text"], names) not in page
    assert "porque Borun construyó 2 MRBM" in page or "al cambiar las percepciones" in page


def test_a_spanish_player_reads_their_private_report_and_rejected_orders_in_spanish(resolved):
    game, seats = resolved
    calla = _in_spanish(seats["calla"][0], game)
    dresk = _in_spanish(seats["dresk"][0], game)

    calla_page = calla.get(f"/play/{game.code}/").content.decode()
    dresk_page = dresk.get(f"/play/{game.code}/").content.decode()

    assert "Calla construyó en secreto 1 SRBM." in calla_page
    assert "Calla secretly built" not in calla_page
    assert "Aurel no acordó la línea directa este turno." in dresk_page
    assert "did not agree the hotline" not in dresk_page


def test_an_english_player_still_reads_the_engines_english(resolved):
    game, seats = resolved

    page = seats["borun"][0].get(f"/play/{game.code}/").content.decode()

    assert "Borun built 2 MRBM." in page
    assert "Borun construyó" not in page


def test_the_console_and_projector_show_the_events_in_the_viewers_language(resolved, fac_client):
    game, _ = resolved
    fac_client.post("/i18n/setlang/", {"language": "es", "next": "/"})

    console = fac_client.get(reverse("negotiation:console", args=[game.pk])).content.decode()
    projector = fac_client.get(reverse("negotiation:projector", args=[game.code])).content.decode()

    for page in (console, projector):
        assert "Borun construyó 2 MRBM." in page
        assert "Borun built 2 MRBM." not in page


def test_the_public_push_carries_the_engine_texts_in_each_language(resolved, monkeypatch):
    game, _ = resolved
    sent: list[tuple[str, dict[str, object]]] = []
    monkeypatch.setattr(broadcasts, "_send", lambda group, message: sent.append((group, dict(message))))
    broadcasts.language_listening(game.pk, "es")  # a Spanish socket is open

    broadcasts.game_changed(game_id=game.pk, public=("public-results",))

    push = next(m for g, m in sent if g == broadcasts.public_group(game.pk))
    by_language = push["by_language"]
    assert isinstance(by_language, dict)
    assert "Borun construyó 2 MRBM." in by_language["es"] and "Borun built" not in by_language["es"]
    assert "Borun built 2 MRBM." in by_language["en"]


def test_a_refused_order_explains_the_rule_in_spanish(started_game):
    client, member = seat_client(started_game, "dresk", "Di")
    _in_spanish(client, started_game)

    with translation.override("es"), pytest.raises(InvalidInput) as refused:
        services.order_add(game_id=started_game.pk, seat_id=member.seat_id, member_id=member.pk,
                           raw={"type": "BUILD", "class": "SRBM", "qty": 3})
    response = client.post(reverse("negotiation:order-add", args=[started_game.pk]),
                           {"type": "BUILD", "class": "SRBM", "qty": "3"}, **HX)

    assert refused.value.message == "Dresk puede construir como máximo 2 SRBM por turno (disponibles este turno: 2)."
    assert response.status_code == 422
    assert "Dresk puede construir como máximo 2 SRBM por turno" in response.content.decode()


# --- The review pages ----------------------------------------------------------------------------


@pytest.fixture
def played(game) -> Game:
    play(game)
    game.refresh_from_db()
    return game


def test_the_debrief_timeline_and_turn_page_show_the_engine_texts_in_spanish(played, fac_client):
    fac_client.post("/i18n/setlang/", {"language": "es", "next": "/"})

    debrief = fac_client.get(f"/review/{played.pk}/debrief/").content.decode()
    timeline = fac_client.get(f"/review/{played.pk}/timeline/?kind=engine.build").content.decode()
    turn = fac_client.get(f"/review/{played.pk}/turn/1/").content.decode()

    assert "Sea cap entró en vigor (Aurel, Borun)." in debrief
    assert "entered into force" not in debrief
    assert "End of the lesson" in debrief  # the facilitator's own words stay as written
    assert "Aurel construyó 1 IRBM." in timeline
    # the English stays only in the raw log entry each row can unfold
    assert timeline.count("Aurel built 1 IRBM.") == timeline.count("&quot;Aurel built 1 IRBM.&quot;")
    assert "<li>Aurel construyó 1 IRBM. " in turn and "<li>Aurel built 1 IRBM." not in turn


def test_the_knowledge_view_shows_a_states_private_report_in_spanish(played, fac_client):
    fac_client.post("/i18n/setlang/", {"language": "es", "next": "/"})

    page = fac_client.get(f"/review/{played.pk}/knowledge/?state=borun&turn=2").content.decode()

    assert "Borun construyó en secreto 2 SRBM." in page
    assert "secretly built" not in page


def test_the_scenarios_own_news_reaches_a_spanish_player_in_the_scenarios_translation(resolved):
    game, seats = resolved  # turn 2 announces "Protests at the coast" to Calla
    calla = _in_spanish(seats["calla"][0], game)

    page = calla.get(f"/play/{game.code}/").content.decode()

    assert "Protestas en la costa" in page
    assert "Protests at the coast" not in page


def test_the_budget_ledger_and_treaty_status_read_in_spanish(resolved):
    game, seats = resolved
    calla = _in_spanish(seats["calla"][0], game)

    page = calla.get(f"/play/{game.code}/").content.decode()

    assert "ingresos +" in page and "income +" not in page
    assert "<td>en vigor</td>" in page and "<td>in force</td>" not in page


# --- Over the socket ------------------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_spanish_socket_receives_the_resolved_turn_in_spanish_and_an_english_one_in_english():
    from channels.db import database_sync_to_async
    from channels.layers import get_channel_layer
    from django.test import override_settings

    from tests.negotiation.test_consumers import MEMORY, communicator, make_game, receive_until, seat_cookie

    with override_settings(CHANNEL_LAYERS=MEMORY):
        game = await make_game()
        _aurel, aurel_cookie = await seat_cookie(game, "aurel", "Ana")
        borun, borun_cookie = await seat_cookie(game, "borun", "Bo")
        spanish = communicator(game, aurel_cookie + b"; django_language=es")
        english = communicator(game, borun_cookie)
        assert (await spanish.connect())[0] and (await english.connect())[0]
        await receive_until(spanish, 'id="my-forces"')
        await receive_until(english, 'id="my-forces"')

        await database_sync_to_async(services.order_add)(
            game_id=game.pk, seat_id=borun.seat_id, member_id=borun.pk,
            raw={"type": "BUILD", "class": "MRBM", "qty": 2})
        await database_sync_to_async(resolve)(game)

        assert "Borun built" not in await receive_until(spanish, "Borun construyó 2 MRBM.")
        assert "Borun construyó" not in await receive_until(english, "Borun built 2 MRBM.")
        await spanish.disconnect()
        await english.disconnect()
        await get_channel_layer().flush()


def test_the_review_overview_says_why_the_game_ended_in_the_readers_language(played, fac_client):
    from game_engine.messages import english, msg

    catastrophe = english(msg("game_over.catastrophe"))
    state = dict(played.state, game_over_reason=catastrophe)
    Game.objects.filter(pk=played.pk).update(state=state)
    fac_client.post("/i18n/setlang/", {"language": "es", "next": "/"})

    page = fac_client.get(f"/review/{played.pk}/").content.decode()

    with translation.override("es"):
        spanish = engine_texts.texts_for(None).say(msg("game_over.catastrophe"))
    assert spanish != catastrophe and f'data-testid="ended">{spanish}<' in page
    assert catastrophe not in page


def test_an_event_naming_a_starting_treaty_reads_its_name_in_spanish():
    scenario = game_engine.load_scenario("peninsula-and-straits")
    left = msg("event.treaty_left", s="dprk", t="Non-Proliferation Treaty")
    own = msg("event.treaty_left", s="dprk", t="Our own cap")
    with translation.override("es"):
        texts = engine_texts.texts_for(scenario)
        assert "Tratado de No Proliferación" in texts.say(left)
        assert "Our own cap" in texts.say(own)  # a players' treaty keeps the name they gave it
        # ...also inside a sentence that nests it ("the treaty regime fell because ... expired").
        nested = msg("explain.example", msg("event.treaty_expired", t="Non-Proliferation Treaty"))
        assert texts._localized_treaty(nested).parts[0].get("t") == "Tratado de No Proliferación"
    with translation.override("en"):
        assert "Non-Proliferation Treaty" in engine_texts.texts_for(scenario).say(left)


def test_the_public_compliance_table_names_the_starting_treaties_in_spanish(started_game):
    resolve(started_game)
    game = Game.objects.get(pk=started_game.pk)
    with translation.override("es"):
        names = [row["name"] for row in selectors.public_view(game).compliance_rows]
    assert "Tratado de No Proliferación" in names and "Non-Proliferation Treaty" not in names
    with translation.override("en"):
        assert "Non-Proliferation Treaty" in [row["name"] for row in selectors.public_view(game).compliance_rows]


def test_the_incident_penalty_s_change_reads_with_spanish_numbers():
    """Both numbers of the penalty's line (its size and its change since last turn) are numbers
    to the reader's language: "10,0" for a Spanish class, as the index itself is shown."""
    texts = engine_texts.texts_for(game_engine.load_scenario("shield-of-the-east"))
    gone = msg("explain.incidents_gone", x2="10.0")
    fewer = msg("explain.incidents_fewer", x="2.6", x2="0.1")
    with translation.override("es"):
        assert texts.explanation("P_inc", gone) == (
            "Ningún incidente este turno: el índice recupera los 10,0 puntos que los incidentes le "
            "restaron el turno pasado.")
        assert texts.explanation("P_inc", fewer) == (
            "Los incidentes restaron 2,6 puntos al índice, 0,1 menos que el turno pasado.")
    with translation.override("en"):
        assert texts.explanation("P_inc", gone) == (
            "No incidents this turn: the 10.0 points they took off the index last turn are back.")
