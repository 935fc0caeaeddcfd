"""The selection committee's pages: assigned dossiers, scoring against the rubric, conflicts of interest."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from forms.committee import ConflictForm, ScoreFormBase, score_form_class
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


def _page(
    review: Review, form: ScoreFormBase | None = None, conflict_form: ConflictForm | None = None, status: int = 200
) -> ResponseReturnValue:
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
        conflict_form=conflict_form or ConflictForm(formdata=None),
        others=others,
        score=reviews.score_of(application) if review.submitted_at is not None else None,
        rubric=application.call.criteria,
        is_overdue=reviews.is_review_overdue(review),
        editable=False,
        **answers_context(
            application, lambda kind: url_for("committee.download_attachment", review_id=review.id, kind=kind)
        ),
    ), status


@bp.get("/<int:review_id>")
@roles(Role.REVIEWER)
def review(review_id: int) -> ResponseReturnValue:
    return _page(_review(review_id))


@bp.post("/<int:review_id>")
@roles(Role.REVIEWER)
@keeps_input
def score(review_id: int) -> ResponseReturnValue:
    review = _review(review_id)
    form = _score_form(review, request.form)
    if not form.validate_on_submit():
        return _page(review, form, status=400)
    entered = {
        code: (form.score_field(code).data, form.comment_field(code).data or "") for code in form.criterion_codes
    }
    try:
        reviews.save_scores(review.id, current_user, entered, form.comment.data or "")
        if form.submit_review.data:
            reviews.submit_review(review.id, current_user, utcnow())
    except ScoresIncomplete as incomplete:
        # What was entered is kept (saved above), and every missing score is named at its field.
        db.session.commit()
        names = {criterion.code: criterion.name(language_code()) for criterion in review.application.call.criteria}
        for problem in incomplete.problems:
            if problem.code in form.criterion_codes:
                # Named, because the error summary lists them all together.
                form.score_field(problem.code).errors = [
                    _("Geef een score voor ‘%(criterion)s’", criterion=names.get(problem.code, problem.code))
                ]
        return _page(review, form, status=400)
    except NotAllowed:
        db.session.rollback()
        flash(_("Deze beoordeling is al ingediend of het dossier is niet meer in beoordeling."), "info")
        return redirect(url_for("committee.review", review_id=review_id))
    db.session.commit()
    if form.submit_review.data:
        flash(
            _("Uw beoordeling is ingediend. U ziet nu ook de scores van de andere beoordelaars die al indienden."),
            "success",
        )
    else:
        flash(_("Uw scores zijn opgeslagen. U kunt later verdergaan."), "success")
    return redirect(url_for("committee.review", review_id=review_id))


@bp.post("/<int:review_id>/belangenconflict")
@roles(Role.REVIEWER)
@keeps_input
def declare_conflict(review_id: int) -> ResponseReturnValue:
    review = _review(review_id)
    form = ConflictForm()
    return run(
        lambda: reviews.declare_conflict(review.id, current_user, form.reason.data),
        form=form,
        invalid=lambda refused: _page(review, conflict_form=refused, status=400),
        back=url_for("committee.review", review_id=review_id),
        then=url_for("committee.dashboard"),
        done=_("Uw belangenconflict is gemeld. Het dossier is uit uw lijst verwijderd."),
        otherwise=_("Een belangenconflict melden kan niet meer voor een ingediende beoordeling."),
    )


@bp.get("/<int:review_id>/bijlagen/<kind>")
@roles(Role.REVIEWER)
def download_attachment(review_id: int, kind: str) -> ResponseReturnValue:
    return send_attachment(_review(review_id).application, kind)
