"""The snapshot reader: typed field access that names the bad field (``state.nations.aurel.ds``),
and the canonical JSON writer."""

from __future__ import annotations

import json
from collections.abc import Mapping

from game_engine.errors import RuleCode, RuleViolation
from game_engine.jsontypes import JSON
from game_engine.params import CLASS_ORDER

SCHEMA_VERSION = 1


def canonical_json(data: object) -> str:
    """Canonical text: sorted keys, no spaces, no NaN."""
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), allow_nan=False, ensure_ascii=False
    )


class Fields:
    """Typed readers over a JSON object; raise RuleViolation(E_BAD_PARAM) on bad data."""

    def __init__(self, d: Mapping[str, object], where: str) -> None:
        self.d = d
        self.where = where

    def _bad(self, key: str) -> RuleViolation:
        return RuleViolation(RuleCode.E_BAD_PARAM, f"invalid snapshot field {self.where}.{key}")

    def raw(self, key: str) -> object:
        if key not in self.d:
            raise self._bad(key)
        return self.d[key]

    def s(self, key: str) -> str:
        v = self.raw(key)
        if not isinstance(v, str):
            raise self._bad(key)
        return v

    def i(self, key: str) -> int:
        v = self.raw(key)
        if not isinstance(v, int) or isinstance(v, bool):
            raise self._bad(key)
        return v

    def oi(self, key: str) -> int | None:
        v = self.d.get(key)
        if v is None:
            return None
        return self.i(key)

    def f(self, key: str) -> float:
        v = self.raw(key)
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise self._bad(key)
        return float(v)

    def b(self, key: str) -> bool:
        v = self.raw(key)
        if not isinstance(v, bool):
            raise self._bad(key)
        return v

    def obj(self, key: str) -> Mapping[str, object]:
        v = self.raw(key)
        if not isinstance(v, Mapping):
            raise self._bad(key)
        return {str(k): x for k, x in v.items()}

    def lst(self, key: str) -> list[object]:
        v = self.raw(key)
        if not isinstance(v, list):
            raise self._bad(key)
        return v

    def strs(self, key: str) -> tuple[str, ...]:
        out = []
        for x in self.lst(key):
            if not isinstance(x, str):
                raise self._bad(key)
            out.append(x)
        return tuple(out)

    def counts(self, key: str, order: tuple[str, ...] = CLASS_ORDER) -> dict[str, int]:
        d = self.obj(key)
        out: dict[str, int] = {}
        for k in order:
            if k in d:
                v = d[k]
                if not isinstance(v, int) or isinstance(v, bool):
                    raise self._bad(key)
                out[k] = v
        for k in d:
            if k not in order:
                raise self._bad(key)
        return out

    def floats(self, key: str, order: tuple[str, ...] | None = None) -> dict[str, float]:
        d = self.obj(key)
        keys = order if order is not None else tuple(d)
        out: dict[str, float] = {}
        for k in keys:
            if k in d:
                v = d[k]
                if isinstance(v, bool) or not isinstance(v, (int, float)):
                    raise self._bad(key)
                out[k] = float(v)
        return out

    def sub(self, key: str) -> Fields:
        return Fields(self.obj(key), f"{self.where}.{key}")


def objects(items: list[object], where: str) -> list[Fields]:
    out = []
    for n, x in enumerate(items):
        if not isinstance(x, Mapping):
            raise RuleViolation(RuleCode.E_BAD_PARAM, f"invalid snapshot field {where}[{n}]")
        out.append(Fields({str(k): v for k, v in x.items()}, f"{where}[{n}]"))
    return out


def json_value(v: object) -> JSON:
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, Mapping):
        return {str(k): json_value(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [json_value(x) for x in v]
    raise RuleViolation(RuleCode.E_BAD_PARAM, "snapshot contains a non-JSON value")

