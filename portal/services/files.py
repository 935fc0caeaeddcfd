"""Uploaded PDFs and generated receipts: checked by content, stored outside the web root."""

from __future__ import annotations

import hashlib
import io
import secrets
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import magic
from flask import current_app
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from portal.db import utcnow
from portal.extensions import db
from portal.models import Application, Attachment, User
from portal.services import audit


class UploadProblem(StrEnum):
    MISSING = "missing"
    EMPTY = "empty"
    TOO_LARGE = "too_large"
    NOT_PDF = "not_pdf"
    BROKEN_PDF = "broken_pdf"


@dataclass(frozen=True)
class CheckedPdf:
    data: bytes
    sha256: str


def storage() -> Path:
    folder = Path(current_app.config["FILES_PATH"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def check_pdf(data: bytes | None, max_bytes: int) -> CheckedPdf | UploadProblem:
    """A PDF by its content (magic bytes and a real parse), not by its name or the browser's say-so."""
    if data is None:
        return UploadProblem.MISSING
    if len(data) == 0:
        return UploadProblem.EMPTY
    if len(data) > max_bytes:
        return UploadProblem.TOO_LARGE
    if magic.from_buffer(data[:4096], mime=True) != "application/pdf":
        return UploadProblem.NOT_PDF
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if len(reader.pages) < 1:
            return UploadProblem.BROKEN_PDF
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError):
        return UploadProblem.BROKEN_PDF
    return CheckedPdf(data, hashlib.sha256(data).hexdigest())


def write_file(data: bytes) -> str:
    name = secrets.token_hex(16)
    (storage() / name).write_bytes(data)
    return name


def read_file(name: str) -> bytes:
    return (storage() / name).read_bytes()


def delete_file(name: str) -> None:
    (storage() / name).unlink(missing_ok=True)


def store_attachment(application: Application, kind: str, original_name: str, pdf: CheckedPdf, actor: User) -> Attachment:
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
    db.session.flush()
    audit.record(
        actor,
        "application.attachment_uploaded",
        "application",
        application.id,
        details={"kind": kind, "sha256": pdf.sha256, "size_bytes": len(pdf.data), "replaced": replaced is not None},
    )
    return attachment
