"""The officer's committee and decision pages: assign reviewers, grant or reject, one or many, letters."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from forms.fields import choices
from forms.review import AssignReviewersForm, BulkDecisionForm, GrantForm, RejectForm
from portal.access import roles
from portal.actions import run
from portal.answers import send_letter
from portal.db import MAX_ID
from portal.extensions import db
from portal.i18n import eur
from portal.models import Application
from portal.officer.blueprint import bp
from portal.officer.dossiers import _application, _page, assign_form
from portal.refusals import refusal_text
from portal.services import budget, decisions, reviews
from portal.services import calls as call_service
from portal.services.reviews import AssignmentRefused
from workflows.applications import State
from workflows.roles import Role


def _assignment_error(refused: AssignmentRefused) -> str:
    name = refused.user.full_name if refused.user else ""
    return {
        "affiliated": _(
            "%(name)s is verbonden aan een van beide besturen en kan dit dossier niet beoordelen.", name=name
        ),
        "already_on_dossier": _("%(name)s staat al op dit dossier of heeft een belangenconflict gemeld.", name=name),
        "not_a_reviewer": _("Kies alleen actieve leden van de selectiecommissie."),
        "too_few": _("Dit dossier heeft meer beoordelaars nodig: kies er genoeg om het aantal van de oproep te halen."),
        "none_chosen": _("Kies minstens één beoordelaar"),
    }.get(refused.code, refused.code)


@bp.post("/dossiers/<int:application_id>/beoordelaars")
@roles(Role.OFFICER)
def assign_reviewers(application_id: int) -> ResponseReturnValue:
    application = _application(application_id)
    posted = AssignReviewersForm()
    # Every posted id a row can have goes to the service, which checks it (affiliation, role), not only those offered.
    posted.reviewers.choices = choices(
        (int(v), v) for v in request.form.getlist("reviewers") if v.isdecimal() and 0 < int(v) <= MAX_ID
    )
    if posted.validate_on_submit():
        try:
            reviews.assign_reviewers(application.id, posted.reviewers.data, current_user)
        except AssignmentRefused as refused:
            db.session.rollback()
            posted.reviewers.errors = [_assignment_error(refused)]
        except decisions.NotAllowed:
            db.session.rollback()
            flash(_("Beoordelaars toewijzen kan niet in de huidige fase van het dossier."), "info")
            return redirect(url_for("officer.dossier", application_id=application_id))
        else:
            db.session.commit()
            flash(_("De beoordelaars zijn toegewezen."), "success")
            return redirect(url_for("officer.dossier", application_id=application_id))
    # Refused: the page again with the reviewers on offer, what was ticked, and why.
    application = db.session.get(Application, application_id)
    form, _offered, _needed = assign_form(application, request.form)
    form.reviewers.errors = list(posted.reviewers.errors)
    return _page(application, 400, assign_form=form)


@bp.post("/dossiers/<int:application_id>/toekennen")
@roles(Role.OFFICER)
def grant(application_id: int) -> ResponseReturnValue:
    application = _application(application_id)
    form = GrantForm()
    return run(
        lambda: decisions.grant(application.id, current_user, form.motivation.data or "", form.amount.data),
        form=form,
        invalid=lambda refused: _page(application, 400, grant_form=refused),
        back=url_for("officer.dossier", application_id=application_id),
        done=lambda granted: _(
            "Het dossier %(reference)s is toegekend voor %(amount)s.",
            reference=granted.reference,
            amount=eur(granted.granted_cents),
        ),
    )


@bp.post("/dossiers/<int:application_id>/afwijzen")
@roles(Role.OFFICER)
def reject(application_id: int) -> ResponseReturnValue:
    application = _application(application_id)
    form = RejectForm()
    return run(
        lambda: decisions.reject(application.id, current_user, form.motivation.data),
        form=form,
        invalid=lambda refused: _page(application, 400, reject_form=refused),
        back=url_for("officer.dossier", application_id=application_id),
        done=_("Het dossier %(reference)s is afgewezen.", reference=application.reference),
    )


@bp.route("/dossiers/<int:application_id>/beslissing.pdf", methods=["GET", "POST"])
@roles(Role.OFFICER)
def decision_letter(application_id: int) -> ResponseReturnValue:
    application = _application(application_id)
    return send_letter(application)


# --- several dossiers at once -----------------------------------------------------------------


def _scored_of(call_id: int) -> list[Application]:
    return list(
        db.session.scalars(
            select(Application)
            .where(Application.call_id == call_id, Application.state == State.SCORED)
            .order_by(Application.queue_number)
        )
    )


def _bulk_page(call_id: int, form: BulkDecisionForm, status: int = 200) -> ResponseReturnValue:
    call = call_service.find_call(call_id) or abort(404)
    scored = _scored_of(call.id)
    return render_template(
        "officer/decisions.html",
        call=call,
        form=form,
        rows=[(a, reviews.score_of(a), budget.standing_of(a)) for a in scored],
        meter=budget.meter(call),
    ), status


def _bulk_form(call_id: int, formdata: object = None) -> BulkDecisionForm:
    form = BulkDecisionForm(formdata=formdata)
    form.dossiers.choices = choices((a.id, a.reference or "") for a in _scored_of(call_id))
    return form


@bp.get("/oproepen/<int:call_id>/beslissingen")
@roles(Role.OFFICER)
def decisions_page(call_id: int) -> ResponseReturnValue:
    return _bulk_page(call_id, _bulk_form(call_id))


@bp.post("/oproepen/<int:call_id>/beslissingen")
@roles(Role.OFFICER)
def decide_many(call_id: int) -> ResponseReturnValue:
    call = call_service.find_call(call_id) or abort(404)
    form = _bulk_form(call.id, request.form)
    if not form.validate_on_submit():
        return _bulk_page(call.id, form, 400)
    outcomes = decisions.decide_many(
        form.dossiers.data, form.decision.data == "grant", current_user, form.motivation.data or ""
    )
    db.session.commit()
    done = [o.reference for o in outcomes if o.refused is None]
    if done:
        message = (
            _("Toegekend: %(references)s.", references=", ".join(done))
            if form.decision.data == "grant"
            else _("Afgewezen: %(references)s.", references=", ".join(done))
        )
        flash(message, "success")
    for outcome in outcomes:
        if outcome.refused is not None:
            flash(
                _("%(reference)s: %(reason)s", reference=outcome.reference, reason=refusal_text(outcome.refused)),
                "info",
            )
    return redirect(url_for("officer.decisions_page", call_id=call.id))
