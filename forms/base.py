"""The base of every form in the portal: the one place where typed text is checked for what no field
may hold (workflows/text.py), so a hostile or pasted character is a message at its field, never a 500."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Form, SubmitField
from wtforms.validators import ValidationError

from workflows.text import has_control_characters


def no_control_characters(form: Any, field: Any) -> None:
    # raw_data: what was posted, before a field turns it into a number, a day or a choice.
    if any(
        isinstance(value, str) and has_control_characters(value) for value in getattr(field, "raw_data", None) or ()
    ):
        raise ValidationError(
            str(
                _l(
                    "Dit veld bevat een onzichtbaar stuurteken (bijvoorbeeld uit een gekopieerde tekst). Typ de tekst opnieuw of plak hem zonder opmaak."
                )
            )
        )


class CleanText:
    """Checks every field of the form (sub-forms check their own) besides its own validators."""

    _fields: dict[str, Any]

    def validate(self, extra_validators: dict[str, list[Any]] | None = None) -> bool:
        extra = {name: [*(extra_validators or {}).get(name, []), no_control_characters] for name in self._fields}
        return bool(super().validate(extra_validators=extra))  # type: ignore[misc]


class PortalForm(CleanText, FlaskForm):  # type: ignore[misc]
    """`id_prefix` keeps ids unique where one page shows several forms with the same field names (the grant and
    the reject form both have a `motivation`): a label must point at its own field. Names are not prefixed, so
    what is posted stays the same."""

    id_prefix = ""

    class Meta(FlaskForm.Meta):  # type: ignore[misc]
        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Any:
            if unbound_field.field_class is SubmitField or options["name"] == self.csrf_field_name:
                # Nothing points at a button or at the token, and a page holds several of each: no id at all.
                options = {**options, "render_kw": {**(unbound_field.kwargs.get("render_kw") or {}), "id": False}}
            elif form.id_prefix and "id" not in unbound_field.kwargs:
                options = {**options, "id": f"{form.id_prefix}{options.get('prefix') or ''}{options['name']}"}
            return super().bind_field(form, unbound_field, options)


class PortalSubform(CleanText, Form):  # type: ignore[misc]
    """A form inside another (a FieldList of FormFields): no CSRF token of its own."""
