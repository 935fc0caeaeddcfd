"""The outbox on the real database: who is told of each event, in the event's transaction;
reminders once per occasion; the sweep; resend; the inbox; delivery in the embedded default."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import g
from sqlalchemy import select

from portal import outbox
from portal.db import utcnow
from portal.extensions import db
from portal.models import AuditEntry, Notification
from portal.models.notifications import NotificationEvent
from portal.outbox import relay
from portal.services import applications, delivery, eligibility, notifications, reminders, reviews
from tests.conftest import mail_body, make_user
from tests.factories import complete_draft, in_review, municipality, open_call, submitted_dossier
from workflows.outbox import DeliveryStatus


def _rows(application_id: int, event: NotificationEvent | None = None) -> list[Notification]:
    query = select(Notification).where(Notification.application_id == application_id)
    if event is not None:
        query = query.where(Notification.event == event)
    return list(db.session.scalars(query.order_by(Notification.id)))


def _committed_now() -> list[int]:
    """The rows the relay would hand over when this context ends; taken here to relay them now."""
    return list(g.pop("outbox_committed", []))


def test_a_submission_tells_every_user_and_contact_of_both_governments_in_its_own_transaction(db_session):
    giving = make_user("applicant", organisation=municipality("44021"))
    colleague = make_user("applicant", organisation=municipality("44021"), locale="en")
    make_user("reviewer", organisation=municipality("44021"))  # not a government's applicant user: not told
    receiving = make_user("applicant", organisation=municipality("45041"))
    draft = complete_draft(giving, open_call())
    applications.submit(draft.id, giving, declared=True)
    db_session.flush()  # not committed: the rows exist inside the event's transaction

    rows = _rows(draft.id, NotificationEvent.APPLICATION_SUBMITTED)
    assert {(r.email, r.user_id, r.recipient_locale) for r in rows} == {
        (giving.email, giving.id, "nl"),
        (colleague.email, colleague.id, "en"),
        (receiving.email, receiving.id, "nl"),
        (draft.receiving_contact_email, None, "nl"),  # the receiving contact has no account
    }
    assert all(r.status == DeliveryStatus.PENDING and r.attempts == 0 and r.enqueued_at is None for r in rows)
    assert len({r.key for r in rows}) == len(rows)
    assert rows[0].details == {"version": 1, "resubmission": False}


def test_a_rolled_back_event_leaves_no_notification_and_nothing_to_relay(db_session):
    giving = make_user("applicant")
    draft = complete_draft(giving, open_call())
    db_session.commit()
    _committed_now()
    savepoint = db_session.begin_nested()
    applications.submit(draft.id, giving, declared=True)
    db_session.flush()
    assert _rows(draft.id)
    savepoint.rollback()
    assert _rows(draft.id) == []
    assert _committed_now() == []


def test_a_correction_request_goes_to_the_giving_government_and_eligibility_to_both(db_session):
    officer = make_user("officer")
    dossier = submitted_dossier(open_call())
    eligibility.request_correction(dossier.id, officer, "Voeg het actieplan toe.")
    corrected = {r.email for r in _rows(dossier.id, NotificationEvent.CORRECTION_REQUESTED)}
    assert dossier.receiving_contact_email not in corrected and dossier.giving_contact_email in corrected

    applicant = db_session.get(type(officer), dossier.created_by_id)
    applications.submit(dossier.id, applicant, declared=True)
    resubmitted = _rows(dossier.id, NotificationEvent.APPLICATION_SUBMITTED)[-1]
    assert resubmitted.details == {"version": 2, "resubmission": True}
    eligibility.declare_eligible(dossier.id, officer)
    told = {r.email for r in _rows(dossier.id, NotificationEvent.DECLARED_ELIGIBLE)}
    assert {dossier.giving_contact_email, dossier.receiving_contact_email} <= told


def test_each_assigned_reviewer_is_told_with_the_due_date(db_session):
    officer = make_user("officer")
    first, second = make_user("reviewer", locale="en"), make_user("reviewer")
    dossier = in_review(submitted_dossier(open_call()), officer, [first, second])
    rows = _rows(dossier.id, NotificationEvent.REVIEWER_ASSIGNED)
    assert {(r.user_id, r.recipient_locale) for r in rows} == {(first.id, "en"), (second.id, "nl")}
    review_ids = {r.id for r in reviews.reviews_of(dossier)}
    assert {r.details["review_id"] for r in rows} == review_ids


def test_the_embedded_default_delivers_after_the_commit_in_this_process(db_session, smtp_sink):
    officer = make_user("officer")
    english = make_user("reviewer", locale="en", email="reviewer-en@example.be")
    dossier = in_review(submitted_dossier(open_call()), officer, [english, make_user("reviewer")])
    _committed_now()
    assert smtp_sink.to(english.email) == []  # nothing before the commit
    db_session.commit()
    relay(_committed_now())

    (message,) = smtp_sink.to(english.email)
    assert message["Subject"] == f"New review: application {dossier.reference}"
    assert "Please submit your review by" in mail_body(message)
    row = next(r for r in _rows(dossier.id, NotificationEvent.REVIEWER_ASSIGNED) if r.user_id == english.id)
    assert (row.status, row.attempts) == (DeliveryStatus.SENT, 1)
    # relaying it again (a duplicate) sends nothing
    relay([row.id])
    assert len(smtp_sink.to(english.email)) == 1


def test_a_deactivated_user_is_not_e_mailed_but_keeps_the_message(db_session, smtp_sink):
    officer = make_user("officer")
    gone, stays = make_user("reviewer"), make_user("reviewer")
    dossier = in_review(submitted_dossier(open_call()), officer, [gone, stays])
    gone.is_active = False
    db_session.commit()
    relay(_committed_now())
    rows = {r.user_id: r for r in _rows(dossier.id, NotificationEvent.REVIEWER_ASSIGNED)}
    assert rows[gone.id].status == DeliveryStatus.SKIPPED and smtp_sink.to(gone.email) == []
    assert rows[stays.id].status == DeliveryStatus.SENT
    assert notifications.inbox_of(gone) == [rows[gone.id]]


def test_closing_reminders_go_to_drafts_once_per_occasion_however_often_the_job_runs(db_session):
    now = utcnow()
    call = open_call("ARM-CLOSING")
    draft = complete_draft(make_user("applicant"), call)
    submitted = submitted_dossier(call)
    call.closes_at = now + timedelta(days=6)
    db_session.flush()

    first = reminders.remind_closing_calls(now)
    assert reminders.remind_closing_calls(now) == 0  # beat ran twice
    assert reminders.remind_closing_calls(now + timedelta(hours=3)) == 0
    rows = _rows(draft.id, NotificationEvent.CALL_CLOSING)
    assert first == len(rows) > 0 and {r.details["days"] for r in rows} == {7}
    assert _rows(submitted.id, NotificationEvent.CALL_CLOSING) == []

    assert reminders.remind_closing_calls(call.closes_at - timedelta(hours=20)) == len(rows)  # the 1-day reminder
    assert reminders.remind_closing_calls(call.closes_at - timedelta(hours=2)) == 0
    assert reminders.remind_closing_calls(call.closes_at + timedelta(hours=1)) == 0  # closed
    assert sorted(r.details["days"] for r in _rows(draft.id, NotificationEvent.CALL_CLOSING)) == [1] * len(rows) + [
        7
    ] * len(rows)


def test_an_overdue_review_is_reminded_once_and_a_submitted_one_never(db_session):
    from tests.factories import score_everything

    officer = make_user("officer")
    late, done = make_user("reviewer"), make_user("reviewer")
    dossier = in_review(submitted_dossier(open_call()), officer, [late, done])
    score_everything(dossier, done, 2)
    for review in reviews.reviews_of(dossier):
        review.due_on = review.due_on - timedelta(days=30)
    db_session.flush()
    now = utcnow()
    assert reminders.remind_overdue_reviews(now) == 1
    assert reminders.remind_overdue_reviews(now) == 0
    (row,) = _rows(dossier.id, NotificationEvent.REVIEW_OVERDUE)
    assert row.user_id == late.id


def test_the_sweep_hands_over_rows_the_broker_never_got_and_marks_stale_claims_uncertain(db_session, app):
    make_user("applicant", organisation=municipality("45041"))  # a third recipient: a receiving user
    dossier = submitted_dossier(open_call())
    now = utcnow()
    rows = _rows(dossier.id, NotificationEvent.APPLICATION_SUBMITTED)
    assert len(rows) >= 3
    never_handed, handed_long_ago, handed_just_now, stale_claim, waiting_retry = rows[0], rows[1], rows[2], None, None
    handed_long_ago.enqueued_at = now - timedelta(minutes=10)
    handed_just_now.enqueued_at = now - timedelta(seconds=5)
    extra = notifications.record(
        NotificationEvent.DECLARED_ELIGIBLE,
        [notifications.Recipient("a@example.be"), notifications.Recipient("b@example.be")],
        dossier,
    )
    stale_claim, waiting_retry = extra
    stale_claim.status, stale_claim.claimed_at = DeliveryStatus.SENDING, now - timedelta(minutes=11)
    waiting_retry.next_attempt_at = now + timedelta(minutes=1)
    db_session.flush()

    due = outbox.sweep(now)
    assert never_handed.id in due and handed_long_ago.id in due
    assert handed_just_now.id not in due and waiting_retry.id not in due and stale_claim.id not in due
    db_session.refresh(stale_claim)
    assert stale_claim.status == DeliveryStatus.UNCERTAIN and "may have left" in stale_claim.last_error
    assert waiting_retry.id in outbox.sweep(now + timedelta(minutes=2))


def test_a_failure_waits_longer_each_time_then_gives_up(db_session, app):
    import smtplib

    dossier = submitted_dossier(open_call())
    row = _rows(dossier.id)[0]
    now = utcnow()
    delays = []
    for _ in range(app.config["NOTIFICATION_ATTEMPT_LIMIT"]):
        assert delivery.claim(row.id, now)
        outcome = delivery.record_failure(row.id, smtplib.SMTPServerDisconnected("gone"), now, retried_by_broker=True)
        delays.append(outcome.retry_in)
        db_session.flush()
        db_session.refresh(row)
        if outcome.retry_in is not None:
            assert row.next_attempt_at == now + outcome.retry_in == row.enqueued_at
    assert delays[:3] == [timedelta(seconds=30), timedelta(seconds=60), timedelta(seconds=120)]
    assert delays[-1] is None and row.status == DeliveryStatus.FAILED and "gone" in row.last_error
    assert not delivery.claim(row.id, now)  # a late duplicate of the task does nothing


def test_an_officer_resends_only_failed_or_uncertain_rows_and_it_is_audited(db_session):
    officer = make_user("officer")
    dossier = submitted_dossier(open_call())
    failed, sent = _rows(dossier.id)[:2]
    failed.status, failed.attempts, failed.last_error = DeliveryStatus.FAILED, 6, "451"
    sent.status, sent.sent_at = DeliveryStatus.SENT, utcnow()
    db_session.flush()
    assert notifications.attention_count() >= 1 and failed in notifications.needing_attention()

    with pytest.raises(notifications.NotResendable):
        notifications.resend(sent.id, officer)
    notifications.resend(failed.id, officer)
    db_session.flush()
    assert (failed.status, failed.attempts, failed.enqueued_at) == (DeliveryStatus.PENDING, 0, None)
    entry = db_session.scalar(
        select(AuditEntry).where(AuditEntry.action == "notification.resent", AuditEntry.entity_id == str(failed.id))
    )
    assert entry.actor_id == officer.id and entry.from_state == "failed"


def test_the_inbox_counts_unread_messages_and_shows_only_ones_own(db_session):
    officer = make_user("officer")
    reader, other = make_user("reviewer"), make_user("reviewer")
    dossier = in_review(submitted_dossier(open_call()), officer, [reader, other])
    assert notifications.unread_count(reader) == 1
    (mine,) = notifications.inbox_of(reader)
    (theirs,) = notifications.inbox_of(other)
    assert notifications.message_for(reader, theirs.id) is None
    assert notifications.mark_read(reader, mine) == 1
    assert notifications.unread_count(reader) == 0 and notifications.unread_count(other) == 1
    assert notifications.mark_read(other) == 1
    assert dossier.id == mine.application_id
