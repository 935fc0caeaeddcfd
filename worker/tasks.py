"""Tasks: thin, take ids, reload their rows, skip work already done, commit."""

from __future__ import annotations

from smtplib import SMTPException

from sqlalchemy import text

from portal.extensions import db
from portal.models import User
from worker.celery_app import celery


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
    from portal.mail import render_and_send_account_email

    user = db.session.get(User, user_id)
    if user is None or not user.is_active:
        return
    render_and_send_account_email(user, template, link)
