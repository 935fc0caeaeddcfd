"""Forms of matchmaking: an offer with its mentor profiles, a need, proposing a pair, answering."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    EmailField,
    FieldList,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Email, InputRequired, Length, NumberRange

from forms.applications import ExpertProfileFields, TimeShareField
from forms.base import PortalForm, PortalSubform
from forms.fields import choices

TEXT_LIMIT = 5000
PROFILE_LIMIT = 5
MONTHS = (
    _l("januari"), _l("februari"), _l("maart"), _l("april"), _l("mei"), _l("juni"),
    _l("juli"), _l("augustus"), _l("september"), _l("oktober"), _l("november"), _l("december"),
)  # fmt: skip


def _themes_field(label: Any) -> SelectMultipleField:
    return SelectMultipleField(
        label, widget=GovCheckboxesInput(), validators=[InputRequired(message=_l("Kies minstens één thema"))]
    )


def _text(label: Any, message: Any, hint: Any = None) -> TextAreaField:
    return TextAreaField(
        label,
        widget=GovTextArea(),
        description=hint or "",
        validators=[
            InputRequired(message=message),
            Length(max=TEXT_LIMIT, message=_l("Gebruik hoogstens 5.000 tekens")),
        ],
    )


def _inhabitants_field() -> IntegerField:
    return IntegerField(
        _l("Aantal inwoners van uw gemeente"),
        widget=GovTextInput(),
        description=_l("Een geheel getal, zonder punten, bijvoorbeeld 12500"),
        validators=[
            InputRequired(message=_l("Vul het aantal inwoners in, als geheel getal")),
            NumberRange(min=1, max=2_000_000, message=_l("Vul een aantal inwoners van 1 tot 2.000.000 in")),
        ],
        render_kw={"inputmode": "numeric"},
    )


class _ContactForm(PortalForm):
    contact_name = StringField(
        _l("Naam van de contactpersoon"),
        widget=GovTextInput(),
        validators=[InputRequired(message=_l("Vul de naam van de contactpersoon in")), Length(max=200)],
    )
    contact_email = EmailField(
        _l("E-mailadres van de contactpersoon"),
        widget=GovTextInput(),
        validators=[
            InputRequired(message=_l("Vul het e-mailadres van de contactpersoon in")),
            Email(
                message=_l("Vul een geldig e-mailadres in, bijvoorbeeld naam@gemeente.be"), check_deliverability=False
            ),
            Length(max=254),
        ],
        render_kw={"spellcheck": "false", "autocomplete": "email"},
    )


class ProfileForm(ExpertProfileFields, PortalSubform):
    """One mentor profile inside the offer (no CSRF token of its own: the offer form has it)."""

    full_name = StringField(
        _l("Naam van de mentor (niet verplicht)"),
        widget=GovTextInput(),
        description=_l(
            "Alleen de matcher en het bestuur waarmee u gematcht wordt zien de naam; het openbare overzicht toont ze nooit."
        ),
        validators=[Length(max=200)],
    )


class OfferForm(_ContactForm):
    themes = _themes_field(_l("Welke expertise kan uw bestuur delen?"))
    approach = _text(
        _l("Uw succesvolle aanpak"),
        _l("Beschrijf kort uw aanpak"),
        _l("Wat werkte bij u, en wat kan een ander bestuur ervan leren? Dit verschijnt in het openbare overzicht."),
    )
    inhabitants = _inhabitants_field()
    available_month = SelectField(
        _l("Beschikbaar vanaf (maand)"),
        widget=GovSelect(),
        # An empty first choice: no month is preselected, and a required list must start with one (HTML).
        coerce=lambda value: int(value) if value not in ("", None) else None,
        choices=choices([("", _l("Kies een maand")), *((number, name) for number, name in enumerate(MONTHS, start=1))]),
        validators=[InputRequired(message=_l("Kies de maand"))],
    )
    available_year = IntegerField(
        _l("Beschikbaar vanaf (jaar)"),
        widget=GovTextInput(),
        validators=[
            InputRequired(message=_l("Vul het jaar in, bijvoorbeeld 2027")),
            NumberRange(min=2020, max=2100, message=_l("Vul een jaartal in, bijvoorbeeld 2027")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    months_available = IntegerField(
        _l("Hoeveel maanden?"),
        widget=GovTextInput(),
        description=_l("Het oorspronkelijke opzet van de oproep: trajecten van vier maanden"),
        validators=[
            InputRequired(message=_l("Vul het aantal maanden in, als geheel getal")),
            NumberRange(min=1, max=36, message=_l("Vul een aantal maanden van 1 tot 36 in")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    time_share = TimeShareField(
        _l("Tijdsbesteding van de mentor"),
        description=_l("In procent van een voltijdse job: 50 is halftijds"),
        validators=[InputRequired(message=_l("Vul de tijdsbesteding in procent in"))],
    )
    profiles = FieldList(FormField(ProfileForm), min_entries=1, max_entries=PROFILE_LIMIT)
    add_profile = SubmitField(_l("Nog een mentorprofiel toevoegen"), widget=GovSubmitInput())
    save = SubmitField(_l("Aanbod opslaan"), widget=GovSubmitInput())


class FteField(StringField):
    """Full-time equivalents typed the Belgian way (`0,5`, `2`); `data` in tenths. What was typed is kept."""

    widget = GovTextInput()

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        text = str(valuelist[0]).strip().upper().removesuffix("VTE").strip().replace(",", ".")
        try:
            value = Decimal(text)
        except InvalidOperation as exc:
            self.data = None
            raise ValueError(str(_l("Vul een aantal VTE in, bijvoorbeeld 0,5 of 2"))) from exc
        if not value.is_finite() or not Decimal(0) <= value <= Decimal(500) or value != value.quantize(Decimal("0.1")):
            self.data = None
            raise ValueError(str(_l("Vul een aantal VTE van 0 tot 500 in, met hoogstens één decimaal")))
        self.data = int(value * 10)

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        if self.data is None:
            return ""
        whole, tenth = divmod(int(self.data), 10)
        return f"{whole},{tenth}" if tenth else str(whole)


class NeedForm(_ContactForm):
    themes = _themes_field(_l("Over welke thema's wil uw bestuur leren?"))
    context = _text(
        _l("Context"),
        _l("Beschrijf kort de context van uw bestuur"),
        _l("Uw armoedebeleid vandaag: wat er al is, waar u op vastloopt."),
    )
    goals = _text(_l("Wat wilt u bereiken?"), _l("Beschrijf wat u wilt bereiken"))
    inhabitants = _inhabitants_field()
    staff_fte = FteField(
        _l("Personeel voor armoedebeleid, in voltijdse equivalenten (VTE)"),
        description=_l(
            "Bijvoorbeeld 0,5 voor een halftijdse medewerker. Besturen met weinig personeel krijgen voorrang."
        ),
        validators=[InputRequired(message=_l("Vul het aantal VTE in, bijvoorbeeld 0,5"))],
        render_kw={"inputmode": "decimal"},
    )
    save = SubmitField(_l("Vraag opslaan"), widget=GovSubmitInput())


class WithdrawRegistrationForm(PortalForm):
    submit = SubmitField(_l("Intrekken"), widget=GovSubmitInput())


class ProposeForm(PortalForm):
    message = TextAreaField(
        _l("Bericht aan beide besturen (niet verplicht)"),
        widget=GovTextArea(),
        description=_l("Waarom past dit aanbod bij deze vraag?"),
        validators=[Length(max=2000, message=_l("Gebruik hoogstens 2.000 tekens"))],
    )
    submit = SubmitField(_l("Match voorstellen"), widget=GovSubmitInput())


class CancelMatchForm(PortalForm):
    submit = SubmitField(_l("Voorstel intrekken"), widget=GovSubmitInput())


class AnswerForm(PortalForm):
    answer = RadioField(
        _l("Gaat uw bestuur in op dit voorstel?"),
        widget=GovRadioInput(),
        choices=choices(
            [("accepted", _l("Ja, wij aanvaarden de match")), ("declined", _l("Nee, wij gaan niet in op dit voorstel"))]
        ),
        validators=[InputRequired(message=_l("Kies of u de match aanvaardt"))],
    )
    reason = TextAreaField(
        _l("Waarom niet? (niet verplicht)"),
        widget=GovTextArea(),
        description=_l("Helpt de matcher om een beter voorstel te doen."),
        validators=[Length(max=2000, message=_l("Gebruik hoogstens 2.000 tekens"))],
    )
    submit = SubmitField(_l("Antwoord versturen"), widget=GovSubmitInput())
