"""The dossier's timeline, for both governments: every step with its moment, and what comes next."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from portal.access import roles
from portal.applicant.blueprint import bp
from portal.applicant.routes import _visible
from portal.services import timeline
from portal.services.dossiers import Relation
from workflows.roles import Role


@bp.get("/<int:application_id>/tijdlijn")
@roles(Role.APPLICANT)
def timeline_page(application_id: int) -> ResponseReturnValue:
    found = _visible(application_id)
    application = found.application
    return render_template(
        "applicant/timeline.html",
        application=application,
        steps=timeline.timeline_of(application),
        giving=found.relation is Relation.GIVING,  # "what now" speaks to the applying government
    )
