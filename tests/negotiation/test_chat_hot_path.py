"""The chat post's hand-written statements (services/chat.py) keep what the ORM version kept: one
sequence per game without gaps, a retry stored once, a refused post leaving nothing behind, the log
entry and the read mark."""

from __future__ import annotations

import pytest

from negotiation import services
from negotiation.errors import InvalidInput, RateLimited
from negotiation.models import Channel, ChannelRead, Game, GameEvent, Member, Message
from negotiation.services import chat
from negotiation.viewer import Role, Viewer
from tests.helpers import seat_client

pytestmark = pytest.mark.django_db


def player(member: Member) -> Viewer:
    return Viewer(role=Role.PLAYER, game_id=member.seat.game_id, seat_id=member.seat_id,
                  state_id=member.seat.state_id, label=member.name, member_id=member.pk, is_captain=member.is_captain)


def test_the_statements_name_the_models_tables():
    names = {Game: "negotiation_game", Channel: "negotiation_channel", Message: "negotiation_message",
             GameEvent: "negotiation_gameevent", ChannelRead: "negotiation_channelread"}
    for model, table in names.items():
        assert model._meta.db_table == table
    assert "negotiation_game " in chat._SEQ_SQL and "negotiation_channel " in chat._CHANNEL_SQL


def test_a_post_takes_the_next_sequence_number_logs_it_and_returns_a_saved_row(started_game):
    _, ana = seat_client(started_game, "aurel", "Ana")
    before = Game.objects.get(pk=started_game.pk).last_seq
    message = services.message_post(game_id=started_game.pk, viewer=player(ana), body=" hello ", client_token="t1")
    stored = Message.objects.get(pk=message.pk)
    assert (stored.seq, stored.body, stored.channel, stored.author_member_id) == (before + 1, "hello", "plenary", ana.pk)
    assert stored.created_at == message.created_at
    assert Game.objects.get(pk=started_game.pk).last_seq == before + 1
    event = GameEvent.objects.get(game=started_game, seq=stored.seq)
    assert (event.kind, event.audience, event.data) == ("message.posted", None,
                                                        {"message": stored.pk, "channel": "plenary", "body": "hello"})
    message.intent = {"id": "x", "params": {}}  # the bots save the row they got back
    message.save(update_fields=["intent"])
    assert Message.objects.get(pk=message.pk).intent == {"id": "x", "params": {}}


def test_a_retry_returns_the_stored_message_and_leaves_no_gap_in_the_sequence(started_game):
    _, ana = seat_client(started_game, "aurel", "Ana")
    first = services.message_post(game_id=started_game.pk, viewer=player(ana), body="hi", client_token="tok")
    again = services.message_post(game_id=started_game.pk, viewer=player(ana), body="hi", client_token="tok")
    after = services.message_post(game_id=started_game.pk, viewer=player(ana), body="next", client_token="tok-2")
    assert again.pk == first.pk and Message.objects.filter(body="hi").count() == 1
    assert after.seq == first.seq + 1  # the retry's number was rolled back with it
    assert Game.objects.get(pk=started_game.pk).last_seq == after.seq


def test_a_refused_or_rate_limited_post_leaves_nothing(started_game, settings):
    settings.TREATYCRAFT = {**settings.TREATYCRAFT, "CHAT_RATE_PER_MINUTE": 1}
    _, ana = seat_client(started_game, "aurel", "Ana")
    _, bo = seat_client(started_game, "borun", "Bo")
    services.message_post(game_id=started_game.pk, viewer=player(ana), body="one")
    seq = Game.objects.get(pk=started_game.pk).last_seq
    events = GameEvent.objects.count()
    with pytest.raises(RateLimited):
        services.message_post(game_id=started_game.pk, viewer=player(ana), body="two", client_token="x")
    with pytest.raises(InvalidInput):  # another pair's line
        services.message_post(game_id=started_game.pk, viewer=player(bo), body="psst", channel="bi:aurel:calla")
    assert Message.objects.count() == 1 and GameEvent.objects.count() == events
    assert Game.objects.get(pk=started_game.pk).last_seq == seq


def test_the_private_line_is_logged_for_its_members_and_the_posters_read_mark_moves(started_game):
    _, ana = seat_client(started_game, "aurel", "Ana")
    services.channel_open(game_id=started_game.pk, viewer=player(ana), key="bi:aurel:borun")
    message = services.message_post(game_id=started_game.pk, viewer=player(ana), body="psst", channel="bi:aurel:borun")
    event = GameEvent.objects.get(game=started_game, seq=message.seq)
    assert event.audience == ["aurel", "borun", "@facilitator"]
    mark = ChannelRead.objects.get(channel__game=started_game, channel__key="bi:aurel:borun", reader=f"member:{ana.pk}")
    assert mark.last_seq == message.seq
    # a first post in a channel never opened creates the mark
    second = services.message_post(game_id=started_game.pk, viewer=player(ana), body="hi", channel="team:aurel")
    assert ChannelRead.objects.get(channel__key="team:aurel", reader=f"member:{ana.pk}").last_seq == second.seq
