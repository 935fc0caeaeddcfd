"""The applicant's pages: their government's dossiers and the calls they can apply to."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from portal.access import roles
from portal.db import utcnow
from portal.services import calls as call_service
from workflows.roles import Role

bp = Blueprint("applicant", __name__, url_prefix="/mijn-dossiers")


@bp.get("/")
@roles(Role.APPLICANT)
def dashboard() -> ResponseReturnValue:
    return render_template("applicant/dashboard.html", open_calls=call_service.open_calls(utcnow()))
