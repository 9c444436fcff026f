"""The field-path reader the scenario parser uses: typed accessors that collect every problem
(``states[2].missiles.MRBM: must be an integer >= 0``) instead of stopping at the first."""

from __future__ import annotations

from collections.abc import Mapping

from game_engine.scenario.types import OBJECTIVE_KINDS, Condition, Geo, Objective


class _Reader:
    """Typed accessors over a TOML/JSON table that collect field-path errors."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def err(self, path: str, msg: str) -> None:
        self.errors.append(f"{path}: {msg}")

    def table(self, d: Mapping[str, object], key: str, path: str) -> Mapping[str, object]:
        v = d.get(key, {})
        if isinstance(v, Mapping):
            return {str(k): x for k, x in v.items()}
        self.err(f"{path}{key}", "must be a table")
        return {}

    def tables(self, d: Mapping[str, object], key: str, path: str) -> list[Mapping[str, object]]:
        v = d.get(key, [])
        if not isinstance(v, list):
            self.err(f"{path}{key}", "must be a list of tables")
            return []
        out: list[Mapping[str, object]] = []
        for n, item in enumerate(v):
            if isinstance(item, Mapping):
                out.append({str(k): x for k, x in item.items()})
            else:
                self.err(f"{path}{key}[{n}]", "must be a table")
                out.append({})
        return out

    def str_(self, d: Mapping[str, object], key: str, path: str, default: str | None = None) -> str:
        v = d.get(key, default)
        if isinstance(v, str):
            return v
        self.err(f"{path}{key}", "is required" if v is None else "must be a string")
        return default or ""

    def choice(
        self, d: Mapping[str, object], key: str, path: str, options: tuple[str, ...], default: str
    ) -> str:
        v = self.str_(d, key, path, default)
        if v not in options:
            self.err(f"{path}{key}", f"must be one of {', '.join(options)}")
            return default
        return v

    def int_(
        self,
        d: Mapping[str, object],
        key: str,
        path: str,
        default: int | None = None,
        lo: int = 0,
        hi: int | None = None,
    ) -> int:
        v = d.get(key, default)
        if v is None:
            self.err(f"{path}{key}", "is required")
            return lo
        if isinstance(v, bool) or not isinstance(v, int) or v < lo or (hi is not None and v > hi):
            rng = f">= {lo}" if hi is None else f"between {lo} and {hi}"
            self.err(f"{path}{key}", f"must be an integer {rng}")
            return default if default is not None else lo
        return v

    def float_(
        self,
        d: Mapping[str, object],
        key: str,
        path: str,
        default: float | None = None,
        lo: float = 0.0,
        hi: float = 1.0,
    ) -> float:
        v = d.get(key, default)
        if v is None:
            self.err(f"{path}{key}", "is required")
            return lo
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not lo <= v <= hi:
            self.err(f"{path}{key}", f"must be a number between {lo:g} and {hi:g}")
            return default if default is not None else lo
        return float(v)

    def bool_(self, d: Mapping[str, object], key: str, path: str, default: bool) -> bool:
        v = d.get(key, default)
        if isinstance(v, bool):
            return v
        self.err(f"{path}{key}", "must be true or false")
        return default

    def strs(
        self,
        d: Mapping[str, object],
        key: str,
        path: str,
        allowed: tuple[str, ...] | None = None,
    ) -> tuple[str, ...]:
        v = d.get(key, [])
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            self.err(f"{path}{key}", "must be a list of strings")
            return ()
        out: list[str] = []
        for n, x in enumerate(v):
            assert isinstance(x, str)
            if allowed is not None and x not in allowed:
                self.err(f"{path}{key}[{n}]", f"unknown value {x!r}")
            else:
                out.append(x)
        return tuple(out)

    def counts(
        self, d: Mapping[str, object], key: str, path: str, allowed: tuple[str, ...]
    ) -> dict[str, int]:
        tab = self.table(d, key, path)
        out: dict[str, int] = {}
        for k in sorted(tab):
            if k not in allowed:
                self.err(f"{path}{key}.{k}", f"unknown name (expected one of {', '.join(allowed)})")
                continue
            out[k] = self.int_(tab, k, f"{path}{key}.")
        return out


def _geo(r: _Reader, d: Mapping[str, object], path: str) -> Geo:
    tab = r.table(d, "geography", path)
    if not tab:
        return Geo()
    p = f"{path}geography."
    pts: list[tuple[float, float]] = []
    raw = tab.get("polygon", [])
    if not isinstance(raw, list):
        r.err(f"{p}polygon", "must be a list of [x, y] points")
    else:
        for n, pt in enumerate(raw):
            if (
                isinstance(pt, list)
                and len(pt) == 2
                and all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in pt)
                and all(0 <= c <= 1000 for c in pt)
            ):
                pts.append((float(pt[0]), float(pt[1])))
            else:
                r.err(f"{p}polygon[{n}]", "must be [x, y] with 0 <= x, y <= 1000")
    return Geo(
        x=r.float_(tab, "x", p, 500.0, 0.0, 1000.0),
        y=r.float_(tab, "y", p, 500.0, 0.0, 1000.0),
        polygon=tuple(pts),
    )


def _condition(
    r: _Reader, d: Mapping[str, object], path: str, classes: tuple[str, ...]
) -> Condition:
    kind = r.choice(d, "kind", path, OBJECTIVE_KINDS, "not_caught")
    cls = r.str_(d, "class", path, "")
    if cls and cls not in classes:
        r.err(f"{path}class", f"unknown missile class {cls!r}")
    return Condition(
        kind=kind,
        site=r.str_(d, "site", path, ""),
        cls=cls,
        state=r.str_(d, "state", path, ""),
        template=r.str_(d, "template", path, ""),
        value=r.float_(d, "value", path, 0.0, 0.0, 1000.0),
    )


def _objective(
    r: _Reader, d: Mapping[str, object], path: str, classes: tuple[str, ...]
) -> Objective:
    conds = tuple(
        _condition(r, c, f"{path}conditions[{n}].", classes)
        for n, c in enumerate(r.tables(d, "conditions", path))
    )
    if not conds:
        r.err(f"{path}conditions", "needs at least one condition")
    by_turn = d.get("by_turn")
    return Objective(
        id=r.str_(d, "id", path),
        text=r.str_(d, "text", path),
        points=r.float_(d, "points", path, 5.0, 0.0, 100.0),
        conditions=conds,
        any_of=r.bool_(d, "any_of", path, False),
        by_turn=r.int_(d, "by_turn", path, None, 1) if by_turn is not None else None,
    )


