"""The file store every web and worker machine shares: file contents in the database, in chunks.

A file is written in the same transaction as the row that refers to it (a foreign key), so there is
never an orphan nor a dangling reference; it is read back chunk by chunk, so a download streams.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import UTCDateTime, utcnow
from portal.extensions import db

CHUNK_BYTES = 1024 * 1024  # what one row holds: a download never has more than this in memory at once


class Upload:
    """The columns of a document someone uploaded (an attachment, a supporting document of a final
    report): its name as they gave it, the stored file, its size and digest, who and when."""

    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(ForeignKey("stored_file.name"), unique=True)
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))


class StoredFile(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "stored_file"
    __table_args__ = (
        CheckConstraint("size_bytes >= 0", name="size_not_negative"),
        CheckConstraint("length(sha256) = 64", name="sha256"),
    )

    # A random name (32 hexadecimal characters): it says nothing of the file or its owner.
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    chunk_count: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class StoredFileChunk(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "stored_file_chunk"

    file_name: Mapped[str] = mapped_column(ForeignKey("stored_file.name", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
