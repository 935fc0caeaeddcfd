"""The modules of the portal and its worker import each other without cycles, and an import inside a
function says why it is there.

A cycle is what made the services one knot (every use case importing every other, held together by
imports hidden in functions): each layer must build only on the ones below it. The imports are read
from the source (every `import` and `from … import`, at any depth), not from what Python happened to
load, so an import inside a function counts too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("portal", "worker", "workflows", "forms")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    return {_module_name(path): path for package in PACKAGES for path in (ROOT / package).rglob("*.py")}


def _imported(node: ast.Import | ast.ImportFrom, module: str, is_package: bool, known: dict[str, Path]) -> set[str]:
    """The project modules one import statement names (a name imported from a package that is itself a
    module counts as that module)."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names if alias.name in known}
    base = node.module or ""
    if node.level:
        anchor = module.split(".") if is_package else module.split(".")[:-1]
        anchor = anchor[: len(anchor) - (node.level - 1)]
        base = ".".join([*anchor, base] if base else anchor)
    found = {f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in known}
    if len(found) < len(node.names) and base in known:
        found.add(base)
    return found


def import_graph(known: dict[str, Path]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for module, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        edges: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                edges |= _imported(node, module, path.name == "__init__.py", known)
        graph[module] = edges - {module}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_module_of_the_portal_or_its_worker_is_part_of_an_import_cycle():
    assert cycles(import_graph(project_modules())) == []


def test_the_check_finds_a_cycle_when_there_is_one():
    # The detector itself, on a made-up graph: a test that can never fail proves nothing.
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == [["a", "b", "c"]]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from portal.services import audit, budget", {"portal.services.audit", "portal.services.budget"}),
        ("from portal.services.locks import lock_call", {"portal.services.locks"}),
        ("from portal.extensions import db", {"portal.extensions"}),
        ("import portal.jobs", {"portal.jobs"}),
    ],
)
def test_imports_are_read_as_the_modules_they_name(source, expected):
    known = project_modules()
    node = ast.parse(source).body[0]
    assert isinstance(node, ast.Import | ast.ImportFrom)
    assert _imported(node, "portal.example", False, known) == expected


def _function_imports_without_a_reason(path: Path) -> list[int]:
    lines = path.read_text(encoding="utf-8").splitlines()
    tree = ast.parse("\n".join(lines))
    bare: set[int] = set()
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.Import | ast.ImportFrom):
                line = lines[node.lineno - 1]
                above = lines[node.lineno - 2].strip() if node.lineno > 1 else ""
                if "#" not in line and not above.startswith("#"):
                    bare.add(node.lineno)
    return sorted(bare)


def test_an_import_inside_a_function_says_why():
    unexplained = {
        str(path.relative_to(ROOT)): lines
        for path in project_modules().values()
        if (lines := _function_imports_without_a_reason(path))
    }
    assert unexplained == {}


def test_no_module_imports_after_its_code_begins():
    """A module's imports come first: an import at the bottom of a file (once the way route modules were
    registered on a blueprint) hides a dependency from the reader; a package imports its own modules."""
    late = []
    for module, path in project_modules().items():
        body = ast.parse(path.read_text()).body
        first_code = next(
            (node.lineno for node in body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)),
            None,
        )
        if first_code is None:
            continue
        late += [
            f"{module}:{node.lineno}"
            for node in body
            if isinstance(node, ast.Import | ast.ImportFrom) and node.lineno > first_code
        ]
    assert late == []
