"""The officer's page of notifications that did not reach their recipient, and sending them again."""

from __future__ import annotations

from flask import render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from forms.notifications import ResendForm
from portal.access import roles
from portal.actions import run
from portal.officer.blueprint import bp
from portal.services import delivery, notifications
from workflows.roles import Role


@bp.get("/berichten")
@roles(Role.OFFICER)
def deliveries() -> ResponseReturnValue:
    return render_template(
        "officer/deliveries.html",
        undelivered=notifications.needing_attention(),
        counts=notifications.status_counts(),
        event_label=delivery.event_label,
        form=ResendForm(formdata=None),
    )


@bp.post("/berichten/<int:notification_id>/opnieuw")
@roles(Role.OFFICER)
def resend(notification_id: int) -> ResponseReturnValue:
    return run(
        lambda: notifications.resend(notification_id, current_user),
        form=ResendForm(),
        back=url_for("officer.deliveries"),
        done=lambda resent: _("Het bericht aan %(email)s wordt opnieuw verstuurd.", email=resent.email),
        otherwise=_("Dat bericht kan niet opnieuw worden verstuurd: het is al verstuurd of wordt nog verstuurd."),
    )
