"""What ``serve`` and ``clock`` check before they start: a database they can open, with every
migration applied. Without it the server would answer every page with an error and the clock
would log a traceback a second; the operator gets one line saying what to run instead."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor


def _where(alias: str) -> str:
    settings = connections[alias].settings_dict
    if connections[alias].vendor == "sqlite":
        return f"SQLite file {settings['NAME']}"
    host = settings.get("HOST") or "localhost"
    port = f":{settings['PORT']}" if settings.get("PORT") else ""
    return f"{connections[alias].vendor} database {settings['NAME']!r} at {host}{port}"


def require_migrated_database(alias: str = DEFAULT_DB_ALIAS) -> None:
    """Raise ``CommandError`` (one line) if the database cannot be opened or is not migrated."""
    where = _where(alias)
    try:
        executor = MigrationExecutor(connections[alias])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CommandError(f"cannot open the {where}: {first}") from None
    finally:
        connections[alias].close()
    if plan:
        raise CommandError(
            f"the {where} is not up to date: {len(plan)} migration(s) to apply. "
            "Run `make run` (it migrates first) or `python manage.py migrate`."
        )
