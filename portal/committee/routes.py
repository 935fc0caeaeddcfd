"""The selection committee's pages: assigned dossiers and scores."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from portal.access import roles
from workflows.roles import Role

bp = Blueprint("committee", __name__, url_prefix="/beoordeling")


@bp.get("/")
@roles(Role.REVIEWER)
def dashboard() -> ResponseReturnValue:
    return render_template("committee/dashboard.html")
