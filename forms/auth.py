"""Forms of the sign-in journey: login, two-step code, set password, forgotten password."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import Email, EqualTo, InputRequired, Length

from forms.base import PortalForm
from forms.fields import PasswordInput, strong_password


class LoginForm(PortalForm):
    email = EmailField(
        _l("E-mailadres"),
        widget=GovTextInput(),
        validators=[
            InputRequired(message=_l("Vul uw e-mailadres in")),
            Email(
                message=_l("Vul een geldig e-mailadres in, bijvoorbeeld naam@gemeente.be"), check_deliverability=False
            ),
        ],
        render_kw={"autocomplete": "username", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Wachtwoord"),
        widget=PasswordInput(),
        validators=[InputRequired(message=_l("Vul uw wachtwoord in"))],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField(_l("Inloggen"), widget=GovSubmitInput())


class TwoStepCodeForm(PortalForm):
    code = StringField(
        _l("Code van zes cijfers"),
        widget=GovTextInput(),
        description=_l("De code die uw authenticator-app nu toont"),
        validators=[
            InputRequired(message=_l("Vul de code van zes cijfers in")),
            Length(min=6, max=7, message=_l("De code heeft zes cijfers")),
        ],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"},
    )
    submit = SubmitField(_l("Doorgaan"), widget=GovSubmitInput())


def _new_password_fields(min_length: int) -> tuple[PasswordField, PasswordField]:
    password = PasswordField(
        _l("Nieuw wachtwoord"),
        widget=PasswordInput(),
        description=_l(
            "Minstens %(count)s tekens. Een zin van enkele woorden is sterk en makkelijk te onthouden.",
            count=min_length,
        ),
        validators=[InputRequired(message=_l("Vul een nieuw wachtwoord in")), strong_password(min_length)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Herhaal het nieuwe wachtwoord"),
        widget=PasswordInput(),
        validators=[
            InputRequired(message=_l("Herhaal het nieuwe wachtwoord")),
            EqualTo("password", message=_l("De twee wachtwoorden zijn niet gelijk")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    return password, confirm


PASSWORD_MIN_LENGTH = 12


class SetPasswordForm(PortalForm):
    password, confirm = _new_password_fields(PASSWORD_MIN_LENGTH)
    submit = SubmitField(_l("Wachtwoord opslaan"), widget=GovSubmitInput())


class ChangePasswordForm(PortalForm):
    current_password = PasswordField(
        _l("Huidig wachtwoord"),
        widget=PasswordInput(),
        validators=[InputRequired(message=_l("Vul uw huidige wachtwoord in"))],
        render_kw={"autocomplete": "current-password"},
    )
    password, confirm = _new_password_fields(PASSWORD_MIN_LENGTH)
    submit = SubmitField(_l("Wachtwoord wijzigen"), widget=GovSubmitInput())


class ForgotPasswordForm(PortalForm):
    email = LoginForm.email
    submit = SubmitField(_l("Stuur mij een link"), widget=GovSubmitInput())
