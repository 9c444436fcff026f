"""Two Daphne processes behind no balancer at all, sharing Redis and PostgreSQL: a player on each,
and what one does reaches the other's socket."""

from __future__ import annotations

import asyncio
import http.cookiejar
import re
import urllib.parse
import urllib.request

import pytest
import websockets

from tests.e2e.servers import Cluster, fresh_postgres_database, postgres_available

pytestmark = [pytest.mark.redis, pytest.mark.postgres]

SETUP = """
import json
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from negotiation import services
from negotiation.selectors import SESSION_SEATS
user = get_user_model().objects.create_user(username="t", password="pw-t-12345")
game = services.game_create(facilitator=user, scenario_slug="meridian-sea", title="Scale", mode="expected")
services.game_start(game_id=game.pk, actor="test")
cookies = {}
for state, name in (("aurel", "Ana"), ("borun", "Bo")):
    member = services.seat_claim(game_id=game.pk, state_id=state, display_name=name)
    session = SessionStore()
    session[SESSION_SEATS] = {str(game.pk): {"member": member.pk, "token": member.token}}
    session.create()
    cookies[state] = session.session_key
print(json.dumps({"game": game.pk, "code": game.code, "cookies": cookies}))
"""


@pytest.fixture(scope="module")
def cluster():
    if not postgres_available():
        pytest.skip("PostgreSQL is not reachable at POSTGRES_TEST_URL")
    running = Cluster(fresh_postgres_database("treatycraft_scaleout"), processes=2).start()
    yield running
    running.stop()


def http_session(port: int, session_key: str):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("Cookie", f"sessionid={session_key}")]
    return opener, jar


def post_chat(port: int, session_key: str, code: str, game_id: int, body: str) -> int:
    base = f"http://127.0.0.1:{port}"
    opener, jar = http_session(port, session_key)
    page = opener.open(f"{base}/play/{code}/").read().decode()
    token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
    csrf_cookie = next(c.value for c in jar if c.name == "csrftoken")
    request = urllib.request.Request(
        f"{base}/g/{game_id}/chat/", data=urllib.parse.urlencode({"body": body}).encode(),
        headers={"X-CSRFToken": token, "Cookie": f"sessionid={session_key}; csrftoken={csrf_cookie}",
                 "HX-Request": "true", "Origin": base, "Referer": f"{base}/play/{code}/"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


async def receive_until(ws, needle: str, limit: float = 10.0) -> str:
    async with asyncio.timeout(limit):
        while True:
            frame = await ws.recv()
            if needle in frame:
                return frame


def test_a_message_posted_through_one_process_reaches_a_socket_on_the_other(cluster):
    info = cluster.script(SETUP)
    port_a, port_b = cluster.ports

    async def scenario():
        url_b = f"ws://127.0.0.1:{port_b}/ws/game/{info['game']}/"
        async with websockets.connect(
            url_b, origin=f"http://127.0.0.1:{port_b}", compression=None, proxy=None,
            additional_headers={"Cookie": f"sessionid={info['cookies']['borun']}"},
        ) as ws_b:
            await receive_until(ws_b, 'id="my-forces"')
            status = await asyncio.to_thread(
                post_chat, port_a, info["cookies"]["aurel"], info["code"], info["game"], "across processes")
            assert status == 200
            frame = await receive_until(ws_b, "across processes")
            assert "Ana (Aurel)" in frame

    asyncio.run(scenario())
