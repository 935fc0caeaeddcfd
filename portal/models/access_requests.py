"""Access requests: a government without an account asks for one through the public form; an administrator
approves it (the account and its invitation follow) or refuses it with a reason."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import EnumOf, UTCDateTime, enum_check, utcnow
from portal.extensions import db
from portal.models.organisations import Organisation
from portal.models.users import User
from workflows.access import AccessRequestState


class AccessRequest(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "access_request"
    __table_args__ = (
        CheckConstraint(enum_check("state", AccessRequestState), name="state"),
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        CheckConstraint(
            "state = 'pending' OR (decided_at IS NOT NULL AND decided_by_id IS NOT NULL)",
            name="decided_has_who_and_when",
        ),
        CheckConstraint(
            "state <> 'refused' OR (refusal_reason IS NOT NULL AND refusal_reason <> '')", name="refusal_has_reason"
        ),
        CheckConstraint("state <> 'approved' OR user_id IS NOT NULL", name="approval_has_account"),
        Index("ix_access_request_state_created_at", "state", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(String(200))
    function: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    email: Mapped[str] = mapped_column(String(254), index=True)
    state: Mapped[str] = mapped_column(String(20), default=AccessRequestState.PENDING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    refusal_reason: Mapped[str | None] = mapped_column(Text())
    # The account made on approval.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    organisation: Mapped[Organisation] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])

    state_enum = EnumOf("state", AccessRequestState)
