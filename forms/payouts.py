"""Forms of the final report and of the payouts: fields, coercion, Dutch messages; nothing decided here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import IntegerField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, ValidationError
from wtforms.widgets import HiddenInput

from forms.applications import TEXT_LIMIT, MentorForm
from forms.base import PortalForm
from forms.fields import DayField
from workflows.calls import BRUSSELS
from workflows.trajectory import EARLY_END_REASON_LIMIT


def _stripped(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class AchievementsForm(PortalForm):
    achievements = TextAreaField(
        _l("Wat heeft het project bereikt?"),
        widget=GovTextArea(),
        description=_l("Wat deed de mentor, wat leerde het ontvangende bestuur, en wat blijft na het project?"),
        filters=[_stripped],
        validators=[DataRequired(message=_l("Beschrijf wat het project heeft bereikt")), Length(max=TEXT_LIMIT)],
    )
    save = SubmitField(_l("Opslaan"), widget=GovSubmitInput())


class ActualCostForm(PortalForm):
    """A mentor's actual cost basis: the same fields and checks as the planned one in the application."""

    monthly_wage = MentorForm.monthly_wage
    time_share = MentorForm.time_share
    start_on = MentorForm.start_on
    end_on = MentorForm.end_on
    validate_monthly_wage = MentorForm.validate_monthly_wage
    validate_end_on = MentorForm.validate_end_on
    save = SubmitField(_l("Opslaan"), widget=GovSubmitInput())


class EarlyEndForm(PortalForm):
    """The giving government declares that the trajectory ended before its planned end."""

    ended_on = DayField(
        _l("Op welke dag eindigde het traject?"),
        description=_l("De laatste dag waarop de mentor voor het project werkte, bijvoorbeeld 30 11 2026"),
        validators=[InputRequired(message=_l("Vul de dag in waarop het traject eindigde"))],
    )
    reason = TextAreaField(
        _l("Waarom eindigde het traject vroeger?"),
        widget=GovTextArea(),
        filters=[_stripped],
        validators=[
            DataRequired(message=_l("Schrijf kort waarom het traject vroeger eindigde")),
            Length(max=EARLY_END_REASON_LIMIT, message=_l("Gebruik maximaal 1000 tekens")),
        ],
    )
    submit = SubmitField(_l("Einde van het traject melden"), widget=GovSubmitInput())


class DocumentForm(PortalForm):
    document = FileField(_l("Kies een PDF-bestand"), widget=GovFileInput())
    upload = SubmitField(_l("Bewijsstuk opladen"), widget=GovSubmitInput())


class ButtonForm(PortalForm):
    """A POST with nothing but its CSRF token: submit the report, remove a document, approve, re-plan."""

    submit = SubmitField(_l("Bevestigen"), widget=GovSubmitInput())


class ReturnReportForm(PortalForm):
    question = TextAreaField(
        _l("Wat moet het bestuur aanvullen of verbeteren?"),
        widget=GovTextArea(),
        filters=[_stripped],
        validators=[DataRequired(message=_l("Schrijf wat het bestuur moet aanvullen of verbeteren")), Length(max=2000)],
    )
    submit = SubmitField(_l("Eindrapport terugsturen"), widget=GovSubmitInput())


class PaidForm(PortalForm):
    paid_on = DayField(
        _l("Datum van de betaling"), validators=[InputRequired(message=_l("Vul de datum van de betaling in"))]
    )
    bank_reference = StringField(
        _l("Referentie van de bank"),
        widget=GovTextInput(),
        description=_l("Zoals op het rekeninguittreksel, bijvoorbeeld het nummer van de overschrijving"),
        filters=[_stripped],
        validators=[
            DataRequired(message=_l("Vul de referentie van de bank in")),
            Length(max=35, message=_l("Gebruik ten hoogste 35 tekens")),
        ],
    )
    submit = SubmitField(_l("Betaling registreren"), widget=GovSubmitInput())


class FailedForm(PortalForm):
    reason = TextAreaField(
        _l("Waarom is de betaling mislukt?"),
        widget=GovTextArea(),
        description=_l("Bijvoorbeeld: de bank meldt dat de rekening is afgesloten"),
        filters=[_stripped],
        validators=[DataRequired(message=_l("Schrijf waarom de betaling mislukt is")), Length(max=2000)],
    )
    submit = SubmitField(_l("Als mislukt registreren"), widget=GovSubmitInput())


class PaymentBatchForm(PortalForm):
    """A new payment file: the day the bank is to execute the transfers (today or later, Brussels)."""

    execution_on = DayField(
        _l("Uitvoeringsdatum"),
        description=_l("De dag waarop de bank de overschrijvingen uitvoert, vandaag of later. Bijvoorbeeld 15 11 2026"),
        validators=[InputRequired(message=_l("Vul de uitvoeringsdatum in"))],
    )
    submit = SubmitField(_l("Betaalbestand maken"), widget=GovSubmitInput())

    def validate_execution_on(self, field: Any) -> None:
        # A payment file with a date in the past is refused by the bank, or executed at once unseen.
        if field.data is not None and field.data < datetime.now(BRUSSELS).date():
            raise ValidationError(str(_l("De uitvoeringsdatum moet vandaag of later zijn")))


# --- several payouts at once ------------------------------------------------------------------------


MAX_ID = 2**31 - 1  # PostgreSQL's integer, as portal/db.py (forms never import the portal)


def _known_ids(form: Any, field: Any) -> None:
    """Ids a row can have: anything else names no payout (and would not fit the database's integer)."""
    if any(not 0 < value <= MAX_ID for value in field.data or []):
        raise ValidationError(str(_l("Kies alleen betalingen uit de lijst")))


def _payout_choice() -> Any:
    # The choices are the rows of the page; the service checks each chosen id under its dossier's lock.
    return SelectMultipleField(
        _l("Betalingen"),
        coerce=int,
        validate_choice=False,
        validators=[DataRequired(message=_l("Kies minstens één betaling")), _known_ids],
    )


class ApproveSelectionForm(PortalForm):
    """The payouts to approve together, as the confirmation page showed them, with the total it showed."""

    payouts = _payout_choice()
    total_cents = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    submit = SubmitField(_l("Goedkeuren"), widget=GovSubmitInput())


class BatchAnswerForm(PortalForm):
    """The bank's answer for several payouts of a payment file: executed (a date and the bank's reference)
    or failed (why). The button pressed says which."""

    payouts = _payout_choice()
    outcome = StringField(
        validators=[AnyOf(["paid", "failed"], message=_l("Kies of de betalingen uitgevoerd of mislukt zijn"))]
    )
    paid_on = DayField(_l("Datum van de betaling"))
    bank_reference = StringField(
        _l("Referentie van de bank"),
        widget=GovTextInput(),
        description=_l("Zoals op het rekeninguittreksel, bijvoorbeeld het nummer van de verzamelopdracht"),
        filters=[_stripped],
        validators=[Length(max=35, message=_l("Gebruik ten hoogste 35 tekens"))],
    )
    reason = TextAreaField(
        _l("Waarom zijn de betalingen mislukt?"),
        widget=GovTextArea(),
        description=_l("Bijvoorbeeld: de bank weigerde het hele bestand"),
        filters=[_stripped],
        validators=[Length(max=2000)],
    )

    def validate_paid_on(self, field: Any) -> None:
        if self.outcome.data == "paid" and field.data is None and not field.errors:
            raise ValidationError(str(_l("Vul de datum van de betaling in")))

    def validate_bank_reference(self, field: Any) -> None:
        if self.outcome.data == "paid" and not field.data:
            raise ValidationError(str(_l("Vul de referentie van de bank in")))

    def validate_reason(self, field: Any) -> None:
        if self.outcome.data == "failed" and not field.data:
            raise ValidationError(str(_l("Schrijf waarom de betalingen mislukt zijn")))


class ConfirmBatchAnswerForm(BatchAnswerForm):
    """The same answer, confirmed on the page that showed the count and the total."""

    total_cents = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    submit = SubmitField(_l("Bevestigen"), widget=GovSubmitInput())
