#!/usr/bin/env python
"""What one chat message costs the server, in process (docs/performance.md, "Where the time goes").

Builds a game of 10 players on PostgreSQL (database treatycraft_bench_chat, pooled connections as
in production; SQLite with --sqlite) and posts plenary messages through Django's test client as a
seated player would (POST /g/<id>/chat/), with the push that follows it rendered and sent to the
in-memory channel layer once the transaction commits. Reports, as medians of --repeat posts:

  post     CPU ms of this process for the whole request (view, service, commit, reply, push render)
  queries  database queries of one post (the request and its on-commit push together)

With --socket the same posts go as chat frames on the game socket (static/js/chat-socket.js:
sockets.chat_post through the consumer, answered by an acknowledgement frame), through Channels'
WebsocketCommunicator in this process; "post" is then the CPU from sending the frame to reading
the acknowledgement and the poster's own push (the consumer, its sync hop and the push render).

and, with --profile FILE, a cProfile of all the posts in CPU time (sorted by cumulative time on stdout), or with
--pyinstrument FILE a pyinstrument call tree of them (pip install pyinstrument; text on stdout, HTML
in FILE).

    python bench/bench_chat.py --repeat 300
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import secrets
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.inprocess import seated_room, setup_django  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=200)
    ap.add_argument("--sqlite", action="store_true", help="use a SQLite file instead of PostgreSQL")
    ap.add_argument("--profile", help="write a cProfile of the posts here and print the top entries")
    ap.add_argument("--pyinstrument", help="write a pyinstrument HTML tree of the posts here (and text to stdout)")
    ap.add_argument("--queries", action="store_true", help="print the SQL of the last post")
    ap.add_argument("--socket", action="store_true", help="post chat frames on the game socket instead of HTTP")
    args = ap.parse_args()
    # one player posts them all: no rate limit
    setup_django("treatycraft_bench_chat", sqlite=args.sqlite, pool=True,
                 env={"TREATYCRAFT_CHAT_RATE_PER_MINUTE": "100000"})

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    game, _members, client = seated_room("Chat", seat=1)
    url = reverse("negotiation:chat-post", args=[game.pk])

    n = 0
    if args.socket:  # one socket posts them all: no frame limit either
        from django.conf import settings

        settings.TREATYCRAFT["WS_FRAMES_PER_10S"] = 10**9
    socket = SocketPoster(game.pk, client.cookies["sessionid"].value) if args.socket else None
    hop_queries: list[int] = []
    if socket is not None:  # the frame's database work runs in the consumer's sync thread: count it there
        from negotiation import sockets

        handle = sockets.chat_post

        def counted(viewer: Any, frame: Any) -> str:
            with CaptureQueriesContext(connection) as hop:
                answer = handle(viewer, frame)
            hop_queries.append(len(hop.captured_queries))
            return answer

        sockets.chat_post = counted

    def post() -> None:
        nonlocal n
        n += 1
        body = f"Message {n}: shall we cap the coast site?"
        if socket is not None:
            socket.post(body)
            return
        response = client.post(url, {"body": body, "channel": "plenary", "client_token": secrets.token_hex(8)})
        assert response.status_code == 200, response.content[:300]

    for _ in range(10):
        post()  # warm templates, pools and caches
    times, queries = [], 0
    # timed by this process's CPU clock, like the figures: waiting on the database costs nothing here
    profiler = cProfile.Profile(time.process_time) if args.profile else None
    sampler = None
    if args.pyinstrument:
        from pyinstrument import Profiler

        sampler = Profiler(interval=0.0002)
        sampler.start()
    for _ in range(args.repeat):
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.process_time()
            if profiler:
                profiler.enable()
            post()
            if profiler:
                profiler.disable()
            times.append((time.process_time() - t0) * 1000)
        queries = hop_queries[-1] if hop_queries else len(ctx.captured_queries)
    if sampler:
        sampler.stop()
    print(f"chat post: median {statistics.median(times):.2f} ms CPU, p90 "
          f"{sorted(times)[int(len(times) * 0.9)]:.2f} ms, {queries} queries "
          f"({'SQLite' if args.sqlite else 'PostgreSQL'}, {args.repeat} posts{', over the socket' if socket else ''})")
    if args.queries:
        for q in ctx.captured_queries:
            print("  ", q["sql"][:220])
    if profiler and args.profile:
        profiler.dump_stats(args.profile)
        pstats.Stats(args.profile).sort_stats("cumulative").print_stats(45)
    if sampler:
        Path(args.pyinstrument).write_text(sampler.output_html())
        print(sampler.output_text(unicode=True, show_all=False, timeline=False))


class SocketPoster:
    """A seated player's game socket in this process (the in-memory layer), posting chat frames
    and waiting for the acknowledgement and the message's own push, as a page would see them."""

    def __init__(self, game_id: int, session_key: str) -> None:
        import asyncio
        import threading

        from channels.testing import WebsocketCommunicator

        from config.asgi import application

        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()
        self.comm = WebsocketCommunicator(application, f"/ws/game/{game_id}/", headers=[
            (b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1"),
            (b"cookie", f"sessionid={session_key}".encode())])
        connected, _ = self.run(self.comm.connect(timeout=30))
        assert connected, "the socket was refused"
        self.run(self.drain())

    def run(self, coro: Any) -> Any:
        import asyncio

        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(60)

    async def drain(self) -> None:
        while not await self.comm.receive_nothing(timeout=0.5):
            await self.comm.receive_from()

    def post(self, body: str) -> None:
        self.run(self._post(body))

    async def _post(self, body: str) -> None:
        import json

        token = secrets.token_hex(8)
        await self.comm.send_to(text_data=json.dumps({"type": "chat", "body": body, "channel": "plenary",
                                                      "client_token": token}))
        acked = pushed = False
        while not (acked and pushed):
            frame = str(await self.comm.receive_from(timeout=30))
            if frame.startswith("{"):
                answer = json.loads(frame)
                assert answer.get("type") == "chat.ack" and answer.get("token") == token, frame[:300]
                acked = True
            elif body in frame:
                pushed = True


if __name__ == "__main__":
    main()
