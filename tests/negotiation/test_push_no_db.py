"""Pushes of pre-rendered HTML (public fragments, chat messages) reach the sockets without any
database work: no SQL from any thread and no thread hop. That is what lets GameConsumer.dispatch
skip Channels' per-message aclose_old_connections() for them (docs/performance.md)."""

from __future__ import annotations

import asyncio
from contextlib import contextmanager
from unittest import mock

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.db.backends.utils import CursorWrapper
from django.test import override_settings

from config.asgi import application
from negotiation import broadcasts, rendering, services
from negotiation.selectors import SESSION_SEATS
from negotiation.viewer import Role, Viewer

MEMORY = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": {"capacity": 1000}}}
HEADERS = [(b"origin", b"http://127.0.0.1:8000"), (b"host", b"127.0.0.1:8000")]


@contextmanager
def database_spy():
    """Counts SQL statements run through Django from any thread, and the consumer's
    aclose_old_connections() thread hops."""
    counts = {"sql": 0, "hops": 0}
    execute, executemany = CursorWrapper.execute, CursorWrapper.executemany
    import channels.consumer

    original_hop = channels.consumer.aclose_old_connections

    def counting_execute(self, *args, **kwargs):
        counts["sql"] += 1
        return execute(self, *args, **kwargs)

    def counting_executemany(self, *args, **kwargs):
        counts["sql"] += 1
        return executemany(self, *args, **kwargs)

    async def counting_hop():
        counts["hops"] += 1
        return await original_hop()

    with mock.patch.object(CursorWrapper, "execute", counting_execute), \
            mock.patch.object(CursorWrapper, "executemany", counting_executemany), \
            mock.patch.object(channels.consumer, "aclose_old_connections", counting_hop):
        yield counts


@database_sync_to_async
def game_with_players():
    user = get_user_model().objects.create_user(username="push", password="pw-push-12345")
    game = services.game_create(facilitator=user, scenario_slug="meridian-sea", title="Push", mode="expected")
    services.game_start(game_id=game.pk, actor="test")
    seated = []
    for state, name in (("aurel", "Ana"), ("borun", "Bo")):
        member = services.seat_claim(game_id=game.pk, state_id=state, display_name=name)
        session = SessionStore()
        session[SESSION_SEATS] = {str(game.pk): {"member": member.pk, "token": member.token}}
        session.create()
        seated.append((member, f"sessionid={session.session_key}".encode()))
    return game, seated


async def connected(game, cookie: bytes) -> WebsocketCommunicator:
    comm = WebsocketCommunicator(application, f"/ws/game/{game.pk}/", headers=[*HEADERS, (b"cookie", cookie)])
    ok, _ = await comm.connect()
    assert ok
    # The first frame is the resync: wait for it (a busy machine renders it late), so a later
    # frame is never taken for it.
    assert "id=" in await next_frame(comm, limit=15.0)
    return comm


async def drain(comm: WebsocketCommunicator, quiet: float = 0.3) -> list[str]:
    frames = []
    while not await comm.receive_nothing(timeout=quiet, interval=0.01):
        frames.append(await comm.receive_from())
    return frames


async def next_frame(comm: WebsocketCommunicator, limit: float = 3.0) -> str:
    # wait with receive_nothing first: a communicator whose receive times out cancels the app
    assert not await comm.receive_nothing(timeout=limit, interval=0.005)
    return await comm.receive_from()


def captured_pushes(send):
    """The messages a broadcast function hands to the channel layer, without sending them."""
    sent: list[tuple[str, dict]] = []

    async def capture(group, message):
        sent.append((group, message))

    with mock.patch.object(get_channel_layer(), "group_send", capture):
        send()
    return sent


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_public_fragments_and_chat_messages_reach_every_socket_without_database_work():
    with override_settings(CHANNEL_LAYERS=MEMORY):
        game, seated = await game_with_players()
        (_ana, ana_cookie), (bo, bo_cookie) = seated
        sockets = [await connected(game, ana_cookie), await connected(game, bo_cookie)]
        for comm in sockets:
            await drain(comm)
        message = await database_sync_to_async(services.message_post)(
            game_id=game.pk, viewer=Viewer(role=Role.PLAYER, game_id=game.pk, seat_id=bo.seat_id, state_id="borun",
                                           label="Bo", member_id=bo.pk, is_captain=True),
            body="Shall we talk about the coast site?")
        for comm in sockets:  # the post's own pushes and doorbells, all of them before the spy starts
            await drain(comm, quiet=1.0)
        # What the broadcasts really send after commit (rendered on the sender's side, once):
        pushes = await database_sync_to_async(captured_pushes)(
            lambda: broadcasts.message_posted(game_id=game.pk, message_id=message.pk))
        pushes += await database_sync_to_async(captured_pushes)(
            lambda: broadcasts.game_changed(game_id=game.pk, public=("seat-list", "game-status")))
        public = [(g, m) for g, m in pushes if g == broadcasts.public_group(game.pk)]
        assert {m["type"] for _, m in public} == {"push.html"}
        assert len(public) == 2

        layer = get_channel_layer()
        with database_spy() as counts:
            for _round in range(10):
                for group, push in public:
                    await layer.group_send(group, push)
            frames = {id(comm): [await next_frame(comm) for _ in range(20)] for comm in sockets}
        assert counts == {"sql": 0, "hops": 0}
        for comm in sockets:
            got = frames[id(comm)]
            assert sum("Shall we talk about the coast site?" in f for f in got) == 10
            assert sum('id="seat-list"' in f for f in got) == 10
        for comm in sockets:
            await comm.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_private_doorbell_still_reads_the_database_through_one_hop():
    """The control: the spy does see database work where there is some, so the test above means
    something. A private change renders the viewer's own fragments on a fresh connection."""
    with override_settings(CHANNEL_LAYERS=MEMORY):
        game, seated = await game_with_players()
        (ana, ana_cookie), _ = seated
        comm = await connected(game, ana_cookie)
        await drain(comm)
        with database_spy() as counts:
            await get_channel_layer().group_send(broadcasts.seat_group(ana.seat_id),
                                                 {"type": "push.refresh", "fragments": ["order-panel"]})
            frame = await next_frame(comm)
        assert 'id="order-panel"' in frame
        assert counts["hops"] == 1
        assert counts["sql"] > 0
        await comm.disconnect()


@pytest.mark.django_db
def test_public_html_is_rendered_once_per_change_not_once_per_socket(started_game, django_assert_max_num_queries):
    """Rendering a public push reads the game once, whatever the number of players: a fixed
    number of queries, none per recipient."""
    for state in ("aurel", "borun", "calla", "dresk"):
        services.seat_claim(game_id=started_game.pk, state_id=state, display_name=state.title())
    with django_assert_max_num_queries(12) as few:
        rendering.public_fragments_html(started_game.pk, tuple(rendering.PUBLIC_FRAGMENTS))
    small = len(few.captured_queries)
    type(started_game).objects.filter(pk=started_game.pk).update(allow_teams=True)
    for i in range(12):
        services.seat_claim(game_id=started_game.pk, state_id="aurel", display_name=f"Crew {i}", as_team_member=True)
    with django_assert_max_num_queries(small):
        rendering.public_fragments_html(started_game.pk, tuple(rendering.PUBLIC_FRAGMENTS))


def test_the_consumer_skips_the_hop_only_for_pre_rendered_pushes():
    """push.html is the only message type whose handler is known to do no database work."""
    from negotiation.consumers import GameConsumer

    consumer = GameConsumer()
    sent: list[str] = []

    async def send(text_data=None, bytes_data=None, close=False):
        sent.append(text_data)

    async def scenario() -> int:
        consumer.send = send  # type: ignore[method-assign]
        calls = 0

        async def hop():
            nonlocal calls
            calls += 1

        import channels.consumer

        with mock.patch.object(channels.consumer, "aclose_old_connections", hop):
            await consumer.dispatch({"type": "push.html", "html": "<div id='x'></div>"})
            consumer.viewer = None
            await consumer.dispatch({"type": "push.refresh", "fragments": ["order-panel"]})
        return calls

    assert asyncio.run(scenario()) == 1
    assert sent == ["<div id='x'></div>"]
