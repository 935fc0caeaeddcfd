"""The public form through which a government without an account asks for access. Throttled like the login;
its answer is the same whether or not the address has an account or a request already, so that nobody learns
which addresses are known."""

from __future__ import annotations

from flask import current_app, render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from wtforms import SelectChoice

from forms.fields import choices
from forms.people import RequestAccessForm
from portal.access import public
from portal.extensions import db, limiter
from portal.models import Organisation
from portal.public.routes import bp
from portal.services import people
from workflows.organisations import OrganisationKind


def _ip_limit() -> str:
    return str(current_app.config["LOGIN_LIMIT_PER_IP"])


def _municipality_choices() -> list[SelectChoice]:
    return choices([(0, _("Kies uw bestuur"))] + [(org.id, org.name) for org in people.municipalities()])


@bp.route("/toegang-aanvragen", methods=["GET", "POST"])
@public
@limiter.limit(_ip_limit, methods=["POST"])
def request_access() -> ResponseReturnValue:
    form = RequestAccessForm()
    form.organisation_id.choices = _municipality_choices()
    if form.validate_on_submit():
        organisation = db.session.get(Organisation, form.organisation_id.data) if form.organisation_id.data else None
        if organisation is None or organisation.kind != OrganisationKind.MUNICIPALITY or not organisation.is_active:
            form.organisation_id.errors.append(_("Kies uw bestuur"))
        else:
            people.request_access(form.full_name.data, form.function.data, organisation, form.email.data)
            db.session.commit()
            return render_template("public/access_requested.html")
    return render_template("public/request_access.html", form=form), 200 if not form.errors else 400
