"""The officer's form for a person's written request to see their data (GDPR art. 15)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import EmailField, StringField, SubmitField
from wtforms.validators import Email, InputRequired, Length

from forms.base import PortalForm


class DataRequestForm(PortalForm):
    email = EmailField(
        _l("E-mailadres van de persoon"),
        widget=GovTextInput(),
        validators=[
            InputRequired(message=_l("Vul het e-mailadres in")),
            Email(
                message=_l("Vul een geldig e-mailadres in, bijvoorbeeld naam@gemeente.be"), check_deliverability=False
            ),
            Length(max=254, message=_l("Het e-mailadres is te lang")),
        ],
        render_kw={"spellcheck": "false"},
    )
    letter_reference = StringField(
        _l("Kenmerk van de brief met het verzoek"),
        widget=GovTextInput(),
        validators=[
            InputRequired(message=_l("Vul het kenmerk van de brief in")),
            Length(max=200, message=_l("Het kenmerk is te lang")),
        ],
    )
    submit = SubmitField(_l("Gegevens downloaden"), widget=GovSubmitInput())
