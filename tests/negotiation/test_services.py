from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

import game_engine
from negotiation import clock, services
from negotiation.errors import InvalidInput, PhaseClosed, RateLimited, SeatTaken, StaleVersion
from negotiation.models import GameEvent, Inject, Member, Message, OrderSubmission, Phase, Seat, TurnRecord
from negotiation.viewer import Role, Viewer
from tests.helpers import resolve, seat_client, to_orders

pytestmark = pytest.mark.django_db


def player(member: Member) -> Viewer:
    return Viewer(role=Role.PLAYER, game_id=member.seat.game_id, seat_id=member.seat_id,
                  state_id=member.seat.state_id, label=member.name, member_id=member.pk, is_captain=member.is_captain)


def add(game, member, raw, token=""):
    return services.order_add(game_id=game.pk, seat_id=member.seat_id, member_id=member.pk, raw=raw, client_token=token)


def true_missiles(game, state_id, cls):
    game.refresh_from_db()
    me = game_engine.view_for(game_engine.state_from_json(game.state), state_id).me
    assert me is not None
    return me.missiles[cls]


class TestGameCreate:
    def test_a_new_game_has_a_join_code_a_seed_commitment_and_one_open_seat_per_state(self, game):
        assert len(game.code) == 8
        assert game.phase == Phase.LOBBY
        assert len(game.seed_commit) == 64
        state = game_engine.state_from_json(game.state)
        assert set(state.state_ids) == {"aurel", "borun", "calla", "dresk"}
        assert set(Seat.objects.filter(game=game).values_list("state_id", flat=True)) == set(state.state_ids)

    def test_an_unknown_scenario_is_a_clear_error(self, facilitator):
        with pytest.raises(InvalidInput, match="Unknown scenario"):
            services.game_create(facilitator=facilitator, scenario_slug="atlantis", title="x", mode="expected")


class TestSeats:
    def test_a_state_cannot_be_claimed_twice(self, game):
        services.seat_claim(game_id=game.pk, state_id="aurel", display_name="Ana")
        with pytest.raises(SeatTaken):
            services.seat_claim(game_id=game.pk, state_id="aurel", display_name="Ben")

    def test_with_teams_allowed_a_second_student_joins_as_a_member_who_cannot_give_orders(self, started_game):
        started_game.allow_teams = True
        started_game.save()
        _, captain = seat_client(started_game, "aurel", "Ana")
        _, second = seat_client(started_game, "aurel", "Ben", team=True)
        assert captain.is_captain and not second.is_captain
        with pytest.raises(InvalidInput, match="captain"):
            add(started_game, second, {"type": "BUY_INTERCEPTORS", "itype": "TERMINAL", "qty": 1})
        add(started_game, captain, {"type": "BUY_INTERCEPTORS", "itype": "TERMINAL", "qty": 1})

    def test_a_blank_name_or_unknown_state_is_refused(self, game):
        with pytest.raises(InvalidInput, match="name"):
            services.seat_claim(game_id=game.pk, state_id="aurel", display_name="   ")
        with pytest.raises(InvalidInput, match="not part"):
            services.seat_claim(game_id=game.pk, state_id="narnia", display_name="Ana")

    def test_a_kicked_member_loses_the_seat_and_the_next_member_becomes_captain(self, started_game):
        started_game.allow_teams = True
        started_game.save()
        _, ana = seat_client(started_game, "aurel", "Ana")
        _, ben = seat_client(started_game, "aurel", "Ben", team=True)
        services.member_remove(game_id=started_game.pk, member_id=ana.pk, actor="facilitator:t", reason="left")
        ana.refresh_from_db()
        ben.refresh_from_db()
        assert ana.removed_at is not None and ben.is_captain
        assert GameEvent.objects.filter(kind="member.removed", data__reason="left").exists()

    def test_the_facilitator_assigns_a_student_who_gets_a_personal_link(self, game):
        member = services.seat_assign(game_id=game.pk, state_id="dresk", name="Dee", actor="facilitator:t")
        assert member.is_captain and len(member.token) >= 32


class TestChat:
    def test_posting_persists_with_a_sequence_number_and_logs_it(self, started_game):
        _, ana = seat_client(started_game, "aurel", "Ana")
        message = services.message_post(game_id=started_game.pk, viewer=player(ana), body=" hello ")
        assert message.body == "hello"
        assert message.author_label == "Ana (Aurel)"
        assert GameEvent.objects.filter(game=started_game, kind="message.posted", seq=message.seq).exists()

    def test_empty_and_oversized_messages_are_refused(self, started_game, settings):
        _, ana = seat_client(started_game, "aurel", "Ana")
        with pytest.raises(InvalidInput, match="empty"):
            services.message_post(game_id=started_game.pk, viewer=player(ana), body="   ")
        limit = settings.TREATYCRAFT["CHAT_MAX_LENGTH"]
        with pytest.raises(InvalidInput, match=f"at most {limit}"):
            services.message_post(game_id=started_game.pk, viewer=player(ana), body="x" * (limit + 1))
        assert Message.objects.count() == 0

    def test_a_retried_post_with_the_same_token_is_stored_once(self, started_game):
        _, ana = seat_client(started_game, "aurel", "Ana")
        first = services.message_post(game_id=started_game.pk, viewer=player(ana), body="hi", client_token="tok-1")
        second = services.message_post(game_id=started_game.pk, viewer=player(ana), body="hi", client_token="tok-1")
        assert first.pk == second.pk
        assert Message.objects.count() == 1

    def test_flooding_is_rate_limited(self, started_game, settings):
        settings.TREATYCRAFT = {**settings.TREATYCRAFT, "CHAT_RATE_PER_MINUTE": 3}
        _, ana = seat_client(started_game, "aurel", "Ana")
        for i in range(3):
            services.message_post(game_id=started_game.pk, viewer=player(ana), body=f"m{i}")
        with pytest.raises(RateLimited):
            services.message_post(game_id=started_game.pk, viewer=player(ana), body="one too many")
        assert Message.objects.count() == 3


class TestOrders:
    def test_orders_are_refused_before_the_game_starts(self, game):
        _, bo = seat_client(game, "borun", "Bo")
        with pytest.raises(PhaseClosed, match="not started"):
            add(game, bo, {"type": "BUILD", "class": "MRBM", "qty": 1})

    def test_a_legal_order_is_stored_and_an_illegal_one_is_refused_with_the_rule(self, started_game):
        _, bo = seat_client(started_game, "borun", "Bo")
        sub = add(started_game, bo, {"type": "BUILD", "class": "MRBM", "qty": "1"})
        assert sub.orders[0]["type"] == "BUILD"
        for raw in (
            {"type": "BUILD", "class": "MRBM", "qty": -3},
            {"type": "BUILD", "class": "WARP", "qty": 1},
            {"type": "BUILD", "class": "MRBM", "qty": 999},
            {"type": "LAUNCH_EVERYTHING"},
        ):
            with pytest.raises(InvalidInput):
                add(started_game, bo, raw)
        assert len(OrderSubmission.objects.get(seat=bo.seat).orders) == 1

    def test_a_double_submitted_order_is_applied_once(self, started_game):
        _, bo = seat_client(started_game, "borun", "Bo")
        raw = {"type": "BUY_INTERCEPTORS", "itype": "TERMINAL", "qty": "1"}
        add(started_game, bo, raw, token="t1")
        assert len(add(started_game, bo, raw, token="t1").orders) == 1

    def test_removing_with_a_stale_revision_changes_nothing(self, started_game):
        _, bo = seat_client(started_game, "borun", "Bo")
        sub = add(started_game, bo, {"type": "BUY_INTERCEPTORS", "itype": "TERMINAL", "qty": "1"})
        with pytest.raises(StaleVersion):
            services.order_remove(game_id=started_game.pk, seat_id=bo.seat_id, member_id=bo.pk, index=0,
                                  revision=sub.revision - 1)
        sub = services.order_remove(game_id=started_game.pk, seat_id=bo.seat_id, member_id=bo.pk, index=0,
                                    revision=sub.revision)
        assert sub.orders == []

    def test_revising_orders_clears_the_ready_flag(self, started_game):
        _, bo = seat_client(started_game, "borun", "Bo")
        seat_client(started_game, "aurel", "Ana")  # a second player, so one ready flag does not advance the phase
        services.seat_set_ready(game_id=started_game.pk, seat_id=bo.seat_id, member_id=bo.pk, ready=True)
        add(started_game, bo, {"type": "BUY_INTERCEPTORS", "itype": "TERMINAL", "qty": "1"})
        assert Seat.objects.get(pk=bo.seat_id).is_ready is False

    def test_an_order_given_in_the_report_phase_is_refused_with_a_reason(self, started_game):
        _, bo = seat_client(started_game, "borun", "Bo")
        to_orders(started_game)
        services.phase_advance(game_id=started_game.pk, expected_phase="orders", expected_turn=1, actor="t")
        with pytest.raises(PhaseClosed, match="resolved"):
            add(started_game, bo, {"type": "BUILD", "class": "MRBM", "qty": 1})


class TestPhases:
    def test_a_turn_runs_negotiation_orders_report_then_the_next_turn(self, started_game):
        _, bo = seat_client(started_game, "borun", "Bo")
        before = true_missiles(started_game, "borun", "MRBM")
        add(started_game, bo, {"type": "BUILD", "class": "MRBM", "qty": "2"})
        phases = []
        for expected in ("negotiation", "orders", "report"):
            started_game.refresh_from_db()
            assert started_game.phase == expected
            phases.append(started_game.phase)
            assert services.phase_advance(game_id=started_game.pk, expected_phase=expected,
                                          expected_turn=started_game.turn, actor="t")
        started_game.refresh_from_db()
        assert (started_game.phase, started_game.turn) == ("negotiation", 2)
        assert true_missiles(started_game, "borun", "MRBM") == before + 2
        assert TurnRecord.objects.get(game=started_game, turn=1).orders["borun"][0]["type"] == "BUILD"

    def test_a_phase_advances_exactly_once(self, started_game):
        to_orders(started_game)
        assert services.phase_advance(game_id=started_game.pk, expected_phase="orders", expected_turn=1, actor="a")
        assert not services.phase_advance(game_id=started_game.pk, expected_phase="orders", expected_turn=1, actor="b")
        assert TurnRecord.objects.filter(game=started_game, turn=1).count() == 1

    def test_the_phase_advances_early_when_every_played_seat_is_ready(self, started_game):
        _, ana = seat_client(started_game, "aurel", "Ana")
        _, bo = seat_client(started_game, "borun", "Bo")
        services.seat_set_ready(game_id=started_game.pk, seat_id=ana.seat_id, member_id=ana.pk, ready=True)
        started_game.refresh_from_db()
        assert started_game.phase == "negotiation"
        services.seat_set_ready(game_id=started_game.pk, seat_id=bo.seat_id, member_id=bo.pk, ready=True)
        started_game.refresh_from_db()
        assert started_game.phase == "orders"
        assert GameEvent.objects.filter(kind="phase.advanced", actor="rule:all-ready").exists()
        assert not Seat.objects.filter(game=started_game, is_ready=True).exists()

    def test_the_last_turn_ends_the_game_with_final_scores(self, started_game):
        state = game_engine.state_from_json(started_game.state)
        for _ in range(state.max_turns):
            resolve(started_game)
        started_game.refresh_from_db()
        assert started_game.phase == Phase.FINISHED
        view = game_engine.view_for(game_engine.state_from_json(started_game.state), None)
        assert set(view.final_scores or {}) == {"aurel", "borun", "calla", "dresk"}

    def test_ending_early_reveals_scores_and_logs_why(self, started_game):
        services.game_end(game_id=started_game.pk, actor="facilitator:t", reason="bell rang")
        started_game.refresh_from_db()
        view = game_engine.view_for(game_engine.state_from_json(started_game.state), None)
        assert started_game.phase == Phase.FINISHED and view.final_scores
        assert GameEvent.objects.get(kind="game.ended").data["reason"] == "bell rang"

    def test_rolling_back_orders_returns_to_negotiation_and_keeps_orders(self, started_game):
        _, bo = seat_client(started_game, "borun", "Bo")
        to_orders(started_game)
        add(started_game, bo, {"type": "BUILD", "class": "MRBM", "qty": "1"})
        services.phase_rollback(game_id=started_game.pk, actor="facilitator:t", reason="misclick")
        started_game.refresh_from_db()
        assert started_game.phase == "negotiation"
        assert len(OrderSubmission.objects.get(seat=bo.seat).orders) == 1


class TestDeadlinesAndClock:
    @pytest.fixture
    def timed_game(self, facilitator):
        game = services.game_create(facilitator=facilitator, scenario_slug="meridian-sea", title="Timed",
                                    mode="expected", negotiation_seconds=60, orders_seconds=60, report_seconds=30)
        services.game_start(game_id=game.pk, actor="t")
        game.refresh_from_db()
        return game

    def test_starting_sets_the_phase_deadline(self, timed_game):
        left = (timed_game.deadline_at - timezone.now()).total_seconds()
        assert 55 < left <= 60

    def test_the_clock_advances_a_phase_whose_deadline_passed(self, timed_game):
        timed_game.deadline_at = timezone.now() - timedelta(seconds=1)
        timed_game.save()
        assert clock.tick() == [(timed_game.pk, "advanced")]
        timed_game.refresh_from_db()
        assert timed_game.phase == "orders"
        assert clock.tick() == []

    def test_a_phase_found_long_overdue_after_an_outage_gets_extra_time(self, timed_game):
        timed_game.deadline_at = timezone.now() - timedelta(minutes=30)
        timed_game.save()
        assert clock.tick() == [(timed_game.pk, "extended")]
        timed_game.refresh_from_db()
        assert timed_game.phase == "negotiation"
        assert timed_game.deadline_at > timezone.now()
        assert GameEvent.objects.filter(kind="deadline.restart_extension").exists()

    def test_pausing_freezes_the_countdown_and_resuming_restores_it(self, timed_game):
        services.game_pause(game_id=timed_game.pk, actor="facilitator:t", reason="questions")
        timed_game.refresh_from_db()
        assert timed_game.deadline_at is None and 55 < timed_game.paused_remaining <= 60
        Game = type(timed_game)
        Game.objects.filter(pk=timed_game.pk).update(paused_at=timezone.now() - timedelta(minutes=10))
        assert clock.tick() == []
        services.game_resume(game_id=timed_game.pk, actor="facilitator:t")
        timed_game.refresh_from_db()
        left = (timed_game.deadline_at - timezone.now()).total_seconds()
        assert 50 < left <= 60

    def test_extensions_are_logged_and_capped(self, timed_game):
        services.deadline_extend(game_id=timed_game.pk, actor="facilitator:t", minutes=20, reason="debate")
        with pytest.raises(InvalidInput, match="at most"):
            services.deadline_extend(game_id=timed_game.pk, actor="facilitator:t", minutes=20)
        assert GameEvent.objects.get(kind="deadline.extended").data == {"minutes": 20, "reason": "debate",
                                                                        "phase": "negotiation"}


class TestMissedOrders:
    def test_hold_gives_no_orders_and_logs_the_policy(self, started_game):
        resolve(started_game)
        record = TurnRecord.objects.get(game=started_game, turn=1)
        assert record.orders["calla"] == []
        assert GameEvent.objects.filter(kind="orders.missed_policy", data__state="calla", data__policy="hold").exists()

    def test_repeat_replays_the_last_orders(self, started_game):
        started_game.missed_orders = "repeat"
        started_game.save()
        _, bo = seat_client(started_game, "borun", "Bo")
        add(started_game, bo, {"type": "BUY_INTERCEPTORS", "itype": "TERMINAL", "qty": "1"})
        resolve(started_game)
        resolve(started_game)
        record = TurnRecord.objects.get(game=started_game, turn=2)
        assert [o["type"] for o in record.orders["borun"]] == ["BUY_INTERCEPTORS"]

    def test_a_bot_plays_a_seat_handed_to_it(self, started_game):
        services.seat_set_bot(game_id=started_game.pk, state_id="dresk", policy="dove", actor="facilitator:t")
        resolve(started_game)
        assert GameEvent.objects.filter(kind="orders.missed_policy", data__state="dresk", data__policy="bot:dove").exists()


class TestInjects:
    def test_a_targeted_inject_is_logged_for_its_audience_only(self, started_game):
        inject = services.inject_send(game_id=started_game.pk, actor="facilitator:t", title="Leak",
                                      text="A document leaks.", targets=["borun"])
        assert inject.audience == ["borun"]
        event = GameEvent.objects.get(kind="inject.sent")
        assert event.audience == ["borun"]

    def test_an_inject_needs_a_title_and_text(self, started_game):
        with pytest.raises(InvalidInput):
            services.inject_send(game_id=started_game.pk, actor="facilitator:t", title=" ", text="x", targets=None)

    def test_scheduled_injects_fire_once_at_their_turn(self, started_game):
        scheduled = list(game_engine.load_scenario("meridian-sea").injects)
        for _ in range(3):
            resolve(started_game)
        fired = Inject.objects.filter(game=started_game, source="scenario")
        expected = [i for i in scheduled if i.turn <= 4]
        assert fired.count() == len(expected)


class TestInjectEffects:
    def test_an_inject_with_an_effect_changes_the_game_when_the_turn_resolves(self, started_game):
        before = game_engine.view_for(game_engine.state_from_json(started_game.state), game_engine.FACILITATOR)
        services.inject_send(game_id=started_game.pk, actor="facilitator:t", title="Windfall",
                             text="A trade deal fills Calla's coffers.", targets=["calla"],
                             effect={"budget_change": {"calla": 25}})
        resolve(started_game)
        record = TurnRecord.objects.get(game=started_game, turn=1)
        assert any(e["kind"] == "inject" and e["audience"] == ["calla"] for e in record.events)
        after = game_engine.view_for(game_engine.state_from_json(record.state_before), game_engine.FACILITATOR)
        assert after != before  # the queued effect is part of the state the engine resolved

    def test_an_invalid_effect_is_refused_with_the_engines_reason(self, started_game):
        with pytest.raises(InvalidInput):
            services.inject_send(game_id=started_game.pk, actor="facilitator:t", title="Outage", text="x",
                                 targets=None, effect={"radar_outage": "NOWHERE-9"})


class TestNonPlayerCharacters:
    def test_a_scenarios_npc_state_is_played_by_the_hawk_bot_until_someone_takes_it(self, facilitator):
        game = services.game_create(facilitator=facilitator, scenario_slug="shield-of-the-east", title="S",
                                    mode="expected")
        npcs = [i.id for i in game_engine.load_scenario("shield-of-the-east").info.states if i.npc]
        assert npcs
        seat = Seat.objects.get(game=game, state_id=npcs[0])
        assert seat.bot_policy == "hawk"
        services.seat_claim(game_id=game.pk, state_id=npcs[0], display_name="Sam")
        seat.refresh_from_db()
        assert seat.bot_policy == ""


class TestHeldBackInjects:
    def test_an_inject_held_for_a_turn_goes_out_when_that_turn_starts(self, started_game):
        held = services.inject_send(game_id=started_game.pk, actor="facilitator:t", title="Later", text="Turn 2 news",
                                    targets=None, trigger={"turn": 2})
        assert held.pending and not Inject.objects.filter(pending=False, title="Later").exists()
        resolve(started_game)
        held.refresh_from_db()
        assert not held.pending and held.turn == 2
        assert GameEvent.objects.filter(kind="inject.sent", data__title="Later").exists()

    def test_an_inject_waiting_for_an_unnotified_test_fires_only_after_one(self, started_game):
        _, bo = seat_client(started_game, "borun", "Bo")
        services.inject_send(game_id=started_game.pk, actor="facilitator:t", title="Alarm", text="Sirens",
                             targets=None, trigger={"condition": "unnotified_test", "state": "borun"})
        resolve(started_game)
        assert Inject.objects.get(title="Alarm").pending
        services.order_add(game_id=started_game.pk, seat_id=bo.seat_id, member_id=bo.pk,
                           raw={"type": "TEST", "class": "MRBM", "notify": False})
        resolve(started_game)
        assert not Inject.objects.get(title="Alarm").pending

    def test_a_held_inject_can_be_cancelled_and_a_past_turn_is_refused(self, started_game):
        held = services.inject_send(game_id=started_game.pk, actor="facilitator:t", title="Maybe", text="x",
                                    targets=None, trigger={"condition": "crisis"})
        services.inject_cancel(game_id=started_game.pk, actor="facilitator:t", inject_id=held.pk)
        assert not Inject.objects.filter(pk=held.pk).exists()
        with pytest.raises(InvalidInput, match="later turn"):
            services.inject_send(game_id=started_game.pk, actor="facilitator:t", title="Past", text="x",
                                 targets=None, trigger={"turn": 1})


class TestMergedSeats:
    def test_a_student_plays_an_absent_classmates_state_and_switches_between_them(self, started_game):
        client, ana = seat_client(started_game, "aurel", "Ana")
        merged = services.seat_merge(game_id=started_game.pk, member_id=ana.pk, state_id="calla", actor="facilitator:t")
        assert merged.is_captain and merged.linked_to_id == ana.pk
        page = client.get(f"/play/{started_game.code}/").content.decode()
        assert "Switch to Calla" in page
        client.post(f"/g/{started_game.pk}/switch/", {"member_id": merged.pk})
        page = client.get(f"/play/{started_game.code}/").content.decode()
        assert "playing Calla" in page and "Switch to Aurel" in page
        other, _ = seat_client(started_game, "borun", "Bo")
        assert other.post(f"/g/{started_game.pk}/switch/", {"member_id": merged.pk}).status_code == 404

    def test_a_played_state_cannot_be_merged_into(self, started_game):
        _, ana = seat_client(started_game, "aurel", "Ana")
        seat_client(started_game, "borun", "Bo")
        with pytest.raises(SeatTaken):
            services.seat_merge(game_id=started_game.pk, member_id=ana.pk, state_id="borun", actor="facilitator:t")
