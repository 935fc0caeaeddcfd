"""Recording notifications with the event that causes them, and the in-app inbox of a government."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from portal.extensions import db
from portal.models import Application, Notification
from portal.models.notifications import NotificationEvent


def record(event: NotificationEvent, application: Application, details: dict[str, Any] | None = None) -> Notification:
    """For the giving government of the dossier, in the caller's transaction (never sent before commit)."""
    notification = Notification(event=event, organisation_id=application.organisation_id, application_id=application.id, details=details or {})
    db.session.add(notification)
    return notification


def inbox_of(organisation_id: int, limit: int = 20) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification).where(Notification.organisation_id == organisation_id).order_by(Notification.id.desc()).limit(limit)
        )
    )
