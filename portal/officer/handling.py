"""The administration's own handling of a dossier: its owner and the internal notes."""

from __future__ import annotations

from flask import request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from forms.handling import NoteForm
from portal.access import roles
from portal.actions import run
from portal.db import utcnow
from portal.officer.blueprint import bp
from portal.officer.dossiers import dossier_page, owner_form, submitted_dossier
from portal.services import handling
from workflows.roles import Role


def _owner_saved(owner: object) -> str:
    if owner is None:
        return _("Het dossier heeft geen behandelaar meer.")
    return _("%(name)s behandelt dit dossier nu.", name=getattr(owner, "full_name", ""))


@bp.post("/dossiers/<int:application_id>/behandelaar")
@roles(Role.OFFICER)
def assign_owner(application_id: int) -> ResponseReturnValue:
    application = submitted_dossier(application_id)
    form = owner_form(application, formdata=request.form)
    back = url_for("officer.dossier", application_id=application.id) + "#behandeling"
    return run(
        lambda: handling.assign_owner(application, form.owner.data, current_user, utcnow()),
        form=form,
        invalid=lambda refused: dossier_page(application, 400, owner_form=refused),
        back=back,
        done=_owner_saved,
    )


@bp.post("/dossiers/<int:application_id>/notities")
@roles(Role.OFFICER)
def add_note(application_id: int) -> ResponseReturnValue:
    application = submitted_dossier(application_id)
    form = NoteForm()
    return run(
        lambda: handling.add_note(application, form.body.data or "", current_user, utcnow()),
        form=form,
        invalid=lambda refused: dossier_page(application, 400, note_form=refused),
        back=url_for("officer.dossier", application_id=application.id) + "#notities",
        done=_("Uw notitie is toegevoegd."),
    )
