"""Shared setup of the in-process benchmarks (bench_pages.py, bench_chat.py): Django on a fresh
benchmark database, and a started game of ten players (four states, six team members of Aurel)
with a test client seated as one of them."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def setup_django(name: str, *, sqlite: bool, pool: bool, env: dict[str, str] | None = None) -> None:
    """Set Django up on a new database ``name`` (PostgreSQL at POSTGRES_TEST_URL, or a SQLite file
    under bench/results) with the in-memory channel layer, and migrate it."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.update(env or {})
    os.environ.pop("REDIS_URL", None)
    if sqlite:
        os.environ.pop("DATABASE_URL", None)
        os.environ["SQLITE_PATH"] = str(ROOT / "bench" / "results" / f"{name}.sqlite3")
        Path(os.environ["SQLITE_PATH"]).parent.mkdir(parents=True, exist_ok=True)  # a fresh checkout has no bench/results
        Path(os.environ["SQLITE_PATH"]).unlink(missing_ok=True)
    else:
        from urllib.parse import urlsplit, urlunsplit

        import psycopg

        from bench.servers import POSTGRES_URL

        with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        query = "pool=true" if pool else ""
        os.environ["DATABASE_URL"] = urlunsplit(urlsplit(POSTGRES_URL)._replace(path=f"/{name}", query=query))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seated_room(title: str, seat: int) -> tuple[Any, list[Any], Any]:
    """(game, its ten members, a test client seated as ``members[seat]``)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from negotiation import services
    from negotiation.models import Game
    from negotiation.selectors import SESSION_SEATS

    user = get_user_model().objects.create_user(username=title.lower(), password=secrets.token_urlsafe(16))
    game = services.game_create(facilitator=user, scenario_slug="meridian-sea", title=title, mode="expected")
    Game.objects.filter(pk=game.pk).update(allow_teams=True)
    services.game_start(game_id=game.pk, actor="bench")
    members = [services.seat_claim(game_id=game.pk, state_id=s, display_name=f"P{i}")
               for i, s in enumerate(("aurel", "borun", "calla", "dresk"))]
    members += [services.seat_claim(game_id=game.pk, state_id="aurel", display_name=f"T{i}", as_team_member=True)
                for i in range(6)]
    me = members[seat]
    client = Client(HTTP_HOST="127.0.0.1")
    session = client.session
    session[SESSION_SEATS] = {str(game.pk): {"member": me.pk, "token": me.token}}
    session.save()
    return game, members, client
