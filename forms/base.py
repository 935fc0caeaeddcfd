"""The base of every form in the portal: the one place where typed text is checked for what no field
may hold (workflows/text.py), so a hostile or pasted character is a message at its field, never a 500."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Form
from wtforms.validators import ValidationError

from workflows.text import has_control_characters


def no_control_characters(form: Any, field: Any) -> None:
    # raw_data: what was posted, before a field turns it into a number, a day or a choice.
    if any(isinstance(value, str) and has_control_characters(value) for value in getattr(field, "raw_data", None) or ()):
        raise ValidationError(
            str(_l("Dit veld bevat een onzichtbaar stuurteken (bijvoorbeeld uit een gekopieerde tekst). Typ de tekst opnieuw of plak hem zonder opmaak."))
        )


class CleanText:
    """Checks every field of the form (sub-forms check their own) besides its own validators."""

    _fields: dict[str, Any]

    def validate(self, extra_validators: dict[str, list[Any]] | None = None) -> bool:
        extra = {name: [*(extra_validators or {}).get(name, []), no_control_characters] for name in self._fields}
        return bool(super().validate(extra_validators=extra))  # type: ignore[misc]


class PortalForm(CleanText, FlaskForm):  # type: ignore[misc]
    pass


class PortalSubform(CleanText, Form):  # type: ignore[misc]
    """A form inside another (a FieldList of FormFields): no CSRF token of its own."""
