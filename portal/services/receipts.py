"""The PDF receipt of a submission (WeasyPrint), made once from the frozen content and kept."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import render_template
from flask_babel import force_locale
from sqlalchemy import select

from portal.extensions import db
from portal.i18n import locale_for
from portal.models import FundamentalRight, Submission, Theme
from portal.services import files, printing
from portal.services.locks import lock_dossier


def _names(model: Any) -> dict[str, tuple[str, str]]:
    """Code -> (Dutch, English) of every theme or fundamental right: the receipt names them, never a code."""
    return {row.code: (row.name_nl, row.name_en) for row in db.session.query(model)}


def render_receipt(submission: Submission, locale: str) -> bytes:
    return _render(_Printed.of(submission), locale)


@dataclass(frozen=True)
class _Printed:
    """What the receipt prints, read from the database before the (slow) rendering."""

    content: dict[str, Any]
    sha256: str
    version: int
    themes: dict[str, tuple[str, str]]
    rights: dict[str, tuple[str, str]]

    @classmethod
    def of(cls, submission: Submission) -> _Printed:
        return cls(
            dict(submission.content),
            submission.content_sha256,
            submission.version,
            _names(Theme),
            _names(FundamentalRight),
        )


def _render(printed: _Printed, locale: str) -> bytes:
    language = 1 if locale == "en" else 0
    with force_locale(locale_for(locale)):
        html = render_template(
            "pdf/receipt.html",
            content=printed.content,
            sha256=printed.sha256,
            version=printed.version,
            queue_position=printed.content.get("queue_position"),
            themes={code: names[language] for code, names in printed.themes.items()},
            rights={code: names[language] for code, names in printed.rights.items()},
        )
    return printing.pdf_of(html)


def stored_receipt(submission: Submission) -> bytes | None:
    """The receipt as it was made, or None when it is not made yet (reading only)."""
    return files.read_file(submission.receipt_name) if submission.receipt_name else None


def receipt_bytes(submission: Submission, locale: str) -> bytes:
    """The stored receipt; made (and stored) the first time it is asked for, and from then on always that
    one: a receipt missing from the store is an error (StoredFileMissing), never made up again."""
    if submission.receipt_name:
        return files.read_file(submission.receipt_name)
    pdf = render_receipt(submission, locale)
    submission.receipt_name = files.write_file(pdf)
    return pdf


def receipt_made_outside_locks(application_id: int, version: int, locale: str) -> bytes | None:
    """The receipt of a submission for a worker: when none is stored yet, it is rendered with no
    transaction open (a PDF takes a while, and on the embedded default's SQLite an open writing
    transaction holds up every other), then stored under the dossier's lock unless another run stored
    one meanwhile, whose file then wins: a receipt is made once. None: no such submission. The
    caller commits."""

    submission = _submission(application_id, version)
    if submission is None:
        return None
    if not submission.receipt_name:
        printed = _Printed.of(submission)
        db.session.rollback()  # end the reading transaction before rendering
        pdf = _render(printed, locale)
        lock_dossier(application_id)
        submission = _submission(application_id, version)
        assert submission is not None  # submissions are never deleted
        if not submission.receipt_name:
            submission.receipt_name = files.write_file(pdf)
            return pdf
    return files.read_file(submission.receipt_name)


def _submission(application_id: int, version: int) -> Submission | None:
    return db.session.scalar(
        select(Submission).where(Submission.application_id == application_id, Submission.version == version)
    )
