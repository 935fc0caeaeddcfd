"""The relay of the outbox: notification rows written in a transaction go to a worker after its commit.

Rows are collected when they are flushed and handed over only when their transaction commits (a
rolled-back event sends nothing), at the end of the application context of the request, task or
command that committed them. When the broker cannot be reached the rows stay pending, unenqueued,
and the periodic sweep hands them over once it is back. In the embedded default the "worker" is
this process: the task runs in-process (Celery's eager mode).
"""

from __future__ import annotations

import time
from typing import Any

from flask import Flask, current_app, g, has_app_context
from sqlalchemy import event, update
from sqlalchemy.orm import Session

from portal.db import utcnow
from portal.extensions import db
from portal.models import Notification
from workflows.outbox import DeliveryStatus

_FLUSHED = "outbox_flushed"  # session.info: rows flushed in the open transaction
_COMMITTED = "outbox_committed"  # flask.g: rows committed, to relay when the context ends
_last_embedded_sweep = 0.0


def relay_after_commit(notification_id: int) -> None:
    """For a row that was not new but must go out again (an officer's resend)."""
    db.session.info.setdefault(_FLUSHED, []).append(notification_id)


def _after_flush(session: Session, flush_context: Any) -> None:
    new = [row.id for row in session.new if isinstance(row, Notification)]
    if new:
        session.info.setdefault(_FLUSHED, []).extend(new)


def _after_commit(session: Session) -> None:
    flushed = session.info.pop(_FLUSHED, None)
    if flushed and has_app_context():
        g.setdefault(_COMMITTED, []).extend(flushed)


def _after_rollback(session: Session) -> None:
    session.info.pop(_FLUSHED, None)


def init_outbox(app: Flask) -> None:
    session_class = db.session.session_factory.class_
    if not event.contains(session_class, "after_flush", _after_flush):
        event.listen(session_class, "after_flush", _after_flush)
        event.listen(session_class, "after_commit", _after_commit)
        event.listen(session_class, "after_rollback", _after_rollback)
    # Registered after Flask-SQLAlchemy, so they run before the session is removed (teardowns run in reverse).
    app.teardown_appcontext(_relay_at_teardown)
    app.teardown_request(_sweep_after_request)


def _relay_at_teardown(exc: BaseException | None) -> None:
    committed: list[int] = g.pop(_COMMITTED, [])
    if not committed:
        return
    try:
        relay(committed)
    except Exception:  # noqa: BLE001 - never keep the teardowns after this one (the session's removal) from running
        current_app.logger.exception("relay of %d notifications failed; the sweep hands them over", len(committed))
        db.session.rollback()


def _sweep_after_request(exc: BaseException | None) -> None:
    every = current_app.config["EMBEDDED_SWEEP_SECONDS"]
    if every and current_app.config["CELERY_TASK_ALWAYS_EAGER"]:
        try:
            _embedded_sweep(every)
        except Exception:  # noqa: BLE001 - the page was served; the next request tries again
            current_app.logger.exception("in-process sweep of the outbox failed")
            db.session.rollback()


def relay(notification_ids: list[int]) -> int:
    """Hand rows to the worker; the number handed. Never raises: an unreachable broker leaves them
    for the sweep (a row handed just before the broker went away may then be handed twice, which the
    claim makes harmless), and an in-process delivery records its own failures."""
    from worker.celery_app import dispatch

    task = "portal.deliver_notification"
    db.session.rollback()  # whatever the context left open is not ours to keep
    if current_app.config["CELERY_TASK_ALWAYS_EAGER"]:
        delivered = 0
        for notification_id in notification_ids:
            try:
                delivered += dispatch(task, [(notification_id,)])
            except Exception:  # noqa: BLE001 - a fault outside the delivery's own handling; the row stays visible
                current_app.logger.exception("in-process delivery of notification %s failed", notification_id)
                db.session.rollback()
        return delivered
    try:
        dispatch(task, [(notification_id,) for notification_id in notification_ids])
    except Exception as error:  # noqa: BLE001 - kombu and redis raise their own kinds when the broker is down
        current_app.logger.warning("broker unreachable (%s): %d notifications wait for the sweep", error, len(notification_ids))
        return 0
    db.session.execute(
        update(Notification)
        .where(Notification.id.in_(notification_ids), Notification.status == DeliveryStatus.PENDING, Notification.enqueued_at.is_(None))
        .values(enqueued_at=utcnow())
    )
    db.session.commit()
    return len(notification_ids)


def sweep_and_relay() -> tuple[int, int]:
    """The periodic sweep (beat's task, `flask sweep-outbox`, the embedded default): mark stale
    claims, commit, hand the rows found over. Returns (found, handed)."""
    from portal.services import delivery

    due = delivery.sweep(utcnow())
    db.session.commit()
    return len(due), relay(due) if due else 0


def _embedded_sweep(every: float) -> None:
    """In the embedded default (no beat), rows left pending for a retry go out with later requests."""
    global _last_embedded_sweep
    if time.monotonic() - _last_embedded_sweep < every:
        return
    _last_embedded_sweep = time.monotonic()
    sweep_and_relay()
