"""Scheduled reminders (SPEC section 7): call closing soon for drafts, overdue reviews, final reports
due, payouts waiting for approval.

Run by Celery beat (hourly) or `flask reminders`. Each reminder has an occasion in its key, so
that a recipient hears of an occasion once, however often the job runs.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from portal.extensions import db
from portal.models import Application, Call, Review
from portal.models.notifications import NotificationEvent
from portal.services import notifications, payouts
from workflows.applications import State
from workflows.calls import BRUSSELS
from workflows.outbox import closing_reminder
from workflows.scoring import is_overdue


def remind_closing_calls(now: datetime) -> int:
    """Governments with an unsubmitted draft in a call that closes within 7 days, then within 1 day."""
    count = 0
    for call in db.session.scalars(select(Call).where(Call.opens_at <= now, Call.closes_at > now).order_by(Call.id)):
        mark = closing_reminder(call.closes_at, now)
        if mark is None:
            continue
        drafts = db.session.scalars(
            select(Application)
            .where(Application.call_id == call.id, Application.state == State.DRAFT)
            .order_by(Application.id)
        )
        for application in drafts:
            rows = notifications.record(
                NotificationEvent.CALL_CLOSING,
                notifications.giving_government(application),
                application,
                {"closes_at": call.closes_at.isoformat(), "days": mark},
                occasion=f"call{call.id}-{mark}d-application{application.id}",
            )
            count += len(rows)
    return count


def remind_overdue_reviews(now: datetime) -> int:
    """The reviewer of an open review past its due date, once per review and due date."""
    today = now.astimezone(BRUSSELS).date()
    reviews = db.session.scalars(
        select(Review)
        .join(Application, Application.id == Review.application_id)
        .where(
            Review.submitted_at.is_(None),
            Review.conflict_declared_at.is_(None),
            Review.due_on < today,
            Application.state == State.IN_REVIEW,
        )
        .order_by(Review.id)
    )
    count = 0
    for review in reviews:
        if not is_overdue(review.due_on, today, submitted=False) or not review.reviewer.is_active:
            continue
        rows = notifications.record(
            NotificationEvent.REVIEW_OVERDUE,
            [notifications.user_recipient(review.reviewer)],
            review.application,
            {"review_id": review.id, "due_on": review.due_on.isoformat()},
            occasion=f"review{review.id}-due{review.due_on.isoformat()}",
        )
        count += len(rows)
    return count


def remind_all(now: datetime) -> int:
    after = timedelta(days=current_app.config["PAYOUT_APPROVAL_REMINDER_DAYS"])
    return (
        remind_closing_calls(now)
        + remind_overdue_reviews(now)
        + payouts.remind_reports_due(now)
        + payouts.remind_payouts_awaiting_approval(now, after)
    )
