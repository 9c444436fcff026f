"""Scenario files: the bundled ones (``game_engine/scenarios/*.toml``) and any TOML path."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

from game_engine.errors import ScenarioError
from game_engine.scenario.parse import parse_scenario
from game_engine.scenario.types import Scenario, ScenarioInfo


def _bundled_dir() -> Path:
    return Path(str(resources.files("game_engine") / "scenarios"))


def bundled_slugs() -> tuple[str, ...]:
    """Slugs of the scenario files shipped in ``game_engine/scenarios``."""
    return tuple(sorted(p.stem for p in _bundled_dir().glob("*.toml")))


def read_toml(path: str | Path) -> dict[str, object]:
    """Parse a TOML file; syntax errors become a ``ScenarioError``."""
    try:
        with open(path, "rb") as fh:
            return dict(tomllib.load(fh))
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError([f"(file): TOML syntax error: {exc}"], str(path)) from exc
    except OSError as exc:
        raise ScenarioError([f"(file): cannot read: {exc.strerror}"], str(path)) from exc


def load_scenario(slug_or_path: str) -> Scenario:
    """A bundled scenario by slug (``"meridian-sea"``) or any ``.toml`` file by path.

    Raises ``ScenarioError`` listing field-path errors.
    """
    if slug_or_path in bundled_slugs():
        path = _bundled_dir() / f"{slug_or_path}.toml"
    else:
        path = Path(slug_or_path)
        if not path.suffix == ".toml":
            raise ScenarioError(
                [f"(file): no bundled scenario {slug_or_path!r} and not a .toml path"], slug_or_path
            )
    return parse_scenario(read_toml(path), str(path))


def list_scenarios() -> tuple[ScenarioInfo, ...]:
    """Info of every bundled scenario, sorted by slug."""
    return tuple(load_scenario(slug).info for slug in bundled_slugs())
