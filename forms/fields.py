"""Shared fields: the Belgian euro field (`1.234,56` to cents) and a day field with Dutch messages."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovPasswordInput, GovTextInput
from wtforms import DateField, SelectChoice, StringField
from wtforms.validators import ValidationError

from workflows.money import AmountError, format_belgian, parse_euro


class EuroField(StringField):
    """An amount in euro typed the Belgian way; `data` holds integer cents. What was typed is kept."""

    widget = GovTextInput()

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "spellcheck": "false", "autocomplete": "off"})
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        self.raw_text = str(valuelist[0])
        if not self.raw_text.strip():
            self.data = None
            return
        try:
            self.data = parse_euro(self.raw_text)
        except AmountError as exc:
            self.data = None
            raise ValueError(str(_l("Vul een bedrag in euro in, bijvoorbeeld 1.234,56"))) from exc

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        if self.data is None:
            return ""
        return format_belgian(self.data)


class LabelledDateInput(GovDateInput):
    """GOV.UK date input with the box labels in the user's language (the library hard-codes English)."""

    def map_gov_params(self, field: Any, **kwargs: Any) -> dict[str, Any]:
        if field.raw_data is not None and len(field.raw_data) != 3:
            field.raw_data = None  # a post without the three boxes: show them empty, never crash
        params: dict[str, Any] = super().map_gov_params(field, **kwargs)
        # `required` would land on the wrapping div, where HTML has no such attribute; the form is checked on the
        # server (GOV.UK pattern) and the legend says what is asked.
        params["attributes"].pop("required", None)
        labels = (_l("Dag"), _l("Maand"), _l("Jaar"))
        for item, label in zip(params["items"], labels, strict=True):
            item["label"] = str(label)
        return params


class PasswordInput(GovPasswordInput):
    """GOV.UK password input whose `autocomplete` is the component's own parameter: given as a plain attribute,
    the component writes its default (`current-password`) beside it, and browsers keep the first."""

    def map_gov_params(self, field: Any, **kwargs: Any) -> dict[str, Any]:
        params: dict[str, Any] = super().map_gov_params(field, **kwargs)
        if "autocomplete" in params["attributes"]:
            params["autocomplete"] = params["attributes"].pop("autocomplete")
        return params


class DayField(DateField):
    """A day typed in three boxes (day, month, year), GOV.UK date-input pattern."""

    widget = LabelledDateInput()

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        super().__init__(label, validators, format="%d %m %Y", **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or not any(str(part).strip() for part in valuelist):
            self.data = None
            return
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(str(_l("Vul een bestaande datum in, bijvoorbeeld 31 10 2022"))) from exc
        if self.data is None:
            raise ValueError(str(_l("Vul een bestaande datum in, bijvoorbeeld 31 10 2022")))


def choices(pairs: Any) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices (plain tuples are deprecated)."""
    return [SelectChoice(value, label) for value, label in pairs]


def strong_password(min_length: int) -> Any:
    def check(form: Any, field: Any) -> None:
        value = field.data or ""
        if len(value) < min_length:
            raise ValidationError(str(_l("Kies een wachtwoord van minstens %(count)s tekens", count=min_length)))

    return check
