"""The VVSG coordinator's pages: offers, needs and matches."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from portal.access import roles
from workflows.roles import Role

bp = Blueprint("matcher", __name__, url_prefix="/matching")


@bp.get("/")
@roles(Role.MATCHER)
def dashboard() -> ResponseReturnValue:
    return render_template("matcher/dashboard.html")
