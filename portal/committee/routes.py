"""The selection committee's pages: assigned dossiers; per review the conflict-of-interest question first,
then the scores beside the dossier (kept as a draft), a page to check them, and the final submit."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from forms.committee import ConflictForm, ScoreFormBase, SubmitReviewForm, score_form_class
from portal.access import keeps_input, roles
from portal.actions import run
from portal.answers import answers_context, send_attachment
from portal.db import utcnow
from portal.extensions import db
from portal.i18n import language_code
from portal.models import Review
from portal.services import reviews
from portal.services.refusal import NotAllowed
from portal.services.reviews import ScoresIncomplete
from workflows.roles import Role
from workflows.scoring import ScoreProblem

bp = Blueprint("committee", __name__, url_prefix="/beoordeling")


@bp.get("/")
@roles(Role.REVIEWER)
def dashboard() -> ResponseReturnValue:
    assignments = reviews.assignments_of(current_user)
    open_ones = sorted((r for r in assignments if r.submitted_at is None), key=lambda r: (r.due_on, r.id))
    done = sorted((r for r in assignments if r.submitted_at is not None), key=lambda r: r.submitted_at, reverse=True)
    return render_template("committee/dashboard.html", open=open_ones, done=done, is_overdue=reviews.is_review_overdue)


def _review(review_id: int) -> Review:
    """The reviewer's own active review; anything else is 404, so ids do not leak."""
    return reviews.review_for(current_user, review_id) or abort(404)


def _score_form(review: Review, formdata: Any = None) -> ScoreFormBase:
    call = review.application.call
    lang = language_code()
    form_class = score_form_class([(c.code, c.name(lang)) for c in call.criteria], call.scale_min, call.scale_max)
    if formdata is not None:
        return form_class(formdata=formdata)
    form = form_class(formdata=None)
    for code in form.criterion_codes:
        saved = review.score_of(code)
        if saved is not None:
            form.score_field(code).data = saved.score
            form.comment_field(code).data = saved.comment
    form.comment.data = review.comment
    return form


def _name_missing(review: Review, form: ScoreFormBase, problems: list[ScoreProblem]) -> None:
    """Every missing score as an error at its criterion, named: the error summary lists them all together."""
    names = {criterion.code: criterion.name(language_code()) for criterion in review.application.call.criteria}
    for problem in problems:
        if problem.code in form.criterion_codes:
            form.score_field(problem.code).errors = [
                _("Geef een score voor ‘%(criterion)s’", criterion=names.get(problem.code, problem.code))
            ]


def _page(review: Review, form: ScoreFormBase | None = None, status: int = 200) -> ResponseReturnValue:
    application = review.application
    # Blind review: the others' scores appear only once this reviewer has submitted.
    others = (
        [r for r in reviews.reviews_of(application) if r.id != review.id and r.is_active and r.submitted_at is not None]
        if review.submitted_at is not None
        else []
    )
    return render_template(
        "committee/review.html",
        review=review,
        application=application,
        form=form or _score_form(review),
        others=others,
        score=reviews.score_of(application) if review.submitted_at is not None else None,
        rubric=application.call.criteria,
        is_overdue=reviews.is_review_overdue(review),
        editable=False,
        **answers_context(
            application, lambda kind: url_for("committee.download_attachment", review_id=review.id, kind=kind)
        ),
    ), status


def _conflict_page(review: Review, form: ConflictForm | None = None, status: int = 200) -> ResponseReturnValue:
    form = form or ConflictForm(formdata=None)
    if form.has_conflict.data is None and review.no_conflict_declared_at is not None:
        form.has_conflict.data = "no"
    return render_template("committee/conflict.html", review=review, application=review.application, form=form), status


@bp.get("/<int:review_id>")
@roles(Role.REVIEWER)
def review(review_id: int) -> ResponseReturnValue:
    """The submitted review; or, while open, first the conflict-of-interest question, then the scores."""
    review = _review(review_id)
    if review.is_open and review.no_conflict_declared_at is None:
        return _conflict_page(review)
    return _page(review)


@bp.post("/<int:review_id>")
@roles(Role.REVIEWER)
@keeps_input
def score(review_id: int) -> ResponseReturnValue:
    """Keep the scores as a draft; "Opslaan en controleren" goes on to the check page once each criterion has one."""
    review = _review(review_id)
    if review.is_open and review.no_conflict_declared_at is None:
        flash(_("Beantwoord eerst de vraag over een belangenconflict."), "info")
        return redirect(url_for("committee.review", review_id=review_id))
    form = _score_form(review, request.form)
    if not form.validate_on_submit():
        return _page(review, form, status=400)
    entered = {
        code: (form.score_field(code).data, form.comment_field(code).data or "") for code in form.criterion_codes
    }
    try:
        saved = reviews.save_scores(review.id, current_user, entered, form.comment.data or "")
    except NotAllowed:
        db.session.rollback()
        flash(_("Deze beoordeling is al ingediend of het dossier is niet meer in beoordeling."), "info")
        return redirect(url_for("committee.review", review_id=review_id))
    # What was entered is kept either way; a missing score is named at its field.
    db.session.commit()
    if form.check.data:
        missing = reviews.missing_scores(saved)
        if missing:
            _name_missing(review, form, missing)
            return _page(review, form, status=400)
        return redirect(url_for("committee.check_answers", review_id=review_id))
    flash(_("Uw scores zijn opgeslagen. U kunt later verdergaan."), "success")
    return redirect(url_for("committee.review", review_id=review_id))


@bp.get("/<int:review_id>/controleren")
@roles(Role.REVIEWER)
def check_answers(review_id: int) -> ResponseReturnValue:
    """Every saved score with what it means, and the comments, before the final submit."""
    review = _review(review_id)
    if not review.is_open or review.no_conflict_declared_at is None:
        return redirect(url_for("committee.review", review_id=review_id))
    if reviews.missing_scores(review):
        flash(_("Geef eerst een score voor elk criterium."), "info")
        return redirect(url_for("committee.review", review_id=review_id))
    return _check_page(review)


def _check_page(review: Review, status: int = 200) -> ResponseReturnValue:
    return render_template(
        "committee/check.html",
        review=review,
        application=review.application,
        rubric=review.application.call.criteria,
        form=SubmitReviewForm(formdata=None),
    ), status


@bp.post("/<int:review_id>/indienen")
@roles(Role.REVIEWER)
def submit(review_id: int) -> ResponseReturnValue:
    """The final step: the saved, checked scores become the submitted review."""
    review = _review(review_id)
    if review.is_open and review.no_conflict_declared_at is None:
        flash(_("Beantwoord eerst de vraag over een belangenconflict."), "info")
        return redirect(url_for("committee.review", review_id=review_id))
    form = SubmitReviewForm()
    if not form.validate_on_submit():
        return _check_page(review, status=400) if review.is_open else abort(400)
    try:
        reviews.submit_review(review.id, current_user, utcnow())
    except ScoresIncomplete as incomplete:
        db.session.rollback()
        scoring = _score_form(review)
        _name_missing(review, scoring, incomplete.problems)
        return _page(review, scoring, status=400)
    except NotAllowed:
        db.session.rollback()
        flash(_("Deze beoordeling is al ingediend of het dossier is niet meer in beoordeling."), "info")
        return redirect(url_for("committee.review", review_id=review_id))
    db.session.commit()
    flash(
        _("Uw beoordeling is ingediend. U ziet nu ook de scores van de andere beoordelaars die al indienden."),
        "success",
    )
    return redirect(url_for("committee.review", review_id=review_id))


@bp.get("/<int:review_id>/belangenconflict")
@roles(Role.REVIEWER)
def conflict_question(review_id: int) -> ResponseReturnValue:
    """The question again, for a reviewer who sees a conflict only while scoring."""
    review = _review(review_id)
    if not review.is_open:
        return redirect(url_for("committee.review", review_id=review_id))
    return _conflict_page(review)


@bp.post("/<int:review_id>/belangenconflict")
@roles(Role.REVIEWER)
@keeps_input
def declare_conflict(review_id: int) -> ResponseReturnValue:
    review = _review(review_id)
    form = ConflictForm()
    back = url_for("committee.review", review_id=review_id)
    otherwise = _("Een belangenconflict melden kan niet meer voor een ingediende beoordeling.")
    invalid = lambda refused: _conflict_page(review, refused, status=400)  # noqa: E731
    if form.has_conflict.data == "no":
        return run(
            lambda: reviews.declare_no_conflict(review.id, current_user),
            form=form, invalid=invalid, back=back, otherwise=otherwise,
            done=_("U verklaarde geen belangenconflict te hebben. Geef nu uw scores."),
        )  # fmt: skip
    return run(
        lambda: reviews.declare_conflict(review.id, current_user, form.reason.data),
        form=form,
        invalid=invalid,
        back=back,
        then=url_for("committee.dashboard"),
        done=_("Uw belangenconflict is gemeld. Het dossier is uit uw lijst verwijderd."),
        otherwise=otherwise,
    )


@bp.get("/<int:review_id>/bijlagen/<kind>")
@roles(Role.REVIEWER)
def download_attachment(review_id: int, kind: str) -> ResponseReturnValue:
    return send_attachment(_review(review_id).application, kind)
