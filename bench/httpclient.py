"""A small asyncio HTTP/1.1 client for the load generator: keep-alive connections, a pool per
server, a cookie jar per player. Loopback only; just enough HTTP for Daphne's replies."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

CSRF_HEADER_RE = re.compile(r'"X-CSRFToken": "([^"]+)"')
CSRF_INPUT_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class HttpError(Exception):
    pass


@dataclass(slots=True)
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        name = name.lower()
        for key, value in self.headers:
            if key == name:
                return value
        return None

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


@dataclass(slots=True)
class CookieJar:
    cookies: dict[str, str] = field(default_factory=dict)

    def update(self, response: Response) -> None:
        for key, value in response.headers:
            if key == "set-cookie":
                pair = value.split(";", 1)[0]
                name, _, val = pair.partition("=")
                name = name.strip()
                if val.strip('"') == "" and "max-age=0" in value.lower():
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = val.strip().strip('"')

    def header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())


class Connection:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def request(self, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> Response:
        if self.writer is None:
            await self.open()
        assert self.reader is not None and self.writer is not None
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", "Connection: keep-alive"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin1") + body)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        parsed = []
        for line in header_lines:
            if ":" in line:
                k, v = line.split(":", 1)
                parsed.append((k.strip().lower(), v.strip()))
        response = Response(status, parsed, b"")
        length = response.header("content-length")
        if length is not None:
            response.body = await self.reader.readexactly(int(length))
        elif (response.header("transfer-encoding") or "").lower() == "chunked":
            chunks = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    await self.reader.readuntil(b"\r\n")
                    break
                chunks.append(await self.reader.readexactly(size))
                await self.reader.readexactly(2)
            response.body = b"".join(chunks)
        elif status not in (204, 304):
            response.body = await self.reader.read()
            self.close()
        if (response.header("connection") or "").lower() == "close":
            self.close()
        return response


class Pool:
    """At most `size` keep-alive connections to one server; a request waits for a free one."""

    def __init__(self, base_url: str, size: int = 32) -> None:
        parts = urlsplit(base_url)
        self.base = base_url.rstrip("/")
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.idle: list[Connection] = []
        self.slots = asyncio.Semaphore(size)

    @contextlib.asynccontextmanager
    async def connection(self) -> AsyncIterator[Connection]:
        async with self.slots:
            conn = self.idle.pop() if self.idle else Connection(self.host, self.port)
            try:
                yield conn
            except BaseException:
                conn.close()
                raise
            else:
                if conn.writer is not None:
                    self.idle.append(conn)

    async def request(self, method: str, path: str, jar: CookieJar | None = None,
                      headers: dict[str, str] | None = None, form: dict[str, str] | None = None,
                      deadline: float = 30.0) -> Response:
        hdrs = dict(headers or {})
        if jar is not None and jar.cookies:
            hdrs["Cookie"] = jar.header()
        body = b""
        if form is not None:
            body = urlencode(form).encode()
            hdrs["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in range(2):
            async with self.connection() as conn:
                reused = conn.writer is not None
                try:
                    response = await asyncio.wait_for(conn.request(method, path, hdrs, body), deadline)
                except (ConnectionError, asyncio.IncompleteReadError) as exc:
                    conn.close()
                    # A kept-alive connection the server closed meanwhile: retry once on a new one.
                    if reused and attempt == 0:
                        continue
                    raise HttpError(f"{method} {path}: {exc!r}") from exc
            if jar is not None:
                jar.update(response)
            return response
        raise HttpError(f"{method} {path}: no connection")

    async def close(self) -> None:
        for conn in self.idle:
            conn.close()
        self.idle.clear()
