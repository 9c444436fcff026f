#!/usr/bin/env python
"""What one chat message costs the server, in process (docs/performance.md, "Where the time goes").

Builds a game of 10 players on PostgreSQL (database treatycraft_bench_chat, pooled connections as
in production; SQLite with --sqlite) and posts plenary messages through Django's test client as a
seated player would (POST /g/<id>/chat/), with the push that follows it rendered and sent to the
in-memory channel layer once the transaction commits. Reports, as medians of --repeat posts:

  post     CPU ms of this process for the whole request (view, service, commit, reply, push render)
  queries  database queries of one post (the request and its on-commit push together)

and, with --profile FILE, a cProfile of all the posts (sorted by cumulative time on stdout), or with
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

    def post() -> None:
        nonlocal n
        n += 1
        response = client.post(url, {"body": f"Message {n}: shall we cap the coast site?", "channel": "plenary",
                                     "client_token": secrets.token_hex(8)})
        assert response.status_code == 200, response.content[:300]

    for _ in range(10):
        post()  # warm templates, pools and caches
    times, queries = [], 0
    profiler = cProfile.Profile() if args.profile else None
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
        queries = len(ctx.captured_queries)
    if sampler:
        sampler.stop()
    print(f"chat post: median {statistics.median(times):.2f} ms CPU, p90 "
          f"{sorted(times)[int(len(times) * 0.9)]:.2f} ms, {queries} queries "
          f"({'SQLite' if args.sqlite else 'PostgreSQL'}, {args.repeat} posts)")
    if args.queries:
        for q in ctx.captured_queries:
            print("  ", q["sql"][:220])
    if profiler and args.profile:
        profiler.dump_stats(args.profile)
        pstats.Stats(args.profile).sort_stats("cumulative").print_stats(45)
    if sampler:
        Path(args.pyinstrument).write_text(sampler.output_html())
        print(sampler.output_text(unicode=True, show_all=False, timeline=False))


if __name__ == "__main__":
    main()
