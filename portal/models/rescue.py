"""What a user posted when their session had just expired, kept until they sign in again."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import UTCDateTime, utcnow
from portal.extensions import db


class FormRescue(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "form_rescue"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Only the SHA-256 of the token in the browser's session is stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The user whose session had expired: only they are offered the input back.
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(String(300))
    fields: Mapped[list[Any]] = mapped_column(JSON)  # [[name, value], ...] in posted order
    files: Mapped[list[Any]] = mapped_column(JSON)  # [{"field", "filename", "stored_name"}, ...]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
