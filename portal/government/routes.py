"""A government's own people: its applicants see who has access, invite colleagues and remove access.

Only the applicant's own government is ever in reach: another government's user is a 404.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from forms.people import InviteColleagueForm, RemoveAccessForm
from portal.access import roles
from portal.extensions import db
from portal.mail import send_invitation
from portal.models import User
from portal.services import people
from workflows.access import RemovalRefusal
from workflows.roles import Role

bp = Blueprint("government", __name__, url_prefix="/mijn-bestuur")


def _colleague(user_id: int) -> User:
    return people.colleague(current_user, user_id) or abort(404)


def removal_text(code: RemovalRefusal) -> str:
    return {
        RemovalRefusal.LAST_ACTIVE: _(
            "U bent de laatste collega met toegang. Nodig eerst een collega uit: zonder actieve gebruiker kan niemand "
            "de dossiers van uw bestuur opvolgen."
        ),
        RemovalRefusal.ALREADY_REMOVED: _("Deze collega heeft al geen toegang meer."),
    }[code]


@bp.get("/collegas")
@roles(Role.APPLICANT)
def colleagues() -> ResponseReturnValue:
    return render_template(
        "government/colleagues.html",
        colleagues=people.colleagues_of(current_user),
        organisation=current_user.organisation,
    )


@bp.route("/collegas/uitnodigen", methods=["GET", "POST"])
@roles(Role.APPLICANT)
def invite_colleague() -> ResponseReturnValue:
    form = InviteColleagueForm()
    if form.validate_on_submit():
        try:
            user, token = people.invite_colleague(current_user, form.full_name.data, form.email.data)
        except people.EmailTaken:
            db.session.rollback()
            form.email.errors.append(
                _(
                    "Er bestaat al een account met dit e-mailadres. Heeft uw collega geen toegang meer? Vraag dan de "
                    "beheerder van het portaal om ze te herstellen."
                )
            )
        else:
            db.session.commit()
            send_invitation(
                user,
                token,
                _(
                    "Het account van %(email)s is klaar, maar de e-mail kon niet verstuurd worden. Vraag de "
                    "beheerder van het portaal om de uitnodiging opnieuw te versturen.",
                    email=user.email,
                ),
            )
            return redirect(url_for("government.colleagues"))
    return render_template(
        "government/invite.html", form=form, organisation=current_user.organisation
    ), 200 if not form.errors else 400


@bp.route("/collegas/<int:user_id>/toegang-intrekken", methods=["GET", "POST"])
@roles(Role.APPLICANT)
def remove_access(user_id: int) -> ResponseReturnValue:
    colleague = _colleague(user_id)
    form = RemoveAccessForm()
    refusal = people.may_remove(colleague)
    status = 200
    if form.validate_on_submit():
        try:
            people.remove_access(colleague, current_user)
        except people.RemovalRefused as refused:
            db.session.rollback()
            refusal = refused.code
            status = 409
        else:
            db.session.commit()
            if colleague.id == current_user.id:
                flash(_("Uw toegang is ingetrokken."), "success")
                return redirect(url_for("public.home"))
            flash(_("%(name)s heeft geen toegang meer tot het portaal.", name=colleague.full_name), "success")
            return redirect(url_for("government.colleagues"))
    elif form.errors:
        status = 400
    return render_template(
        "government/remove.html",
        form=form,
        colleague=colleague,
        refusal=removal_text(refusal) if refusal else None,
    ), status
