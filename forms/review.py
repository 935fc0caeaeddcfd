"""Forms of the officer's review: eligibility results, corrections, reviewers and decisions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
)
from wtforms import RadioField, SelectMultipleField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from forms.base import PortalForm
from forms.fields import EuroField, choices


class ResultDecisionForm(PortalForm):
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


class CorrectionForm(PortalForm):
    id_prefix = "correction-"
    question = TextAreaField(
        _l("Wat moet de aanvrager aanvullen of verbeteren?"),
        widget=GovTextArea(),
        validators=[DataRequired(message=_l("Schrijf de vraag aan de aanvrager")), Length(max=5000)],
    )
    submit = SubmitField(_l("Aanvulling vragen"), widget=GovSubmitInput())


class IneligibleForm(PortalForm):
    id_prefix = "ineligible-"
    motivation = TextAreaField(
        _l("Motivering"),
        widget=GovTextArea(),
        description=_l("De aanvrager leest deze motivering; ze komt ook in de beslissingsbrief."),
        validators=[
            DataRequired(message=_l("Een negatieve beslissing vraagt een geschreven motivering")),
            Length(max=5000),
        ],
    )
    submit = SubmitField(_l("Niet ontvankelijk verklaren"), widget=GovSubmitInput())


class ConfirmForm(PortalForm):
    submit = SubmitField(_l("Ontvankelijk verklaren"), widget=GovSubmitInput())


class AssignReviewersForm(PortalForm):
    """The reviewer ids are offered by the route (those who may be assigned, suggestions ticked)."""

    reviewers = SelectMultipleField(
        _l("Beoordelaars"),
        coerce=int,
        widget=GovCheckboxesInput(),
        validators=[DataRequired(message=_l("Kies minstens één beoordelaar"))],
    )
    submit = SubmitField(_l("Beoordelaars toewijzen"), widget=GovSubmitInput())


class GrantForm(PortalForm):
    id_prefix = "grant-"
    amount = EuroField(
        _l("Toegekend bedrag (optioneel)"),
        description=_l(
            "Laat leeg om het gereserveerde bedrag toe te kennen. Een lager bedrag geeft het verschil meteen vrij voor de wachtlijst."
        ),
        validators=[Optional()],
    )
    motivation = TextAreaField(
        _l("Motivering (optioneel)"),
        widget=GovTextArea(),
        description=_l("Komt in de beslissingsbrief."),
        validators=[Length(max=5000)],
    )
    submit = SubmitField(_l("Toekennen"), widget=GovSubmitInput())


class RejectForm(PortalForm):
    id_prefix = "reject-"
    motivation = TextAreaField(
        _l("Motivering van de afwijzing"),
        widget=GovTextArea(),
        description=_l("De aanvrager leest deze motivering; ze komt ook in de beslissingsbrief."),
        validators=[
            DataRequired(message=_l("Een negatieve beslissing vraagt een geschreven motivering")),
            Length(max=5000),
        ],
    )
    submit = SubmitField(_l("Afwijzen"), widget=GovSubmitInput())


class BulkDecisionForm(PortalForm):
    dossiers = SelectMultipleField(
        _l("Dossiers"),
        coerce=int,
        widget=GovCheckboxesInput(),
        validators=[DataRequired(message=_l("Kies minstens één dossier"))],
    )
    decision = RadioField(
        _l("Beslissing voor de gekozen dossiers"),
        widget=GovRadioInput(),
        choices=choices([("grant", _l("Toekennen (het gereserveerde bedrag)")), ("reject", _l("Afwijzen"))]),
        validators=[InputRequired(message=_l("Kies toekennen of afwijzen"))],
    )
    motivation = TextAreaField(
        _l("Motivering"),
        widget=GovTextArea(),
        description=_l("Verplicht bij een afwijzing. Ze komt in de beslissingsbrief van elk gekozen dossier."),
        validators=[Length(max=5000)],
    )
    submit = SubmitField(_l("Beslissing nemen"), widget=GovSubmitInput())

    def validate_motivation(self, field: TextAreaField) -> None:
        if self.decision.data == "reject" and not (field.data or "").strip():
            raise ValidationError(str(_l("Een negatieve beslissing vraagt een geschreven motivering")))
