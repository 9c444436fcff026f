"""The engine is pure (P2, B0): no framework, clock, uuid or global random anywhere."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import game_engine

ENGINE_DIR = Path(game_engine.__file__).parent
MODULES = sorted(ENGINE_DIR.rglob("*.py"))
FORBIDDEN_ROOTS = {
    "django",
    "channels",
    "asgiref",
    "negotiation",
    "time",
    "uuid",
    "random",
    "secrets",
}
FORBIDDEN_CALLS = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_module_imports_nothing_impure(path: Path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                assert alias.name.split(".")[0] not in FORBIDDEN_ROOTS, f"{path.name}: import {alias.name}"
        elif isinstance(node, ast.ImportFrom):
            root = (node.module or "").split(".")[0]
            assert node.level == 0, f"{path.name}: relative import"
            assert root not in FORBIDDEN_ROOTS, f"{path.name}: from {node.module} import ..."
            if root == "datetime":
                assert not {a.name for a in node.names} & {"datetime", "date"}, path.name
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            assert (node.value.id, node.attr) not in FORBIDDEN_CALLS, f"{path.name}: {node.value.id}.{node.attr}"
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id not in {"hash", "id", "input"}, f"{path.name}: {node.func.id}()"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_module_starts_with_future_annotations_and_docstring(path: Path):
    tree = ast.parse(path.read_text())
    assert ast.get_docstring(tree), f"{path.name} needs a module docstring naming its rules"
    futures = [n for n in tree.body if isinstance(n, ast.ImportFrom) and n.module == "__future__"]
    assert futures and futures[0].names[0].name == "annotations"


def test_no_set_iteration_feeds_outputs():
    # Sets may be used for membership only; iterating one would make output order depend on
    # PYTHONHASHSEED. Flag `for x in <set literal or set(...) call>`.
    for path in MODULES:
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, (ast.For, ast.comprehension)):
                it = node.iter
                bad = isinstance(it, ast.Set) or (
                    isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id in {"set", "frozenset"}
                )
                assert not bad, f"{path.name}:{getattr(node, 'lineno', '?')} iterates a set"
