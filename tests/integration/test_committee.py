"""The committee and the decisions on a real database: reviewers, scores, conflicts, grants, rejections,
the decision letter, partial offers and the CHECK constraints that tie a decision to its columns."""

import io
from dataclasses import replace
from datetime import datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal.db import utcnow
from portal.models import AuditEntry, BudgetMovement, Reservation, Review
from portal.services import applications, budget, calls, decisions, eligibility, reviews
from portal.services.decisions import DecisionRefused
from portal.services.refusal import NotAllowed
from portal.services.reviews import AssignmentRefused, ScoresIncomplete
from portal.services.seed import CALL_2022, RUBRIC_2022
from tests.conftest import make_user
from tests.factories import in_review, municipality, open_call, score_everything, scored_dossier, submitted_dossier

# The seeded rubric of 2022 (RUBRIC_2022): weights 3, 2, 3, 2, 2, 2, 1 on a scale of 0 to 3, threshold 50%.
CODES = ["regierol", "leernood", "actieplan", "expertise", "participatie", "verankering", "evaluatie"]
WEIGHTS = dict(zip(CODES, [3, 2, 3, 2, 2, 2, 1], strict=True))
MAX_TOTAL = sum(WEIGHTS.values()) * 3  # 45

# Each complete dossier asks EUR 5.400,00; a small envelope of EUR 12.000,00 holds two, the third waits.
ASKED = 5_400_00
SMALL_ENVELOPE = 12_000_00

# Giving governments for several dossiers in one call (one open application per pair, rule E09);
# every dossier goes to Ronse (45041). Gent (44021) is the default applicant's government.
OTHER_GIVERS = ["11002", "12025", "24062"]


def small_call():
    return open_call("ARM-SMALL", envelope_cents=SMALL_ENVELOPE, cap_cents=SMALL_ENVELOPE)


def applicant_of(nis):
    return make_user("applicant", organisation=municipality(nis))


def brussels_today():
    return datetime.now(ZoneInfo("Europe/Brussels")).date()


def review_of(application, reviewer):
    return next(r for r in reviews.reviews_of(application) if r.reviewer_id == reviewer.id)


def audit_rows(db_session, action, entity_id=None):
    query = select(AuditEntry).where(AuditEntry.action == action)
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == str(entity_id))
    return list(db_session.scalars(query.order_by(AuditEntry.id)))


def movements_of(db_session, application):
    return list(
        db_session.scalars(
            select(BudgetMovement).where(BudgetMovement.application_id == application.id).order_by(BudgetMovement.id)
        )
    )


def fresh(db_session, *rows):
    """The rows as the database has them, after writing what the services left pending."""
    db_session.flush()
    for row in rows:
        db_session.refresh(row)


def review_count(db_session, application):
    return db_session.scalar(select(func.count()).select_from(Review).where(Review.application_id == application.id))


def give_scores(application, reviewer, scores, submit=True):
    review = review_of(application, reviewer)
    reviews.save_scores(review.id, reviewer, {code: (score, "") for code, score in scores.items()}, "")
    if submit:
        reviews.submit_review(review.id, reviewer, utcnow())
    return review


def eligible_dossier(call, officer, **kwargs):
    dossier = submitted_dossier(call, **kwargs)
    eligibility.declare_eligible(dossier.id, officer)
    return dossier


@pytest.fixture
def officer(db_session):
    return make_user("officer")


@pytest.fixture
def panel(db_session):
    """Two reviewers of ABB: the call asks two reviews per dossier."""
    return [make_user("reviewer"), make_user("reviewer")]


# --- assigning reviewers ------------------------------------------------------------------------


def test_assigning_reviewers_puts_an_eligible_dossier_in_review_due_in_the_calls_review_days(
    db_session, officer, panel
):
    call = open_call()
    dossier = eligible_dossier(call, officer)
    assert (call.reviews_per_dossier, call.review_days) == (2, 14)

    assigned = reviews.assign_reviewers(dossier.id, [r.id for r in panel], officer)

    fresh(db_session, dossier)
    assert dossier.state == "in_review"
    due = brussels_today() + timedelta(days=14)
    assert [(r.reviewer_id, r.due_on, r.assigned_by_id, r.submitted_at) for r in assigned] == [
        (panel[0].id, due, officer.id, None),
        (panel[1].id, due, officer.id, None),
    ]
    [moved] = audit_rows(db_session, "application.reviewers_assigned", dossier.id)
    assert (moved.actor_id, moved.from_state, moved.to_state) == (officer.id, "eligible", "in_review")
    rows = audit_rows(db_session, "review.assigned")
    assert sorted(
        (int(e.entity_id), e.actor_id, e.details["application_id"], e.details["reviewer_id"], e.details["due_on"])
        for e in rows
    ) == [
        (assigned[0].id, officer.id, dossier.id, panel[0].id, due.isoformat()),
        (assigned[1].id, officer.id, dossier.id, panel[1].id, due.isoformat()),
    ]


@pytest.mark.parametrize("nis", ["44021", "45041"], ids=["giving_gent", "receiving_ronse"])
def test_a_reviewer_from_either_government_is_refused(db_session, officer, panel, nis):
    dossier = eligible_dossier(open_call(), officer)
    affiliated = make_user("reviewer", organisation=municipality(nis))

    with pytest.raises(AssignmentRefused) as refused:
        reviews.assign_reviewers(dossier.id, [panel[0].id, affiliated.id], officer)

    assert refused.value.code == "affiliated"
    assert refused.value.user is affiliated
    fresh(db_session, dossier)
    assert dossier.state == "eligible"
    assert review_count(db_session, dossier) == 0


@pytest.mark.parametrize("who", ["officer", "applicant", "inactive_reviewer", "unknown_id"])
def test_only_an_active_reviewer_can_be_assigned(db_session, officer, panel, who):
    dossier = eligible_dossier(open_call(), officer)
    if who == "unknown_id":
        other_id = 10**9
    else:
        other = make_user("reviewer" if who == "inactive_reviewer" else who)
        if who == "inactive_reviewer":
            other.is_active = False
            db_session.flush()
        other_id = other.id

    with pytest.raises(AssignmentRefused) as refused:
        reviews.assign_reviewers(dossier.id, [panel[0].id, other_id], officer)

    assert refused.value.code == "not_a_reviewer"
    assert review_count(db_session, dossier) == 0


def test_fewer_reviewers_than_the_call_asks_are_refused(db_session, officer, panel):
    dossier = eligible_dossier(open_call(), officer)

    with pytest.raises(AssignmentRefused) as one:
        reviews.assign_reviewers(dossier.id, [panel[0].id], officer)
    # The same reviewer chosen twice counts once.
    with pytest.raises(AssignmentRefused) as twice:
        reviews.assign_reviewers(dossier.id, [panel[0].id, panel[0].id], officer)
    with pytest.raises(AssignmentRefused) as none:
        reviews.assign_reviewers(dossier.id, [], officer)

    assert (one.value.code, twice.value.code, none.value.code) == ("too_few", "too_few", "none_chosen")
    fresh(db_session, dossier)
    assert dossier.state == "eligible"
    assert review_count(db_session, dossier) == 0


@pytest.mark.parametrize("state", ["submitted", "scored"])
def test_reviewers_are_assigned_only_to_an_eligible_dossier_or_one_in_review(db_session, officer, panel, state):
    call = open_call()
    if state == "submitted":
        dossier = submitted_dossier(call)
        chosen = panel
    else:
        dossier = scored_dossier(call, officer, panel)
        chosen = [make_user("reviewer"), make_user("reviewer")]
    before = review_count(db_session, dossier)

    with pytest.raises(NotAllowed):
        reviews.assign_reviewers(dossier.id, [r.id for r in chosen], officer)

    fresh(db_session, dossier)
    assert dossier.state == state
    assert review_count(db_session, dossier) == before
    assert len(audit_rows(db_session, "application.reviewers_assigned", dossier.id)) == (
        0 if state == "submitted" else 1
    )


def test_the_suggestions_are_the_reviewers_with_the_fewest_open_reviews_and_affiliated_ones_are_marked(
    db_session, officer
):
    call = open_call()
    idle, once, spare, busy = (make_user("reviewer") for _ in range(4))
    affiliated = make_user("reviewer", organisation=municipality("44021"))
    for user, name in (
        (idle, "Anna Idle"),
        (once, "Bert Once"),
        (spare, "Cor Spare"),
        (busy, "Dirk Busy"),
        (affiliated, "Aaron Gent"),
    ):
        user.full_name = name
    db_session.flush()
    # busy has two open reviews, once and spare one each; idle and affiliated none.
    in_review(submitted_dossier(call, applicant=applicant_of("11002")), officer, [busy, once])
    in_review(submitted_dossier(call, applicant=applicant_of("12025")), officer, [busy, spare])
    dossier = eligible_dossier(call, officer)  # Gent gives, Ronse receives

    choices, needed = reviews.reviewer_choices(dossier)

    assert needed == 2
    mine = {idle.id, once.id, spare.id, busy.id, affiliated.id}
    seen = [(c.user.full_name, c.open_reviews, c.is_affiliated, c.is_suggested) for c in choices if c.user.id in mine]
    assert seen == [
        ("Anna Idle", 0, False, True),
        ("Bert Once", 1, False, True),
        ("Cor Spare", 1, False, False),
        ("Dirk Busy", 2, False, False),
        ("Aaron Gent", 0, True, False),
    ]


# --- scores -------------------------------------------------------------------------------------


def test_saved_scores_are_kept_even_when_incomplete(db_session, officer, panel):
    dossier = in_review(submitted_dossier(open_call()), officer, panel)
    reviewer = panel[0]
    review = review_of(dossier, reviewer)

    reviews.save_scores(
        review.id, reviewer, {"regierol": (3, "  sterke regie  "), "leernood": (None, "")}, " voorlopig "
    )
    reviews.save_scores(review.id, reviewer, {"actieplan": (2, "")}, "tweede bezoek")
    db_session.expire_all()

    review = db_session.get(Review, review.id)
    assert review.score_values() == {"regierol": 3, "actieplan": 2}
    assert review.score_of("regierol").comment == "sterke regie"
    assert review.score_of("leernood") is not None and review.score_of("leernood").score is None
    assert review.comment == "tweede bezoek"
    assert review.submitted_at is None
    assert dossier.state == "in_review"


def test_an_incomplete_review_is_refused_naming_the_missing_criteria(db_session, officer, panel):
    dossier = in_review(submitted_dossier(open_call()), officer, panel)
    reviewer = panel[0]
    review = give_scores(dossier, reviewer, {"regierol": 3, "leernood": 2, "expertise": 4}, submit=False)

    with pytest.raises(ScoresIncomplete) as incomplete:
        reviews.submit_review(review.id, reviewer, utcnow())

    problems = {(p.code, str(p)) for p in incomplete.value.problems}
    assert problems == {
        ("actieplan", "missing"),
        ("expertise", "out of scale"),
        ("participatie", "missing"),
        ("verankering", "missing"),
        ("evaluatie", "missing"),
    }
    fresh(db_session, review)
    assert review.submitted_at is None
    assert audit_rows(db_session, "review.submitted", review.id) == []


def test_the_last_required_review_moves_the_dossier_to_scored_by_the_portal_itself(db_session, officer, panel):
    dossier = in_review(submitted_dossier(open_call()), officer, panel)

    score_everything(dossier, panel[0], 2)
    fresh(db_session, dossier)
    assert dossier.state == "in_review"
    assert audit_rows(db_session, "application.scored", dossier.id) == []

    score_everything(dossier, panel[1], 2)
    fresh(db_session, dossier)
    assert dossier.state == "scored"
    [scored] = audit_rows(db_session, "application.scored", dossier.id)
    assert (scored.actor_id, scored.from_state, scored.to_state) == (None, "in_review", "scored")
    submitted = audit_rows(db_session, "review.submitted")
    assert sorted((e.actor_id, e.details["weighted_total"]) for e in submitted) == sorted(
        [(panel[0].id, 30), (panel[1].id, 30)]
    )


def test_a_reviewer_cannot_touch_another_reviewers_review(db_session, officer, panel):
    dossier = in_review(submitted_dossier(open_call()), officer, panel)
    own, other = panel
    theirs = review_of(dossier, other)

    with pytest.raises(NotAllowed):
        reviews.save_scores(theirs.id, own, {code: (3, "") for code in CODES}, "")
    with pytest.raises(NotAllowed):
        reviews.submit_review(theirs.id, own, utcnow())
    with pytest.raises(NotAllowed):
        reviews.declare_conflict(theirs.id, own, "ken de burgemeester")

    fresh(db_session, theirs)
    assert (theirs.scores, theirs.submitted_at, theirs.conflict_declared_at) == ([], None, None)
    assert reviews.review_for(own, theirs.id) is None


def test_a_submitted_review_can_no_longer_be_changed(db_session, officer, panel):
    dossier = in_review(submitted_dossier(open_call()), officer, panel)
    score_everything(dossier, panel[0], 2)
    review = review_of(dossier, panel[0])

    with pytest.raises(NotAllowed):
        reviews.save_scores(review.id, panel[0], {"regierol": (0, "")}, "")
    with pytest.raises(NotAllowed):
        reviews.submit_review(review.id, panel[0], utcnow())

    fresh(db_session, review)
    assert review.score_values()["regierol"] == 2


# --- conflicts of interest ----------------------------------------------------------------------


def test_a_conflict_of_interest_needs_a_reason(db_session, officer, panel):
    dossier = in_review(submitted_dossier(open_call()), officer, panel)
    review = review_of(dossier, panel[0])

    with pytest.raises(ValueError):
        reviews.declare_conflict(review.id, panel[0], "   ")

    fresh(db_session, review)
    assert review.is_active and review.conflict_reason is None
    assert audit_rows(db_session, "review.conflict_declared") == []


def test_a_conflict_removes_the_reviewer_and_the_officer_assigns_someone_else(db_session, officer, panel):
    dossier = in_review(submitted_dossier(open_call()), officer, panel)
    stays, leaves = panel
    score_everything(dossier, stays, 2)  # the other review is already in: still not scored with one
    conflicted = review_of(dossier, leaves)

    reviews.declare_conflict(conflicted.id, leaves, "  Ik werkte vroeger in Ronse.  ")

    fresh(db_session, dossier)
    fresh(db_session, conflicted)
    assert not conflicted.is_active
    assert conflicted.conflict_reason == "Ik werkte vroeger in Ronse."
    assert dossier.state == "in_review"
    assert reviews.needs_reviewer(dossier) is True
    [declared] = audit_rows(db_session, "review.conflict_declared", conflicted.id)
    assert (declared.actor_id, declared.reason) == (leaves.id, "Ik werkte vroeger in Ronse.")
    assert audit_rows(db_session, "application.scored", dossier.id) == []
    # The conflicted reviewer can no longer score, is no longer offered, and cannot come back.
    with pytest.raises(NotAllowed):
        reviews.save_scores(conflicted.id, leaves, {"regierol": (3, "")}, "")
    assert reviews.review_for(leaves, conflicted.id) is None
    choices, needed = reviews.reviewer_choices(dossier)
    assert needed == 1
    assert leaves.id not in {c.user.id for c in choices} and stays.id not in {c.user.id for c in choices}
    for again in (leaves, stays):
        with pytest.raises(AssignmentRefused) as refused:
            reviews.assign_reviewers(dossier.id, [again.id], officer)
        assert refused.value.code == "already_on_dossier"
        assert refused.value.user is again

    newcomer = make_user("reviewer")
    [added] = reviews.assign_reviewers(dossier.id, [newcomer.id], officer)

    fresh(db_session, dossier)
    assert dossier.state == "in_review"
    assert reviews.needs_reviewer(dossier) is False
    assert added.due_on == brussels_today() + timedelta(days=14)
    moves = audit_rows(db_session, "application.reviewers_assigned", dossier.id)
    assert [(e.from_state, e.to_state) for e in moves] == [("eligible", "in_review"), ("in_review", "in_review")]

    score_everything(dossier, newcomer, 1)
    fresh(db_session, dossier)
    assert dossier.state == "scored"
    score = reviews.score_of(dossier)
    assert score.review_count == 2
    assert score.mean_total == Fraction(30 + 15, 2)


# --- the dossier's score ------------------------------------------------------------------------


def uniform(score, **overrides):
    scores = dict.fromkeys(CODES, score)
    scores.update(overrides)
    return scores


@pytest.mark.parametrize(
    ("first", "second", "mean_total", "percent", "spread", "below_minimum", "passes"),
    [
        # 3+2+3+2+2+2+1 = 15 per point: all 2 is 30 of 45.
        (uniform(2), uniform(2), Fraction(30), Fraction(200, 3), Fraction(0), (), True),
        # 9+4+9+2+0+4+3 = 31 and 30: mean 30.5, 610/9 % (67.8%).
        (
            {
                "regierol": 3,
                "leernood": 2,
                "actieplan": 3,
                "expertise": 1,
                "participatie": 0,
                "verankering": 2,
                "evaluatie": 3,
            },
            uniform(2),
            Fraction(61, 2),
            Fraction(610, 9),
            Fraction(20, 9),
            (),
            True,
        ),
        # 30 and 15: mean 22.5 is exactly the 50% threshold, which passes; the spread is 1/3 of the range.
        (uniform(2), uniform(1), Fraction(45, 2), Fraction(50), Fraction(100, 3), (), True),
        # 15 and 15: a third of the range, below the threshold.
        (uniform(1), uniform(1), Fraction(15), Fraction(100, 3), Fraction(0), (), False),
        # 36 of 45 (80%), yet the local directing role has a minimum of 1.
        (uniform(3, regierol=0), uniform(3, regierol=0), Fraction(36), Fraction(80), Fraction(0), ("regierol",), False),
    ],
    ids=["all_two", "mixed", "at_threshold", "below_threshold", "below_a_minimum"],
)
def test_the_dossier_score_is_the_mean_of_the_weighted_totals_on_the_2022_rubric(
    db_session, officer, panel, first, second, mean_total, percent, spread, below_minimum, passes
):
    call = open_call()
    assert {c.code: c.weight for c in call.criteria} == WEIGHTS
    assert (call.scale_min, call.scale_max, call.pass_threshold_percent) == (0, 3, 50)
    dossier = in_review(submitted_dossier(call), officer, panel)
    assert reviews.score_of(dossier) is None

    give_scores(dossier, panel[0], first)
    give_scores(dossier, panel[1], second)

    score = reviews.score_of(dossier)
    assert score.review_count == 2
    assert score.mean_total == mean_total
    assert score.percent == percent == mean_total * 100 / MAX_TOTAL
    assert score.spread_percent == spread
    assert score.is_spread_flagged is (spread > 25)
    assert score.below_minimum == below_minimum
    assert score.passes is passes
    assert score.criterion_means["regierol"] == Fraction(first["regierol"] + second["regierol"], 2)


def test_a_criterion_removed_from_the_rubric_while_reviews_are_open_does_not_block_them(db_session, officer, panel):
    # An open call's rubric may be edited by the officer (update_call; after opening it is audited), and a
    # saved score keeps its criterion's code (ReviewScore.criterion_code: "the rubric may be edited").
    today = brussels_today()
    settings = replace(
        CALL_2022, code="ARM-RUBRIC", opens_on=today - timedelta(days=10), closes_on=today + timedelta(days=30)
    )
    call = open_call("ARM-RUBRIC")
    dossier = in_review(submitted_dossier(call), officer, panel)
    for reviewer in panel:
        give_scores(dossier, reviewer, uniform(2), submit=False)

    calls.update_call(call, replace(settings, criteria=[c for c in RUBRIC_2022 if c.code != "evaluatie"]), officer)
    assert [c.code for c in call.criteria] == CODES[:-1]
    for reviewer in panel:
        reviews.submit_review(review_of(dossier, reviewer).id, reviewer, utcnow())

    fresh(db_session, dossier)
    assert dossier.state == "scored"
    assert reviews.score_of(dossier).mean_total == 28  # weights 3+2+3+2+2+2 = 14, all scored 2


# --- overdue reviews ----------------------------------------------------------------------------


def test_overdue_reviews_are_the_open_ones_past_their_due_date_oldest_first(db_session, officer, panel):
    call = open_call()
    today = brussels_today()
    first = in_review(submitted_dossier(call), officer, panel)
    second = in_review(submitted_dossier(call, applicant=applicant_of("11002")), officer, panel)
    score_everything(first, panel[1], 2)

    late = review_of(first, panel[0])
    submitted_late = review_of(first, panel[1])
    very_late = review_of(second, panel[0])
    due_today = review_of(second, panel[1])
    late.due_on = today - timedelta(days=1)
    submitted_late.due_on = today - timedelta(days=10)
    very_late.due_on = today - timedelta(days=5)
    due_today.due_on = today
    db_session.flush()

    assert [r.id for r in reviews.overdue_reviews()] == [very_late.id, late.id]
    assert reviews.is_review_overdue(late) is True
    assert reviews.is_review_overdue(due_today) is False
    assert reviews.is_review_overdue(submitted_late) is False


# --- grants -------------------------------------------------------------------------------------


def test_a_grant_turns_the_reservation_into_a_commitment(db_session, officer, panel):
    call = open_call()
    dossier = scored_dossier(call, officer, panel)
    fresh(db_session, call)
    reserved_before, committed_before = call.reserved_cents, call.committed_cents
    assert budget.standing_of(dossier).reserved_cents == ASKED

    decisions.grant(dossier.id, officer, "  Sterk project.  ")

    fresh(db_session, dossier)
    fresh(db_session, call)
    assert dossier.state == "granted"
    assert (dossier.granted_cents, dossier.decision_motivation, dossier.decided_by_id) == (
        ASKED,
        "Sterk project.",
        officer.id,
    )
    assert dossier.decided_at is not None
    reservation = db_session.get(Reservation, dossier.id)
    assert (reservation.standing, reservation.reserved_cents, reservation.committed_cents) == (None, 0, ASKED)
    assert call.committed_cents == committed_before + ASKED
    assert call.reserved_cents == reserved_before - ASKED
    committed = [m for m in movements_of(db_session, dossier) if m.kind == "committed"]
    assert [(m.amount_cents, m.actor_id, m.reserved_after_cents, m.committed_after_cents) for m in committed] == [
        (ASKED, officer.id, call.reserved_cents, call.committed_cents)
    ]
    assert sum(m.amount_cents for m in movements_of(db_session, dossier)) == ASKED
    [granted] = audit_rows(db_session, "application.granted", dossier.id)
    assert (granted.actor_id, granted.from_state, granted.to_state) == (officer.id, "scored", "granted")


def test_a_lower_grant_releases_the_difference_to_the_first_waiting_dossier_in_the_same_transaction(
    db_session, officer, panel
):
    call = small_call()
    first = scored_dossier(call, officer, panel)
    submitted_dossier(call, applicant=applicant_of("11002"))
    waiting = submitted_dossier(call, applicant=applicant_of("12025"))
    assert (budget.standing_of(waiting).standing, budget.standing_of(waiting).offer_cents) == ("waiting", 1_200_00)

    decisions.grant(first.id, officer, amount_cents=1_200_00)

    fresh(db_session, call)
    assert first.granted_cents == 1_200_00
    assert (call.committed_cents, call.reserved_cents) == (1_200_00, 2 * ASKED)
    standing = budget.standing_of(waiting)
    assert (standing.standing, standing.reserved_cents, standing.waiting_place, standing.offer_cents) == (
        "reserved",
        ASKED,
        None,
        None,
    )
    lines = movements_of(db_session, first)
    assert [m.amount_cents for m in lines if m.kind == "committed"] == [1_200_00]
    # The dossier's history adds up to what it holds: the commitment of EUR 1.200,00.
    assert sum(m.amount_cents for m in lines) == 1_200_00
    assert movements_of(db_session, waiting)[-1].kind == "reserved"
    reserved = audit_rows(db_session, "budget.reserved", waiting.id)
    assert [e.details for e in reserved] == [{"reserved_cents": ASKED, "reason": "grant"}]


def test_a_grant_is_refused_before_the_reviews_are_in(db_session, officer, panel):
    call = open_call()
    submitted = submitted_dossier(call)
    reviewing = in_review(submitted_dossier(call, applicant=applicant_of("11002")), officer, panel)

    for dossier in (submitted, reviewing):
        with pytest.raises(DecisionRefused) as refused:
            decisions.grant(dossier.id, officer)
        assert refused.value.code == "not_scored"
    assert (submitted.state, reviewing.state) == ("submitted", "in_review")


def test_a_grant_is_refused_below_the_quality_threshold(db_session, officer, panel):
    call = open_call()
    dossier = scored_dossier(call, officer, panel, score=1)

    with pytest.raises(DecisionRefused) as refused:
        decisions.grant(dossier.id, officer)

    assert refused.value.code == "below_threshold"
    fresh(db_session, dossier)
    assert (dossier.state, dossier.granted_cents) == ("scored", None)
    assert budget.standing_of(dossier).reserved_cents == ASKED


def test_a_grant_is_refused_to_a_dossier_waiting_without_a_reservation(db_session, officer, panel):
    call = small_call()
    submitted_dossier(call)
    submitted_dossier(call, applicant=applicant_of("11002"))
    waiting = scored_dossier(call, officer, panel, applicant=applicant_of("12025"))
    assert budget.standing_of(waiting).standing == "waiting"

    with pytest.raises(DecisionRefused) as refused:
        decisions.grant(waiting.id, officer)

    assert refused.value.code == "no_reservation"
    fresh(db_session, call)
    assert (call.reserved_cents, call.committed_cents) == (2 * ASKED, 0)


@pytest.mark.parametrize("amount", [ASKED + 1, 0, -1_00], ids=["above_reserved", "zero", "negative"])
def test_a_grant_is_refused_for_an_amount_outside_the_reservation(db_session, officer, panel, amount):
    call = open_call()
    dossier = scored_dossier(call, officer, panel)

    with pytest.raises(DecisionRefused) as refused:
        decisions.grant(dossier.id, officer, amount_cents=amount)

    assert refused.value.code == "amount"
    fresh(db_session, dossier)
    assert dossier.state == "scored"
    assert (budget.standing_of(dossier).reserved_cents, budget.standing_of(dossier).committed_cents) == (ASKED, 0)


def test_withdrawing_a_granted_dossier_gives_its_commitment_back_to_the_waiting_list(db_session, officer, panel):
    call = small_call()
    applicant = applicant_of("44021")
    granted = scored_dossier(call, officer, panel, applicant=applicant)
    submitted_dossier(call, applicant=applicant_of("11002"))
    waiting = submitted_dossier(call, applicant=applicant_of("12025"))
    decisions.grant(granted.id, officer)
    fresh(db_session, call)
    assert (call.committed_cents, call.reserved_cents) == (ASKED, ASKED)
    assert budget.standing_of(waiting).standing == "waiting"

    applications.withdraw(granted.id, applicant, "project gaat niet door")

    fresh(db_session, call)
    assert granted.state == "withdrawn"
    assert (call.committed_cents, call.reserved_cents) == (0, 2 * ASKED)
    assert budget.standing_of(granted).committed_cents == 0
    last = movements_of(db_session, granted)[-1]
    assert (last.kind, last.amount_cents, last.reason) == ("released", -ASKED, "withdrawal")
    assert sum(m.amount_cents for m in movements_of(db_session, granted)) == 0
    assert (budget.standing_of(waiting).standing, budget.standing_of(waiting).reserved_cents) == ("reserved", ASKED)


# --- rejections and several decisions at once ---------------------------------------------------


def test_a_rejection_needs_a_motivation_and_hands_the_reservation_to_the_waiting_list(db_session, officer, panel):
    call = small_call()
    rejected = scored_dossier(call, officer, panel)
    submitted_dossier(call, applicant=applicant_of("11002"))
    waiting = submitted_dossier(call, applicant=applicant_of("12025"))

    with pytest.raises(DecisionRefused) as refused:
        decisions.reject(rejected.id, officer, "   ")
    assert refused.value.code == "motivation"
    fresh(db_session, rejected)
    assert rejected.state == "scored"

    decisions.reject(rejected.id, officer, " Het actieplan is niet haalbaar. ")

    fresh(db_session, rejected)
    fresh(db_session, call)
    assert rejected.state == "rejected"
    assert rejected.decision_motivation == "Het actieplan is niet haalbaar."
    assert (rejected.decided_at is not None, rejected.decided_by_id, rejected.granted_cents) == (True, officer.id, None)
    assert (budget.standing_of(rejected).standing, budget.standing_of(rejected).reserved_cents) == (None, 0)
    assert (budget.standing_of(waiting).standing, budget.standing_of(waiting).reserved_cents) == ("reserved", ASKED)
    assert (call.reserved_cents, call.committed_cents) == (2 * ASKED, 0)
    [reserved] = audit_rows(db_session, "budget.reserved", waiting.id)
    assert reserved.details == {"reserved_cents": ASKED, "reason": "rejection"}
    [decision] = audit_rows(db_session, "application.rejected", rejected.id)
    assert (decision.actor_id, decision.from_state, decision.to_state, decision.reason) == (
        officer.id, "scored", "rejected", "Het actieplan is niet haalbaar.",
    )  # fmt: skip


def test_several_decisions_are_taken_in_queue_order_and_refused_ones_are_skipped(db_session, officer, panel):
    call = open_call()
    first = scored_dossier(call, officer, panel)
    weak = scored_dossier(call, officer, panel, score=1, applicant=applicant_of("11002"))
    reviewing = in_review(submitted_dossier(call, applicant=applicant_of("12025")), officer, panel)
    last = scored_dossier(call, officer, panel, applicant=applicant_of("24062"))

    outcomes = decisions.decide_many(
        [last.id, weak.id, first.id, reviewing.id], True, officer, "Beslissing van de minister"
    )

    assert [(o.application_id, o.reference, o.refused) for o in outcomes] == [
        (first.id, first.reference, None),
        (weak.id, weak.reference, "below_threshold"),
        (reviewing.id, reviewing.reference, "not_scored"),
        (last.id, last.reference, None),
    ]
    for dossier in (first, weak, reviewing, last):
        fresh(db_session, dossier)
    assert [d.state for d in (first, weak, reviewing, last)] == ["granted", "scored", "in_review", "granted"]
    assert (first.granted_cents, last.granted_cents) == (ASKED, ASKED)
    fresh(db_session, call)
    assert call.committed_cents == 2 * ASKED
    assert call.reserved_cents == 2 * ASKED  # the two undecided dossiers keep theirs


def test_several_rejections_without_a_motivation_are_all_refused(db_session, officer, panel):
    call = open_call()
    first = scored_dossier(call, officer, panel)
    second = scored_dossier(call, officer, panel, applicant=applicant_of("11002"))

    outcomes = decisions.decide_many([first.id, second.id], False, officer, " ")

    assert [o.refused for o in outcomes] == ["motivation", "motivation"]
    for dossier in (first, second):
        fresh(db_session, dossier)
        assert dossier.state == "scored"


# --- the decision letter ------------------------------------------------------------------------


def pdf_text(data):
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def test_the_decision_letter_is_a_pdf_made_once_with_the_decision_and_the_appeal(
    app, db_session, officer, panel, monkeypatch
):
    dossier = scored_dossier(open_call(), officer, panel)
    with pytest.raises(NotAllowed):
        decisions.letter_bytes(dossier)
    assert dossier.decision_letter_name is None

    decisions.grant(dossier.id, officer, "De commissie waardeert de participatieve aanpak.")
    with app.test_request_context():  # as the download route asks for it
        letter = decisions.letter_bytes(dossier)

    assert letter.startswith(b"%PDF")
    text = pdf_text(letter)
    assert dossier.reference in text
    assert "De commissie waardeert de participatieve aanpak." in text
    assert "Toegekend bedrag EUR 5.400,00" in text
    assert "toegekend" in text and "Raad van State" in text
    stored = dossier.decision_letter_name
    assert stored

    def render_again(application):
        raise AssertionError("the letter is made once, then read back")

    monkeypatch.setattr(decisions, "render_letter", render_again)
    assert decisions.letter_bytes(dossier) == letter
    assert dossier.decision_letter_name == stored


def test_a_rejection_letter_carries_the_motivation(app, db_session, officer, panel):
    dossier = scored_dossier(open_call(), officer, panel, score=1)
    decisions.reject(dossier.id, officer, "De kwaliteitsdrempel wordt niet gehaald.")

    with app.test_request_context():
        text = pdf_text(decisions.letter_bytes(dossier))

    assert dossier.reference in text
    assert "afgewezen" in text
    assert "De kwaliteitsdrempel wordt niet gehaald." in text
    assert "Raad van State" in text
    assert "Toegekend bedrag" not in text


def test_the_decision_letter_can_be_made_outside_a_web_request(db_session, officer, panel):
    dossier = scored_dossier(open_call(), officer, panel)
    decisions.grant(dossier.id, officer, "Goed onderbouwd.")

    letter = decisions.letter_bytes(dossier)

    assert letter.startswith(b"%PDF")
    assert dossier.reference in pdf_text(letter)


# --- partial offers -----------------------------------------------------------------------------


def test_the_first_waiting_dossier_accepts_its_partial_offer_and_reserves_it(db_session, officer):
    call = small_call()
    submitted_dossier(call)
    submitted_dossier(call, applicant=applicant_of("11002"))
    applicant = applicant_of("12025")
    waiting = submitted_dossier(call, applicant=applicant)
    assert budget.standing_of(waiting).offer_cents == 1_200_00

    applications.accept_offer(waiting.id, applicant, 1_200_00)

    standing = budget.standing_of(waiting)
    assert (standing.standing, standing.reserved_cents, standing.accepted_cents, standing.waiting_place, standing.offer_cents) == (
        "reserved", 1_200_00, 1_200_00, None, None,
    )  # fmt: skip
    fresh(db_session, call)
    assert call.reserved_cents == SMALL_ENVELOPE
    [accepted] = audit_rows(db_session, "budget.offer_accepted", waiting.id)
    assert (accepted.actor_id, accepted.details) == (
        applicant.id,
        {"accepted_cents": 1_200_00, "requested_cents": ASKED},
    )
    assert audit_rows(db_session, "budget.reserved", waiting.id)[-1].details == {
        "reserved_cents": 1_200_00,
        "reason": "offer_accepted",
    }


def test_an_offer_that_changed_meanwhile_cannot_be_accepted(db_session, officer):
    call = small_call()
    submitted_dossier(call)
    second_applicant = applicant_of("11002")
    second = submitted_dossier(call, applicant=second_applicant)
    applicant = applicant_of("12025")
    waiting = submitted_dossier(call, applicant=applicant)
    seen = budget.standing_of(waiting).offer_cents
    assert seen == 1_200_00

    with pytest.raises(NotAllowed):
        applications.accept_offer(waiting.id, applicant, seen - 1_00)
    # The money moves: the second dossier withdraws, the waiting one now holds its full amount.
    applications.withdraw(second.id, second_applicant, "geen mentor meer")
    assert budget.standing_of(waiting).reserved_cents == ASKED
    with pytest.raises(NotAllowed):
        applications.accept_offer(waiting.id, applicant, seen)

    standing = budget.standing_of(waiting)
    assert (standing.standing, standing.reserved_cents, standing.accepted_cents) == ("reserved", ASKED, None)
    assert audit_rows(db_session, "budget.offer_accepted", waiting.id) == []


# --- the database guards the decision's columns ------------------------------------------------


def refused_by_the_database(db_session, application, **values):
    db_session.flush()
    nested = db_session.begin_nested()
    for name, value in values.items():
        setattr(application, name, value)
    try:
        with pytest.raises(IntegrityError):
            db_session.flush()
    finally:
        nested.rollback()


@pytest.mark.parametrize("motivation", [None, ""], ids=["none", "empty"])
def test_the_database_refuses_a_rejection_without_a_motivation(db_session, motivation):
    dossier = submitted_dossier(open_call())

    refused_by_the_database(db_session, dossier, state="rejected", decided_at=utcnow(), decision_motivation=motivation)

    fresh(db_session, dossier)
    assert dossier.state == "submitted"


@pytest.mark.parametrize(
    "values",
    [
        {"granted_cents": 0, "decided_at": "now"},
        {"granted_cents": ASKED, "decided_at": None},
        {"granted_cents": None, "decided_at": None},
    ],
    ids=["zero_amount", "no_decision_moment", "nothing"],
)
def test_the_database_refuses_a_grant_without_its_amount_or_moment(db_session, values):
    dossier = submitted_dossier(open_call())
    values = {k: utcnow() if v == "now" else v for k, v in values.items()}

    refused_by_the_database(db_session, dossier, state="granted", **values)

    fresh(db_session, dossier)
    assert dossier.state == "submitted"


def test_the_database_refuses_a_granted_dossier_without_a_granted_amount(db_session):
    dossier = submitted_dossier(open_call())

    refused_by_the_database(db_session, dossier, state="granted", decided_at=utcnow(), granted_cents=None)
