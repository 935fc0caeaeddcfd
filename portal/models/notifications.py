"""Notifications: recorded in the same transaction as the event that caused them (SPEC section 7).

A row is the durable record of "this government must hear about this"; the in-app inbox reads it,
and delivery by e-mail after the commit builds on it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import UTCDateTime, enum_check, utcnow
from portal.extensions import db
from portal.models.applications import Application


class NotificationEvent(StrEnum):
    BUDGET_RELEASED = "budget_released"  # a waiting dossier now holds a reservation
    BUDGET_OFFERED = "budget_offered"  # the first waiting dossier is offered a lower amount


class Notification(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "notification"
    __table_args__ = (CheckConstraint(enum_check("event", NotificationEvent), name="event"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event: Mapped[str] = mapped_column(String(40))
    # The government that must hear about it; every user of that government sees it in the portal.
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    application: Mapped[Application] = relationship()
