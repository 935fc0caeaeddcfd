"""The PDF receipt of a submission (WeasyPrint), made once from the frozen content and kept."""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import force_locale
from weasyprint import HTML

from portal.extensions import db
from portal.i18n import locale_for
from portal.models import Submission, Theme
from portal.services import files


def _theme_names() -> dict[str, str]:
    return {theme.code: theme.name_nl for theme in db.session.query(Theme)}


def render_receipt(submission: Submission, locale: str) -> bytes:
    with force_locale(locale_for(locale)):
        html = render_template(
            "pdf/receipt.html",
            content=submission.content,
            sha256=submission.content_sha256,
            version=submission.version,
            queue_position=submission.content.get("queue_position"),
            themes=_theme_names(),
        )
    return HTML(string=html, base_url=current_app.root_path).write_pdf()  # type: ignore[no-any-return]


def receipt_bytes(submission: Submission, locale: str) -> bytes:
    """The stored receipt; made (and stored) the first time it is asked for, and from then on always that
    one: a receipt missing from the store is an error (StoredFileMissing), never made up again."""
    if submission.receipt_name:
        return files.read_file(submission.receipt_name)
    pdf = render_receipt(submission, locale)
    submission.receipt_name = files.write_file(pdf)
    return pdf
