"""The one seam between the portal and its background jobs: the Celery app, bound to Flask (every task
runs inside an application context), and `dispatch`, the only way the portal starts a job.

Embedded default: tasks run in-process (task_always_eager). Production: Redis as the broker.

The tasks themselves live in `worker/`, which builds on the portal; the portal names them only by
their task names, and this module has Celery import them by module name (`include`), so no portal
module imports the worker and the two never form an import cycle.
"""

from __future__ import annotations

import os
from typing import Any

from celery import Celery, Task
from celery.schedules import crontab
from flask import Flask, current_app, has_app_context

from portal.kept_connections import KeptConnections

TASK_MODULES = ["worker.tasks"]
celery = Celery("portal", include=TASK_MODULES)


def init_celery(app: Flask) -> Celery:
    class FlaskTask(Task):  # type: ignore[misc]
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            # In-process (eager) tasks run in the app that queued them; a worker uses the app it was started with.
            if has_app_context():
                return self.run(*args, **kwargs)
            with app.app_context():
                return self.run(*args, **kwargs)

    celery.conf.update(
        broker_url=app.config["CELERY_BROKER_URL"],
        result_backend=app.config.get("CELERY_RESULT_BACKEND"),
        task_always_eager=app.config["CELERY_TASK_ALWAYS_EAGER"],
        task_eager_propagates=True,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        timezone="Europe/Brussels",
        enable_utc=True,
        broker_connection_retry_on_startup=True,
        broker_transport_options={
            "visibility_timeout": app.config["CELERY_VISIBILITY_TIMEOUT"],
            "unacked_restore_interval": app.config["CELERY_UNACKED_RESTORE_SECONDS"],
            "unacked_restore_throttle": 1,
            "socket_connect_timeout": 3,
        },
        worker_hijack_root_logger=False,
        beat_schedule={
            "sweep-outbox": {"task": "portal.sweep_outbox", "schedule": float(app.config["OUTBOX_SWEEP_SECONDS"])},
            "send-reminders": {
                "task": "portal.send_reminders",
                "schedule": crontab(minute=app.config["REMINDERS_MINUTE"]),
            },
            "anonymise-personal-data": {
                "task": "portal.anonymise_personal_data",
                "schedule": crontab(hour=app.config["RETENTION_HOUR"], minute=app.config["RETENTION_MINUTE"]),
            },
        },
    )
    celery.Task = FlaskTask
    app.extensions["celery"] = celery
    celery.loader.import_default_modules()  # registers the tasks of TASK_MODULES for in-process runs too

    return celery


def dispatch(task_name: str, calls: list[tuple[Any, ...]], connect_timeout: float | None = None) -> int:
    """Run a task once per argument tuple for the current Flask app: in this process (the embedded
    default, `apply`), or through the app's own broker. Decided per Flask app rather than by the
    shared Celery instance, so that apps of both kinds can live in one process (the tests do).

    With `connect_timeout`, the broker gets one attempt, and neither connecting nor any reply may
    take longer: for a hand-over that a page waits for. Without it, the broker settings above apply,
    whose retries (kombu's, about 6 s when nothing listens) suit workers and scheduled jobs.

    Returns how many were handed over; raises on the first that could not be (broker down), or, in
    this process, when the task itself raised.
    """
    if current_app.config["CELERY_TASK_ALWAYS_EAGER"]:
        task = celery.tasks[task_name]
        for args in calls:
            task.apply(args=args, throw=True)
        return len(calls)
    key = _kept_key(connect_timeout)
    taken = _kept.take(key)
    connection = taken[0] if taken else broker_connection(connect_timeout)
    handed = 0
    try:
        for args in calls:
            celery.send_task(task_name, args=args, connection=connection, retry=False)
            handed += 1
    except Exception:
        _kept.close(connection)
        raise
    _kept.give_back(key, connection)  # redis-py reconnects a kept connection whose server restarted
    return handed


# Broker connections kept between hand-overs: connecting and declaring the queue cost more than sending a
# message, and every commit of a busy page hands over.
_kept = KeptConnections(lambda connection: connection.release())


def _kept_key(connect_timeout: float | None) -> tuple[Any, ...]:
    return (
        os.getpid(),
        current_app.config["CELERY_BROKER_URL"],
        connect_timeout,
    )  # never a parent's socket after a fork


def broker_connection(connect_timeout: float | None = None) -> Any:
    """A connection to the current Flask app's broker. With `connect_timeout`: one attempt, and neither
    connecting nor any reply may take longer (for what a page or a health check waits for)."""
    quick: dict[str, Any] = {}
    if connect_timeout is not None:
        quick = {
            "connect_timeout": connect_timeout,
            "transport_options": {
                "max_retries": 0,
                "socket_connect_timeout": connect_timeout,
                "socket_timeout": connect_timeout,
            },
        }
    return celery.connection_for_write(current_app.config["CELERY_BROKER_URL"], **quick)
