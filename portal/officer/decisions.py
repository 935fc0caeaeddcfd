"""The officer's committee and decision pages: assign reviewers, grant or reject, one or many, letters."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from forms.fields import choices
from forms.review import AssignReviewersForm, BulkConfirmForm, BulkDecisionForm, ConfirmGrantForm, GrantForm, RejectForm
from portal.access import roles
from portal.actions import run
from portal.answers import send_letter
from portal.db import MAX_ID
from portal.extensions import db
from portal.i18n import eur
from portal.models import Application
from portal.officer.blueprint import bp
from portal.officer.dossiers import _application, _page, assign_form, confirm_page, confirmation, submitted_dossier
from portal.refusals import refusal_text
from portal.services import budget, decisions, meetings, reviews
from portal.services import calls as call_service
from portal.services.reviews import AssignmentRefused
from workflows.applications import State
from workflows.roles import Role
from workflows.safeguards import PartnerCheck


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


def _amount_text(cents: int | None) -> str:
    """An amount as the euro field reads it back (`4.000,00`), for the confirmation page's hidden field."""
    return "" if cents is None else f"{cents // 100:,}".replace(",", ".") + f",{cents % 100:02d}"


def _grant_hidden(form: GrantForm) -> dict[str, str]:
    return {"amount": _amount_text(form.amount.data), "motivation": form.motivation.data or ""}


def _grant_confirmation(application: Application, form: GrantForm, status: int = 200) -> ResponseReturnValue:
    letter = decisions.draft_letter(application, State.GRANTED, form.motivation.data or "", form.amount.data)
    return confirm_page(application, "grant", form, status=status, hidden=_grant_hidden(form), letter=letter)


def _asked(
    application: Application, form: Any, form_name: str, refusal: Callable[[], str | None]
) -> ResponseReturnValue | None:
    """A decision asked on the dossier page, before its confirmation page: the dossier page again when the form
    does not hold (400) or the officer came back to change it (`change`, 200); back with why when the rules
    refuse the decision now. None: on to the confirmation page."""
    if not form.validate_on_submit():
        return _page(application, 400, **{form_name: form})
    if "change" in request.form:
        return _page(application, 200, **{form_name: form})
    refused = refusal()
    if refused is not None:
        flash(refusal_text(refused), "info")
        return redirect(url_for("officer.dossier", application_id=application.id))
    return None


@bp.post("/dossiers/<int:application_id>/toekennen")
@roles(Role.OFFICER)
def grant(application_id: int) -> ResponseReturnValue:
    """The grant asked on the dossier page: its confirmation page, with the letter's draft; `change` (from
    there): the dossier page again with the amount and motivation typed."""
    application = submitted_dossier(application_id)
    form = GrantForm()
    answered = _asked(application, form, "grant_form", lambda: decisions.grant_refusal(application, form.amount.data))
    if answered is not None:
        return answered
    return _grant_confirmation(
        application,
        ConfirmGrantForm(formdata=None, data={"amount": form.amount.data, "motivation": form.motivation.data}),
    )


@bp.post("/dossiers/<int:application_id>/toekennen/bevestigen")
@roles(Role.OFFICER)
def confirm_grant(application_id: int) -> ResponseReturnValue:
    application, form, valid = confirmation(application_id, ConfirmGrantForm)
    if not valid:
        if form.amount.errors or form.motivation.errors:
            return _page(application, 400, grant_form=form)
        return _grant_confirmation(application, form, 400)
    return run(
        lambda: decisions.grant(
            application.id,
            current_user,
            form.motivation.data or "",
            form.amount.data,
            partner_acknowledged=bool(form.acknowledged.data),
        ),
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
    """The rejection asked on the dossier page: its confirmation page with the letter's draft."""
    application = submitted_dossier(application_id)
    form = RejectForm()
    answered = _asked(application, form, "reject_form", lambda: decisions.reject_refusal(application))
    if answered is not None:
        return answered
    letter = decisions.draft_letter(application, State.REJECTED, form.motivation.data)
    return confirm_page(
        application, "reject", RejectForm(formdata=None), hidden={"motivation": form.motivation.data}, letter=letter
    )


@bp.post("/dossiers/<int:application_id>/afwijzen/bevestigen")
@roles(Role.OFFICER)
def confirm_reject(application_id: int) -> ResponseReturnValue:
    application = submitted_dossier(application_id)
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
        meetings=meetings.meetings_of(call),
        open_meeting=meetings.open_meeting_of(call),
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
    """The dossiers chosen: the confirmation page with the count, the total and the list; `select_all`: the
    page again with every dossier ticked (without JavaScript); `change`: the page again as it was chosen."""
    call = call_service.find_call(call_id) or abort(404)
    form = _bulk_form(call.id, request.form)
    if "select_all" in request.form or "change" in request.form:
        valid = form.validate_on_submit()
        if form.csrf_token.errors:
            abort(400)
        if "select_all" in request.form:
            form.dossiers.data = [a.id for a in _scored_of(call.id)]
        elif not valid:
            form.dossiers.data = [v for v in (form.dossiers.data or []) if v in {a.id for a in _scored_of(call.id)}]
        form.dossiers.errors, form.decision.errors, form.motivation.errors = [], [], []
        return _bulk_page(call.id, form)
    if not form.validate_on_submit():
        return _bulk_page(call.id, form, 400)
    return _bulk_confirmation(call, form)


def _bulk_confirmation(
    call: Any,
    form: BulkDecisionForm,
    status: int = 200,
    *,
    confirm_url: str | None = None,
    change_url: str | None = None,
    meeting: Any = None,
) -> ResponseReturnValue:
    """The confirmation page, for the batch page or (`confirm_url`, `change_url`, `meeting`) the meeting's table."""
    grant_them = form.decision.data == "grant"
    planned = decisions.plan_many(form.dossiers.data, grant_them)
    confirm = form if isinstance(form, BulkConfirmForm) else BulkConfirmForm(formdata=None)
    warned = grant_them and any(p.refused is None and p.partner is PartnerCheck.WARN for p in planned)
    return render_template(
        "officer/decisions_confirm.html",
        call=call,
        form=confirm,
        chosen=form,
        planned=planned,
        grant_them=grant_them,
        decided=[p for p in planned if p.refused is None],
        total_cents=sum(p.amount_cents for p in planned),
        warned=warned,
        PartnerCheck=PartnerCheck,
        refusal_text=refusal_text,
        confirm_url=confirm_url or url_for("officer.confirm_many", call_id=call.id),
        change_url=change_url or url_for("officer.decide_many", call_id=call.id),
        meeting=meeting,
    ), status


@bp.post("/oproepen/<int:call_id>/beslissingen/bevestigen")
@roles(Role.OFFICER)
def confirm_many(call_id: int) -> ResponseReturnValue:
    call = call_service.find_call(call_id) or abort(404)
    form = BulkConfirmForm()
    scored = {a.id for a in _scored_of(call.id)}
    # Every posted id a row can have is read back, so that one decided meanwhile is named as stale, not ignored.
    form.dossiers.choices = choices(
        (int(v), v) for v in request.form.getlist("dossiers") if v.isdecimal() and 0 < int(v) <= MAX_ID
    )
    grant_them = request.form.get("decision") == "grant"
    planned = decisions.plan_many(
        [i for i in request.form.getlist("dossiers", type=int) if 0 < i <= MAX_ID], grant_them
    )
    form.asking_acknowledgement(
        grant_them and any(p.refused is None and p.partner is PartnerCheck.WARN for p in planned)
    )
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        if form.dossiers.errors or form.decision.errors or form.motivation.errors:
            chosen = _bulk_form(call.id, request.form)
            chosen.validate()  # the choice's own errors, shown where it is made
            return _bulk_page(call.id, chosen, 400)
        return _bulk_confirmation(call, form, 400)
    total = sum(p.amount_cents for p in planned)
    if (
        not set(form.dossiers.data) <= scored
        or form.total.data != total
        or len(planned) != len(set(form.dossiers.data))
    ):
        # Decided, withdrawn or changed since the confirmation page was shown: nothing is done.
        flash(
            _(
                "De keuze is niet meer actueel: een of meer dossiers zijn intussen beslist of gewijzigd. Er is niets beslist; kies opnieuw."
            ),
            "info",
        )
        return redirect(url_for("officer.decisions_page", call_id=call.id))
    outcomes = decisions.decide_many(
        form.dossiers.data,
        grant_them,
        current_user,
        form.motivation.data or "",
        partner_acknowledged=bool(form.acknowledged.data),
    )
    db.session.commit()
    flash_outcomes(outcomes, grant_them)
    return redirect(url_for("officer.decisions_page", call_id=call.id))


def flash_outcomes(outcomes: list[decisions.Outcome], granted: bool) -> None:
    """A batch decision's result: the references decided in one line, then each refusal with its reason."""
    done = ", ".join(o.reference for o in outcomes if o.refused is None)
    if done:
        flash(
            _("Toegekend: %(references)s.", references=done)
            if granted
            else _("Afgewezen: %(references)s.", references=done),
            "success",
        )
    for outcome in outcomes:
        if outcome.refused is not None:
            flash(
                _("%(reference)s: %(reason)s", reference=outcome.reference, reason=refusal_text(outcome.refused)),
                "info",
            )
