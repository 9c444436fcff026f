"""Model rows carried as JSON arrays inside one statement (issue #17, fourth pass).

A render reads the game row and a few row sets of it; through the ORM each is a statement whose
compiling and instance building cost the process more than the database's answer. Here a model's
columns travel as ``json_build_array(...)`` (PostgreSQL) or ``json_array(...)`` (SQLite), a set of
rows as their ``json_agg``/``json_group_array``, and come back as the same instances the ORM builds
(``Model.from_db``), each value decoded as its field reads it: timestamps aware, booleans bool,
floats float, JSON values as stored. Callers write the statement (engine_views.game_for_render,
selectors.read_together); this module knows only how a row travels.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection, models

# Fields whose JSON value is the model's value as it is.
_AS_IS = frozenset({"AutoField", "BigAutoField", "IntegerField", "PositiveIntegerField", "ForeignKey", "CharField",
                    "SlugField", "TextField", "EmailField", "JSONField"})


@dataclass(frozen=True, slots=True)
class Columns:
    """How one model's rows travel as JSON arrays: the columns in order, and each value's decoder."""

    model: type[models.Model]
    attnames: tuple[str, ...]
    columns: tuple[str, ...]
    decoders: tuple[tuple[int, Callable[[Any], Any]], ...]
    json_columns: frozenset[str]

    def array(self, alias: str, sqlite: bool) -> str:
        """The SQL of one row of ``alias`` as a JSON array (SQLite stores JSON as text: json() embeds it)."""
        cols = [f'json({alias}."{c}")' if sqlite and c in self.json_columns else f'{alias}."{c}"' for c in self.columns]
        return f"{'json_array' if sqlite else 'json_build_array'}({', '.join(cols)})"

    def build(self, values: list[Any]) -> Any:
        """The model instance of one row's array, as the ORM would build it (skipped columns deferred)."""
        for i, decode in self.decoders:
            if values[i] is not None:
                values[i] = decode(values[i])
        return self.model.from_db(connection.alias, self.attnames, values)


def aware(value: str | datetime) -> datetime:
    """A timestamp as a database writes it into JSON or text: ISO 8601 with its offset
    (PostgreSQL), or UTC without one (SQLite, where Django stores UTC)."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _columns(model: type[models.Model], skip: Collection[str] = ()) -> Columns:
    fields = [f for f in model._meta.concrete_fields if f.attname not in skip]
    decoders: list[tuple[int, Callable[[Any], Any]]] = []
    for i, f in enumerate(fields):
        kind = f.get_internal_type()
        if kind == "DateTimeField":
            decoders.append((i, aware))
        elif kind == "BooleanField":
            decoders.append((i, bool))  # SQLite's JSON has 0 and 1
        elif kind == "FloatField":
            decoders.append((i, float))  # JSON writes 3.0 as 3
        elif kind not in _AS_IS:
            raise TypeError(f"{model.__name__}.{f.name}: no JSON decoder for a {kind}")
    return Columns(model, tuple(f.attname for f in fields), tuple(f.column for f in fields), tuple(decoders),
                   frozenset(f.column for f in fields if f.get_internal_type() == "JSONField"))


COLUMNS: dict[str, Columns] = {}


def columns(name: str, model: type[models.Model], skip: Collection[str] = ()) -> Columns:
    """The columns of ``model`` (less ``skip``), built once per name."""
    found = COLUMNS.get(name)
    if found is None:
        found = COLUMNS[name] = _columns(model, skip)
    return found


def set_sql(cols: Columns, where: str, sqlite: bool, *, alias: str = "t", join: str = "") -> str:
    """A scalar subquery: the rows of ``cols.model`` matching ``where`` as one JSON array (NULL if none)."""
    table = cols.model._meta.db_table
    agg = "json_group_array" if sqlite else "json_agg"
    return f"(SELECT {agg}({cols.array(alias, sqlite)}) FROM {table} {alias} {join} WHERE {where})"  # noqa: S608


def loads(value: Any) -> Any:
    """A JSON column as the cursor gives it: parsed already (PostgreSQL's json) or text."""
    return json.loads(value) if isinstance(value, str | bytes) else value
