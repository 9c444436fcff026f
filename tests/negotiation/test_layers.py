"""The shell's modules import each other without cycles, and none hides an import inside a function
to dodge one (import-linter's contracts in pyproject.toml check the layers; these check the rest)."""

from __future__ import annotations

import ast
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "negotiation"

# The only imports allowed inside a function, each for a reason that is not a cycle:
# Django's app registry must be ready first (apps.ready), or a heavy dependency only some
# processes need (Daphne/Twisted when serving, Markdown for the rules page).
LAZY_ALLOWED = {
    ("negotiation/apps.py", "django.contrib.auth.signals"),
    ("negotiation/apps.py", "negotiation"),
    ("negotiation/middleware.py", "daphne.http_protocol"),
    ("negotiation/socket_limits.py", "autobahn.websocket.types"),
    ("negotiation/socket_limits.py", "daphne.ws_protocol"),
    ("negotiation/rendering.py", "markdown"),
}


def _strongly_connected(edges: dict[str, set[str]]) -> list[set[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            found.append(component)

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle_between_modules_of_negotiation():
    graph = grimp.build_graph("negotiation", cache_dir=None)
    modules = {m for m in graph.modules if m.startswith("negotiation")}
    # A package's __init__ imports its own modules by nature; a cycle through it is not one here.
    edges = {m: {i for i in graph.find_modules_directly_imported_by(m) if i in modules and not m.startswith(i + ".")}
             for m in modules}
    cycles = [sorted(c) for c in _strongly_connected(edges) if len(c) > 1]
    assert cycles == []


def test_the_cycle_finder_finds_a_cycle():
    assert _strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}, {"d"}]


def _function_local_imports(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import):
                    found += [(alias.name, inner.lineno) for alias in inner.names]
                elif isinstance(inner, ast.ImportFrom):
                    found.append((inner.module or "", inner.lineno))
    return found


def test_no_function_imports_anything_except_the_listed_lazy_dependencies():
    hidden = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        relative = path.relative_to(ROOT).as_posix()
        hidden += [f"{relative}:{line} imports {module}" for module, line in _function_local_imports(path)
                   if (relative, module) not in LAZY_ALLOWED]
    assert hidden == []
