"""What operators watch: whether the database and the broker answer, and the portal's figures.

Service layer: read only. The figures come from the database at each scrape, so every web process
gives the same answer; per-process request counts live in prometheus-client's own registry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import func, select, text

from portal.extensions import db
from portal.jobs import broker_connection
from portal.models import Application, Call, Notification, Submission


@dataclass(frozen=True)
class Health:
    database: bool
    broker: bool | None  # None: jobs run in this process, there is no broker to reach

    @property
    def ok(self) -> bool:
        return self.database and self.broker is not False


def health() -> Health:
    return Health(_database_answers(), None if current_app.config["CELERY_TASK_ALWAYS_EAGER"] else _broker_answers())


def _database_answers() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - whatever the driver raises, the answer is "no"
        current_app.logger.exception("health: the database does not answer")
        db.session.rollback()
        return False


def _broker_answers() -> bool:
    try:
        with broker_connection(current_app.config["OUTBOX_BROKER_CONNECT_TIMEOUT_SECONDS"]) as connection:
            connection.ensure_connection(max_retries=0)
        return True
    except Exception:  # noqa: BLE001 - kombu and redis raise their own kinds
        current_app.logger.warning("health: the broker does not answer")
        return False


def worker_queue_length() -> int | None:
    """Messages waiting in the broker's default queue; None when there is no broker or it does not answer."""
    if current_app.config["CELERY_TASK_ALWAYS_EAGER"]:
        return None
    try:
        with broker_connection(current_app.config["OUTBOX_BROKER_CONNECT_TIMEOUT_SECONDS"]) as connection:
            return int(connection.default_channel.client.llen("celery"))
    except Exception:  # noqa: BLE001
        return None


def figures() -> dict[str, Any]:
    """The portal's own figures, as plain data for the metrics page."""
    calls = db.session.execute(
        select(Call.code, Call.envelope_cents, Call.reserved_cents, Call.committed_cents, Call.paid_cents)
    ).all()
    dossiers = db.session.execute(
        select(Call.code, Application.state, func.count())
        .join(Call, Call.id == Application.call_id)
        .group_by(Call.code, Application.state)
    ).all()
    submissions = db.session.execute(
        select(Call.code, func.count())
        .select_from(Submission)
        .join(Application, Application.id == Submission.application_id)
        .join(Call, Call.id == Application.call_id)
        .group_by(Call.code)
    ).all()
    notifications = db.session.execute(select(Notification.status, func.count()).group_by(Notification.status)).all()
    waiting = db.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.status == "pending", Notification.enqueued_at.is_(None))
    )
    return {
        "budget": [(code, {"envelope": e, "reserved": r, "committed": c, "paid": p}) for code, e, r, c, p in calls],
        "dossiers": [(code, state, count) for code, state, count in dossiers],
        "submissions": [(code, count) for code, count in submissions],
        "notifications": [(status, count) for status, count in notifications],
        "notifications_not_handed_over": int(waiting or 0),
        "worker_queue_length": worker_queue_length(),
    }
