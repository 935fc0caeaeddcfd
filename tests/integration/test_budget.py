"""The envelope in the database: reservations at submission, the waiting list, release on withdrawal."""

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from portal.models import AuditEntry, BudgetMovement, Call, Reservation, User
from portal.services import applications, budget
from tests.conftest import make_user
from tests.factories import complete_draft, municipality, open_call

# A small envelope makes the waiting list easy to reach: 12.000 euro, each dossier asks 5.400.
ENVELOPE = 12_000_00


def small_call():
    return open_call("ARM-SMALL", envelope_cents=ENVELOPE, cap_cents=ENVELOPE)


def submit_new(call, nis):
    applicant = make_user("applicant", organisation=municipality(nis))
    draft = complete_draft(applicant, call)
    result = applications.submit(draft.id, applicant, declared=True)
    assert result.submission is not None
    return draft, applicant


def test_submissions_reserve_until_the_envelope_is_spent_then_wait(db_session):
    call = small_call()
    first, _ = submit_new(call, "11002")
    second, _ = submit_new(call, "12025")
    third, _ = submit_new(call, "24062")
    standings = [budget.standing_of(a) for a in (first, second, third)]
    assert [(s.standing, s.reserved_cents, s.waiting_place) for s in standings] == [
        ("reserved", 5_400_00, None),
        ("reserved", 5_400_00, None),
        ("waiting", 0, 1),
    ]
    assert standings[2].offer_cents == 1_200_00  # `partial`: the first waiting dossier is offered the rest
    db_session.refresh(call)
    assert (call.reserved_cents, call.committed_cents) == (10_800_00, 0)
    assert budget.meter(call).waiting_count == 1


def test_a_withdrawal_hands_its_money_to_the_first_waiting_dossier_in_the_same_transaction(db_session):
    call = small_call()
    first, first_applicant = submit_new(call, "11002")
    submit_new(call, "12025")
    waiting, _ = submit_new(call, "24062")
    applications.withdraw(first.id, first_applicant, "project gaat niet door")
    standing = budget.standing_of(waiting)
    assert (standing.standing, standing.reserved_cents) == ("reserved", 5_400_00)
    assert budget.standing_of(first).standing is None
    kinds = [m.kind for m in db_session.scalars(select(BudgetMovement).where(BudgetMovement.call_id == call.id))]
    assert kinds.count("reserved") == 3 and kinds.count("released") == 1
    reserved_audit = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "budget.reserved")).all()
    assert waiting.id in {int(e.entity_id) for e in reserved_audit}


def test_the_database_refuses_an_overspent_envelope_whatever_the_code_does(db_session):
    call = small_call()
    db_session.flush()
    nested = db_session.begin_nested()
    with pytest.raises(IntegrityError):
        db_session.execute(text("UPDATE call SET reserved_cents = envelope_cents + 1 WHERE id = :id"), {"id": call.id})
    nested.rollback()
    db_session.refresh(call)
    assert call.reserved_cents == 0


def test_the_wait_policy_makes_no_partial_offer(db_session):
    call = open_call("ARM-WAIT", envelope_cents=ENVELOPE, cap_cents=ENVELOPE, shortfall_policy="wait")
    submit_new(call, "11002")
    submit_new(call, "12025")
    waiting, _ = submit_new(call, "24062")
    standing = budget.standing_of(waiting)
    assert standing.standing == "waiting" and standing.offer_cents is None


def test_the_officer_sees_the_queue_and_the_history_of_every_euro(app, db_session):
    from tests.conftest import sign_in

    call = small_call()
    for nis in ("11002", "12025", "24062"):
        submit_new(call, nis)
    db_session.commit()
    browser = app.test_client()
    sign_in(browser, make_user("officer"))
    page = browser.get(f"/behandeling/oproepen/{call.id}/wachtrij").get_data(as_text=True)
    assert page.count("Gereserveerd: EUR\u00a05.400,00") == 2
    assert "Wachtlijst, plaats 1" in page and "deelbedrag aangeboden: EUR\u00a01.200,00" in page
    assert page.count("indiening") >= 3
    assert (
        db_session.scalar(select(Reservation).where(Reservation.call_id == call.id, Reservation.standing == "waiting"))
        is not None
    )
    assert db_session.get(Call, call.id).reserved_cents == 10_800_00


def test_a_rejection_hands_its_money_to_the_first_waiting_dossier_in_the_same_transaction_and_tells_it(db_session):
    from portal.models import Notification
    from portal.services import decisions
    from tests.factories import in_review, score_everything

    call = small_call()
    officer = make_user("officer")
    reviewers = [make_user("reviewer"), make_user("reviewer")]
    first, _ = submit_new(call, "11002")
    submit_new(call, "12025")
    waiting, _ = submit_new(call, "24062")
    assert budget.standing_of(waiting).standing == "waiting"
    in_review(first, officer, reviewers)
    for reviewer in reviewers:
        score_everything(first, reviewer, 0)
    notifications_before = db_session.scalar(select(func.count()).select_from(Notification))

    decisions.reject(first.id, officer, "Haalt de minimumscores niet.")
    # No commit in between (services never commit): the release and the notification are part of
    # the rejection's own transaction.
    standing = budget.standing_of(waiting)
    assert (standing.standing, standing.reserved_cents) == ("reserved", 5_400_00)
    db_session.refresh(call)
    assert call.reserved_cents == 2 * 5_400_00
    told = db_session.scalars(select(Notification).where(Notification.application_id == waiting.id)).all()
    assert [n.event for n in told][-1] == "budget_released"
    released_to = {n.email for n in told if n.event == "budget_released"}
    giving_users = {
        u.email
        for u in db_session.scalars(
            select(User).where(User.organisation_id == waiting.organisation_id, User.role == "applicant")
        )
    }
    assert giving_users and giving_users <= released_to
    assert all(
        n.details == {"reserved_cents": 5_400_00} and n.status == "pending"
        for n in told
        if n.event == "budget_released"
    )
    assert db_session.scalar(select(func.count()).select_from(Notification)) > notifications_before
    released = db_session.scalars(
        select(BudgetMovement).where(BudgetMovement.application_id == first.id, BudgetMovement.kind == "released")
    ).all()
    assert released[-1].amount_cents == -5_400_00 and released[-1].reason == "rejection"
