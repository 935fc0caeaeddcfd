"""Administration: users (invite, role, organisation, active, two-step reset) and organisations."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select
from wtforms import SelectChoice

from forms.admin import EditUserForm, InviteUserForm, OrganisationForm, OrganisationSearchForm
from forms.fields import choices
from forms.people import ApproveAccessForm, RefuseAccessForm, RestoreAccessForm
from portal.access import roles
from portal.extensions import db
from portal.mail import send_invitation
from portal.models import AccessRequest, Organisation, User
from portal.services import accounts, people
from workflows.roles import Role

bp = Blueprint("admin", __name__, url_prefix="/beheer")


def _organisation_choices() -> list[SelectChoice]:
    organisations = db.session.scalars(
        select(Organisation)
        .where(Organisation.is_active.is_(True))
        .order_by(Organisation.kind.desc(), Organisation.name)
    )
    return choices([(0, _("Kies een organisatie"))] + [(org.id, org.name) for org in organisations])


def _organisation(org_id: int | None) -> Organisation | None:
    return db.session.get(Organisation, org_id) if org_id else None


def _role_does_not_fit(organisation: Organisation) -> str:
    return _(
        "Deze rol past niet bij %(organisation)s. Een aanvrager hoort bij een lokaal bestuur, een matcher bij VVSG, "
        "dossierbehandelaars, financieel medewerkers en beheerders bij ABB; commissieleden bij elke organisatie.",
        organisation=organisation.name,
    )


def _flash_invitation(user: User, token: str) -> None:
    send_invitation(
        user,
        token,
        _(
            "Het account van %(email)s is klaar, maar de e-mail kon niet verstuurd worden. "
            "Probeer het later opnieuw met 'Uitnodiging opnieuw versturen'.",
            email=user.email,
        ),
    )


@bp.get("/gebruikers")
@roles(Role.ADMIN)
def users() -> ResponseReturnValue:
    all_users = db.session.scalars(select(User).order_by(User.full_name)).all()
    return render_template(
        "admin/users.html",
        users=all_users,
        inviters=people.inviters_of([user.id for user in all_users]),
        pending_requests=people.pending_count(),
    )


@bp.route("/gebruikers/uitnodigen", methods=["GET", "POST"])
@roles(Role.ADMIN)
def invite_user() -> ResponseReturnValue:
    form = InviteUserForm()
    form.organisation_id.choices = _organisation_choices()
    if form.validate_on_submit():
        email = accounts.normalise_email(form.email.data)
        organisation = _organisation(form.organisation_id.data)
        if db.session.scalar(select(User.id).where(User.email == email)) is not None:
            form.email.errors.append(_("Er bestaat al een account met dit e-mailadres"))
        elif organisation is None:
            form.organisation_id.errors.append(_("Kies een organisatie"))
        else:
            try:
                user, token = accounts.invite_user(
                    email=email,
                    full_name=form.full_name.data,
                    role=Role(form.role.data),
                    organisation=organisation,
                    locale=form.locale.data,
                    actor=current_user,
                )
            except accounts.RoleDoesNotFit:
                db.session.rollback()
                form.role.errors.append(_role_does_not_fit(organisation))
            else:
                db.session.commit()
                _flash_invitation(user, token)
                return redirect(url_for("admin.users"))
    return render_template("admin/invite.html", form=form), 200 if not form.errors else 400


@bp.route("/gebruikers/<int:user_id>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def edit_user(user_id: int) -> ResponseReturnValue:
    user = db.session.get(User, user_id) or abort(404)
    form = EditUserForm(obj=user)
    form.organisation_id.choices = _organisation_choices()
    if request.method == "GET":
        form.organisation_id.data = user.organisation_id or 0
    if form.validate_on_submit():
        organisation = _organisation(form.organisation_id.data)
        if organisation is None:
            form.organisation_id.errors.append(_("Kies een organisatie"))
        else:
            try:
                accounts.change_user(user, current_user, form.role.data, organisation, form.is_active.data)
            except accounts.OwnAdminRole:
                db.session.rollback()
                form.role.errors.append(_("U kunt uw eigen beheerdersrol of account niet uitschakelen"))
            except accounts.RoleDoesNotFit:
                db.session.rollback()
                form.role.errors.append(_role_does_not_fit(organisation))
            else:
                db.session.commit()
                flash(_("De gegevens van %(name)s zijn opgeslagen.", name=user.full_name), "success")
                return redirect(url_for("admin.users"))
    return render_template(
        "admin/edit_user.html",
        form=form,
        user=user,
        inviter=accounts.invited_by(user),
        removal=people.last_removal(user),
        restore_form=RestoreAccessForm(),
    ), 200 if not form.errors else 400


@bp.post("/gebruikers/<int:user_id>/opnieuw-uitnodigen")
@roles(Role.ADMIN)
def reinvite_user(user_id: int) -> ResponseReturnValue:
    user = db.session.get(User, user_id) or abort(404)
    token = accounts.reinvite_user(user, current_user)
    db.session.commit()
    _flash_invitation(user, token)
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.post("/gebruikers/<int:user_id>/tweestapsverificatie-herstellen")
@roles(Role.ADMIN)
def reset_two_step(user_id: int) -> ResponseReturnValue:
    user = db.session.get(User, user_id) or abort(404)
    accounts.reset_two_step(user, current_user)
    db.session.commit()
    flash(
        _(
            "De tweestapsverificatie van %(name)s is gewist; bij de volgende aanmelding stelt die ze opnieuw in.",
            name=user.full_name,
        ),
        "success",
    )
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.get("/organisaties")
@roles(Role.ADMIN)
def organisations() -> ResponseReturnValue:
    form = OrganisationSearchForm(request.args)
    query = select(Organisation).order_by(Organisation.kind.desc(), Organisation.name)
    term = (form.q.data or "").strip()
    if term:
        query = query.where(or_(Organisation.name.ilike(f"%{term}%"), Organisation.nis_code == term))
    return render_template(
        "admin/organisations.html", organisations=db.session.scalars(query).all(), form=form, term=term
    )


@bp.route("/organisaties/<int:organisation_id>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def edit_organisation(organisation_id: int) -> ResponseReturnValue:
    organisation = db.session.get(Organisation, organisation_id) or abort(404)
    form = OrganisationForm(obj=organisation)
    if form.validate_on_submit():
        accounts.change_organisation(organisation, current_user, form.name.data, form.is_active.data)
        db.session.commit()
        flash(_("%(name)s is opgeslagen.", name=organisation.name), "success")
        return redirect(url_for("admin.organisations"))
    return render_template(
        "admin/edit_organisation.html", form=form, organisation=organisation
    ), 200 if not form.errors else 400


# --- a government's people: restoring removed access, and the access requests from the public form -------------


@bp.post("/gebruikers/<int:user_id>/toegang-herstellen")
@roles(Role.ADMIN)
def restore_access(user_id: int) -> ResponseReturnValue:
    user = db.session.get(User, user_id) or abort(404)
    if RestoreAccessForm().validate_on_submit():
        people.restore_access(user, current_user)
        db.session.commit()
        flash(_("%(name)s heeft opnieuw toegang tot het portaal.", name=user.full_name), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.get("/toegangsaanvragen")
@roles(Role.ADMIN)
def access_requests() -> ResponseReturnValue:
    return render_template(
        "admin/access_requests.html", pending=people.pending_requests(), decided=people.decided_requests()
    )


def _pending_request(request_id: int) -> AccessRequest:
    return db.session.get(AccessRequest, request_id) or abort(404)


def _already_decided() -> ResponseReturnValue:
    flash(_("Over deze aanvraag is al beslist."), "warning")
    return redirect(url_for("admin.access_requests"))


@bp.get("/toegangsaanvragen/<int:request_id>")
@roles(Role.ADMIN)
def access_request(request_id: int) -> ResponseReturnValue:
    request_row = _pending_request(request_id)
    return render_template(
        "admin/access_request.html",
        access_request=request_row,
        approve_form=ApproveAccessForm(),
        refuse_form=RefuseAccessForm(),
        has_account=people.email_taken(request_row.email),
    )


@bp.post("/toegangsaanvragen/<int:request_id>/goedkeuren")
@roles(Role.ADMIN)
def approve_access_request(request_id: int) -> ResponseReturnValue:
    _pending_request(request_id)
    if not ApproveAccessForm().validate_on_submit():
        return redirect(url_for("admin.access_request", request_id=request_id))
    try:
        user, token = people.approve_request(request_id, current_user)
    except people.AlreadyDecided:
        db.session.rollback()
        return _already_decided()
    except people.EmailTaken:
        db.session.rollback()
        flash(_("Er bestaat al een account met dit e-mailadres. Weiger de aanvraag of herstel dat account."), "warning")
        return redirect(url_for("admin.access_request", request_id=request_id))
    db.session.commit()
    _flash_invitation(user, token)
    return redirect(url_for("admin.access_requests"))


@bp.route("/toegangsaanvragen/<int:request_id>/weigeren", methods=["GET", "POST"])
@roles(Role.ADMIN)
def refuse_access_request(request_id: int) -> ResponseReturnValue:
    request_row = _pending_request(request_id)
    form = RefuseAccessForm()
    if form.validate_on_submit():
        try:
            people.refuse_request(request_id, current_user, form.reason.data)
        except people.AlreadyDecided:
            db.session.rollback()
            return _already_decided()
        db.session.commit()
        flash(
            _("De aanvraag van %(name)s is geweigerd; de aanvrager krijgt een e-mail.", name=request_row.full_name),
            "success",
        )
        return redirect(url_for("admin.access_requests"))
    return render_template(
        "admin/refuse_access_request.html", form=form, access_request=request_row
    ), 200 if not form.errors else 400
