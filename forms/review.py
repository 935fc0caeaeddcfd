"""Forms of the officer's review: eligibility results, corrections, reviewers and decisions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
)
from wtforms import BooleanField, IntegerField, RadioField, SelectMultipleField, SubmitField, TextAreaField
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
    submit = SubmitField(_l("Verder naar het overzicht"), widget=GovSubmitInput())

    def validate_motivation(self, field: TextAreaField) -> None:
        if self.decision.data == "reject" and not (field.data or "").strip():
            raise ValidationError(str(_l("Een negatieve beslissing vraagt een geschreven motivering")))


# --- one decision at a time, confirmed -----------------------------------------------------------

ACKNOWLEDGE_LABEL = _l("Ik weet dat de ontvangende overheid nog niet bevestigde")
ACKNOWLEDGE_MESSAGE = _l(
    "Vink aan dat u weet dat de ontvangende overheid nog niet bevestigde, of wacht op haar bevestiging"
)


class AcknowledgeMixin:
    """The tick the call's `warn` setting asks before eligibility or grant while the receiving government has
    not confirmed; the route says whether it is needed (`acknowledgement_needed`)."""

    acknowledgement_needed = False
    acknowledged = BooleanField(ACKNOWLEDGE_LABEL, widget=GovCheckboxInput())

    def asking_acknowledgement(self, needed: bool) -> AcknowledgeMixin:
        """The form, asking the tick when `needed` (the call warns and the receiving government did not confirm)."""
        self.acknowledgement_needed = needed
        return self

    def validate_acknowledged(self, field: BooleanField) -> None:
        if self.acknowledgement_needed and not field.data:
            raise ValidationError(str(ACKNOWLEDGE_MESSAGE))


ELIGIBILITY_OUTCOMES = {
    "eligible": _l("Ontvankelijk"),
    "correction": _l("Aanvulling vragen"),
    "ineligible": _l("Niet ontvankelijk"),
}


class EligibilityChoiceForm(PortalForm):
    """The officer chooses one outcome; the confirmation page that follows says what it does."""

    id_prefix = "eligibility-"
    outcome = RadioField(
        _l("Uw beslissing over de ontvankelijkheid"),
        widget=GovRadioInput(),
        choices=choices(ELIGIBILITY_OUTCOMES.items()),
        validators=[InputRequired(message=_l("Kies ontvankelijk, aanvulling vragen of niet ontvankelijk"))],
    )
    question = TextAreaField(
        _l("Wat moet de aanvrager aanvullen of verbeteren?"),
        widget=GovTextArea(),
        validators=[Length(max=5000)],
    )
    motivation = TextAreaField(
        _l("Motivering"),
        widget=GovTextArea(),
        description=_l("De aanvrager leest deze motivering; ze komt ook in de beslissingsbrief."),
        validators=[Length(max=5000)],
    )
    submit = SubmitField(_l("Verder"), widget=GovSubmitInput())

    def validate_question(self, field: TextAreaField) -> None:
        if self.outcome.data == "correction" and not (field.data or "").strip():
            raise ValidationError(str(_l("Schrijf de vraag aan de aanvrager")))

    def validate_motivation(self, field: TextAreaField) -> None:
        if self.outcome.data == "ineligible" and not (field.data or "").strip():
            raise ValidationError(str(_l("Een negatieve beslissing vraagt een geschreven motivering")))


class ConfirmEligibleForm(AcknowledgeMixin, PortalForm):
    submit = SubmitField(_l("Ontvankelijk verklaren"), widget=GovSubmitInput())


class ConfirmGrantForm(AcknowledgeMixin, GrantForm):
    submit = SubmitField(_l("Toekennen bevestigen"), widget=GovSubmitInput())


class LetterDraftForm(PortalForm):
    """The decision being considered, to show its letter as a draft (PDF) before it is taken."""

    outcome = RadioField(
        _l("Beslissing"),
        choices=choices(
            [("granted", _l("Toegekend")), ("rejected", _l("Afgewezen")), ("ineligible", _l("Niet ontvankelijk"))]
        ),
        validators=[InputRequired(message=_l("Kies een beslissing"))],
    )
    amount = EuroField(_l("Toegekend bedrag"), validators=[Optional()])
    motivation = TextAreaField(_l("Motivering"), validators=[Length(max=5000)])
    submit = SubmitField(_l("Ontwerp van de brief openen (PDF)"), widget=GovSubmitInput())


class BulkConfirmForm(AcknowledgeMixin, BulkDecisionForm):
    """The batch decision again, from its confirmation page: what was chosen, and the total it showed (a
    total that changed meanwhile means the choice is stale)."""

    total = IntegerField(validators=[Optional()])
    submit = SubmitField(_l("Beslissing bevestigen"), widget=GovSubmitInput())
