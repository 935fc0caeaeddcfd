"""Route modules change nothing themselves: they map a form to a service's input, call the service
and commit. Setting a model's attribute or creating a row in a route bypasses the service's lock,
rules and audit row, which is how a draft's changes once went unaudited.

Read from the source: any attribute assignment other than a form's own (`choices`, `data`,
`errors`), any model class called, any `session.add`/`delete`/`merge` in a blueprint module fails.
"""

from __future__ import annotations

import ast
from pathlib import Path

import portal.models

PORTAL = Path(__file__).resolve().parents[2] / "portal"
FORM_ATTRIBUTES = {"choices", "data", "errors"}
MODELS = {name for name in dir(portal.models) if isinstance(getattr(portal.models, name), type)}


def route_modules() -> list[Path]:
    return sorted(path for path in PORTAL.glob("*/*.py") if path.parent.name not in {"services", "models", "static"})


def changes_made_in(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            for element in target.elts if isinstance(target, ast.Tuple) else [target]:
                if isinstance(element, ast.Attribute) and element.attr not in FORM_ATTRIBUTES:
                    found.append(f"line {node.lineno}: sets .{element.attr}")
        if isinstance(node, ast.Call):
            function = node.func
            if isinstance(function, ast.Name) and function.id in MODELS:
                found.append(f"line {node.lineno}: creates {function.id}")
            if isinstance(function, ast.Attribute) and function.attr in {"add", "add_all", "delete", "merge"}:
                if isinstance(function.value, ast.Attribute) and function.value.attr == "session":
                    found.append(f"line {node.lineno}: session.{function.attr}")
    return found


def test_no_route_module_sets_a_model_attribute_or_creates_a_row():
    assert route_modules(), "no blueprint modules found"
    offenders = {
        str(path.relative_to(PORTAL)): changes
        for path in route_modules()
        if (changes := changes_made_in(path.read_text()))
    }
    assert offenders == {}


def test_the_check_sees_what_a_route_must_not_do():
    source = """
def view(application, form):
    form.choices = []
    form.field.errors = ["x"]
    application.iban = "BE68"
    db.session.add(Mentor(position=1))
"""
    assert changes_made_in(source) == ["line 5: sets .iban", "line 6: session.add", "line 6: creates Mentor"]
