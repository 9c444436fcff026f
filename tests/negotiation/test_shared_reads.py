"""A render shares its reads (selectors.share_reads), and rendered chat items are reused
(rendering.chat_items_html): neither may carry one viewer's private data to another. The rows a
render shares are the game's; every selector still filters them for its viewer."""

from __future__ import annotations

import pytest

from negotiation import rendering, selectors, services
from negotiation.models import Game, Inject, Member
from negotiation.viewer import Role, Viewer
from tests.helpers import seat_client


def _player(member: Member) -> Viewer:
    return Viewer(role=Role.PLAYER, game_id=member.seat.game_id, seat_id=member.seat_id, state_id=member.seat.state_id,
                  label=member.name, member_id=member.pk, is_captain=member.is_captain)


@pytest.mark.django_db
def test_seats_rendered_from_one_shared_game_each_see_only_their_own_news_and_orders(started_game):
    _, ana = seat_client(started_game, "aurel", "Ana")
    _, bo = seat_client(started_game, "borun", "Bo")
    Inject.objects.create(game=started_game, seq=900, turn=started_game.turn, title="Aurel secret briefing",
                          text="For Aurel only.", audience=["aurel"], source="test")
    Inject.objects.create(game=started_game, seq=901, turn=started_game.turn, title="Borun secret briefing",
                          text="For Borun only.", audience=["borun"], source="test")
    services.order_add(game_id=started_game.pk, seat_id=ana.seat_id, member_id=ana.pk,
                       raw={"type": "BUILD", "class": "SRBM", "qty": "1"}, client_token="t-1")
    game = Game.objects.get(pk=started_game.pk)
    # as a turn's push renders them: every listening seat from one game instance, in turn
    html = {state: rendering.seat_fragments_html(game, member.seat_id, state, rendering.SEAT_FRAGMENTS)
            for state, member in (("aurel", ana), ("borun", bo))}
    assert "Aurel secret briefing" in html["aurel"] and "Borun secret briefing" not in html["aurel"]
    assert "Borun secret briefing" in html["borun"] and "Aurel secret briefing" not in html["borun"]
    # a page's contexts, sharing their reads, after the other seat's render on the same instance
    selectors.share_reads(game, keep=True)
    assert [o.text for o in selectors.private_view(game, _player(bo)).orders] == []
    assert len(selectors.private_view(game, _player(ana)).orders) == 1


@pytest.mark.django_db
def test_a_shared_read_is_not_reused_after_share_reads_starts_again(started_game):
    _, ana = seat_client(started_game, "aurel", "Ana")
    game = Game.objects.get(pk=started_game.pk)
    selectors.share_reads(game)
    assert selectors.private_view(game, _player(ana)).orders == []
    services.order_add(game_id=game.pk, seat_id=ana.seat_id, member_id=ana.pk,
                       raw={"type": "BUILD", "class": "SRBM", "qty": "1"}, client_token="t-2")
    assert selectors.private_view(game, _player(ana)).orders == []  # the snapshot this render began with
    selectors.share_reads(game)  # a new render starts after the write
    assert len(selectors.private_view(game, _player(ana)).orders) == 1


@pytest.mark.django_db
def test_a_reader_gets_no_rendered_message_of_a_channel_they_cannot_read(started_game):
    _, ana = seat_client(started_game, "aurel", "Ana")
    _, bo = seat_client(started_game, "borun", "Bo")
    _, cy = seat_client(started_game, "calla", "Cy")
    services.message_post(game_id=started_game.pk, viewer=_player(ana), body="Between us: we cap first",
                          channel="bi:aurel:borun")
    game = Game.objects.get(pk=started_game.pk)
    for reader, sees in ((bo, True), (cy, False)):
        context = rendering.chat_context(game, _player(reader), "bi:aurel:borun")
        page = "".join(context["chat_items"]())
        assert ("Between us: we cap first" in page) is sees
