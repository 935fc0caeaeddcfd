"""Uploaded PDFs and generated receipts: checked by content, kept in the shared file store.

The store is the database (portal/models/files.py): every web and worker machine sees every file,
a file is written in the transaction of the row that refers to it, and a download streams it chunk
by chunk. Nothing is kept on a machine's own disk.
"""

from __future__ import annotations

import hashlib
import io
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import magic
from sqlalchemy import delete, func, select

from portal.db import utcnow
from portal.extensions import db
from portal.models import Application, Attachment, User
from portal.models.calls import AttachmentKind
from portal.models.files import CHUNK_BYTES, StoredFile, StoredFileChunk
from portal.services import agreements, audit


class StoredFileMissing(LookupError):
    """A row refers to a file the store does not hold: never made up again, always reported."""


class UploadProblem(StrEnum):
    MISSING = "missing"
    EMPTY = "empty"
    TOO_LARGE = "too_large"
    NOT_PDF = "not_pdf"
    BROKEN_PDF = "broken_pdf"
    ACTIVE_CONTENT = "active_content"


@dataclass(frozen=True)
class CheckedPdf:
    data: bytes
    sha256: str


def check_pdf(data: bytes | None, max_bytes: int) -> CheckedPdf | UploadProblem:
    """A PDF by its content (magic bytes and a real parse), not by its name or the browser's say-so,
    and without active content (scripts, launched programs, embedded files): refused, never rewritten."""
    if data is None:
        return UploadProblem.MISSING
    if len(data) == 0:
        return UploadProblem.EMPTY
    if len(data) > max_bytes:
        return UploadProblem.TOO_LARGE
    if magic.from_buffer(data[:4096], mime=True) != "application/pdf":
        return UploadProblem.NOT_PDF
    # pypdf is loaded on the first upload, not with the portal: the worker, which shares these modules, never
    # checks one and would carry pypdf's 16 MiB for nothing (bench/notifications.py).
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError  # on first use (above)

    from portal.services.active_content import find_active_content  # on first use (above): reads with pypdf

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if len(reader.pages) < 1:
            return UploadProblem.BROKEN_PDF
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError):
        return UploadProblem.BROKEN_PDF
    try:
        active = find_active_content(reader)
    except Exception:  # a document that cannot be looked through entirely is not taken on trust
        return UploadProblem.BROKEN_PDF
    if active is not None:
        return UploadProblem.ACTIVE_CONTENT
    return CheckedPdf(data, hashlib.sha256(data).hexdigest())


def write_file(data: bytes) -> str:
    """Keep the bytes in the store, in this transaction; the new file's name, for the row that refers to it."""
    name = secrets.token_hex(16)
    chunks = [data[start : start + CHUNK_BYTES] for start in range(0, len(data), CHUNK_BYTES)]
    db.session.add(
        StoredFile(name=name, size_bytes=len(data), sha256=hashlib.sha256(data).hexdigest(), chunk_count=len(chunks))
    )
    db.session.flush()  # the file before the row that refers to it (a foreign key)
    for position, chunk in enumerate(chunks):
        db.session.add(StoredFileChunk(file_name=name, position=position, data=chunk))
    db.session.flush()
    return name


def _stored(name: str) -> StoredFile:
    stored = db.session.get(StoredFile, name)
    if stored is None:
        raise StoredFileMissing(name)
    return stored


def read_file(name: str) -> bytes:
    """The whole file, for what needs it whole (an e-mail attachment, a restored upload)."""
    return b"".join(stream_file(name)[1])


def stream_file(name: str) -> tuple[int, Iterator[bytes]]:
    """(size, the chunks one by one): each chunk is read when it is wanted, so a download of any size
    holds one chunk in memory. Raises StoredFileMissing at once when the file is not in the store.
    The chunks are read in this session: a streamed response keeps its request's context
    (stream_with_context) until the server has sent the last chunk and closed the response."""
    stored = _stored(name)
    present = db.session.scalar(
        select(func.count()).select_from(StoredFileChunk).where(StoredFileChunk.file_name == name)
    )
    if present != stored.chunk_count:  # found now, before a response has started, rather than halfway
        raise StoredFileMissing(f"{name}: {present} of {stored.chunk_count} chunks")

    count = stored.chunk_count

    def chunks() -> Iterator[bytes]:
        for position in range(count):
            data = db.session.scalar(
                select(StoredFileChunk.data).where(
                    StoredFileChunk.file_name == name, StoredFileChunk.position == position
                )
            )
            if data is None:
                raise StoredFileMissing(f"{name} chunk {position}")
            yield bytes(data)

    return stored.size_bytes, chunks()


def delete_file(name: str) -> None:
    """Forget a file no row refers to any more, in this transaction."""
    db.session.execute(delete(StoredFileChunk).where(StoredFileChunk.file_name == name))
    db.session.execute(delete(StoredFile).where(StoredFile.name == name))


def store_attachment(
    application: Application, kind: str, original_name: str, pdf: CheckedPdf, actor: User
) -> Attachment:
    """Keep the new file; it replaces an earlier one of the same kind."""
    stored = write_file(pdf.data)
    attachment = application.attachment(kind)
    replaced = attachment.stored_name if attachment else None
    if attachment is None:
        attachment = Attachment(application=application, kind=kind)
        db.session.add(attachment)
    attachment.original_name = (Path(original_name).name or "bijlage.pdf")[:255]
    attachment.stored_name = stored
    attachment.size_bytes = len(pdf.data)
    attachment.sha256 = pdf.sha256
    attachment.uploaded_by_id = actor.id
    attachment.uploaded_at = utcnow()
    details: dict[str, object] = {
        "kind": kind,
        "sha256": pdf.sha256,
        "size_bytes": len(pdf.data),
        "replaced": replaced is not None,
    }
    if kind == AttachmentKind.AGREEMENT:  # whether the signed agreement carries a digital signature (never required)
        reading = agreements.record_signatures(attachment, pdf.data)
        details["signature_status"] = reading.status.value
    db.session.flush()
    if replaced is not None:
        delete_file(replaced)  # nothing refers to it any more: no orphan piles up
    audit.record_row(actor, "application.attachment_uploaded", application, details=details)
    return attachment
