from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from negotiation import services
from negotiation.models import Member, Message, OrderSubmission
from tests.helpers import seat_client

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


class TestJoining:
    def test_the_home_page_names_treatycraft(self, client):
        response = client.get("/")
        assert b"<title>Join a game \xc2\xb7 Treatycraft</title>" in response.content

    def test_a_wrong_code_gets_a_clear_message(self, client, game):
        response = client.post(reverse("negotiation:join-lookup"), {"code": "ZZZZZZZZ"})
        assert response.status_code == 404
        assert b"No game has that code" in response.content

    def test_a_code_is_case_insensitive_and_leads_to_the_join_page(self, client, game):
        response = client.post(reverse("negotiation:join-lookup"), {"code": game.code.lower()})
        assert response.status_code == 302
        assert response["Location"] == reverse("negotiation:join", kwargs={"code": game.code})

    def test_joining_takes_a_seat_and_reopening_the_link_returns_to_it(self, client, game):
        url = reverse("negotiation:join", kwargs={"code": game.code})
        response = client.post(url, {"display_name": "Ana", "state_id": "calla"})
        assert response.status_code == 302
        assert Member.objects.get(seat__game=game, seat__state_id="calla").name == "Ana"
        again = client.get(url)
        assert again.status_code == 302
        assert again["Location"] == reverse("negotiation:room", kwargs={"code": game.code})
        room = client.get(again["Location"])
        assert room.status_code == 200
        assert b"Calla" in room.content

    def test_a_taken_state_cannot_be_taken_by_another_browser(self, game):
        url = reverse("negotiation:join", kwargs={"code": game.code})
        Client().post(url, {"display_name": "Ana", "state_id": "calla"})
        response = Client().post(url, {"display_name": "Ben", "state_id": "calla"})
        assert response.status_code == 422
        assert b"already been taken" in response.content
        assert Member.objects.filter(seat__game=game).count() == 1

    def test_guessing_codes_is_rate_limited(self, client, game, settings):
        settings.TREATYCRAFT = {**settings.TREATYCRAFT, "JOIN_ATTEMPTS_PER_MINUTE": 5}
        statuses = [client.post(reverse("negotiation:join-lookup"), {"code": f"AAAA{i:04d}"}).status_code for i in range(7)]
        assert statuses[:5] == [404] * 5
        assert statuses[5:] == [429, 429]
        response = client.post(reverse("negotiation:join-lookup"), {"code": game.code})
        assert response.status_code == 429  # even the right code waits: no oracle for guessers

    def test_a_room_without_a_seat_redirects_to_join(self, client, game):
        response = client.get(reverse("negotiation:room", kwargs={"code": game.code}))
        assert response["Location"] == reverse("negotiation:join", kwargs={"code": game.code})


class TestHiddenInformation:
    def test_a_player_never_sees_another_states_briefing_true_forces_or_orders(self, started_game):
        aurel_client, _ = seat_client(started_game, "aurel", "Ana")
        borun_client, bo = seat_client(started_game, "borun", "Bo")
        # Unique markers: Borun's secret briefing, and an order only Borun gave.
        from negotiation.scenarios import state_infos

        borun_secret = escape(state_infos("meridian-sea")["borun"].secret_briefing)
        services.order_add(game_id=started_game.pk, seat_id=bo.seat_id, member_id=bo.pk,
                           raw={"type": "BUILD", "class": "SRBM", "qty": "3", "covert": True})
        own = borun_client.get(reverse("negotiation:room", kwargs={"code": started_game.code})).content.decode()
        other = aurel_client.get(reverse("negotiation:room", kwargs={"code": started_game.code})).content.decode()
        assert "Build 3 SRBM covertly" in own
        assert borun_secret in own
        assert "Build 3 SRBM covertly" not in other
        assert borun_secret not in other
        # The HTTP reply to Borun's own order form holds Borun's orders and nobody else's page does.
        reply = aurel_client.post(reverse("negotiation:order-add", args=[started_game.pk]),
                                  {"type": "BUY_INTERCEPTORS", "itype": "TERMINAL", "qty": "1"}, **HX)
        assert "Build 3 SRBM covertly" not in reply.content.decode()

    def test_private_pages_are_not_cached(self, started_game):
        client, _ = seat_client(started_game, "aurel", "Ana")
        response = client.get(reverse("negotiation:room", kwargs={"code": started_game.code}))
        assert "no-store" in response["Cache-Control"]
        assert b'hx-history="false"' in response.content

    def test_someone_without_a_seat_cannot_post_or_read(self, client, started_game):
        assert client.post(reverse("negotiation:chat-post", args=[started_game.pk]), {"body": "hi"}).status_code == 404
        assert client.get(reverse("negotiation:chat-history", args=[started_game.pk])).status_code == 404
        assert client.post(reverse("negotiation:order-add", args=[started_game.pk]), {"type": "BUILD"}).status_code == 404

    def test_another_facilitator_cannot_open_or_drive_the_console(self, started_game, other_facilitator):
        client = Client()
        client.force_login(other_facilitator)
        assert client.get(reverse("negotiation:console", args=[started_game.pk])).status_code == 404
        assert client.post(reverse("negotiation:phase-advance", args=[started_game.pk]),
                           {"phase": "negotiation", "turn": 1}).status_code == 404


class TestChatOverHttp:
    def test_a_script_message_is_stored_as_typed_and_rendered_as_text(self, started_game):
        client, _ = seat_client(started_game, "aurel", "Ana")
        payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
        response = client.post(reverse("negotiation:chat-post", args=[started_game.pk]), {"body": payload}, **HX)
        assert response.status_code == 200
        assert Message.objects.get().body == payload
        html = response.content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
        page = client.get(reverse("negotiation:room", kwargs={"code": started_game.code})).content.decode()
        assert "<script>alert" not in page

    def test_an_empty_message_shows_an_error_and_keeps_nothing(self, started_game):
        client, _ = seat_client(started_game, "aurel", "Ana")
        response = client.post(reverse("negotiation:chat-post", args=[started_game.pk]), {"body": "  "}, **HX)
        assert response.status_code == 422
        assert b"The message is empty" in response.content

    def test_an_oversized_message_keeps_the_text_in_the_box(self, started_game):
        client, _ = seat_client(started_game, "aurel", "Ana")
        body = "y" * 1001
        response = client.post(reverse("negotiation:chat-post", args=[started_game.pk]), {"body": body}, **HX)
        assert response.status_code == 422
        assert b"at most 1000 characters" in response.content
        assert body.encode() in response.content
        assert Message.objects.count() == 0

    def test_history_pages_back_without_loading_everything(self, started_game, settings):
        settings.TREATYCRAFT = {**settings.TREATYCRAFT, "CHAT_PAGE_SIZE": 5, "CHAT_RATE_PER_MINUTE": 100}
        client, _ = seat_client(started_game, "aurel", "Ana")
        for i in range(12):
            client.post(reverse("negotiation:chat-post", args=[started_game.pk]), {"body": f"msg-{i:02d}"}, **HX)
        page = client.get(reverse("negotiation:room", kwargs={"code": started_game.code})).content.decode()
        assert "msg-11" in page and "msg-07" in page and "msg-06" not in page
        last_seq = Message.objects.get(body="msg-07").seq
        older = client.get(reverse("negotiation:chat-history", args=[started_game.pk]), {"before": last_seq}).content.decode()
        assert "msg-06" in older and "msg-02" in older and "msg-01" not in older


class TestOrdersOverHttp:
    def test_an_illegal_order_explains_the_rule_in_the_panel(self, started_game):
        client, di = seat_client(started_game, "dresk", "Di")
        response = client.post(reverse("negotiation:order-add", args=[started_game.pk]),
                               {"type": "BUILD", "class": "MRBM", "qty": "-2"}, **HX)
        assert response.status_code == 422
        assert b'data-testid="order-error"' in response.content
        assert not OrderSubmission.objects.filter(seat=di.seat).exclude(orders=[]).exists()

    def test_garbage_numbers_are_a_clear_error_not_a_crash(self, started_game):
        client, _ = seat_client(started_game, "dresk", "Di")
        response = client.post(reverse("negotiation:order-add", args=[started_game.pk]),
                               {"type": "BUILD", "class": "SRBM", "qty": "lots"}, **HX)
        assert response.status_code == 422

    def test_orders_after_the_game_ended_are_refused_in_the_page(self, started_game):
        client, _ = seat_client(started_game, "dresk", "Di")
        started_game.phase = "finished"
        started_game.save()
        response = client.post(reverse("negotiation:order-add", args=[started_game.pk]),
                               {"type": "BUY_INTERCEPTORS", "itype": "TERMINAL", "qty": "1"}, **HX)
        assert response.status_code == 422
        assert b"Orders are closed" in response.content

    def test_ready_flag_is_shown_to_everyone(self, started_game):
        client, _di = seat_client(started_game, "dresk", "Di")
        other, _ = seat_client(started_game, "aurel", "Ana")
        client.post(reverse("negotiation:ready", args=[started_game.pk]), {"ready": "1"}, **HX)
        page = other.get(reverse("negotiation:room", kwargs={"code": started_game.code})).content.decode()
        assert 'data-testid="ready-dresk"' in page


class TestFacilitator:
    def test_create_start_and_resolve_from_the_console(self, fac_client):
        response = fac_client.post(reverse("negotiation:game-new"),
                                   {"scenario": "meridian-sea", "title": "Period 3", "mode": "expected"})
        assert response.status_code == 302
        console = fac_client.get(response["Location"])
        game = console.context["game"]
        assert game.code.encode() in console.content
        fac_client.post(reverse("negotiation:game-start", args=[game.pk]), **HX)
        advance = reverse("negotiation:phase-advance", args=[game.pk])
        assert fac_client.post(advance, {"phase": "negotiation", "turn": 1}, **HX).status_code == 200
        reply = fac_client.post(advance, {"phase": "orders", "turn": 1}, **HX)
        assert reply.status_code == 200
        game.refresh_from_db()
        assert (game.phase, game.turn) == ("report", 2)
        again = fac_client.post(advance, {"phase": "orders", "turn": 1}, **HX)
        assert again.status_code == 409
        assert b"already moved on" in again.content

    def test_the_console_needs_a_login(self, client, game):
        response = client.get(reverse("negotiation:console", args=[game.pk]))
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]

    def test_gets_never_write(self, fac_client, started_game, django_assert_max_num_queries):
        from negotiation.models import GameEvent

        before = GameEvent.objects.count()
        for url in ("/", reverse("negotiation:dashboard"), reverse("negotiation:console", args=[started_game.pk]),
                    reverse("negotiation:rules")):
            assert fac_client.get(url).status_code == 200
        assert GameEvent.objects.count() == before


class TestRules:
    def test_the_rules_page_renders_the_rulebook(self, client):
        response = client.get(reverse("negotiation:rules"))
        assert response.status_code == 200
        assert b"<h1" in response.content or b"<h2" in response.content


class TestConsoleInjects:
    def test_an_inject_with_an_effect_is_queued_from_the_console(self, fac_client, started_game):
        from negotiation.models import Inject

        url = reverse("negotiation:inject-send", args=[started_game.pk])
        bad = fac_client.post(url, {"title": "Outage", "text": "Radar down", "targets": "all",
                                    "effect": "radar_outage", "effect_site": ""}, **HX)
        assert bad.status_code == 422
        ok = fac_client.post(url, {"title": "Windfall", "text": "Money", "targets": "calla", "effect": "budget_change",
                                   "effect_state": "calla", "effect_amount": "12"}, **HX)
        assert ok.status_code == 200
        assert Inject.objects.get().effect == {"budget_change": {"calla": 12}}

    def test_an_effect_out_of_range_is_refused_in_the_facilitators_language(self, fac_client, started_game):
        """The engine's check of an effect reaches a Spanish facilitator in Spanish, naming the
        state, and nothing is queued."""
        from django.conf import settings
        from django.utils import translation

        from negotiation.models import Inject

        fac_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
        url = reverse("negotiation:inject-send", args=[started_game.pk])
        try:
            bad = fac_client.post(url, {"title": "Bonanza", "text": "Dinero", "targets": "all",
                                        "effect": "budget_change", "effect_state": "calla",
                                        "effect_amount": "100000"}, **HX)
        finally:
            translation.deactivate()
        assert bad.status_code == 422
        text = bad.content.decode()
        assert "El cambio de presupuesto de Calla debe ser un número entero entre" in text
        assert "budget change" not in text
        assert not Inject.objects.exists()
