"""The package layout reads as a flow: no import circle among dsm5check modules.

The import graph is read with ``ast`` from the source, so every import counts:
at module level, inside functions (a deferred import still makes a circle),
under ``if TYPE_CHECKING:`` and as ``importlib.import_module("dsm5check....")``.
One kind of edge is left out: a module's import of one of its own parent
packages (``from dsm5check import __version__``), which Python has already
imported before the module itself, so it cannot close a circle at import time.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = ROOT / "dsm5check"

#: The one import allowed to close a circle, kept visible here: the public API's
#: ``CaseResult.to_dict()`` (docs/api.md) returns exactly one element of ``check
#: --format json``, which ``render/records.py`` builds at the top of the flow
#: (with the what-if block from ``teach/``). The record is built by the engine,
#: far below; only moving ``to_dict`` off the result (an API change) removes this.
ALLOWED = {("dsm5check.engine.results", "dsm5check.render.records")}


def _modules(package: Path) -> dict[str, Path]:
    out: dict[str, Path] = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _imported(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The dsm5check modules ``name`` imports, anywhere in its source."""
    own_package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = own_package.split(".")
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join([*parts, base] if base else parts)
            for alias in node.names:
                # `from pkg import module` imports that module; else a name of pkg
                sub = f"{base}.{alias.name}"
                found.add(sub if sub in modules else base)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name)
              and (getattr(node.func, "attr", None) or getattr(node.func, "id", None))
              == "import_module" and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str)):
            found.add(node.args[0].value)
    parents = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 1)}
    return {m for m in found if m in modules and m != name and m not in parents}


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    modules = _modules(package)
    return {name: _imported(name, path, modules) for name, path in modules.items()}


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each as one
    circle through its members, e.g. ``[a, b, a]``."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.add(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(group)

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return [_circle_in(graph, group) for group in groups]


def _circle_in(graph: dict[str, set[str]], group: set[str]) -> list[str]:
    """One circle through the group's first module (breadth first, shortest)."""
    start = min(group)
    paths = {start: [start]}
    todo = [start]
    while todo:
        v = todo.pop(0)
        for w in sorted(graph[v] & group):
            if w == start:
                return [*paths[v], start]
            if w not in paths:
                paths[w] = [*paths[v], w]
                todo.append(w)
    raise AssertionError(f"no circle in {sorted(group)}")  # pragma: no cover


def test_no_import_circle_among_dsm5check_modules() -> None:
    graph = import_graph()
    for importer, imported in ALLOWED:  # still there: else drop it from ALLOWED
        assert imported in graph[importer], f"{importer} no longer imports {imported}"
        graph[importer].discard(imported)
    found = circles(graph)
    shown = "\n".join(" -> ".join(c) for c in found)
    assert not found, f"import circles among dsm5check modules:\n{shown}"


def test_the_circle_finder_finds_circles(tmp_path: Path) -> None:
    """The check above can fail: a deferred import, a TYPE_CHECKING import and a
    relative import each close a circle here."""
    pkg = tmp_path / "dsm5check"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "a.py").write_text("def f():\n    from dsm5check import b\n")
    (pkg / "b.py").write_text("from dsm5check.a import f\n")
    (pkg / "sub" / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .d import X\n")
    (pkg / "sub" / "d.py").write_text("from dsm5check.sub import c\nX = 1\n")
    (pkg / "e.py").write_text("from dsm5check import __name__ as n\n")  # a parent: no edge
    graph = import_graph(pkg)
    assert graph["dsm5check.e"] == set()
    assert sorted(map(tuple, circles(graph))) == [
        ("dsm5check.a", "dsm5check.b", "dsm5check.a"),
        ("dsm5check.sub.c", "dsm5check.sub.d", "dsm5check.sub.c"),
    ]
