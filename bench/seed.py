#!/usr/bin/env python
"""Seat many players at once, through the services, for the load generator (bench/load.py
--players-file). Joining over HTTP is what load.py does by default and what the quick suite
measures; seeding skips those three requests per player so the 1,000-player scenario spends its
time on what it measures: the chat posts, the turn and the pushes.

Run with the servers' environment (bench/run_all.py does):
    DJANGO_SETTINGS_MODULE=bench.settings DATABASE_URL=... python bench/seed.py --rooms 100 --out players.json

Creates one started game per room (teams allowed), seats its players (the first of each state is
its captain) and opens a session for each, exactly as the join page would; prints nothing secret
beyond what the benchmark database holds.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rooms", type=int, default=100)
    ap.add_argument("--room-size", type=int, default=10)
    ap.add_argument("--big-room", type=int, default=0, help="one more room of this size (the turn scenario's)")
    ap.add_argument("--facilitator", default="bench", help="username of the games' facilitator")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import transaction

    from negotiation import services
    from negotiation.models import Game
    from negotiation.seat_session import remember_member

    host = get_user_model().objects.get(username=args.facilitator)
    sizes = [(args.room_size, "chat")] * args.rooms + ([(args.big_room, "turn")] if args.big_room else [])
    rooms = []
    for index, (size, kind) in enumerate(sizes):
        game = services.game_create(facilitator=host, scenario_slug="meridian-sea", title=f"Bench room {index}",
                                    mode="expected")
        Game.objects.filter(pk=game.pk).update(allow_teams=True)
        services.game_start(game_id=game.pk, actor="bench")
        states = [s.state_id for s in game.seats.order_by("pk")]
        players = []
        with transaction.atomic():  # one commit (and one seat-list push) per room
            for k in range(size):
                member = services.seat_claim(game_id=game.pk, state_id=states[k % len(states)],
                                             display_name=f"Player {index}-{k}", as_team_member=k >= len(states))
                session = SessionStore()
                remember_member(session, member)
                session.create()
                players.append({"session": session.session_key, "captain": member.is_captain})
        rooms.append({"index": index, "size": size, "kind": kind, "game_id": game.pk, "code": game.code,
                      "players": players})
    Path(args.out).write_text(json.dumps({"rooms": rooms}) + "\n")
    print(f"seeded {sum(len(r['players']) for r in rooms)} players in {len(rooms)} games")


if __name__ == "__main__":
    main()
