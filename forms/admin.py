"""Forms of the administration of users and organisations."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovRadioInput, GovSelect, GovSubmitInput, GovTextInput
from wtforms import BooleanField, EmailField, RadioField, SelectField, StringField, SubmitField
from wtforms.validators import Email, InputRequired, Length, Optional

from forms.account import LANGUAGE_CHOICES
from forms.base import PortalForm
from forms.fields import choices
from workflows.text import without_control_characters

ROLE_LABELS = {
    "applicant": _l("Aanvrager (lokaal bestuur)"),
    "matcher": _l("Matcher (VVSG)"),
    "reviewer": _l("Lid van de selectiecommissie"),
    "officer": _l("Dossierbehandelaar (ABB)"),
    "finance": _l("Financieel medewerker (ABB)"),
    "admin": _l("Beheerder"),
}


class InviteUserForm(PortalForm):
    full_name = StringField(
        _l("Naam"),
        widget=GovTextInput(),
        validators=[InputRequired(message=_l("Vul de naam in")), Length(max=200, message=_l("De naam is te lang"))],
    )
    email = EmailField(
        _l("E-mailadres"),
        widget=GovTextInput(),
        validators=[
            InputRequired(message=_l("Vul het e-mailadres in")),
            Email(
                message=_l("Vul een geldig e-mailadres in, bijvoorbeeld naam@gemeente.be"), check_deliverability=False
            ),
        ],
        render_kw={"spellcheck": "false"},
    )
    role = RadioField(
        _l("Rol"),
        widget=GovRadioInput(),
        choices=choices(ROLE_LABELS.items()),
        validators=[InputRequired(message=_l("Kies een rol"))],
    )
    organisation_id = SelectField(
        _l("Organisatie"),
        widget=GovSelect(),
        coerce=int,
        description=_l("Een aanvrager hoort bij een lokaal bestuur; een matcher bij VVSG; ABB-personeel bij ABB."),
        validators=[InputRequired(message=_l("Kies een organisatie"))],
    )
    locale = RadioField(
        _l("Taal van de uitnodiging"),
        widget=GovRadioInput(),
        choices=LANGUAGE_CHOICES,
        default="nl",
        validators=[InputRequired(message=_l("Kies een taal"))],
    )
    submit = SubmitField(_l("Uitnodiging versturen"), widget=GovSubmitInput())


class EditUserForm(PortalForm):
    role = InviteUserForm.role
    organisation_id = InviteUserForm.organisation_id
    is_active = BooleanField(_l("Account actief"), widget=GovCheckboxInput())
    submit = SubmitField(_l("Opslaan"), widget=GovSubmitInput())


class OrganisationForm(PortalForm):
    name = StringField(
        _l("Naam"),
        widget=GovTextInput(),
        validators=[InputRequired(message=_l("Vul de naam in")), Length(max=200, message=_l("De naam is te lang"))],
    )
    is_active = BooleanField(_l("Organisatie actief"), widget=GovCheckboxInput(), default=True)
    submit = SubmitField(_l("Opslaan"), widget=GovSubmitInput())


class OrganisationSearchForm(PortalForm):
    class Meta:
        csrf = False

    # Read without validating (a GET): what no name can hold is dropped from the search term.
    q = StringField(
        _l("Zoek op naam of NIS-code"),
        widget=GovTextInput(),
        validators=[Optional()],
        filters=[lambda term: without_control_characters(term) if term else term],
    )
