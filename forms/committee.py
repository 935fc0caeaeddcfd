"""Forms of the selection committee: scores per criterion of the call's rubric, and a conflict of interest."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea
from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from forms.base import PortalForm
from forms.fields import choices


class ScoreFormBase(PortalForm):
    comment = TextAreaField(_l("Algemene opmerking (optioneel)"), widget=GovTextArea(), validators=[Length(max=5000)])
    save = SubmitField(_l("Opslaan en later verdergaan"), widget=GovSubmitInput())
    submit_review = SubmitField(_l("Beoordeling indienen"), widget=GovSubmitInput())

    criterion_codes: list[str] = []

    def score_field(self, code: str) -> Any:
        return self[f"score_{code}"]

    def comment_field(self, code: str) -> Any:
        return self[f"comment_{code}"]


def score_form_class(criteria: list[tuple[str, str]], scale_min: int, scale_max: int) -> type[ScoreFormBase]:
    """A form with a score (radios over the call's scale) and a comment for every criterion, in order.

    Scores are optional here so that a review can be saved half done; a submitted review must be
    complete, which workflows/scoring.py checks.
    """
    fields: dict[str, Any] = {"criterion_codes": [code for code, _ in criteria]}
    for code, name in criteria:
        fields[f"score_{code}"] = RadioField(
            name,
            coerce=int,
            widget=GovRadioInput(),
            choices=choices((value, str(value)) for value in range(scale_min, scale_max + 1)),
            validators=[Optional()],
        )
        fields[f"comment_{code}"] = TextAreaField(
            _l("Toelichting bij uw score (optioneel)"), widget=GovTextArea(), validators=[Length(max=5000)]
        )
    return type("ScoreForm", (ScoreFormBase,), fields)


class ConflictForm(PortalForm):
    reason = TextAreaField(
        _l("Waarom kunt u dit dossier niet onpartijdig beoordelen?"),
        widget=GovTextArea(),
        description=_l(
            "Na uw melding verdwijnt het dossier uit uw lijst en wijst de administratie een andere beoordelaar toe."
        ),
        validators=[DataRequired(message=_l("Geef kort de reden van het belangenconflict")), Length(max=2000)],
    )
    submit = SubmitField(_l("Belangenconflict melden"), widget=GovSubmitInput())
