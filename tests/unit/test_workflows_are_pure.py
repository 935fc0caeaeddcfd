"""workflows/ is the pure domain core: only the standard library and workflows itself."""

import ast
import sys
from pathlib import Path

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"


def imported_top_level_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module.split(".")[0])
    return modules


def test_workflows_import_only_the_standard_library_and_themselves():
    files = sorted(WORKFLOWS.glob("*.py"))
    assert files, "workflows/ has no modules"
    allowed = set(sys.stdlib_module_names) | {"workflows", "__future__"}
    offenders = {
        path.name: sorted(imported_top_level_modules(path) - allowed)
        for path in files
        if imported_top_level_modules(path) - allowed
    }
    assert offenders == {}


def test_the_purity_check_catches_a_framework_import(tmp_path):
    module = tmp_path / "bad.py"
    module.write_text("import flask\nfrom sqlalchemy import select\nfrom workflows.calls import CallWindow\n")
    assert imported_top_level_modules(module) - set(sys.stdlib_module_names) - {"workflows"} == {"flask", "sqlalchemy"}
