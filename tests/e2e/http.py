"""A tiny browser stand-in for multi-process tests: a session cookie, the CSRF token from the room
page, and form POSTs the way htmx sends them."""

from __future__ import annotations

import asyncio
import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request


class Player:
    def __init__(self, port: int, session_key: str, code: str, game_id: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.session_key = session_key
        self.code = code
        self.game_id = game_id
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.opener.addheaders = [("Cookie", f"sessionid={session_key}")]
        self.token = ""

    def room(self) -> str:
        page = self.opener.open(f"{self.base}/play/{self.code}/", timeout=10).read().decode()
        match = re.search(r'"X-CSRFToken": "([^"]+)"', page)
        assert match, "no CSRF token in the room page"
        self.token = match.group(1)
        return page

    def post(self, path: str, data: dict[str, str]) -> tuple[int, str]:
        if not self.token:
            self.room()
        csrf = next((c.value for c in self.jar if c.name == "csrftoken"), "")
        request = urllib.request.Request(
            f"{self.base}{path}", data=urllib.parse.urlencode(data, doseq=True).encode(),
            headers={"X-CSRFToken": self.token, "Cookie": f"sessionid={self.session_key}; csrftoken={csrf}",
                     "HX-Request": "true", "Origin": self.base, "Referer": f"{self.base}/play/{self.code}/"},
        )
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def chat(self, body: str, channel: str = "plenary") -> int:
        return self.post(f"/g/{self.game_id}/chat/", {"body": body, "channel": channel})[0]

    def ws_url(self) -> str:
        return self.base.replace("http", "ws") + f"/ws/game/{self.game_id}/"


async def receive_until(ws, needle: str, limit: float = 10.0) -> str:
    """Frames until one contains `needle` (all of them, joined)."""
    seen = []
    async with asyncio.timeout(limit):
        while True:
            frame = await ws.recv()
            seen.append(frame)
            if needle in frame:
                return "".join(seen)
