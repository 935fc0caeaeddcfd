"""The relay of the outbox: notification rows written in a transaction go to a worker after its commit.

Rows are collected when they are flushed, per transaction: a row flushed inside a savepoint belongs
to it, joins the enclosing transaction when the savepoint is released and is dropped when it is
rolled back. Only the outermost commit hands rows over (a rolled-back event sends nothing), at the
end of the application context of the request, task or command that committed them. A row going
through a broker is written already marked as handed over (`enqueued_at`), so a hand-over that
succeeds costs no statement and no second commit: one that fails clears the mark. That hand-over
never keeps a page waiting for a missing broker: one short attempt, and after a failure this
process leaves the broker alone for a while. The rows then stay pending, unenqueued, and the
periodic sweep, which is patient and ignores that pause, hands them over once the broker is back.
Should the process end between the commit and the hand-over, the sweep takes the rows as messages
lost (NOTIFICATION_REQUEUE_AFTER_SECONDS after the mark).
In the embedded default the "worker" is this process: the task runs in-process (Celery's eager mode),
in a background thread of its own (OUTBOX_IN_PROCESS_THREAD), so no page waits for mail or a PDF.
"""

from __future__ import annotations

import atexit
import queue
import threading
import time
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, current_app, g, has_app_context
from sqlalchemy import event, or_, select, update
from sqlalchemy.orm import Session, SessionTransaction

from portal.db import utcnow
from portal.extensions import db
from portal.jobs import dispatch
from portal.models import Notification
from workflows.outbox import DeliveryPolicy, DeliveryStatus

_UNCOMMITTED = "outbox_uncommitted"  # session.info: {open transaction or savepoint: ids of rows it holds}
_COMMITTED = "outbox_committed"  # flask.g: rows committed, to relay when the context ends
_last_embedded_sweep = 0.0
# Per broker URL, the monotonic moment before which this process does not try it again after it
# could not be reached: while it is down, each page would otherwise pay the connection attempt.
_broker_paused_until: dict[str, float] = {}


def relay_after_commit(notification: Notification) -> None:
    """For a row that was not new but must go out again (an officer's resend)."""
    session = db.session()
    notification.enqueued_at = utcnow() if _through_broker() else None
    _hold(session, _innermost(session) or session.begin(), [notification.id])


def _through_broker() -> bool:
    return has_app_context() and not current_app.config["CELERY_TASK_ALWAYS_EAGER"]


def _mark_before_flush(session: Session, flush_context: Any, instances: Any) -> None:
    # Marked in the INSERT itself: the hand-over after the commit then writes nothing unless it fails.
    # In this process (the embedded default) rows are never marked, so its sweep retries them at once.
    if not _through_broker():
        return
    now = utcnow()
    for row in session.new:
        if isinstance(row, Notification) and row.enqueued_at is None and row.status == DeliveryStatus.PENDING:
            row.enqueued_at = now


def _innermost(session: Session) -> SessionTransaction | None:
    return session.get_nested_transaction() or session.get_transaction()


def _hold(session: Session, transaction: SessionTransaction, notification_ids: list[int]) -> None:
    session.info.setdefault(_UNCOMMITTED, {}).setdefault(transaction, []).extend(notification_ids)


def _after_flush(session: Session, flush_context: Any) -> None:
    new = [row.id for row in session.new if isinstance(row, Notification)]
    transaction = _innermost(session)
    if new and transaction is not None:
        _hold(session, transaction, new)


def _after_commit(session: Session) -> None:
    # Fired for a released savepoint too; the one committing is still the innermost here.
    committed = _innermost(session)
    if committed is None:
        return
    held = session.info.get(_UNCOMMITTED, {}).pop(committed, None)
    if not held:
        return
    if committed.parent is not None:
        _hold(session, committed.parent, held)  # released: still undone by a rollback of the enclosing one
    elif has_app_context():
        g.setdefault(_COMMITTED, []).extend(held)


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    # A commit has taken its rows already: what is left was rolled back (or the session closed).
    session.info.get(_UNCOMMITTED, {}).pop(transaction, None)


def init_outbox(app: Flask) -> None:
    session_class = db.session.session_factory.class_
    if not event.contains(session_class, "before_flush", _mark_before_flush):
        event.listen(session_class, "before_flush", _mark_before_flush)
        event.listen(session_class, "after_flush", _after_flush)
        event.listen(session_class, "after_commit", _after_commit)
        event.listen(session_class, "after_transaction_end", _after_transaction_end)
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
    """Hand rows to the worker after a commit; the number handed. Never raises, and never waits long:
    one attempt bounded by OUTBOX_BROKER_CONNECT_TIMEOUT_SECONDS, none at all for
    OUTBOX_BROKER_RETRY_SECONDS after one failed. Rows not handed lose the mark they were written with
    and are left for the sweep (a row handed just before the broker went away may then be handed
    twice, which the claim makes harmless); an in-process delivery records its own failures."""
    handed = _hand_over(notification_ids, patient=False)
    if handed < len(notification_ids) and _through_broker():
        _mark(notification_ids, None)
    return handed


def _mark(notification_ids: list[int], handed_at: datetime | None) -> None:
    """Set when the rows still pending were handed over (None: not, the sweep takes them), and commit."""
    for start in range(0, len(notification_ids), MARK_AT_ONCE):  # a command may commit, the sweep find, thousands
        db.session.execute(
            update(Notification)
            .where(
                Notification.id.in_(notification_ids[start : start + MARK_AT_ONCE]),
                Notification.status == DeliveryStatus.PENDING,
            )
            .values(enqueued_at=handed_at)
        )
    db.session.commit()


def _hand_over(notification_ids: list[int], *, patient: bool) -> int:
    task = "portal.deliver_notifications"
    db.session.rollback()  # whatever the context left open is not ours to keep
    config = current_app.config
    if config["CELERY_TASK_ALWAYS_EAGER"]:
        if config["OUTBOX_IN_PROCESS_THREAD"]:
            return _in_process_sender(current_app._get_current_object()).hand(notification_ids)  # type: ignore[attr-defined]
        return _deliver_here(notification_ids)
    broker = config["CELERY_BROKER_URL"]
    if not patient and time.monotonic() < _broker_paused_until.get(broker, 0.0):
        current_app.logger.info(
            "broker unreachable a moment ago: %d notifications wait for the sweep", len(notification_ids)
        )
        return 0
    try:
        dispatch(
            task,
            [(chunk,) for chunk in _chunks(notification_ids)],
            connect_timeout=None if patient else config["OUTBOX_BROKER_CONNECT_TIMEOUT_SECONDS"],
        )
    except Exception as error:  # noqa: BLE001 - kombu and redis raise their own kinds when the broker is down
        pause = config["OUTBOX_BROKER_RETRY_SECONDS"]
        _broker_paused_until[broker] = time.monotonic() + pause
        current_app.logger.warning(
            "broker unreachable (%s): %d notifications wait for the sweep; no hand-over after a commit for %s s",
            error,
            len(notification_ids),
            pause,
        )
        return 0
    if not patient:
        return len(notification_ids)  # written with their mark
    _broker_paused_until.pop(broker, None)  # it is back: the next commit need not wait for the sweep
    _mark(notification_ids, utcnow())
    return len(notification_ids)


MARK_AT_ONCE = 5000  # ids per UPDATE: far below PostgreSQL's 65,535 parameters of one statement


# Rows per message to a worker: one claim, one read and a few records serve them all, where a message per row
# cost the worker as much again as the e-mail itself. Small enough that a batch is out in well under a second.
DELIVER_AT_ONCE = 50


def _chunks(notification_ids: list[int]) -> list[list[int]]:
    return [
        notification_ids[start : start + DELIVER_AT_ONCE] for start in range(0, len(notification_ids), DELIVER_AT_ONCE)
    ]


def _deliver_here(notification_ids: list[int]) -> int:
    """The rows through the delivery task, in this thread and application context; how many ran."""
    delivered = 0
    for chunk in _chunks(notification_ids):
        try:
            dispatch("portal.deliver_notifications", [(chunk,)])
            delivered += len(chunk)
        except Exception:  # noqa: BLE001 - a fault outside the delivery's own handling; the rows stay visible
            current_app.logger.exception("in-process delivery of notifications %s failed", chunk)
            db.session.rollback()
    return delivered


class _InProcessSender:
    """The embedded default's worker: one background thread of the web process that delivers the rows
    handed to it, through the same task (claim, prepare, send, record), so a page never waits for mail
    or a PDF. Rows still waiting when the process stops stay pending; the in-process sweep sends them
    after the next start, and a row handed twice is sent once (the claim)."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.waiting: queue.Queue[int] = queue.Queue()
        self.thread = threading.Thread(target=self._run, name="portal-mail", daemon=True)
        self.thread.start()
        # A command (`flask demo`) ends right after its commit: let what it handed over go out first.
        atexit.register(self.drain, 30.0)

    def drain(self, timeout: float) -> bool:
        """Wait until every row handed over was delivered, at most `timeout` seconds; whether it was."""
        deadline = time.monotonic() + timeout
        while self.waiting.unfinished_tasks:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def hand(self, notification_ids: list[int]) -> int:
        for notification_id in notification_ids:
            self.waiting.put(notification_id)
        return len(notification_ids)

    def _run(self) -> None:
        while True:
            # What is waiting goes out together (up to DELIVER_AT_ONCE), as a worker gets it from the relay.
            taken = [self.waiting.get()]
            while len(taken) < DELIVER_AT_ONCE:
                try:
                    taken.append(self.waiting.get_nowait())
                except queue.Empty:
                    break
            try:
                with self.app.app_context():
                    _deliver_here(taken)
            except Exception:  # noqa: BLE001 - the thread outlives any one row's fault
                self.app.logger.exception("in-process sender: notifications %s", taken)
            finally:
                for _taken in taken:
                    self.waiting.task_done()


_sender_lock = threading.Lock()


def _in_process_sender(app: Flask) -> _InProcessSender:
    with _sender_lock:
        sender = app.extensions.get("outbox_sender")
        if sender is None or not sender.thread.is_alive():
            sender = app.extensions["outbox_sender"] = _InProcessSender(app)
        return sender  # type: ignore[no-any-return]


def sweep_and_relay() -> tuple[int, int]:
    """The periodic sweep (beat's task, `flask sweep-outbox`, the embedded default): mark stale
    claims, commit, hand the rows found over, with the broker's own timeouts and retries and despite
    a pause after a failed hand-over. Returns (found, handed)."""
    due = sweep(utcnow())
    db.session.commit()
    return len(due), _hand_over(due, patient=True) if due else 0


def _embedded_sweep(every: float) -> None:
    """In the embedded default (no beat), rows left pending for a retry go out with later requests."""
    global _last_embedded_sweep
    if time.monotonic() - _last_embedded_sweep < every:
        return
    _last_embedded_sweep = time.monotonic()
    sweep_and_relay()


def policy() -> DeliveryPolicy:
    config = current_app.config
    return DeliveryPolicy(
        attempt_limit=config["NOTIFICATION_ATTEMPT_LIMIT"],
        first_delay=timedelta(seconds=config["NOTIFICATION_FIRST_RETRY_SECONDS"]),
        longest_delay=timedelta(seconds=config["NOTIFICATION_LONGEST_RETRY_SECONDS"]),
        requeue_after=timedelta(seconds=config["NOTIFICATION_REQUEUE_AFTER_SECONDS"]),
        sending_timeout=timedelta(seconds=config["NOTIFICATION_SENDING_TIMEOUT_SECONDS"]),
    )


def sweep(now: datetime, limit: int = 500) -> list[int]:
    """Mark stale claims uncertain; return the pending rows to hand (again) to a worker: never handed
    (the broker was down), or handed long ago and still waiting (the message was lost)."""
    rules = policy()
    db.session.execute(
        update(Notification)
        .where(Notification.status == DeliveryStatus.SENDING, Notification.claimed_at < now - rules.sending_timeout)
        .values(
            status=DeliveryStatus.UNCERTAIN, last_error="the worker stopped while sending; the e-mail may have left"
        )
    )
    return list(
        db.session.scalars(
            select(Notification.id)
            .where(
                Notification.status == DeliveryStatus.PENDING,
                or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= now),
                or_(Notification.enqueued_at.is_(None), Notification.enqueued_at < now - rules.requeue_after),
            )
            .order_by(Notification.id)
            .limit(limit)
        )
    )
