"""Forms of the account page and the language switch."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput
from wtforms import HiddenField, RadioField, SubmitField
from wtforms.validators import AnyOf, InputRequired

from forms.base import PortalForm
from forms.fields import choices

LANGUAGE_CHOICES = choices([("nl", "Nederlands"), ("en", "English")])


class LanguageForm(PortalForm):
    language = RadioField(
        _l("Taal van het portaal en van de e-mails"),
        widget=GovRadioInput(),
        choices=LANGUAGE_CHOICES,
        validators=[InputRequired(message=_l("Kies een taal"))],
    )
    submit = SubmitField(_l("Taal opslaan"), widget=GovSubmitInput())


class LanguageSwitchForm(PortalForm):
    """The one-click switch in the header."""

    language = HiddenField(validators=[AnyOf(["nl", "en"])])
    next = HiddenField()
