"""No import cycles among the project's modules, counting imports made inside functions.

Every project .py file (migrations included, .venv and var/ excluded) is parsed with ``ast``; each
``import`` / ``from ... import`` anywhere in it (module level, inside functions, under
``TYPE_CHECKING``) is an edge to the project module it names: ``from pkg import mod`` depends on
``pkg.mod`` when that is a module, otherwise on ``pkg``; importing ``pkg.mod`` also runs
``pkg/__init__.py``, so it depends on ``pkg`` as well. Relative imports are resolved.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXCLUDED = {".venv", "var", "node_modules", ".git", "static", "locale"}

# Known cycles, each as its sorted members: none.
ALLOWED_CYCLES: set[frozenset[str]] = set()


def project_modules() -> dict[str, Path]:
    modules = {}
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if EXCLUDED & set(rel.parts):
            continue
        parts = list(rel.with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if parts:
            modules[".".join(parts)] = path
    return modules


def _with_parents(name: str, modules: dict[str, Path]) -> set[str]:
    """``a.b.c`` and the packages ``a.b`` and ``a`` whose __init__ runs first (project ones only)."""
    parts = name.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts) + 1)} & set(modules)


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found |= _with_parents(alias.name, modules)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".") if package else []
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found |= _with_parents(target, modules)
            for alias in node.names:
                sub = f"{target}.{alias.name}" if target else alias.name
                if sub in modules:
                    found.add(sub)
    found.discard(name)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = project_modules()
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []
    counter = 0

    def visit(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(frozenset(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_import_graph_is_read_from_the_sources():
    graph = import_graph()
    assert "surveys.models" in graph["surveys.interviews.models"]
    assert "surveys.coding" in graph["surveys.coding.views"]  # the package's __init__ runs first
    assert "surveys.coding.selectors" in graph["surveys.coding.services"]  # relative "from . import selectors"


def test_the_cycle_finder_sees_imports_inside_functions(tmp_path):
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [frozenset({"a", "b", "c"})]
    path = tmp_path / "m.py"
    path.write_text("def f():\n    from . import other\n", encoding="utf-8")
    assert imports_of("pkg.m", path, {"pkg": path, "pkg.m": path, "pkg.other": path}) == {"pkg", "pkg.other"}


def test_no_import_cycles():
    found = set(cycles(import_graph()))
    unexpected = sorted(sorted(c) for c in found - ALLOWED_CYCLES)
    assert not unexpected, f"import cycles: {unexpected}"
