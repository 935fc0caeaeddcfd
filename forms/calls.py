"""The officer's form for a call: every setting of SPEC section 4, the rubric as rows."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    IntegerField,
    RadioField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from forms.base import PortalForm, PortalSubform
from forms.fields import DayField, EuroField, choices

# A sanity bound, far above any call: a typing error of a few zeros is caught here.
MAX_ENVELOPE_CENTS = 1_000_000_000_00

EXCHANGE_TYPE_LABELS = {"mentoring": _l("Mentoring"), "stage": _l("Stage")}
ORGANISATION_KIND_LABELS = {
    "municipality": _l("Gemeente (met geïntegreerd OCMW)"),
    "association": _l("Vereniging (VVSG)"),
    "agency": _l("Vlaamse administratie"),
}
ATTACHMENT_LABELS = {
    "action_plan": _l("Actieplan"),
    "agreement": _l("Overeenkomst tussen beide besturen, ondertekend"),
}
SHORTFALL_LABELS = {
    "partial": _l("Gedeeltelijk: de eerste wachtende krijgt wat overblijft aangeboden"),
    "wait": _l("Wachten: een dossier wacht tot het volledige bedrag vrij is"),
}
UNCONFIRMED_PARTNER_LABELS = {
    "warn": _l("Waarschuwen: de dossierbehandelaar gaat pas verder als hij aanvinkt dat hij het weet"),
    "refuse": _l("Weigeren: ontvankelijk verklaren en toekennen kan pas na de bevestiging"),
}
ALLOCATION_LABELS = {
    "first_come": _l("Wie eerst komt, eerst maalt (de score is een kwaliteitsdrempel)"),
    "ranked": _l("Rangschikking op score"),
}


def _int(label: Any, minimum: int, maximum: int, **kwargs: Any) -> IntegerField:
    return IntegerField(
        label,
        widget=GovTextInput(),
        validators=[
            InputRequired(message=_l("Vul een geheel getal in")),
            NumberRange(
                min=minimum,
                max=maximum,
                message=_l("Vul een getal van %(min)s tot %(max)s in", min=minimum, max=maximum),
            ),
        ],
        render_kw={"inputmode": "numeric"},
        **kwargs,
    )


class LinesField(TextAreaField):
    """A text area whose data is its non-empty lines, trimmed (one line per item)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        self.data = [line.strip() for line in (self.data or "").splitlines() if line.strip()]

    def _value(self) -> str:
        return "\n".join(self.data) if isinstance(self.data, list) else (self.data or "")


def _levels(label: Any) -> LinesField:
    return LinesField(
        label,
        widget=GovTextArea(),
        description=_l(
            "Eén regel per score, van de laagste tot de hoogste: wat die score voor dit criterium betekent. De beoordelaar leest ze bij elke score."
        ),
        validators=[Length(max=5000)],
        default=list,
    )


class CriterionForm(PortalSubform):
    """One rubric row. A row without a code is left out."""

    code = StringField(
        _l("Code"),
        widget=GovTextInput(),
        validators=[
            Optional(),
            Regexp(r"^[a-z0-9_]{2,40}$", message=_l("Gebruik 2 tot 40 kleine letters, cijfers of _")),
        ],
    )
    name_nl = StringField(_l("Criterium (Nederlands)"), widget=GovTextInput(), validators=[Length(max=300)])
    name_en = StringField(_l("Criterium (Engels)"), widget=GovTextInput(), validators=[Length(max=300)])
    weight = IntegerField(
        _l("Gewicht"),
        widget=GovTextInput(),
        validators=[Optional(), NumberRange(min=1, max=100, message=_l("Vul een gewicht van 1 tot 100 in"))],
    )
    minimum_score = IntegerField(
        _l("Minimumscore (leeg: geen)"),
        widget=GovTextInput(),
        validators=[Optional(), NumberRange(min=0, max=100, message=_l("Vul een score van 0 tot 100 in"))],
    )
    level_descriptions_nl = _levels(_l("Betekenis van elke score (Nederlands, optioneel)"))
    level_descriptions_en = _levels(_l("Betekenis van elke score (Engels, optioneel)"))

    def validate_name_nl(self, field: Any) -> None:
        if self.code.data and not (field.data or "").strip():
            raise ValidationError(str(_l("Vul de naam van het criterium in")))

    def validate_name_en(self, field: Any) -> None:
        if self.code.data and not (field.data or "").strip():
            raise ValidationError(str(_l("Vul de Engelse naam van het criterium in")))

    def validate_weight(self, field: Any) -> None:
        if self.code.data and field.data is None:
            raise ValidationError(str(_l("Vul een gewicht van 1 tot 100 in")))


class CallForm(PortalForm):
    code = StringField(
        _l("Code van de oproep"),
        widget=GovTextInput(),
        description=_l("Kort en uniek, bijvoorbeeld ARM-2022"),
        validators=[
            InputRequired(message=_l("Vul de code in")),
            Regexp(r"^[A-Za-z0-9-]{2,40}$", message=_l("Gebruik 2 tot 40 letters, cijfers of koppeltekens")),
        ],
    )
    title_nl = StringField(
        _l("Titel (Nederlands)"),
        widget=GovTextInput(),
        validators=[InputRequired(message=_l("Vul de Nederlandse titel in")), Length(max=300)],
    )
    title_en = StringField(
        _l("Titel (Engels)"),
        widget=GovTextInput(),
        validators=[InputRequired(message=_l("Vul de Engelse titel in")), Length(max=300)],
    )
    summary_nl = TextAreaField(_l("Samenvatting (Nederlands)"), widget=GovTextArea(), validators=[Length(max=5000)])
    summary_en = TextAreaField(_l("Samenvatting (Engels)"), widget=GovTextArea(), validators=[Length(max=5000)])
    action_code = StringField(
        _l("Actie van het Vlaams Actieplan Armoedebestrijding"),
        widget=GovTextInput(),
        description=_l("Bijvoorbeeld 00_04_10"),
        validators=[
            InputRequired(message=_l("Vul de actiecode in")),
            Regexp(r"^\d{2}_\d{2}_\d{2}$", message=_l("Gebruik de vorm 00_04_10")),
        ],
    )
    reference_prefix = StringField(
        _l("Voorvoegsel van de dossiernummers"),
        widget=GovTextInput(),
        description=_l("Bijvoorbeeld ARM: dossiers krijgen dan ARM-2022-0007"),
        validators=[
            InputRequired(message=_l("Vul het voorvoegsel in")),
            Regexp(r"^[A-Z]{2,10}$", message=_l("Gebruik 2 tot 10 hoofdletters")),
        ],
    )
    envelope = EuroField(
        _l("Budget van de oproep (enveloppe)"), validators=[InputRequired(message=_l("Vul het budget in"))]
    )
    cap = EuroField(_l("Maximum per project"), validators=[InputRequired(message=_l("Vul het maximum per project in"))])
    compensation_rate_percent = _int(_l("Compensatie in procent van de loonkost"), 1, 100)
    opens_on = DayField(
        _l("Eerste dag waarop aanvragen kunnen"), validators=[InputRequired(message=_l("Vul de openingsdatum in"))]
    )
    closes_on = DayField(
        _l("Laatste dag waarop aanvragen kunnen"),
        description=_l("Aanvragen kunnen tot 23:59:59 (Brussel) op deze dag"),
        validators=[InputRequired(message=_l("Vul de sluitingsdatum in"))],
    )
    exchange_types = SelectMultipleField(
        _l("Toegelaten vormen van uitwisseling"),
        widget=GovCheckboxesInput(),
        choices=choices(EXCHANGE_TYPE_LABELS.items()),
        validators=[InputRequired(message=_l("Kies minstens één vorm"))],
    )
    themes = SelectMultipleField(
        _l("Thema's"), widget=GovCheckboxesInput(), validators=[InputRequired(message=_l("Kies minstens één thema"))]
    )
    eligible_organisation_kinds = SelectMultipleField(
        _l("Organisaties die kunnen aanvragen"),
        widget=GovCheckboxesInput(),
        choices=choices(ORGANISATION_KIND_LABELS.items()),
        validators=[InputRequired(message=_l("Kies minstens één soort organisatie"))],
    )
    required_attachments = SelectMultipleField(
        _l("Verplichte bijlagen"),
        widget=GovCheckboxesInput(),
        choices=choices(ATTACHMENT_LABELS.items()),
        validators=[Optional()],
    )
    max_attachment_mb = _int(_l("Maximale grootte van een bijlage (MB)"), 1, 50)
    scale_min = _int(_l("Laagste score per criterium"), 0, 10)
    scale_max = _int(_l("Hoogste score per criterium"), 1, 100)
    pass_threshold_percent = _int(_l("Kwaliteitsdrempel (procent van de maximale gewogen score)"), 0, 100)
    spread_flag_percent = _int(
        _l("Grote spreiding tussen beoordelaars vanaf (procent van de maximale gewogen score)"), 0, 100
    )
    reviews_per_dossier = _int(_l("Aantal beoordelingen per dossier"), 1, 10)
    review_days = _int(_l("Dagen om een beoordeling in te dienen"), 1, 90)
    allocation_policy = RadioField(
        _l("Toekenning van het budget"),
        widget=GovRadioInput(),
        choices=choices(ALLOCATION_LABELS.items()),
        validators=[InputRequired(message=_l("Kies hoe het budget wordt toegekend"))],
    )
    shortfall_policy = RadioField(
        _l("Als het resterende budget niet volstaat"),
        widget=GovRadioInput(),
        choices=choices(SHORTFALL_LABELS.items()),
        validators=[InputRequired(message=_l("Kies wat er gebeurt bij een tekort"))],
    )
    advance_percent = _int(_l("Voorschot bij toekenning (procent; 0 = enkel een saldo na het eindverslag)"), 0, 100)
    allows_repeat_pair = BooleanField(
        _l("Hetzelfde paar besturen mag meer dan één aanvraag indienen"), widget=GovCheckboxInput()
    )
    is_published = BooleanField(_l("Oproep zichtbaar op de publieke pagina's"), widget=GovCheckboxInput())
    unconfirmed_partner_policy = RadioField(
        _l("Als het ontvangende bestuur zijn deelname nog niet bevestigde"),
        widget=GovRadioInput(),
        choices=choices(UNCONFIRMED_PARTNER_LABELS.items()),
        default="warn",  # a post without it (no browser sends one) keeps the default of the call text's practice
        validators=[Optional()],
    )
    # GDPR art. 5(1)(e): 600 months is a sanity bound (50 years), far above any archive rule.
    retention_granted_months = _int(
        _l("Persoonsgegevens van toegekende dossiers bewaren na de afsluiting (maanden)"), 0, 600
    )
    retention_refused_months = _int(
        _l("Persoonsgegevens van geweigerde, ingetrokken en nooit ingediende dossiers bewaren (maanden)"), 0, 600
    )
    retention_listing_months = _int(
        _l("Persoonsgegevens van aanbiedingen en vragen in de matchmaking bewaren na de laatste wijziging (maanden)"),
        0,
        600,
    )
    signatory_name = StringField(
        _l("Naam van wie de beslissingsbrieven ondertekent"),
        widget=GovTextInput(),
        validators=[Optional(), Length(max=200)],
    )
    signatory_function = StringField(
        _l("Functie van wie de beslissingsbrieven ondertekent"),
        widget=GovTextInput(),
        validators=[Optional(), Length(max=200)],
    )
    criteria = FieldList(FormField(CriterionForm), min_entries=1)
    submit = SubmitField(_l("Oproep opslaan"), widget=GovSubmitInput())

    def validate_cap(self, field: Any) -> None:
        if field.data is not None and field.data <= 0:
            raise ValidationError(str(_l("Het maximum per project moet groter zijn dan nul")))
        if field.data is not None and self.envelope.data is not None and field.data > self.envelope.data:
            raise ValidationError(str(_l("Het maximum per project kan niet groter zijn dan het budget")))

    def validate_envelope(self, field: Any) -> None:
        if field.data is not None and field.data <= 0:
            raise ValidationError(str(_l("Het budget moet groter zijn dan nul")))
        if field.data is not None and field.data > MAX_ENVELOPE_CENTS:
            raise ValidationError(str(_l("Vul een budget tot 1.000.000.000,00 euro in")))

    def validate_closes_on(self, field: Any) -> None:
        if field.data and self.opens_on.data and field.data < self.opens_on.data:
            raise ValidationError(str(_l("De sluitingsdatum valt voor de openingsdatum")))

    def validate_scale_max(self, field: Any) -> None:
        if field.data is not None and self.scale_min.data is not None and field.data <= self.scale_min.data:
            raise ValidationError(str(_l("De hoogste score moet groter zijn dan de laagste")))

    def validate_criteria(self, field: Any) -> None:
        codes = [row.form.code.data for row in field.entries if row.form.code.data]
        if not codes:
            raise ValidationError(str(_l("Vul minstens één criterium in")))
        if len(codes) != len(set(codes)):
            raise ValidationError(str(_l("Elk criterium heeft een eigen code")))
        top = self.scale_max.data
        for row in field.entries:
            minimum = row.form.minimum_score.data
            if row.form.code.data and minimum is not None and top is not None and minimum > top:
                raise ValidationError(str(_l("Een minimumscore kan niet hoger zijn dan de hoogste score")))
        if top is None or self.scale_min.data is None:
            return
        levels = top - self.scale_min.data + 1
        for row in field.entries:
            for lines in (row.form.level_descriptions_nl.data, row.form.level_descriptions_en.data):
                if row.form.code.data and lines and len(lines) != levels:
                    raise ValidationError(
                        str(
                            _l(
                                "Geef bij ‘%(criterion)s’ één regel per score: %(count)s regels, van %(low)s tot %(high)s",
                                criterion=row.form.name_nl.data or row.form.code.data,
                                count=levels,
                                low=self.scale_min.data,
                                high=top,
                            )
                        )
                    )
