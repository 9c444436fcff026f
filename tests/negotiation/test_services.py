from __future__ import annotations

import pytest

import game_engine
from negotiation import services
from negotiation.errors import InvalidInput, PhaseClosed, RateLimited, SeatTaken, StaleVersion
from negotiation.models import GameEvent, Message, OrderSubmission, Phase, TurnRecord
from negotiation.viewer import Role, Viewer
from tests.negotiation.conftest import seat_client

pytestmark = pytest.mark.django_db


def player(game, seat) -> Viewer:
    return Viewer(role=Role.PLAYER, game_id=game.pk, seat_id=seat.pk, state_id=seat.state_id, label=seat.display_name)


class TestGameCreate:
    def test_a_new_game_has_a_join_code_a_seed_commitment_and_the_scenario_state(self, game):
        assert len(game.code) == 8
        assert game.phase == Phase.LOBBY
        assert len(game.seed_commit) == 64
        assert game.seed not in str(game.state.get("seed_commit", ""))
        state = game_engine.state_from_json(game.state)
        assert set(state.state_ids) == {"aurel", "borun", "calla", "dresk"}

    def test_an_unknown_scenario_is_a_clear_error(self, facilitator):
        with pytest.raises(InvalidInput, match="Unknown scenario"):
            services.game_create(facilitator=facilitator, scenario_slug="atlantis", title="x", mode="expected")


class TestSeats:
    def test_a_state_cannot_be_claimed_twice(self, game):
        services.seat_claim(game_id=game.pk, state_id="aurel", display_name="Ana")
        with pytest.raises(SeatTaken):
            services.seat_claim(game_id=game.pk, state_id="aurel", display_name="Ben")

    def test_a_blank_name_or_unknown_state_is_refused(self, game):
        with pytest.raises(InvalidInput, match="name"):
            services.seat_claim(game_id=game.pk, state_id="aurel", display_name="   ")
        with pytest.raises(InvalidInput, match="not part"):
            services.seat_claim(game_id=game.pk, state_id="narnia", display_name="Ana")


class TestChat:
    def test_posting_persists_with_a_sequence_number_and_logs_it(self, started_game):
        _, seat = seat_client(started_game, "aurel", "Ana")
        message = services.message_post(game_id=started_game.pk, viewer=player(started_game, seat), body=" hello ")
        assert message.body == "hello"
        assert message.seq > 0
        assert GameEvent.objects.filter(game=started_game, kind="message.posted", seq=message.seq).exists()

    def test_empty_and_oversized_messages_are_refused(self, started_game, settings):
        _, seat = seat_client(started_game, "aurel", "Ana")
        viewer = player(started_game, seat)
        with pytest.raises(InvalidInput, match="empty"):
            services.message_post(game_id=started_game.pk, viewer=viewer, body="   ")
        limit = settings.TREATYCRAFT["CHAT_MAX_LENGTH"]
        with pytest.raises(InvalidInput, match=f"at most {limit}"):
            services.message_post(game_id=started_game.pk, viewer=viewer, body="x" * (limit + 1))
        assert Message.objects.count() == 0

    def test_a_retried_post_with_the_same_token_is_stored_once(self, started_game):
        _, seat = seat_client(started_game, "aurel", "Ana")
        viewer = player(started_game, seat)
        first = services.message_post(game_id=started_game.pk, viewer=viewer, body="hi", client_token="tok-1")
        second = services.message_post(game_id=started_game.pk, viewer=viewer, body="hi", client_token="tok-1")
        assert first.pk == second.pk
        assert Message.objects.count() == 1

    def test_flooding_is_rate_limited(self, started_game, settings):
        settings.TREATYCRAFT = {**settings.TREATYCRAFT, "CHAT_RATE_PER_MINUTE": 3}
        _, seat = seat_client(started_game, "aurel", "Ana")
        viewer = player(started_game, seat)
        for i in range(3):
            services.message_post(game_id=started_game.pk, viewer=viewer, body=f"m{i}")
        with pytest.raises(RateLimited):
            services.message_post(game_id=started_game.pk, viewer=viewer, body="one too many")
        assert Message.objects.count() == 3


class TestOrders:
    def test_orders_are_refused_before_the_game_starts(self, game):
        _, seat = seat_client(game, "borun", "Bo")
        with pytest.raises(PhaseClosed, match="not started"):
            services.order_add(game_id=game.pk, seat_id=seat.pk, raw={"type": "BUILD", "class": "MRBM", "qty": 1})

    def test_a_legal_order_is_stored_and_an_illegal_one_is_refused_with_the_rule(self, started_game):
        _, seat = seat_client(started_game, "borun", "Bo")
        sub = services.order_add(game_id=started_game.pk, seat_id=seat.pk,
                                 raw={"type": "BUILD", "class": "MRBM", "qty": "1"})
        assert sub.orders[0]["type"] == "BUILD"
        for raw in (
            {"type": "BUILD", "class": "MRBM", "qty": -3},
            {"type": "BUILD", "class": "WARP", "qty": 1},
            {"type": "BUILD", "class": "MRBM", "qty": 999},
            {"type": "LAUNCH_EVERYTHING"},
        ):
            with pytest.raises(InvalidInput):
                services.order_add(game_id=started_game.pk, seat_id=seat.pk, raw=raw)
        assert len(OrderSubmission.objects.get(seat=seat).orders) == 1

    def test_a_double_submitted_order_is_applied_once(self, started_game):
        _, seat = seat_client(started_game, "borun", "Bo")
        raw = {"type": "BUY_INTERCEPTORS", "itype": "TERMINAL", "qty": "1"}
        services.order_add(game_id=started_game.pk, seat_id=seat.pk, raw=raw, client_token="t1")
        sub = services.order_add(game_id=started_game.pk, seat_id=seat.pk, raw=raw, client_token="t1")
        assert len(sub.orders) == 1

    def test_removing_with_a_stale_revision_changes_nothing(self, started_game):
        _, seat = seat_client(started_game, "borun", "Bo")
        sub = services.order_add(game_id=started_game.pk, seat_id=seat.pk,
                                 raw={"type": "BUY_INTERCEPTORS", "itype": "TERMINAL", "qty": "1"})
        with pytest.raises(StaleVersion):
            services.order_remove(game_id=started_game.pk, seat_id=seat.pk, index=0, revision=sub.revision - 1)
        sub = services.order_remove(game_id=started_game.pk, seat_id=seat.pk, index=0, revision=sub.revision)
        assert sub.orders == []

    def test_revising_orders_clears_the_ready_flag(self, started_game):
        _, seat = seat_client(started_game, "borun", "Bo")
        services.seat_set_ready(game_id=started_game.pk, seat_id=seat.pk, ready=True)
        services.order_add(game_id=started_game.pk, seat_id=seat.pk,
                           raw={"type": "BUY_INTERCEPTORS", "itype": "TERMINAL", "qty": "1"})
        seat.refresh_from_db()
        assert seat.is_ready is False


class TestTurnResolve:
    def test_resolving_applies_the_orders_and_opens_the_next_turn(self, started_game):
        _, seat = seat_client(started_game, "borun", "Bo")
        services.order_add(game_id=started_game.pk, seat_id=seat.pk, raw={"type": "BUILD", "class": "MRBM", "qty": "2"})
        before = game_engine.view_for(game_engine.state_from_json(started_game.state), "borun")["me"]["missiles"]["MRBM"]
        record = services.turn_resolve(game_id=started_game.pk, expected_turn=1, actor="test")
        assert record is not None
        started_game.refresh_from_db()
        assert started_game.turn == 2
        after = game_engine.view_for(game_engine.state_from_json(started_game.state), "borun")["me"]["missiles"]["MRBM"]
        assert after == before + 2
        assert record.orders["borun"][0]["type"] == "BUILD"

    def test_a_turn_resolves_exactly_once(self, started_game):
        assert services.turn_resolve(game_id=started_game.pk, expected_turn=1, actor="a") is not None
        assert services.turn_resolve(game_id=started_game.pk, expected_turn=1, actor="b") is None
        assert TurnRecord.objects.filter(game=started_game, turn=1).count() == 1

    def test_the_last_turn_ends_the_game_with_final_scores(self, started_game):
        state = game_engine.state_from_json(started_game.state)
        for turn in range(1, state.max_turns + 1):
            services.turn_resolve(game_id=started_game.pk, expected_turn=turn, actor="test")
        started_game.refresh_from_db()
        assert started_game.phase == Phase.FINISHED
        view = game_engine.view_for(game_engine.state_from_json(started_game.state), None)
        assert set(view["final_scores"]) == {"aurel", "borun", "calla", "dresk"}
