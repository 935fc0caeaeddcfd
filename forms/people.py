"""Forms of a government's own people: inviting a colleague, removing access, asking for access, and the
administrator's answer to a request."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import EmailField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, StopValidation

from forms.base import PortalForm

REFUSAL_REASON_LIMIT = 2000


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _name_field(label: Any, missing: Any) -> StringField:
    return StringField(
        label,
        widget=GovTextInput(),
        filters=[_strip],
        validators=[DataRequired(message=missing), Length(max=200, message=_l("Gebruik maximaal 200 tekens"))],
        render_kw={"autocomplete": "name"},
    )


def _email_field(description: Any = None) -> EmailField:
    return EmailField(
        _l("E-mailadres"),
        widget=GovTextInput(),
        description=description,
        filters=[_strip],
        validators=[
            InputRequired(message=_l("Vul het e-mailadres in")),
            Length(max=254, message=_l("Het e-mailadres is te lang")),
            Email(
                message=_l("Vul een geldig e-mailadres in, bijvoorbeeld naam@gemeente.be"), check_deliverability=False
            ),
        ],
        render_kw={"spellcheck": "false", "autocomplete": "email"},
    )


def _chosen(form: Any, field: Any) -> None:
    if not field.data:
        raise StopValidation(_l("Kies uw bestuur"))


class InviteColleagueForm(PortalForm):
    full_name = _name_field(_l("Naam"), _l("Vul de naam van uw collega in"))
    email = _email_field(_l("Het werkadres van uw collega bij uw bestuur."))
    submit = SubmitField(_l("Uitnodiging versturen"), widget=GovSubmitInput())


class RemoveAccessForm(PortalForm):
    submit = SubmitField(_l("Toegang intrekken"), widget=GovSubmitInput())


class RequestAccessForm(PortalForm):
    full_name = _name_field(_l("Uw naam"), _l("Vul uw naam in"))
    function = StringField(
        _l("Uw functie"),
        widget=GovTextInput(),
        description=_l("Bijvoorbeeld: beleidsmedewerker armoede, diensthoofd sociale dienst."),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Vul uw functie in")),
            Length(max=200, message=_l("Gebruik maximaal 200 tekens")),
        ],
        render_kw={"autocomplete": "organization-title"},
    )
    organisation_id = SelectField(
        _l("Uw bestuur"),
        widget=GovSelect(),
        coerce=int,
        # Checked here rather than with InputRequired: a required select must not start with a real option,
        # and the first one ("Kies uw bestuur", 0) is the prompt.
        validators=[_chosen],
    )
    email = _email_field(_l("Uw werkadres bij dat bestuur: daar komt het antwoord."))
    submit = SubmitField(_l("Toegang aanvragen"), widget=GovSubmitInput())


class ApproveAccessForm(PortalForm):
    submit = SubmitField(_l("Goedkeuren en uitnodigen"), widget=GovSubmitInput())


class RefuseAccessForm(PortalForm):
    reason = TextAreaField(
        _l("Waarom weigert u de aanvraag?"),
        widget=GovTextArea(),
        description=_l("De aanvrager leest deze reden in de e-mail."),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Schrijf waarom u de aanvraag weigert")),
            Length(max=REFUSAL_REASON_LIMIT, message=_l("Gebruik maximaal 2000 tekens")),
        ],
    )
    submit = SubmitField(_l("Aanvraag weigeren"), widget=GovSubmitInput())


class RestoreAccessForm(PortalForm):
    submit = SubmitField(_l("Toegang herstellen"), widget=GovSubmitInput())
