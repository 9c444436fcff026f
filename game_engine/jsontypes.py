"""JSON value types shared by serialization, views and reports (no ``Any`` in the engine)."""

from __future__ import annotations

from typing import TypeAlias

JSON: TypeAlias = bool | int | float | str | list["JSON"] | dict[str, "JSON"] | None
JSONDict: TypeAlias = dict[str, JSON]
