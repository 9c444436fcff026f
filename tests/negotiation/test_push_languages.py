"""Pushes are rendered in the languages a game's sockets speak (broadcasts.push_languages): the
default always, another one once a socket of the game has opened in it. A socket whose language a
push lacks renders the push's fragments itself, so it never shows another language's text."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.core.cache import cache
from django.test import override_settings
from django.utils import translation

from config.asgi import application
from negotiation import broadcasts, rendering
from negotiation.models import Game, Seat
from tests.negotiation.test_push_no_db import HEADERS, MEMORY, drain, game_with_players


async def connected_in(game, cookie: bytes, language: str):
    comm = WebsocketCommunicator(application, f"/ws/game/{game.pk}/",
                                 headers=[*HEADERS, (b"cookie", cookie), (b"accept-language", language.encode())])
    ok, _ = await comm.connect()
    assert ok
    return comm


@database_sync_to_async
def renders(game_id: int, language: str, seat_id: int) -> tuple[str, str]:
    """What the public push and the seat's push of game-status / my-forces read in ``language``."""
    game = Game.objects.get(pk=game_id)
    seat = Seat.objects.get(pk=seat_id)
    with translation.override(language):
        public = rendering.public_fragments_html(game_id, ("game-status",))
        mine = rendering.seat_fragments_html(game, seat.pk, seat.state_id, ("my-forces",))
    return public, mine


def change(game_id: int) -> None:
    broadcasts.game_changed(game_id=game_id, public=("game-status",), private=("my-forces",))


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_game_renders_the_languages_its_sockets_speak_and_a_missing_one_is_rendered_by_the_socket():
    with override_settings(CHANNEL_LAYERS=MEMORY):
        game, seated = await game_with_players()
        (_ana, ana_cookie), (bo, bo_cookie) = seated
        await database_sync_to_async(cache.clear)()
        assert await database_sync_to_async(broadcasts.push_languages)(game.pk) == ["en"]
        english = await connected_in(game, ana_cookie, "en")
        spanish = await connected_in(game, bo_cookie, "es")
        await drain(english)
        await drain(spanish)
        # the Spanish socket marked its language when it opened: pushes are rendered in both
        assert await database_sync_to_async(broadcasts.push_languages)(game.pk) == ["en", "es"]
        en_public, _ = await renders(game.pk, "en", bo.seat_id)
        es_public, es_mine = await renders(game.pk, "es", bo.seat_id)
        assert en_public != es_public and es_mine.strip()

        for marked in (True, False):
            if not marked:  # the marker is gone (evicted, a cache restarted): Spanish is not rendered
                await database_sync_to_async(cache.clear)()
                assert await database_sync_to_async(broadcasts.push_languages)(game.pk) == ["en"]
            await database_sync_to_async(change)(game.pk)
            heard_es = "".join(await drain(spanish))
            heard_en = "".join(await drain(english))
            assert es_public in heard_es and en_public not in heard_es, marked
            assert es_mine in heard_es, marked
            assert en_public in heard_en and es_public not in heard_en, marked
        await english.disconnect()
        await spanish.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_the_projector_renders_the_public_map_it_is_rung_for_in_its_language():
    with override_settings(CHANNEL_LAYERS=MEMORY):
        game, _seated = await game_with_players()
        projector = WebsocketCommunicator(application, f"/ws/game/{game.pk}/?key={game.observer_key}",
                                          headers=[*HEADERS, (b"accept-language", b"es")])
        ok, _ = await projector.connect()
        assert ok
        await drain(projector)
        await database_sync_to_async(broadcasts.game_changed)(game_id=game.pk, public=("region-map-public",))
        heard = "".join(await drain(projector))

        @database_sync_to_async
        def spanish_map() -> str:
            with translation.override("es"):
                return rendering.public_fragments_html(game.pk, ("region-map-public",))

        expected = await spanish_map()
        assert 'id="region-map-public"' in expected and expected in heard
        await projector.disconnect()
