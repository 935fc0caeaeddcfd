"""Forms of the administration's own handling of a dossier: its owner and internal notes."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextArea
from wtforms import SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from forms.base import PortalForm


def _owner_id(value: Any) -> int | None:
    # "" is "nobody"; anything else must be one of the offered ids (SelectField checks the choices).
    if value in ("", None):
        return None
    text = str(value)
    return int(text) if text.isdecimal() and len(text) < 12 else -1


class OwnerForm(PortalForm):
    """The officers are offered by the route, with "nobody" first."""

    id_prefix = "owner-"
    owner = SelectField(_l("Behandelaar"), coerce=_owner_id, widget=GovSelect(), validate_choice=False)

    def validate_owner(self, field: Any) -> None:
        offered = {choice.value for choice in field.choices}
        if field.data is not None and field.data not in offered:
            raise ValidationError(_l("Kies een dossierbehandelaar uit de lijst"))

    submit = SubmitField(_l("Behandelaar opslaan"), widget=GovSubmitInput())


NOTE_MAX_LENGTH = 2000


class NoteForm(PortalForm):
    id_prefix = "note-"
    body = TextAreaField(
        _l("Nieuwe interne notitie"),
        widget=GovTextArea(),
        description=_l(
            "Alleen medewerkers van de administratie lezen deze notities; de besturen zien ze nooit. Een notitie kan achteraf niet worden gewijzigd."
        ),
        validators=[
            DataRequired(message=_l("Schrijf de notitie")),
            Length(
                max=NOTE_MAX_LENGTH, message=_l("Een notitie is hoogstens %(max)d tekens lang", max=NOTE_MAX_LENGTH)
            ),
        ],
    )
    submit = SubmitField(_l("Notitie toevoegen"), widget=GovSubmitInput())
