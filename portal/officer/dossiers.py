"""The officer's handling of one dossier: the answers, the eligibility results, the allowed actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from forms.fields import choices
from forms.review import (
    AssignReviewersForm,
    ConfirmForm,
    CorrectionForm,
    GrantForm,
    IneligibleForm,
    RejectForm,
    ResultDecisionForm,
)
from portal.access import roles
from portal.actions import run
from portal.answers import answers_context, send_attachment
from portal.extensions import db
from portal.labels import rule_name
from portal.models import Application, EligibilityResult
from portal.officer.blueprint import bp
from portal.services import budget, decisions, eligibility, reviews
from workflows.applications import Action, allowed_actions
from workflows.eligibility import Outcome, may_declare_eligible
from workflows.roles import Role


def _application(application_id: int) -> Application:
    return db.session.get(Application, application_id) or abort(404)


def submitted_dossier(application_id: int) -> Application:
    """A dossier the officer may read: drafts belong to their government until they are submitted."""
    application = _application(application_id)
    if application.submitted_at is None:
        abort(404)
    return application


def assign_form(
    application: Application, formdata: Any = None
) -> tuple[AssignReviewersForm, list[reviews.ReviewerChoice], int]:
    """The reviewers who may be assigned as checkboxes, the suggested ones ticked on a fresh form."""
    offered, needed = reviews.reviewer_choices(application)
    form = AssignReviewersForm(formdata=formdata)
    assignable = [c for c in offered if not c.is_affiliated]
    form.reviewers.choices = choices(
        (c.user.id, _("%(name)s (%(count)s open beoordelingen)", name=c.user.full_name, count=c.open_reviews))
        for c in assignable
    )
    if formdata is None:
        form.reviewers.data = [c.user.id for c in assignable if c.is_suggested]
    return form, offered, needed


def _page(application: Application, status: int = 200, **forms: Any) -> ResponseReturnValue:
    results = eligibility.current_results(application)
    actions = allowed_actions(Role.OFFICER, application.state_enum)
    fresh_assign, offered, needed = assign_form(application)
    context = {
        "application": application,
        "results": results,
        "Outcome": Outcome,
        "actions": actions,
        "reviews": reviews.reviews_of(application),
        "score": reviews.score_of(application),
        "rubric": application.call.criteria,
        "is_overdue": reviews.is_review_overdue,
        "needs_reviewer": reviews.needs_reviewer(application),
        "affiliated": [c.user for c in offered if c.is_affiliated],
        "reviewers_needed": needed,
        "assign_form": forms.get("assign_form") or fresh_assign,
        "grant_form": forms.get("grant_form") or GrantForm(formdata=None),
        "reject_form": forms.get("reject_form") or RejectForm(formdata=None),
        "has_letter": decisions.has_letter(application),
        "Action": Action,
        "can_declare": may_declare_eligible([r.effective_outcome for r in results]),
        "reservation": budget.standing_of(application),
        "editable": False,
        **answers_context(
            application, lambda kind: url_for("officer.download_attachment", application_id=application.id, kind=kind)
        ),
        "confirm_form": forms.get("confirm_form") or ConfirmForm(formdata=None),
        "correction_form": forms.get("correction_form") or CorrectionForm(formdata=None),
        "ineligible_form": forms.get("ineligible_form") or IneligibleForm(formdata=None),
        "decision_forms": {
            r.id: (forms.get("decision_form") if forms.get("decision_for") == r.id else None)
            or ResultDecisionForm(formdata=None, prefix=f"r{r.id}")
            for r in results
        },
    }
    return render_template("officer/dossier.html", **context), status


@bp.get("/dossiers/<int:application_id>")
@roles(Role.OFFICER)
def dossier(application_id: int) -> ResponseReturnValue:
    return _page(submitted_dossier(application_id))


@bp.post("/dossiers/<int:application_id>/regels/<int:result_id>")
@roles(Role.OFFICER)
def decide_result(application_id: int, result_id: int) -> ResponseReturnValue:
    application = _application(application_id)
    result = db.session.get(EligibilityResult, result_id)
    if result is None or result.application_id != application.id:
        abort(404)
    form = ResultDecisionForm(prefix=f"r{result.id}")
    if not form.validate_on_submit():
        return _page(application, 400, decision_form=form, decision_for=result.id)
    eligibility.decide_result(result, Outcome(form.outcome.data), form.reason.data, current_user)
    db.session.commit()
    flash(_("Uw beslissing over de regel ‘%(rule)s’ is opgeslagen.", rule=rule_name(result.code)), "success")
    return redirect(url_for("officer.dossier", application_id=application.id))


def _act(
    application: Application, action: Callable[..., Any], *args: Any, form: Any, shown_as: str | None, done: str
) -> ResponseReturnValue:
    """An eligibility decision posted with `form`; refused, the page shows it again as `shown_as` (a
    form of one button is refused with 400)."""
    return run(
        lambda: action(application.id, current_user, *args),
        form=form,
        invalid=(lambda refused: _page(application, 400, **{shown_as: refused})) if shown_as else None,
        back=url_for("officer.dossier", application_id=application.id),
        done=done,
        otherwise=_(
            "Dat kan niet in de huidige fase van het dossier, of niet zolang een regel niet voldaan is of nog nagekeken moet worden."
        ),
    )


@bp.post("/dossiers/<int:application_id>/ontvankelijk")
@roles(Role.OFFICER)
def declare_eligible(application_id: int) -> ResponseReturnValue:
    application = _application(application_id)
    return _act(
        application,
        eligibility.declare_eligible,
        form=ConfirmForm(),
        shown_as=None,
        done=_("Het dossier %(reference)s is ontvankelijk.", reference=application.reference),
    )


@bp.post("/dossiers/<int:application_id>/aanvulling")
@roles(Role.OFFICER)
def request_correction(application_id: int) -> ResponseReturnValue:
    application = _application(application_id)
    form = CorrectionForm()
    return _act(
        application,
        eligibility.request_correction,
        form.question.data,
        form=form,
        shown_as="correction_form",
        done=_(
            "De vraag is naar de aanvrager gestuurd; het dossier verliest zijn plaats in de wachtrij tot het opnieuw is ingediend."
        ),
    )


@bp.post("/dossiers/<int:application_id>/niet-ontvankelijk")
@roles(Role.OFFICER)
def declare_ineligible(application_id: int) -> ResponseReturnValue:
    application = _application(application_id)
    form = IneligibleForm()
    return _act(
        application,
        eligibility.declare_ineligible,
        form.motivation.data,
        form=form,
        shown_as="ineligible_form",
        done=_("Het dossier %(reference)s is niet ontvankelijk verklaard.", reference=application.reference),
    )


@bp.get("/dossiers/<int:application_id>/bijlagen/<kind>")
@roles(Role.OFFICER)
def download_attachment(application_id: int, kind: str) -> ResponseReturnValue:
    return send_attachment(submitted_dossier(application_id), kind)
