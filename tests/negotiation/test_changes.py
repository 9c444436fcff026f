"""Services publish typed changes; broadcasts alone maps each one to the fragments and audiences it
redraws. mypy checks the mapping is exhaustive (assert_never); these tests check at run time that
every change type, published for a sample game, renders and sends its fragments without error."""

from __future__ import annotations

import typing
from collections.abc import Callable
from unittest import mock

import pytest
from django.db import transaction

from negotiation import broadcasts, changes, rendering, services
from negotiation.models import Channel, Game, Member, Seat
from negotiation.viewer import Role, Viewer
from tests.helpers import seat_client


def _message(game: Game, member: Member) -> changes.MessagePosted:
    viewer = Viewer(role=Role.PLAYER, game_id=game.pk, seat_id=member.seat_id, state_id="aurel", label="Ana",
                    member_id=member.pk, is_captain=True)
    message = services.message_post(game_id=game.pk, viewer=viewer, body="Hello, Borun.")
    return changes.MessagePosted(game.pk, message, Channel.objects.get(game=game, key="plenary"))


def _seat(game: Game, state_id: str) -> int:
    return Seat.objects.get(game=game, state_id=state_id).pk


# One sample of every change type, for a started game in which Ana plays Aurel and Bo plays Borun.
SAMPLES: dict[type, Callable[[Game, Member, Member], changes.Change]] = {
    changes.GameStarted: lambda g, ana, bo: changes.GameStarted(g.pk),
    changes.PhaseAdvanced: lambda g, ana, bo: changes.PhaseAdvanced(g.pk),
    changes.TurnResolved: lambda g, ana, bo: changes.TurnResolved(g.pk),
    changes.PhaseRolledBack: lambda g, ana, bo: changes.PhaseRolledBack(g.pk),
    changes.GameEnded: lambda g, ana, bo: changes.GameEnded(g.pk),
    changes.DeadlineMoved: lambda g, ana, bo: changes.DeadlineMoved(g.pk),
    changes.PauseChanged: lambda g, ana, bo: changes.PauseChanged(g.pk),
    changes.PressRulesChanged: lambda g, ana, bo: changes.PressRulesChanged(g.pk),
    changes.ReviewAccessChanged: lambda g, ana, bo: changes.ReviewAccessChanged(g.pk),
    changes.MessagePosted: lambda g, ana, bo: _message(g, ana),
    changes.ChannelsChanged: lambda g, ana, bo: changes.ChannelsChanged(g.pk, ("aurel", "borun")),
    changes.ProposalChanged: lambda g, ana, bo: changes.ProposalChanged(g.pk, 1, ("aurel", "borun")),
    changes.NewsReleased: lambda g, ana, bo: changes.NewsReleased(g.pk, None),
    changes.HeldNewsChanged: lambda g, ana, bo: changes.HeldNewsChanged(g.pk),
    changes.SeatJoined: lambda g, ana, bo: changes.SeatJoined(g.pk, ana.seat_id),
    changes.SeatAssigned: lambda g, ana, bo: changes.SeatAssigned(g.pk, ana.seat_id),
    changes.MemberRemoved: lambda g, ana, bo: changes.MemberRemoved(g.pk, bo.seat_id, bo.pk),
    changes.MemberMoved: lambda g, ana, bo: changes.MemberMoved(g.pk, ana.seat_id, _seat(g, "borun")),
    changes.CaptainChanged: lambda g, ana, bo: changes.CaptainChanged(g.pk, ana.seat_id),
    changes.BotChanged: lambda g, ana, bo: changes.BotChanged(g.pk, _seat(g, "calla")),
    changes.PresenceChanged: lambda g, ana, bo: changes.PresenceChanged(g.pk, ana.seat_id),
    changes.ReadinessChanged: lambda g, ana, bo: changes.ReadinessChanged(g.pk, ana.seat_id),
    changes.OrdersChanged: lambda g, ana, bo: changes.OrdersChanged(g.pk, ana.seat_id),
}
CHANGE_TYPES = typing.get_args(changes.Change)


@pytest.fixture
def sent():
    pushes: list[tuple[str, dict]] = []
    with mock.patch.object(broadcasts, "_send", lambda group, message: pushes.append((group, dict(message)))):
        yield pushes


@pytest.fixture
def room(started_game):
    _c, ana = seat_client(started_game, "aurel", "Ana")
    _c, bo = seat_client(started_game, "borun", "Bo")
    # Sockets are open: the per-seat fragments are rendered for the seats' groups.
    Seat.objects.filter(game=started_game).update(connections=1)
    return started_game, ana, bo


def test_every_change_type_has_a_sample_here():
    assert set(SAMPLES) == set(CHANGE_TYPES), "a new change type needs a sample in SAMPLES"


@pytest.mark.parametrize("kind", CHANGE_TYPES, ids=lambda kind: kind.__name__)
def test_each_change_renders_and_sends_its_fragments(room, sent, kind):
    game, ana, bo = room
    change = SAMPLES[kind](game, ana, bo)
    del sent[:]  # what the sample's own set-up sent is not under test
    broadcasts.deliver(change)
    assert sent, f"{kind.__name__} pushed nothing"
    for group, message in sent:
        assert message["type"] in ("push.html", "push.refresh", "push.stage", "push.public", "session.revoked"), message
        if message["type"] == "push.stage":  # the projector's socket renders its stage
            assert group == broadcasts.observers_group(game.pk)
            assert 'id="projector-stage"' in rendering.projector_stage_html(game.pk)
        if message["type"] == "push.public":  # the projector's socket renders its map
            assert group == broadcasts.observers_group(game.pk)
            assert set(message["fragments"]) <= set(rendering.PROJECTOR_ONLY)
            assert 'id="region-map-public"' in rendering.public_fragments_html(game.pk, tuple(message["fragments"]))
        if message["type"] == "push.html":
            assert message["html"].strip().startswith("<"), (group, message["html"][:80])
            assert all(html.strip() for html in message.get("by_language", {}).values())
        if message["type"] == "push.refresh":
            names = message["fragments"]
            if names == ["console"]:
                assert group == broadcasts.facilitator_group(game.pk)
                continue
            assert set(names) <= set(rendering.PUSHED_PRIVATE_FRAGMENTS), names
            # The doorbell's fragments render for the players who receive it.
            for member in (ana, bo):
                viewer = Viewer(role=Role.PLAYER, game_id=game.pk, seat_id=member.seat_id,
                                state_id=member.seat.state_id, label=member.name, member_id=member.pk,
                                is_captain=member.is_captain)
                html = rendering.private_fragments_html(game.pk, viewer, names)
                assert html.strip()
    if kind is not changes.MessagePosted:  # a chat message goes to its channel, not to the console
        assert (broadcasts.facilitator_group(game.pk), {"type": "push.refresh", "fragments": ["console"]}) in sent


def test_a_private_inject_reaches_only_its_states_seats(room, sent):
    game, _ana, bo = room
    broadcasts.deliver(changes.NewsReleased(game.pk, ("borun",)))
    seat_groups = {group for group, _message in sent if group.startswith("seat.")}
    assert seat_groups == {broadcasts.seat_group(bo.seat_id)}
    assert broadcasts.public_group(game.pk) not in {group for group, _message in sent}


def test_a_removed_member_s_sockets_close(room, sent):
    game, _ana, bo = room
    broadcasts.deliver(changes.MemberRemoved(game.pk, bo.seat_id, bo.pk))
    assert (broadcasts.member_group(bo.pk), {"type": "session.revoked"}) in sent


def test_a_service_publishes_after_commit_and_the_push_follows(room, sent, django_capture_on_commit_callbacks):
    game, ana, _bo = room
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.seat_set_ready(game_id=game.pk, seat_id=ana.seat_id, member_id=ana.pk, ready=True)
    assert sent == []  # nothing is pushed before the transaction commits
    for callback in callbacks:
        callback()
    public = [message["html"] for group, message in sent if group == broadcasts.public_group(game.pk)]
    assert any('id="seat-list"' in html for html in public)
    assert (broadcasts.seat_group(ana.seat_id), {"type": "push.refresh", "fragments": ["order-panel"]}) in sent


def test_a_change_published_in_a_rolled_back_transaction_is_never_pushed(
        room, sent, django_capture_on_commit_callbacks):
    game, ana, _bo = room
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError), \
            transaction.atomic():
        changes.publish(changes.SeatJoined(game.pk, ana.seat_id))
        raise RuntimeError("the write failed after publishing")
    assert callbacks == [] and sent == []
