"""What a kept post (input sent after the session expired) said, in the words of the form it came from.

The kept input holds only names and values (`exchange_type`, `stage`). The form it came from is the portal form
whose fields cover most of the posted names; its labels name the fields, and its fixed choices name the values.
Choices a route fills in from the database are named through `named_values` (themes, fundamental rights)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from wtforms import FieldList, FormField, SubmitField
from wtforms.fields.core import UnboundField

from forms.base import PortalForm, PortalSubform


def _subclasses(cls: type) -> Iterable[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _unbound(cls: type) -> dict[str, UnboundField]:
    return {name: value for name in dir(cls) if isinstance(value := getattr(cls, name, None), UnboundField)}


def _bare(name: str) -> str:
    """`profiles-0-function` and `p12-paid_on` read as `function` and `paid_on` (a prefix or a row of a list)."""
    return name.rsplit("-", 1)[-1]


def _form_for(names: set[str]) -> dict[str, UnboundField]:
    best: dict[str, UnboundField] = {}
    best_score = 0
    for cls in _subclasses(PortalForm):
        fields = _unbound(cls)
        for field in list(fields.values()):
            if field.field_class in (FieldList, FormField):  # the rows of a list are fields too
                inner = field.args[0] if field.args else None
                if isinstance(inner, UnboundField) and inner.field_class is FormField:
                    inner = inner.args[0] if inner.args else None
                if isinstance(inner, type) and issubclass(inner, PortalSubform):
                    fields = {**_unbound(inner), **fields}
        score = len(names & set(fields))
        if score > best_score:
            best, best_score = fields, score
    return best


def _label(field: UnboundField) -> str | None:
    label = field.args[0] if field.args else field.kwargs.get("label")
    return str(label) if label else None


def _choice(field: UnboundField, value: str) -> str | None:
    for choice in field.kwargs.get("choices") or ():
        choice_value, choice_label = (
            (choice.value, choice.label) if hasattr(choice, "value") else (choice[0], choice[1])
        )
        if str(choice_value) == value:
            return str(choice_label)
    return None


def described(
    fields: list[tuple[str, str]], named_values: dict[str, Callable[[str], str | None]]
) -> list[tuple[str, str]]:
    """(label, value) per kept field worth showing: no buttons, no empty values, several values of one field
    joined. A field the portal cannot name keeps its posted name, so nothing typed is hidden."""
    form = _form_for({_bare(name) for name, _ in fields})
    shown: dict[str, list[str]] = {}
    for name, value in fields:
        field = form.get(_bare(name))
        if not value or (field is not None and field.field_class is SubmitField) or name.startswith("_"):
            continue
        label = (_label(field) if field is not None else None) or name
        lookup = named_values.get(_bare(name))
        text = (_choice(field, value) if field is not None else None) or (lookup(value) if lookup else None) or value
        shown.setdefault(label, []).append(text)
    return [(label, "; ".join(values)) for label, values in shown.items()]
