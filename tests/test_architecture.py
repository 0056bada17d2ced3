"""The shape of the package: no import cycles between ecogis modules, and a geodesy leaf.

The import graph is read from the source with ``ast`` (nothing is imported): every ``import`` and
``from ... import`` statement counts, at module level and inside functions alike, with relative
imports (``from . import x``) resolved. A cycle is an error even when one side imports inside a
function: such an import only hides the cycle, the two modules still depend on each other.
"""
from __future__ import annotations

import ast
from pathlib import Path

import ecogis

PACKAGE_DIR = Path(ecogis.__file__).resolve().parent

def module_name(path: Path, root: Path) -> str:
    """``ecogis/io/read.py`` -> ``ecogis.io.read``; ``ecogis/io/__init__.py`` -> ``ecogis.io``."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def package_modules(package_dir: Path) -> dict[str, Path]:
    return {module_name(p, package_dir.parent): p for p in sorted(package_dir.rglob("*.py"))}


def _base_package(name: str, path: Path, level: int) -> str:
    """The package a relative import of ``level`` dots starts from, for module ``name`` at ``path``."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for _ in range(level - 1):
        package = package.rpartition(".")[0]
    return package


def imported_names(name: str, path: Path) -> set[str]:
    """Every dotted name module ``name`` imports anywhere in its source (module and function level).

    ``from a import b`` yields both ``a`` and ``a.b`` (``b`` may be a submodule); the caller keeps
    the names that are modules of the package.
    """
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = _base_package(name, path, node.level)
                base = f"{package}.{base}" if base else package
            out.add(base)
            out.update(f"{base}.{alias.name}" for alias in node.names)
    return out


def resolve(imported: str, modules: dict[str, Path]) -> str | None:
    """The package module an imported name belongs to: the longest module prefix of it, if any."""
    candidate = imported
    while candidate:
        if candidate in modules:
            return candidate
        candidate = candidate.rpartition(".")[0]
    return None


def import_graph(package_dir: Path = PACKAGE_DIR) -> dict[str, set[str]]:
    """Module -> the package modules it imports (itself and its own parent packages excluded).

    A module's own parent packages are left out: importing ``ecogis.io.read`` runs
    ``ecogis/io/__init__.py`` first anyway, so ``ecogis.io.read -> ecogis.io`` is no dependency
    the module chose, and ``ecogis`` (the top package, which re-exports the API) would otherwise
    close a cycle with every module it re-exports.
    """
    modules = package_modules(package_dir)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = {resolve(i, modules) for i in imported_names(name, path)}
        graph[name] = {t for t in targets if t and t != name and not name.startswith(t + ".")}
    return graph


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components with more than one module (each one a set of cycles)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return components


def a_cycle(graph: dict[str, set[str]], component: list[str]) -> list[str]:
    """One concrete cycle through the first module of ``component``, for the failure message."""
    start, members = component[0], set(component)
    paths = {start: [start]}
    queue = [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(graph[v] & members):
            if w == start:
                return paths[v] + [start]
            if w not in paths:
                paths[w] = paths[v] + [w]
                queue.append(w)
    return component


def test_the_graph_sees_function_level_and_relative_imports(tmp_path):
    # a tiny package: a imports b inside a function, b imports a relatively; that is a cycle
    pkg = tmp_path / "ecogis"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "a.py").write_text("def f():\n    from ecogis.sub import b\n")
    (pkg / "sub" / "b.py").write_text("from .. import a\nfrom . import c\n")
    (pkg / "sub" / "c.py").write_text("")
    graph = import_graph(pkg)
    assert graph["ecogis.a"] == {"ecogis.sub", "ecogis.sub.b"}
    assert graph["ecogis.sub.b"] == {"ecogis.a", "ecogis.sub.c"}
    assert strongly_connected(graph) == [["ecogis.a", "ecogis.sub.b"]]


def test_no_import_cycles():
    graph = import_graph()
    cycles = strongly_connected(graph)
    assert not cycles, "import cycles between ecogis modules:\n" + "\n".join(
        " -> ".join(a_cycle(graph, c)) + f"   (component: {', '.join(c)})" for c in cycles)


def test_geodesy_is_a_leaf():
    graph = import_graph()
    assert "ecogis.geodesy" in graph
    assert graph["ecogis.geodesy"] == set(), "ecogis.geodesy must import nothing of ecogis"


# ------------------------------------------------------------------------------------ one owner per primitive



def _code_nodes(path: Path):
    return ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))


def test_one_geod_on_the_cgcs2000_ellipsoid():
    makers = sorted(name for name, path in package_modules(PACKAGE_DIR).items()
                    for node in _code_nodes(path)
                    if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) == "Geod")
    assert makers == ["ecogis.geodesy"], "pyproj.Geod is made only in ecogis.geodesy (use ecogis.geodesy.GEOD)"


def test_one_geographic_crs_constant():
    spelled = {name for name, path in package_modules(PACKAGE_DIR).items()
               for node in _code_nodes(path)
               if isinstance(node, ast.Constant) and type(node.value) is int and node.value == 4490}
    assert spelled == {"ecogis.geodesy"}, \
        "EPSG:4490 is ecogis.geodesy.GEOGRAPHIC_EPSG / GEOGRAPHIC_CRS everywhere else"
