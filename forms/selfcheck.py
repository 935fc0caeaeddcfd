"""The public self-check's form: the questions an application would answer, before there is an account."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput
from wtforms import FieldList, FormField, RadioField, SubmitField
from wtforms.validators import InputRequired, ValidationError

from forms.applications import ExchangeChoiceFields, TimeShareField
from forms.base import PortalForm, PortalSubform
from forms.fields import DayField, EuroField, choices

MENTOR_ROWS = 3

KIND_CHOICES = choices(
    [
        ("municipality", _l("Een lokaal bestuur: een gemeente met haar OCMW")),
        ("other", _l("Een andere organisatie (een vereniging, een intergemeentelijk samenwerkingsverband, een vzw)")),
    ]
)


class MentorEstimateForm(PortalSubform):
    """One mentor's cost; a row left empty is not counted, a row begun must be complete."""

    monthly_wage = EuroField(_l("Brutoloonkost per maand"), description=_l("In euro, bijvoorbeeld 5.400,00"))
    time_share = TimeShareField(
        _l("Tijdsbesteding aan het project"), description=_l("In procent van een voltijdse job: 50 is halftijds")
    )
    start_on = DayField(_l("Eerste dag in het project"))
    end_on = DayField(_l("Laatste dag in het project"))

    def is_blank(self) -> bool:
        return all(
            not any(str(v).strip() for v in (field.raw_data or []))
            for field in (self.monthly_wage, self.time_share, self.start_on, self.end_on)
        )

    def validate(self, extra_validators: dict[str, list[Any]] | None = None) -> bool:
        valid = super().validate(extra_validators)
        if self.is_blank():
            return valid
        for field, message in (
            (self.monthly_wage, _l("Vul de brutoloonkost per maand in")),
            (self.time_share, _l("Vul de tijdsbesteding in procent in")),
            (self.start_on, _l("Vul de begindatum in")),
            (self.end_on, _l("Vul de einddatum in")),
        ):
            if field.data is None and not field.errors:
                field.errors = [*field.errors, str(message)]
                valid = False
        if self.monthly_wage.data is not None and not 0 < self.monthly_wage.data <= 10_000_000:
            self.monthly_wage.errors = [
                *self.monthly_wage.errors,
                str(_l("Vul een brutoloonkost per maand tot 100.000,00 euro in")),
            ]
            valid = False
        if self.start_on.data and self.end_on.data and self.end_on.data < self.start_on.data:
            self.end_on.errors = [*self.end_on.errors, str(_l("De einddatum valt voor de begindatum"))]
            valid = False
        return valid


class SelfCheckForm(ExchangeChoiceFields, PortalForm):
    """The call's forms and themes are offered by the route."""

    applicant_kind = RadioField(
        _l("Wie leent de expert uit?"), widget=GovRadioInput(), choices=KIND_CHOICES,
        validators=[InputRequired(message=_l("Kies wie de expert uitleent"))],
    )  # fmt: skip
    receiving_kind = RadioField(
        _l("Wie ontvangt de expertise?"), widget=GovRadioInput(), choices=KIND_CHOICES,
        validators=[InputRequired(message=_l("Kies wie de expertise ontvangt"))],
    )  # fmt: skip
    drew_up_plan = RadioField(
        _l(
            "Stelde elke mentor een lokaal armoedeplan op dat de volledige cyclus doorliep, tot goedkeuring door de gemeenteraad?"
        ),
        widget=GovRadioInput(),
        choices=choices([("yes", _l("Ja")), ("no", _l("Nee, of niet elke mentor"))]),
        validators=[InputRequired(message=_l("Kies ja of nee"))],
    )
    mentors = FieldList(FormField(MentorEstimateForm), min_entries=MENTOR_ROWS, max_entries=MENTOR_ROWS)
    submit = SubmitField(_l("Bereken"), widget=GovSubmitInput())

    def validate_mentors(self, field: Any) -> None:
        if all(row.form.is_blank() for row in field):
            raise ValidationError(str(_l("Vul de kosten van minstens één mentor in")))
