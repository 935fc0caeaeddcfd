"""Forms of the committee's meeting: opening it (date, members present, remarks) and closing it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSubmitInput, GovTextArea
from wtforms import SelectMultipleField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from forms.base import PortalForm
from forms.fields import DayField


class OpenMeetingForm(PortalForm):
    held_on = DayField(
        _l("Datum van de vergadering"),
        description=_l("Bijvoorbeeld 15 12 2026"),
        validators=[InputRequired(message=_l("Vul de datum van de vergadering in"))],
    )
    members = SelectMultipleField(
        _l("Aanwezige leden van de selectiecommissie"),
        coerce=int,
        widget=GovCheckboxesInput(),
        validators=[DataRequired(message=_l("Kies minstens één aanwezig lid"))],
    )
    remarks = TextAreaField(
        _l("Opmerkingen (niet verplicht)"),
        widget=GovTextArea(),
        description=_l("Ze komen in het proces-verbaal."),
        validators=[Length(max=5000, message=_l("Gebruik ten hoogste 5000 tekens"))],
    )
    submit = SubmitField(_l("Vergadering openen"), widget=GovSubmitInput())


class CloseMeetingForm(PortalForm):
    submit = SubmitField(_l("Vergadering afsluiten"), widget=GovSubmitInput())
