"""Forms of the application's task list: one per section, Dutch messages, nothing decided here."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import HiddenInput

from forms.base import PortalForm
from forms.calls import EXCHANGE_TYPE_LABELS
from forms.fields import DayField, EuroField, choices
from workflows.participation import DECLINE_REASON_LIMIT

TEXT_LIMIT = 5000


def _contact_fields(party: str) -> dict[str, Any]:
    return {
        f"{party}_contact_name": StringField(
            _l("Naam"),
            widget=GovTextInput(),
            validators=[InputRequired(message=_l("Vul de naam van de contactpersoon in")), Length(max=200)],
        ),
        f"{party}_contact_function": StringField(
            _l("Functie"),
            widget=GovTextInput(),
            validators=[InputRequired(message=_l("Vul de functie van de contactpersoon in")), Length(max=200)],
        ),
        f"{party}_contact_email": EmailField(
            _l("E-mailadres"),
            widget=GovTextInput(),
            validators=[
                InputRequired(message=_l("Vul het e-mailadres van de contactpersoon in")),
                Email(
                    message=_l("Vul een geldig e-mailadres in, bijvoorbeeld naam@gemeente.be"),
                    check_deliverability=False,
                ),
            ],
            render_kw={"spellcheck": "false", "autocomplete": "off"},
        ),
        f"{party}_contact_phone": StringField(
            _l("Telefoonnummer"),
            widget=GovTextInput(),
            validators=[
                InputRequired(message=_l("Vul het telefoonnummer van de contactpersoon in")),
                Regexp(r"^\+?[0-9 ./()-]{8,20}$", message=_l("Vul een telefoonnummer in, bijvoorbeeld 09 123 45 67")),
            ],
            render_kw={"autocomplete": "off", "inputmode": "tel"},
        ),
    }


class _SectionForm(PortalForm):
    save = SubmitField(_l("Opslaan en doorgaan"), widget=GovSubmitInput())
    save_draft = SubmitField(_l("Opslaan en later verdergaan"), widget=GovSubmitInput())


class PartiesForm(_SectionForm):
    receiving_organisation_id = SelectField(
        _l("Ontvangend bestuur"),
        widget=GovSelect(),
        coerce=int,
        description=_l("Het bestuur dat de expertise ontvangt. Uw eigen bestuur is het gevende bestuur."),
        validators=[NumberRange(min=1, message=_l("Kies het ontvangende bestuur"))],
    )


# The same four contact fields for each party: giving_contact_name, receiving_contact_name, ...
for _party in ("giving", "receiving"):
    for _name, _field in _contact_fields(_party).items():
        setattr(PartiesForm, _name, _field)


def _text(label: Any, hint: Any, message: Any) -> TextAreaField:
    return TextAreaField(
        label,
        widget=GovTextArea(),
        description=hint,
        validators=[InputRequired(message=message), Length(max=TEXT_LIMIT, message=_l("Gebruik maximaal 5000 tekens"))],
    )


class ExchangeChoiceFields:
    """The form of exchange and the themes (the call's, offered by the route): asked in the application and
    in the public self-check."""

    exchange_type = RadioField(
        _l("Vorm van uitwisseling"),
        widget=GovRadioInput(),
        validators=[InputRequired(message=_l("Kies mentoring of stage"))],
    )
    themes = SelectMultipleField(
        _l("Thema's"), widget=GovCheckboxesInput(), validators=[InputRequired(message=_l("Kies minstens één thema"))]
    )


class ExchangeForm(ExchangeChoiceFields, _SectionForm):
    rights = SelectMultipleField(
        _l("Grondrechten waarop het project inwerkt"),
        widget=GovCheckboxesInput(),
        validators=[InputRequired(message=_l("Kies minstens één grondrecht"))],
    )
    approach = _text(
        _l("Welke succesvolle aanpak wordt geïntroduceerd?"),
        _l("Beschrijf de aanpak van het gevende bestuur die het ontvangende bestuur overneemt."),
        _l("Beschrijf de succesvolle aanpak"),
    )
    need = _text(
        _l("Wat is de nood van het ontvangende bestuur?"), None, _l("Beschrijf de nood van het ontvangende bestuur")
    )
    goals = _text(_l("Wat zijn de doelen van het project?"), None, _l("Beschrijf de doelen"))
    participation = _text(
        _l("Hoe worden mensen in armoede betrokken?"), None, _l("Beschrijf hoe mensen in armoede betrokken worden")
    )
    embedding = _text(
        _l("Hoe blijft het resultaat na het project verankerd?"),
        _l("Duurzame verankering: wat blijft er na het project, en wie neemt het op?"),
        _l("Beschrijf de duurzame verankering"),
    )

    def set_choices(
        self, exchange_types: list[str], themes: list[tuple[str, str]], rights: list[tuple[str, str]]
    ) -> None:
        self.exchange_type.choices = choices((code, EXCHANGE_TYPE_LABELS[code]) for code in exchange_types)
        self.themes.choices = choices(themes)
        self.rights.choices = choices(rights)


class TimeShareField(StringField):
    """A time share typed as a percentage of a full-time job (`50`, `33,33`); `data` in basis points."""

    widget = GovTextInput()

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        text = str(valuelist[0]).strip().replace("%", "").strip().replace(",", ".")
        try:
            percent = Decimal(text)
        except InvalidOperation as exc:
            self.data = None
            raise ValueError(str(_l("Vul een percentage in, bijvoorbeeld 50 of 33,33"))) from exc
        if (
            not percent.is_finite()
            or not Decimal(0) < percent <= Decimal(100)
            or percent != percent.quantize(Decimal("0.01"))
        ):
            self.data = None
            raise ValueError(
                str(_l("Vul een percentage groter dan 0 en hoogstens 100 in, met hoogstens twee decimalen"))
            )
        self.data = int(percent * 100)

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        if self.data is None:
            return ""
        whole, hundredths = divmod(int(self.data), 100)
        return f"{whole},{hundredths:02d}".rstrip("0").rstrip(",")


class ExpertProfileFields:
    """The call's expert criteria of a mentor (seed 000): shared by the application's mentor and the
    mentor profile of an offer of expertise."""

    function = StringField(
        _l("Functie"),
        widget=GovTextInput(),
        validators=[InputRequired(message=_l("Vul de functie van de mentor in")), Length(max=200)],
    )
    years_experience = IntegerField(
        _l("Jaren ervaring in lokaal armoedebeleid"),
        widget=GovTextInput(),
        validators=[
            InputRequired(message=_l("Vul het aantal jaren ervaring in, als geheel getal")),
            NumberRange(min=0, max=60, message=_l("Vul een aantal jaren van 0 tot 60 in")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    drew_up_plan = RadioField(
        _l(
            "Stelde de mentor een lokaal armoedeplan op dat de volledige cyclus doorliep, tot goedkeuring door de gemeenteraad?"
        ),
        widget=GovRadioInput(),
        choices=choices([("yes", _l("Ja")), ("no", _l("Nee"))]),
        validators=[InputRequired(message=_l("Kies ja of nee"))],
    )
    plan_description = StringField(
        _l("Welk plan?"),
        widget=GovTextInput(),
        description=_l("Bijvoorbeeld: Lokaal armoedeplan Gent 2020-2025"),
        validators=[Length(max=500)],
    )
    plan_year = IntegerField(
        _l("Jaar van goedkeuring door de gemeenteraad"),
        widget=GovTextInput(),
        validators=[Optional(), NumberRange(min=1980, max=2100, message=_l("Vul een jaartal in, bijvoorbeeld 2020"))],
        render_kw={"inputmode": "numeric"},
    )

    def validate_plan_description(self, field: Any) -> None:
        if self.drew_up_plan.data == "yes" and not (field.data or "").strip():
            raise ValidationError(str(_l("Vul in welk plan de mentor opstelde")))

    def validate_plan_year(self, field: Any) -> None:
        if self.drew_up_plan.data == "yes" and field.data is None and not field.errors:
            raise ValidationError(str(_l("Vul het jaar van goedkeuring in")))


class MentorForm(ExpertProfileFields, _SectionForm):
    full_name = StringField(
        _l("Naam van de mentor"),
        widget=GovTextInput(),
        validators=[InputRequired(message=_l("Vul de naam van de mentor in")), Length(max=200)],
    )
    themes = SelectMultipleField(
        _l("Expertise van de mentor"),
        widget=GovCheckboxesInput(),
        validators=[InputRequired(message=_l("Kies minstens één thema"))],
    )
    monthly_wage = EuroField(
        _l("Brutoloonkost per maand"),
        description=_l("Zoals op de loonlijst van het bestuur, in euro, bijvoorbeeld 5.400,00"),
        validators=[InputRequired(message=_l("Vul de brutoloonkost per maand in"))],
    )
    time_share = TimeShareField(
        _l("Tijdsbesteding aan het project"),
        description=_l("In procent van een voltijdse job: 50 is halftijds"),
        validators=[InputRequired(message=_l("Vul de tijdsbesteding in procent in"))],
    )
    start_on = DayField(
        _l("Eerste dag van de mentor in het project"), validators=[InputRequired(message=_l("Vul de begindatum in"))]
    )
    end_on = DayField(
        _l("Laatste dag van de mentor in het project"), validators=[InputRequired(message=_l("Vul de einddatum in"))]
    )

    def validate_monthly_wage(self, field: Any) -> None:
        if field.data is not None and field.data <= 0:
            raise ValidationError(str(_l("De brutoloonkost moet groter zijn dan nul")))
        if field.data is not None and field.data > 10_000_000:
            raise ValidationError(str(_l("Vul een brutoloonkost per maand tot 100.000,00 euro in")))

    def validate_end_on(self, field: Any) -> None:
        if field.data and self.start_on.data and field.data < self.start_on.data:
            raise ValidationError(str(_l("De einddatum valt voor de begindatum")))


class BudgetForm(_SectionForm):
    iban = StringField(
        _l("Rekeningnummer (IBAN) van het gevende bestuur"),
        widget=GovTextInput(),
        description=_l("Hierop wordt de compensatie betaald, bijvoorbeeld BE68 5390 0754 7034"),
        validators=[InputRequired(message=_l("Vul het rekeningnummer (IBAN) in"))],
        render_kw={"spellcheck": "false", "autocomplete": "off"},
    )


class AttachmentForm(PortalForm):
    document = FileField(_l("Kies een PDF-bestand"), widget=GovFileInput())
    upload = SubmitField(_l("Bestand opladen"), widget=GovSubmitInput())


class SubmitForm(PortalForm):
    declaration = BooleanField(
        _l("Ik verklaar dat de gegevens in deze aanvraag juist en volledig zijn en dat ik ons bestuur mag verbinden."),
        widget=GovCheckboxInput(),
        validators=[InputRequired(message=_l("Bevestig de verklaring om de aanvraag in te dienen"))],
    )
    submit = SubmitField(_l("Aanvraag indienen"), widget=GovSubmitInput())


class WithdrawForm(PortalForm):
    reason = TextAreaField(
        _l("Waarom trekt u de aanvraag in? (niet verplicht)"), widget=GovTextArea(), validators=[Length(max=2000)]
    )
    confirm = BooleanField(
        _l("Ik begrijp dat een ingetrokken aanvraag niet meer kan worden ingediend."),
        widget=GovCheckboxInput(),
        validators=[InputRequired(message=_l("Bevestig dat u de aanvraag wilt intrekken"))],
    )
    submit = SubmitField(_l("Aanvraag intrekken"), widget=GovSubmitInput())


class AcceptOfferForm(PortalForm):
    # The amount the applicant saw: if the offer changed since, the portal says so instead.
    offer_cents = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    submit = SubmitField(_l("Het aangeboden bedrag aanvaarden"), widget=GovSubmitInput())


class ConfirmParticipationForm(PortalForm):
    submit = SubmitField(_l("Deelname van ons bestuur bevestigen"), widget=GovSubmitInput())


class DeclineParticipationForm(PortalForm):
    """The receiving government declines: the reason is required (the giving government and the officer read it)."""

    reason = TextAreaField(
        _l("Waarom neemt uw bestuur niet deel?"),
        widget=GovTextArea(),
        description=_l("Het aanvragende bestuur en de administratie lezen deze reden."),
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[
            DataRequired(message=_l("Schrijf waarom uw bestuur niet deelneemt")),
            Length(max=DECLINE_REASON_LIMIT, message=_l("Gebruik maximaal 2000 tekens")),
        ],
    )
    submit = SubmitField(_l("Deelname weigeren"), widget=GovSubmitInput())


class StartForm(PortalForm):
    call_id = RadioField(
        _l("Voor welke oproep vraagt u aan?"),
        widget=GovRadioInput(),
        coerce=int,
        validators=[InputRequired(message=_l("Kies een oproep"))],
        validate_choice=False,  # a call that closed meanwhile gets the route's own message, not "invalid choice"
    )
    submit = SubmitField(_l("Aanvraag starten"), widget=GovSubmitInput())
