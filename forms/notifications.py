"""Forms of the inbox and of the officer's page of undelivered notifications: buttons only."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField

from forms.base import PortalForm


class MarkAllReadForm(PortalForm):
    submit = SubmitField(_l("Alles als gelezen markeren"), widget=GovSubmitInput())


class ResendForm(PortalForm):
    submit = SubmitField(_l("Opnieuw versturen"), widget=GovSubmitInput())
