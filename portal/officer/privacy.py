"""A person's written request to see their data: the officer produces the same download the user gets."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from forms.privacy import DataRequestForm
from portal.access import roles
from portal.downloads import json_download
from portal.extensions import db
from portal.models import User
from portal.officer.blueprint import bp
from portal.services import personal_data
from workflows.roles import Role


@bp.route("/inzageverzoek", methods=["GET", "POST"])
@roles(Role.OFFICER)
def data_request() -> ResponseReturnValue:
    form = DataRequestForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        person = db.session.scalar(select(User).where(func.lower(User.email) == email))
        if person is None:
            form.email.errors.append(_("Er is geen gebruiker met dit e-mailadres"))
        else:
            data = personal_data.export_for_request(person, current_user, form.letter_reference.data.strip())
            db.session.commit()
            return json_download(data, f"gegevens-gebruiker-{person.id}.json")
    return render_template("officer/data_request.html", form=form), 400 if form.errors else 200
