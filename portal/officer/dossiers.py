"""The officer's handling of one dossier: the answers, the eligibility results, the allowed actions."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from forms.fields import choices
from forms.handling import NoteForm, OwnerForm
from forms.review import (
    AssignReviewersForm,
    ConfirmEligibleForm,
    CorrectionForm,
    EligibilityChoiceForm,
    GrantForm,
    IneligibleForm,
    LetterDraftForm,
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
from portal.refusals import refusal_text
from portal.services import budget, decisions, eligibility, handling, partner, reviews
from workflows.applications import Action, State, allowed_actions
from workflows.eligibility import Outcome, may_declare_eligible
from workflows.roles import Role
from workflows.safeguards import PartnerCheck


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


def owner_form(application: Application, formdata: Any = None) -> OwnerForm:
    """The active officers as choices, "nobody" first; a fresh form shows the current owner."""
    form = OwnerForm(formdata=formdata)
    form.owner.choices = choices(
        [("", _("Niemand")), *((officer.id, officer.full_name) for officer in handling.officers())]
    )
    if formdata is None:
        form.owner.data = application.owner_id
    return form


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
        "review_progress": reviews.progress_of(application),
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
        "eligibility_form": forms.get("eligibility_form") or EligibilityChoiceForm(formdata=None),
        "owner_form": forms.get("owner_form") or owner_form(application),
        "note_form": forms.get("note_form") or NoteForm(formdata=None),
        "notes": handling.notes_of(application),
        "decision_forms": {
            r.id: (forms.get("decision_form") if forms.get("decision_for") == r.id else None)
            or ResultDecisionForm(formdata=None, prefix=f"r{r.id}")
            for r in results
        },
    }
    return render_template("officer/dossier.html", **context), status


def dossier_page(application: Application, status: int = 200, **forms: Any) -> ResponseReturnValue:
    """The dossier page again, with a refused form showing what to correct (for the other officer routes)."""
    return _page(application, status, **forms)


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


# --- eligibility: one outcome chosen, its consequences confirmed ----------------------------------------


def reserved_cents(application: Application) -> int:
    """What the dossier holds now: released by a correction, an ineligibility or a rejection."""
    reservation = budget.standing_of(application)
    return reservation.reserved_cents if reservation is not None else 0


def confirm_page(
    application: Application, kind: str, form: Any, *, status: int = 200, hidden: dict[str, str], letter: Any = None
) -> ResponseReturnValue:
    """The page between the choice and the act: what `kind` (eligible, correction, ineligible, grant, reject)
    does to this dossier, the warning about the receiving government, the letter's draft, and the buttons."""
    return render_template(
        "officer/confirm.html",
        application=application,
        kind=kind,
        form=form,
        hidden=hidden,
        check=partner.partner_check(application),
        PartnerCheck=PartnerCheck,
        reserved_cents=reserved_cents(application),
        letter=letter,
        draft_form=LetterDraftForm(formdata=None),
    ), status


def _eligibility_refused() -> str:
    return _(
        "Dat kan niet in de huidige fase van het dossier, of niet zolang een regel niet voldaan is of nog nagekeken moet worden."
    )


@bp.post("/dossiers/<int:application_id>/ontvankelijkheid")
@roles(Role.OFFICER)
def choose_eligibility(application_id: int) -> ResponseReturnValue:
    """The outcome chosen on the dossier page: its confirmation page; `change` (from there): the dossier page
    again with what was chosen and typed."""
    application = submitted_dossier(application_id)
    form = EligibilityChoiceForm()
    if "change" in request.form:
        form.validate_on_submit()  # the CSRF token; what was typed is shown again, never an error
        form.outcome.errors, form.question.errors, form.motivation.errors = [], [], []
        return _page(application, 200, eligibility_form=form)
    if not form.validate_on_submit():
        return _page(application, 400, eligibility_form=form)
    outcome = form.outcome.data
    action = {
        "eligible": Action.DECLARE_ELIGIBLE,
        "correction": Action.REQUEST_CORRECTION,
        "ineligible": Action.DECLARE_INELIGIBLE,
    }[outcome]
    if action not in allowed_actions(Role.OFFICER, application.state_enum):
        flash(_eligibility_refused(), "info")
        return redirect(url_for("officer.dossier", application_id=application.id))
    if outcome == "eligible":
        refused = partner.refusal(application)
        if refused is not None or not may_declare_eligible(
            [r.effective_outcome for r in eligibility.current_results(application)]
        ):
            form.outcome.errors = [
                refusal_text(refused)
                if refused
                else _(
                    "Ontvankelijk verklaren kan zodra elke regel voldaan is; beslis eerst over de regels die u moet nakijken."
                )
            ]
            return _page(application, 400, eligibility_form=form)
        return confirm_page(application, "eligible", ConfirmEligibleForm(formdata=None), hidden={})
    if outcome == "correction":
        return confirm_page(
            application, "correction", CorrectionForm(formdata=None), hidden={"question": form.question.data}
        )
    letter = decisions.draft_letter(application, State.INELIGIBLE, form.motivation.data)
    return confirm_page(
        application,
        "ineligible",
        IneligibleForm(formdata=None),
        hidden={"motivation": form.motivation.data},
        letter=letter,
    )


def _act(
    application: Application, action: Callable[..., Any], *args: Any, done: str, **kwargs: Any
) -> ResponseReturnValue:
    """An eligibility decision confirmed: refused, the dossier page says why."""
    return run(
        lambda: action(application.id, current_user, *args, **kwargs),
        back=url_for("officer.dossier", application_id=application.id),
        done=done,
        otherwise=_eligibility_refused(),
    )


def _chosen_again(application: Application, outcome: str, form: Any, field: str) -> ResponseReturnValue:
    """A confirmation posted without its text: the dossier page with the choice, what was typed and why."""
    if form.csrf_token.errors:
        abort(400)
    choice = EligibilityChoiceForm(formdata=None, data={"outcome": outcome, field: request.form.get(field, "")})
    getattr(choice, field).errors = list(getattr(form, field).errors)
    return _page(application, 400, eligibility_form=choice)


def confirmation(application_id: int, form_class: type[Any]) -> tuple[Application, Any, bool]:
    """The dossier, its posted confirmation and whether that holds. The form asks for the officer's tick while
    the receiving government has not confirmed and the call lets the officer go on after a warning
    (workflows/safeguards.py); a bad CSRF token is a 400, as the page it came from no longer holds."""
    application = submitted_dossier(application_id)
    form = form_class()
    form.asking_acknowledgement(partner.partner_check(application) is PartnerCheck.WARN)
    valid = form.validate_on_submit()
    if not valid and form.csrf_token.errors:
        abort(400)
    return application, form, valid


@bp.post("/dossiers/<int:application_id>/ontvankelijk")
@roles(Role.OFFICER)
def declare_eligible(application_id: int) -> ResponseReturnValue:
    application, form, valid = confirmation(application_id, ConfirmEligibleForm)
    if not valid:
        return confirm_page(application, "eligible", form, status=400, hidden={})
    return _act(
        application,
        eligibility.declare_eligible,
        partner_acknowledged=bool(form.acknowledged.data),
        done=_("Het dossier %(reference)s is ontvankelijk.", reference=application.reference),
    )


# The eligibility outcomes that carry the officer's text: the confirmation's form, its field, the use case and
# what the officer reads once it is done.
_DECIDED_WITH_TEXT: dict[str, tuple[type[Any], str, Callable[..., Any], Callable[[Application], str]]] = {
    "correction": (
        CorrectionForm,
        "question",
        eligibility.request_correction,
        lambda _application: _(
            "De vraag is naar de aanvrager gestuurd; het dossier verliest zijn plaats in de wachtrij tot het opnieuw is ingediend."
        ),
    ),
    "ineligible": (
        IneligibleForm,
        "motivation",
        eligibility.declare_ineligible,
        lambda application: _(
            "Het dossier %(reference)s is niet ontvankelijk verklaard.", reference=application.reference
        ),
    ),
}


def _decide_with_text(application_id: int, outcome: str) -> ResponseReturnValue:
    application = submitted_dossier(application_id)
    form_class, field, action, done = _DECIDED_WITH_TEXT[outcome]
    form = form_class()
    if not form.validate_on_submit():
        return _chosen_again(application, outcome, form, field)
    return _act(application, action, getattr(form, field).data, done=done(application))


@bp.post("/dossiers/<int:application_id>/aanvulling")
@roles(Role.OFFICER)
def request_correction(application_id: int) -> ResponseReturnValue:
    return _decide_with_text(application_id, "correction")


@bp.post("/dossiers/<int:application_id>/niet-ontvankelijk")
@roles(Role.OFFICER)
def declare_ineligible(application_id: int) -> ResponseReturnValue:
    return _decide_with_text(application_id, "ineligible")


@bp.post("/dossiers/<int:application_id>/beslissing/ontwerp.pdf")
@roles(Role.OFFICER)
def draft_letter(application_id: int) -> ResponseReturnValue:
    """The decision letter as it will be sent, marked as a draft, before the decision is taken (reads only)."""
    application = submitted_dossier(application_id)
    form = LetterDraftForm()
    if not form.validate_on_submit():
        abort(400)
    letter = decisions.draft_letter(application, State(form.outcome.data), form.motivation.data or "", form.amount.data)
    pdf = decisions.render_letter(application, letter)
    return send_file(
        io.BytesIO(pdf),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"ontwerp-beslissing-{application.reference}.pdf",
    )


@bp.get("/dossiers/<int:application_id>/bijlagen/<kind>")
@roles(Role.OFFICER)
def download_attachment(application_id: int, kind: str) -> ResponseReturnValue:
    return send_attachment(submitted_dossier(application_id), kind)
