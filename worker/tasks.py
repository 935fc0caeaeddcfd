"""Tasks: thin, take ids, reload their rows, skip work already done, commit."""

from __future__ import annotations

from collections.abc import Callable
from smtplib import SMTPException

from flask import current_app
from sqlalchemy import text

from portal.db import brussels_today, utcnow
from portal.extensions import db
from portal.jobs import celery
from portal.mail import render_and_send_account_email
from portal.models import User
from portal.outbox import sweep_and_relay
from portal.services import delivery, reminders, retention


@celery.task(name="portal.health_check", ignore_result=False)
def health_check() -> str:
    """Proves a worker reaches the broker and the database: used by the deployment check and the tests."""
    db.session.execute(text("SELECT 1"))
    return "ok"


@celery.task(
    name="portal.send_account_email",
    autoretry_for=(SMTPException, OSError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=6,
)
def send_account_email(user_id: int, template: str, link: str) -> None:
    """An invitation or reset link; sent off the request so that its timing tells nothing."""
    user = db.session.get(User, user_id)
    if user is None or not user.is_active:
        return
    render_and_send_account_email(user, template, link)


# Acknowledged late: a message redelivered after a worker died runs again, which is safe because the
# claim (a conditional UPDATE committed before sending) lets only one run ever send.
@celery.task(name="portal.deliver_notification", bind=True, acks_late=True, reject_on_worker_lost=True)
def deliver_notification(self, notification_id: int) -> str:  # type: ignore[no-untyped-def]
    """One notification by e-mail: claim, prepare, send, record; a failure is retried with backoff."""
    if not delivery.claim(notification_id, utcnow()):
        db.session.rollback()
        return "not claimed"  # sent, being sent, given up, or gone: never a second copy
    db.session.commit()
    with delivery.rows_kept_between_commits():
        claimed = delivery.load_claimed_many([notification_id])  # noqa: F841 - held, so the session keeps it (a weak map)
        outcome = _prepare_and_send(
            notification_id, retry=lambda _notification_id, countdown: _retry_by_celery(self, countdown)
        )
        if outcome == "sent":
            _record_sent([notification_id])
        return outcome


def _retry_by_celery(task, countdown: float) -> None:  # type: ignore[no-untyped-def]
    # The row holds the attempt count and the limit; Celery's own count is not used.
    raise task.retry(countdown=countdown, max_retries=None) from None


# How many rows sent are recorded together: a worker that dies leaves at most this many `sending`, which the
# sweep marks uncertain for an officer (never sent twice); one record per e-mail would cost a commit each.
RECORD_SENT_EVERY = 20


# Acknowledged late, as one notification alone: a batch run again after its worker died sends only what no run
# claimed before.
@celery.task(name="portal.deliver_notifications", acks_late=True, reject_on_worker_lost=True)
def deliver_notifications(notification_ids: list[int]) -> dict[str, int]:
    """Notifications handed over together (the relay hands over up to DELIVER_AT_ONCE in one message): claimed
    in one statement and read in one, then each prepared and sent as one alone would be, the sent ones
    recorded in groups. A failed one is retried alone, with its own backoff."""
    claimed = delivery.claim_many(notification_ids, utcnow())
    db.session.commit()
    outcomes = {"not claimed": len(notification_ids) - len(claimed)} if len(claimed) < len(notification_ids) else {}
    sent: list[int] = []
    with delivery.rows_kept_between_commits():
        for notification in delivery.load_claimed_many(claimed):
            outcome = _prepare_and_send(notification.id, retry=_retry_alone)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
            if outcome == "sent":
                sent.append(notification.id)
            if len(sent) >= RECORD_SENT_EVERY:
                _record_sent(sent)
        _record_sent(sent)
    return outcomes


def _prepare_and_send(notification_id: int, retry: Callable[[int, float], None]) -> str:
    """Prepare and send one claimed row, alone or in a batch; "sent" is recorded by the caller (a batch records
    its sent rows together). A failure is recorded, and `retry` schedules the next attempt after `countdown`."""
    if delivery.is_skipped(notification_id):
        delivery.record_skipped(notification_id)
        db.session.commit()
        return "skipped"
    try:
        attachments = delivery.prepare(notification_id)
        if attachments:
            db.session.commit()  # a receipt or letter stored the first time: kept even if the mail server refuses
        delivery.send(notification_id, attachments)
    except Exception as error:  # noqa: BLE001 - refused, unreachable, or a rendering fault: all recorded
        db.session.rollback()
        current_app.logger.warning("notification %s not delivered: %s", notification_id, error)
        eager = current_app.config["CELERY_TASK_ALWAYS_EAGER"]
        outcome = delivery.record_failure(notification_id, error, utcnow(), retried_by_broker=not eager)
        db.session.commit()
        if outcome.retry_in is not None and not eager:
            retry(notification_id, outcome.retry_in.total_seconds())
        return outcome.status
    return "sent"


def _retry_alone(notification_id: int, countdown: float) -> None:
    current_app.logger.warning("Retry in %ss: notification %s, alone", round(countdown), notification_id)
    try:
        deliver_notification.apply_async((notification_id,), countdown=countdown)
    except Exception:  # noqa: BLE001 - the broker went away: the row waits, marked as handed over, for the sweep
        current_app.logger.exception("retry of notification %s not handed over; the sweep will", notification_id)


def _record_sent(sent: list[int]) -> None:
    if not sent:
        return
    db.session.commit()  # end the transaction the sending read in (SQLite: a reader may not start writing)
    delivery.record_sent_many(sent, utcnow())
    db.session.commit()
    sent.clear()


# Safe to repeat (it only marks and hands over rows), so acknowledged late as well.
@celery.task(name="portal.sweep_outbox", acks_late=True)
def sweep_outbox() -> int:
    """Every minute: rows the broker never got (it was down), lost messages, stale claims."""
    return sweep_and_relay()[1]


# Safe to repeat: every reminder row has a key per recipient and occasion.
@celery.task(name="portal.send_reminders", acks_late=True)
def send_reminders() -> int:
    """Call closing in 7 and 1 days (drafts), overdue reviews."""
    count = reminders.remind_all(utcnow())
    db.session.commit()
    return count


# Safe to repeat: a row once anonymised is marked and never found again.
@celery.task(name="portal.anonymise_personal_data", acks_late=True)
def anonymise_personal_data() -> dict[str, int]:
    """Daily: personal data past the calls' retention periods (the same use case as `flask anonymise`)."""
    run = retention.anonymise(brussels_today(), dry_run=False)
    db.session.commit()
    return run.counts
