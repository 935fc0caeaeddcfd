"""The financial officer's pages: payouts to approve and mark paid."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from portal.access import roles
from workflows.roles import Role

bp = Blueprint("finance", __name__, url_prefix="/financien")


@bp.get("/")
@roles(Role.FINANCE)
def dashboard() -> ResponseReturnValue:
    return render_template("finance/dashboard.html")
