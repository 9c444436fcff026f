#!/usr/bin/env python
"""Room page render time against history length (docs/performance.md).

Builds one game on PostgreSQL (database treatycraft_bench_pages; SQLite with --sqlite), grows its
history step by step (plenary messages with their log events; the game is also played through its
turns), and at each step measures, in process with Django's test client:

  room page      GET /play/<code>/ for a seated player (what a browser loads)
  resync         the HTML a (re)connecting socket is sent (rendering.resync_html)
  chat history   GET /g/<id>/chat/history/ (the "older messages" page)
  public push    the public fragments a change sends to the whole room (rendered once per change)
  private push   one player's private fragments after a turn (rendered for each socket today)

as the median CPU time of --repeat renders (this process only: steadier than wall time on a shared
machine), with the database queries each one makes. The page shows the
latest messages only, so time and queries should stay flat as the history grows.

    python bench/bench_pages.py --history 0,100,1000,5000
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.inprocess import seated_room, setup_django  # noqa: E402


def timed(fn: Any, repeat: int) -> tuple[float, int]:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    fn()  # warm the template and query caches
    times = []
    queries = 0
    for _ in range(repeat):
        reset_queries()
        with CaptureQueriesContext(connection) as ctx:
            # CPU time of this process: steadier than wall time on a shared machine, and what a
            # server process spends (the database's own work is not in it)
            t0 = time.process_time()
            fn()
            times.append((time.process_time() - t0) * 1000)
        queries = len(ctx.captured_queries)
    return statistics.median(times), queries


def profile(fn: Any, repeat: int) -> None:
    """A pyinstrument tree of ``repeat`` calls, then the statements of one call."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from pyinstrument import Profiler

    fn()
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(repeat):
        fn()
    profiler.stop()
    print(profiler.output_text(unicode=False, color=False, show_all=False))
    with CaptureQueriesContext(connection) as ctx:
        fn()
    for q in ctx.captured_queries:
        print(q["sql"][:220])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--history", default="0,100,1000,5000", help="plenary messages at each step")
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--sqlite", action="store_true", help="use a SQLite file instead of PostgreSQL")
    ap.add_argument("--json", help="write the results here too")
    ap.add_argument("--profile", choices=("page", "resync"),
                    help="after the last step, print a pyinstrument profile of --repeat renders of this one "
                         "and the SQL of one render (where the time goes), then stop")
    args = ap.parse_args()
    steps = sorted(int(h) for h in args.history.split(","))
    setup_django(os.environ.get("BENCH_PAGES_DB", "treatycraft_bench_pages"), sqlite=args.sqlite, pool=False)

    from django.db import connection, transaction
    from django.urls import reverse

    from negotiation import broadcasts, rendering, services
    from negotiation.models import Game, GameEvent, Message
    from negotiation.viewer import Role, Viewer

    game, members, client = seated_room("Pages", seat=0)
    me = members[0]
    viewer = Viewer(role=Role.PLAYER, game_id=game.pk, seat_id=me.seat_id, state_id=me.seat.state_id,
                    label=me.name, member_id=me.pk, is_captain=me.is_captain)
    room_url = reverse("negotiation:room", args=[game.code])
    history_url = reverse("negotiation:chat-history", args=[game.pk])

    def grow_to(total: int) -> None:
        with transaction.atomic():
            g = Game.objects.select_for_update().get(pk=game.pk)
            have = Message.objects.filter(game=g).count()
            rows, events = [], []
            for k in range(have, total):
                g.last_seq += 1
                author = members[k % len(members)]
                body = f"Message {k}: shall we cap interceptors at the coast site before turn {1 + k % 8}?"
                rows.append(Message(game=g, seq=g.last_seq, channel="plenary", author_seat_id=author.seat_id,
                                    author_member=author, author_label=f"{author.name} (Aurel)", body=body))
                events.append(GameEvent(game=g, seq=g.last_seq, kind="message.posted", actor=author.name,
                                        audience=None, data={"channel": "plenary", "body": body}))
            Message.objects.bulk_create(rows, batch_size=1000)
            GameEvent.objects.bulk_create(events, batch_size=1000)
            Game.objects.filter(pk=g.pk).update(last_seq=g.last_seq)

    def play_turns(upto: int) -> None:
        g = Game.objects.get(pk=game.pk)
        while g.turn <= upto and g.phase not in ("finished", "lobby"):
            services.phase_advance(game_id=g.pk, expected_phase=g.phase, expected_turn=g.turn, actor="bench")
            g.refresh_from_db()

    if args.profile:
        grow_to(steps[-1])
        play_turns(2)
        target = (lambda: client.get(room_url)) if args.profile == "page" else (
            lambda: rendering.resync_html(game.pk, viewer))
        profile(target, args.repeat)
        return

    rows = []
    for i, total in enumerate(steps):
        grow_to(total)
        play_turns(min(i * 2, 6))  # more turns resolved as the history grows
        g = Game.objects.get(pk=game.pk)
        page_ms, page_q = timed(lambda: client.get(room_url), args.repeat)
        resync_ms, resync_q = timed(lambda: rendering.resync_html(game.pk, viewer), args.repeat)
        before = {"before": str(g.last_seq)}
        hist_ms, hist_q = timed(lambda: client.get(history_url, before), args.repeat)  # noqa: B023
        pub_ms, pub_q = timed(lambda: rendering.public_fragments_html(game.pk, broadcasts.PUBLIC_ALL), args.repeat)
        priv_ms, priv_q = timed(lambda: rendering.private_fragments_html(game.pk, viewer, broadcasts.PRIVATE_ALL),
                                args.repeat)
        status = client.get(room_url).status_code
        rows.append({"messages": total, "turns_resolved": g.turn - 1, "events": GameEvent.objects.filter(game=g).count(),
                     "room_page_ms": round(page_ms, 2), "room_page_queries": page_q, "room_page_status": status,
                     "resync_ms": round(resync_ms, 2), "resync_queries": resync_q,
                     "chat_history_ms": round(hist_ms, 2), "chat_history_queries": hist_q,
                     "public_push_ms": round(pub_ms, 2), "public_push_queries": pub_q,
                     "private_push_ms": round(priv_ms, 2), "private_push_queries": priv_q})

    print(f"Room page against history ({connection.vendor}; CPU ms, median of {args.repeat})")
    print(f"{'messages':>8} {'turns':>5} {'events':>7} {'page ms':>8} {'queries':>7} {'resync ms':>9} "
          f"{'queries':>7} {'older ms':>8} {'queries':>7} {'public ms':>9} {'queries':>7} {'private ms':>10} {'queries':>7}")
    for r in rows:
        print(f"{r['messages']:>8} {r['turns_resolved']:>5} {r['events']:>7} {r['room_page_ms']:>8} "
              f"{r['room_page_queries']:>7} {r['resync_ms']:>9} {r['resync_queries']:>7} {r['chat_history_ms']:>8} "
              f"{r['chat_history_queries']:>7} {r['public_push_ms']:>9} {r['public_push_queries']:>7} "
              f"{r['private_push_ms']:>10} {r['private_push_queries']:>7}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    main()
