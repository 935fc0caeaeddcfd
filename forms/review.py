"""Forms of the officer's eligibility review: a result's decision, a correction question, a motivation."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea
from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from forms.fields import choices


class ResultDecisionForm(FlaskForm):
    outcome = RadioField(
        _l("Uw beslissing over deze regel"),
        widget=GovRadioInput(),
        choices=choices([("pass", _l("Voldaan")), ("fail", _l("Niet voldaan"))]),
        validators=[InputRequired(message=_l("Kies voldaan of niet voldaan"))],
    )
    reason = TextAreaField(
        _l("Reden"),
        widget=GovTextArea(),
        validators=[DataRequired(message=_l("Geef de reden van uw beslissing")), Length(max=2000)],
    )
    submit = SubmitField(_l("Beslissing opslaan"), widget=GovSubmitInput())


class CorrectionForm(FlaskForm):
    question = TextAreaField(
        _l("Wat moet de aanvrager aanvullen of verbeteren?"),
        widget=GovTextArea(),
        validators=[DataRequired(message=_l("Schrijf de vraag aan de aanvrager")), Length(max=5000)],
    )
    submit = SubmitField(_l("Aanvulling vragen"), widget=GovSubmitInput())


class IneligibleForm(FlaskForm):
    motivation = TextAreaField(
        _l("Motivering"),
        widget=GovTextArea(),
        description=_l("De aanvrager leest deze motivering; ze komt ook in de beslissingsbrief."),
        validators=[DataRequired(message=_l("Een negatieve beslissing vraagt een geschreven motivering")), Length(max=5000)],
    )
    submit = SubmitField(_l("Niet ontvankelijk verklaren"), widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    submit = SubmitField(_l("Ontvankelijk verklaren"), widget=GovSubmitInput())
