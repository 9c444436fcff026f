"""A whole game across two Daphne processes sharing Redis and PostgreSQL, with players on both:
everyone joins over HTTP on their own process, holds the game socket there, talks, gives orders
every turn; the facilitator drives the game from one process and watches its console on the other.
Every turn's results reach every screen, and the game ends with its scoreboard on every screen."""

from __future__ import annotations

import asyncio
import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

import pytest
import websockets

from tests.e2e.servers import Cluster, fresh_postgres_database, postgres_available

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.slow]

FACILITATOR = ("host", "pw-host-full-game-123")
CSRF_HEADER = re.compile(r'"X-CSRFToken": "([^"]+)"')
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


@dataclass
class Browser:
    """One person's browser: a cookie jar against one server process."""

    port: int
    jar: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)
    csrf: str = ""

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def open(self, path: str, form: dict[str, str] | None = None, hx: bool = False) -> tuple[int, str, str]:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)
        headers = {"Origin": self.base, "Referer": self.base + path}
        if hx:
            headers |= {"HX-Request": "true", "X-CSRFToken": self.csrf}
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(self.base + path, data=data, headers=headers)
        try:
            with opener.open(request, timeout=30) as response:
                return response.status, response.read().decode(), response.headers.get("Location", "")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(), exc.headers.get("Location", "")

    def form_token(self, path: str) -> str:
        status, page, _ = self.open(path)
        assert status == 200, f"GET {path}: {status}"
        return CSRF_INPUT.search(page).group(1)

    def page_token(self, path: str) -> str:
        status, page, _ = self.open(path)
        assert status == 200, f"GET {path}: {status}"
        self.csrf = CSRF_HEADER.search(page).group(1)
        return page

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


def section(frame: str, element_id: str) -> str:
    at = frame.find(f'id="{element_id}"')
    if at < 0:
        return ""
    end = frame.find("</section>", at)
    return frame[at:end if end > 0 else None]


class Screen:
    """A live page: the game socket of one browser, and everything it was sent."""

    def __init__(self, name: str, browser: Browser, game_id: int) -> None:
        self.name, self.browser, self.game_id = name, browser, game_id
        self.frames: list[str] = []
        self.ws = None

    async def open(self) -> None:
        self.ws = await websockets.connect(
            f"ws://127.0.0.1:{self.browser.port}/ws/game/{self.game_id}/", origin=self.browser.base,
            additional_headers={"Cookie": self.browser.cookie_header()}, compression=None, proxy=None,
            max_size=2**22)
        await self.wait_for(lambda f: 'id="game-status"' in f, "the resync")

    async def wait_for(self, seen, what: str, limit: float = 20.0) -> str:
        """The first frame since the last forget() that satisfies `seen`, waiting for it if needed."""
        for frame in self.frames:
            if seen(frame):
                return frame
        try:
            async with asyncio.timeout(limit):
                while True:
                    frame = await self.ws.recv()
                    self.frames.append(frame)
                    if seen(frame):
                        return frame
        except TimeoutError:
            raise AssertionError(f"{self.name}: {what} never arrived") from None

    def forget(self) -> None:
        self.frames.clear()


@pytest.fixture(scope="module")
def cluster():
    if not postgres_available():
        pytest.skip("PostgreSQL is not reachable at POSTGRES_TEST_URL")
    running = Cluster(fresh_postgres_database("treatycraft_full_game"), processes=2).start()
    running.script(
        "import json\nfrom django.contrib.auth import get_user_model\n"
        f"get_user_model().objects.create_user(username={FACILITATOR[0]!r}, password={FACILITATOR[1]!r}, "
        "is_staff=True)\nprint(json.dumps({}))")
    yield running
    running.stop()


def test_a_whole_game_plays_to_its_scoreboard_with_players_on_two_processes(cluster):
    port_a, port_b = cluster.ports
    host = Browser(port_b)
    token = host.form_token("/accounts/login/")
    status, _, _ = host.open("/accounts/login/", {"username": FACILITATOR[0], "password": FACILITATOR[1],
                                                 "csrfmiddlewaretoken": token})
    assert status == 302
    host.page_token("/facilitate/")
    status, _, location = host.open("/facilitate/new/", {
        "scenario": "meridian-sea", "title": "Across two processes", "mode": "expected", "timing": "manual",
        "missed_orders": "hold", "bot_policy": "reciprocator", "allow_teams": "on"}, hx=True)
    assert status == 302, status
    game_id = int(re.search(r"/facilitate/(\d+)/", location).group(1))
    console = host.page_token(f"/facilitate/{game_id}/")
    code = re.search(r"/join/([A-Z0-9]+)/", console).group(1)

    # Captains of Aurel and Borun on process A; Calla, Dresk and Aurel's second member on B.
    seats = [("aurel", "Ana", port_a, ""), ("borun", "Bo", port_a, ""), ("calla", "Cy", port_b, ""),
             ("dresk", "Di", port_b, ""), ("aurel", "Al", port_b, "team:")]
    players: dict[str, Browser] = {}
    for state, name, port, team in seats:
        browser = Browser(port)
        token = browser.form_token(f"/join/{code}/")
        status, _, _ = browser.open(f"/join/{code}/", {"csrfmiddlewaretoken": token, "display_name": name,
                                                       "state_id": team + state})
        assert status == 302, f"{name} could not join {state}"
        browser.page_token(f"/play/{code}/")
        players[name] = browser
    captains = {"Ana": "aurel", "Bo": "borun", "Cy": "calla", "Di": "dresk"}
    host_on_a = Browser(port_a, jar=host.jar)  # the facilitator's console open on the other process

    async def play() -> int:
        screens = [Screen(name, b, game_id) for name, b in players.items()]
        console_screen = Screen("console", host_on_a, game_id)
        for screen in [*screens, console_screen]:
            await screen.open()
        status, _, _ = await asyncio.to_thread(host.open, f"/facilitate/{game_id}/start/", {}, True)
        assert status == 200
        for screen in screens:
            await screen.wait_for(lambda f: "Turn 1: negotiation" in section(f, "game-status"), "the start")
        turn = 1
        while True:
            # Talk across processes: a message from process A and one from B reach all five screens.
            for speaker in ("Bo", "Cy"):
                text = f"turn {turn}: {speaker} proposes a freeze"
                status, _, _ = await asyncio.to_thread(
                    players[speaker].open, f"/g/{game_id}/chat/", {"body": text, "channel": "plenary"}, True)
                assert status == 200
                for screen in screens:
                    await screen.wait_for(lambda f, t=text: t in f, f"chat {text!r}")
            # Every captain gives an order through their own process.
            for name in captains:
                status, reply, _ = await asyncio.to_thread(
                    players[name].open, f"/g/{game_id}/orders/add/",
                    {"type": "BUILD", "class": "SRBM", "qty": "1"}, True)
                assert status == 200, f"{name}'s order: HTTP {status}"
                assert "Build 1 SRBM" in reply
            for phase in ("negotiation", "orders"):
                status, _, _ = await asyncio.to_thread(
                    host.open, f"/facilitate/{game_id}/advance/", {"phase": phase, "turn": str(turn)}, True)
                assert status == 200, f"advance from {phase} of turn {turn}: HTTP {status}"
            for screen in screens:
                await screen.wait_for(lambda f, n=turn: f"Turn {n}" in section(f, "public-results"),
                                      f"turn {turn}'s results")
                await screen.wait_for(lambda f, n=turn: f"Turn {n}" in section(f, "private-report"),
                                      f"turn {turn}'s private report")
            await console_screen.wait_for(lambda f: 'id="console-controls"' in f, "the console update")
            status, page, _ = await asyncio.to_thread(host.open, f"/facilitate/{game_id}/")
            if "Game over" in section(page, "game-status") or turn >= 12:
                break
            status, _, _ = await asyncio.to_thread(
                host.open, f"/facilitate/{game_id}/advance/", {"phase": "report", "turn": str(turn + 1)}, True)
            assert status == 200, f"advance to turn {turn + 1}: HTTP {status}"
            turn += 1
            for screen in [*screens, console_screen]:
                screen.forget()
        for screen in screens:
            await screen.wait_for(lambda f: "Final scoreboard" in section(f, "scoreboard"), "the final scoreboard")
        for screen in [*screens, console_screen]:
            await screen.ws.close()
        return turn

    turns = asyncio.run(play())
    record = cluster.script(
        "import json\nfrom negotiation.models import Game, TurnRecord, Message\n"
        f"g = Game.objects.get(pk={game_id})\n"
        "print(json.dumps({'phase': g.phase, 'turns': TurnRecord.objects.filter(game=g).count(), "
        "'messages': Message.objects.filter(game=g, channel='plenary').count()}))")
    assert record["phase"] == "finished"
    assert record["turns"] == turns
    assert record["messages"] >= 2 * turns
