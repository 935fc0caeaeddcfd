"""Tasks: thin, take ids, reload their rows, skip work already done, commit."""

from __future__ import annotations

from sqlalchemy import text

from portal.extensions import db
from worker.celery_app import celery


@celery.task(name="portal.health_check", ignore_result=False)
def health_check() -> str:
    """Proves a worker reaches the broker and the database: used by the deployment check and the tests."""
    db.session.execute(text("SELECT 1"))
    return "ok"
