"""The committee: assigning reviewers, conflicts of interest, scores, and the dossier's score.

Every change takes the dossier's lock first, so that two reviewers submitting at the same moment
see each other's review and exactly one of them moves the dossier to `scored`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from portal.db import brussels_today, utcnow
from portal.extensions import db
from portal.models import Application, Call, Review, ReviewScore, User
from portal.models.notifications import NotificationEvent
from portal.services import audit, notifications
from portal.services.dossiers import move
from portal.services.locks import lock_dossier
from portal.services.refusal import NotAllowed
from workflows.applications import Action, State
from workflows.roles import Role
from workflows.scoring import (
    Candidate,
    Criterion,
    DossierScore,
    Parties,
    Rubric,
    ScoreProblem,
    check_scores,
    due_on,
    is_affiliated,
    is_overdue,
    may_assign,
    reviews_complete,
    score_dossier,
    suggest_reviewers,
    weighted_total,
)


class AssignmentRefused(Exception):
    """An assignment the rules do not allow; `code` says why, `user` whom it concerns."""

    def __init__(self, code: str, user: User | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.user = user


class ScoresIncomplete(Exception):
    def __init__(self, problems: list[ScoreProblem]) -> None:
        super().__init__(", ".join(f"{p.code}: {p}" for p in problems))
        self.problems = problems


def rubric_of(call: Call) -> Rubric:
    return Rubric(
        criteria=tuple(Criterion(c.code, c.weight, c.minimum_score) for c in call.criteria),
        scale_min=call.scale_min,
        scale_max=call.scale_max,
        pass_threshold_percent=call.pass_threshold_percent,
        spread_flag_percent=call.spread_flag_percent,
    )


def reviews_of(application: Application) -> list[Review]:
    return list(db.session.scalars(select(Review).where(Review.application_id == application.id).order_by(Review.id)))


def _parties(application: Application) -> Parties:
    return Parties(
        giving_organisation_id=application.organisation_id,
        receiving_organisation_id=application.receiving_organisation_id,
        excluded_user_ids=frozenset(r.reviewer_id for r in reviews_of(application)),
    )


def _open_review_counts() -> dict[int, int]:
    rows = db.session.execute(
        select(Review.reviewer_id, func.count())
        .join(Application, Application.id == Review.application_id)
        .where(
            Review.submitted_at.is_(None), Review.conflict_declared_at.is_(None), Application.state == State.IN_REVIEW
        )
        .group_by(Review.reviewer_id)
    ).all()
    return {reviewer_id: count for reviewer_id, count in rows}


@dataclass(frozen=True)
class ReviewerChoice:
    user: User
    open_reviews: int
    is_affiliated: bool
    is_suggested: bool


def reviewer_choices(application: Application) -> tuple[list[ReviewerChoice], int]:
    """Every active reviewer not yet on the dossier, and how many more the dossier needs."""
    reviewers = list(
        db.session.scalars(
            select(User).where(User.role == Role.REVIEWER, User.is_active.is_(True)).order_by(User.full_name)
        )
    )
    counts = _open_review_counts()
    parties = _parties(application)
    candidates = {u.id: Candidate(u.id, u.full_name, u.organisation_id, counts.get(u.id, 0)) for u in reviewers}
    active = sum(1 for r in reviews_of(application) if r.is_active)
    needed = max(application.call.reviews_per_dossier - active, 0)
    suggested = {c.user_id for c in suggest_reviewers(list(candidates.values()), parties, needed)}
    choices = [
        ReviewerChoice(u, candidates[u.id].open_reviews, is_affiliated(candidates[u.id], parties), u.id in suggested)
        for u in reviewers
        if u.id not in parties.excluded_user_ids
    ]
    choices.sort(key=lambda c: (c.is_affiliated, c.open_reviews, c.user.full_name))
    return choices, needed


def assign_reviewers(application_id: int, reviewer_ids: list[int], actor: User) -> list[Review]:
    """Put reviewers on an eligible dossier (or add one after a conflict); due in the call's review days."""
    application = lock_dossier(application_id)
    if not reviewer_ids:
        raise AssignmentRefused("none_chosen")
    parties = _parties(application)
    counts = _open_review_counts()
    chosen: list[User] = []
    for reviewer_id in dict.fromkeys(reviewer_ids):
        user = db.session.get(User, reviewer_id)
        if user is None or user.role != Role.REVIEWER or not user.is_active:
            raise AssignmentRefused("not_a_reviewer", user)
        candidate = Candidate(user.id, user.full_name, user.organisation_id, counts.get(user.id, 0))
        if is_affiliated(candidate, parties):
            raise AssignmentRefused("affiliated", user)
        if not may_assign(candidate, parties):
            raise AssignmentRefused("already_on_dossier", user)
        chosen.append(user)
    active = sum(1 for r in reviews_of(application) if r.is_active)
    if active + len(chosen) < application.call.reviews_per_dossier:
        raise AssignmentRefused("too_few")
    move(application, Action.ASSIGN_REVIEWERS, actor, "application.reviewers_assigned")
    due = due_on(brussels_today(), application.call.review_days)
    reviews = [
        Review(application_id=application.id, reviewer_id=user.id, assigned_by_id=actor.id, due_on=due)
        for user in chosen
    ]
    db.session.add_all(reviews)
    db.session.flush()
    for review in reviews:
        audit.record_row(
            actor,
            "review.assigned",
            review,
            details={"application_id": application.id, "reviewer_id": review.reviewer_id, "due_on": due.isoformat()},
        )
        notifications.record(
            NotificationEvent.REVIEWER_ASSIGNED,
            [notifications.user_recipient(review.reviewer)],
            application,
            {"review_id": review.id, "due_on": due.isoformat()},
        )
    return reviews


def review_for(reviewer: User, review_id: int) -> Review | None:
    """The reviewer's own review, unless they stepped aside for a conflict; None answers 404."""
    review = db.session.get(Review, review_id)
    if review is None or review.reviewer_id != reviewer.id or not review.is_active:
        return None
    return review


def _lock_open_review(review_id: int, reviewer: User) -> Review:
    review = db.session.get(Review, review_id)
    if review is None or review.reviewer_id != reviewer.id:
        raise NotAllowed("not your review")
    lock_dossier(review.application_id)
    db.session.refresh(review)
    if not review.is_open or review.application.state_enum is not State.IN_REVIEW:
        raise NotAllowed("review closed")
    return review


def declare_no_conflict(review_id: int, reviewer: User) -> Review:
    """The reviewer answers the question before the scores: no conflict of interest with either government."""
    review = _lock_open_review(review_id, reviewer)
    if review.no_conflict_declared_at is None:
        review.no_conflict_declared_at = utcnow()
        audit.record_row(
            reviewer, "review.no_conflict_declared", review, details={"application_id": review.application_id}
        )
    return review


def save_scores(review_id: int, reviewer: User, scores: dict[str, tuple[int | None, str]], comment: str) -> Review:
    """Keep what the reviewer entered so far, as a draft (not submitted); nothing is lost between visits."""
    review = _lock_open_review(review_id, reviewer)
    for code, (score, criterion_comment) in scores.items():
        row = review.score_of(code)
        if row is None:
            row = ReviewScore(criterion_code=code)
            review.scores.append(row)
        row.score = score
        row.comment = criterion_comment.strip()
    review.comment = comment.strip()
    db.session.flush()
    # How far the draft is, not the scores: those stay on the review rows, blind until submitted.
    scored = sum(1 for s in review.scores if s.score is not None)
    audit.record_row(
        reviewer, "review.scores_saved", review, details={"application_id": review.application_id, "scored": scored}
    )
    return review


def missing_scores(review: Review) -> list[ScoreProblem]:
    """What keeps the saved draft from being submitted (a criterion without a score, or outside the scale)."""
    rubric = rubric_of(review.application.call)
    values: dict[str, int | None] = {c.code: None for c in rubric.criteria}
    values.update({s.criterion_code: s.score for s in review.scores if s.criterion_code in values})
    return check_scores(rubric, values)


def submit_review(review_id: int, reviewer: User, now: datetime) -> Review:
    """Submit a complete review; when it is the last one in, the portal moves the dossier to `scored`."""
    review = _lock_open_review(review_id, reviewer)
    rubric = rubric_of(review.application.call)
    problems = missing_scores(review)
    if problems:
        raise ScoresIncomplete(problems)
    review.submitted_at = now
    audit.record_row(reviewer, "review.submitted", review, details={"application_id": review.application_id, "weighted_total": weighted_total(rubric, _rubric_scores(rubric, review))},
    )  # fmt: skip
    _complete_if_all_in(review.application)
    return review


def declare_conflict(review_id: int, reviewer: User, reason: str) -> Review:
    """The reviewer steps aside: the review no longer counts and the officer assigns someone else."""
    if not reason.strip():
        raise ValueError("a conflict of interest is declared with a reason")
    review = _lock_open_review(review_id, reviewer)
    review.conflict_declared_at = utcnow()
    review.conflict_reason = reason.strip()
    audit.record_row(
        reviewer,
        "review.conflict_declared",
        review,
        reason=review.conflict_reason,
        details={"application_id": review.application_id},
    )
    _complete_if_all_in(review.application)
    return review


def _complete_if_all_in(application: Application) -> None:
    db.session.flush()
    active = [r for r in reviews_of(application) if r.is_active]
    submitted = sum(1 for r in active if r.submitted_at is not None)
    still_open = sum(1 for r in active if r.submitted_at is None)
    if reviews_complete(application.call.reviews_per_dossier, submitted, still_open):
        move(application, Action.COMPLETE_REVIEWS, None, "application.scored")


def _rubric_scores(rubric: Rubric, review: Review) -> dict[str, int]:
    """The review's scores of the criteria the rubric has now (a criterion may have been removed since)."""
    codes = {c.code for c in rubric.criteria}
    return {code: value for code, value in review.score_values().items() if code in codes}


def score_of(application: Application) -> DossierScore | None:
    """The dossier's score from its submitted reviews; None while none is in.

    Reviews that lack a criterion added to the rubric after they were submitted do not count.
    """
    rubric = rubric_of(application.call)
    submitted = [
        _rubric_scores(rubric, r) for r in reviews_of(application) if r.is_active and r.submitted_at is not None
    ]
    complete = [scores for scores in submitted if not check_scores(rubric, dict(scores))]
    if not complete:
        return None
    return score_dossier(rubric, complete)


@dataclass(frozen=True)
class ReviewProgress:
    submitted: int
    expected: int
    is_complete: bool  # every review in: only then does the officer see the scores


def progress_of(application: Application) -> ReviewProgress:
    """How many of the dossier's reviews are in, of how many the call asks (or were assigned, if more)."""
    active = [r for r in reviews_of(application) if r.is_active]
    submitted = sum(1 for r in active if r.submitted_at is not None)
    still_open = len(active) - submitted
    expected = max(application.call.reviews_per_dossier, len(active))
    return ReviewProgress(
        submitted, expected, reviews_complete(application.call.reviews_per_dossier, submitted, still_open)
    )


def needs_reviewer(application: Application) -> bool:
    """In review with fewer active reviewers than the call asks (someone declared a conflict)."""
    active = sum(1 for r in reviews_of(application) if r.is_active)
    return application.state_enum is State.IN_REVIEW and active < application.call.reviews_per_dossier


def assignments_of(reviewer: User) -> list[Review]:
    """The reviewer's dossiers: open ones first (soonest due first), then the submitted ones."""
    reviews = db.session.scalars(
        select(Review).where(Review.reviewer_id == reviewer.id, Review.conflict_declared_at.is_(None))
    )
    return sorted(reviews, key=lambda r: (r.submitted_at is not None, r.due_on, r.id))


def overdue_reviews() -> list[Review]:
    """Open reviews past their due date (the rule of workflows/scoring.py), for the officer: oldest first."""
    day = brussels_today()
    reviews = db.session.scalars(
        select(Review)
        .join(Application, Application.id == Review.application_id)
        .where(
            Review.submitted_at.is_(None), Review.conflict_declared_at.is_(None), Application.state == State.IN_REVIEW
        )
        .order_by(Review.due_on, Review.id)
    )
    return [r for r in reviews if is_overdue(r.due_on, day, submitted=False)]


def is_review_overdue(review: Review) -> bool:
    return is_overdue(review.due_on, brussels_today(), review.submitted_at is not None)
