"""What templates/applicant/_answers.html needs to show a dossier's answers, for every audience."""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from flask import Response, abort, render_template, request, send_file, stream_with_context
from flask_babel import gettext as _
from sqlalchemy import select

from forms.calls import ATTACHMENT_LABELS
from forms.payouts import ButtonForm
from portal.extensions import db
from portal.i18n import language_code
from portal.models import Application, FundamentalRight, Theme
from portal.services import decisions, dossiers, files, payouts


def answers_context(application: Application, attachment_link: Callable[[str], str] | None = None) -> dict[str, Any]:
    """`attachment_link(kind)` gives the URL of an attachment for this audience (None: names only)."""
    lines, money = dossiers.compensation_of(application)
    lang = language_code()
    return {
        "lines": lines,
        "money": money,
        "theme_names": {t.code: t.name(lang) for t in db.session.scalars(select(Theme))},
        "right_names": {r.code: r.name(lang) for r in db.session.scalars(select(FundamentalRight))},
        "attachment_labels": ATTACHMENT_LABELS,
        "attachment_link": attachment_link,
        "call": application.call,
    }


def send_attachment(application: Application, kind: str) -> Any:
    """An attachment of a dossier as a download; 404 when it has none of that kind."""
    attachment = application.attachment(kind) or abort(404)
    return _send_stored_pdf(attachment.stored_name, attachment.original_name)


def _send_stored_pdf(stored_name: str, download_name: str) -> Any:
    """Streamed from the store chunk by chunk, whatever its size."""
    size, chunks = files.stream_file(stored_name)
    response = Response(stream_with_context(chunks), mimetype="application/pdf")
    response.headers["Content-Length"] = str(size)
    _attachment_header(response, download_name)
    return response


def _attachment_header(response: Response, download_name: str) -> None:
    """Content-Disposition as send_file writes it: an ASCII name, and the UTF-8 one (RFC 6266) when they differ."""
    simple = unicodedata.normalize("NFKD", download_name).encode("ascii", "ignore").decode("ascii") or "document.pdf"
    names = {"filename": simple}
    if simple != download_name:
        names["filename*"] = "UTF-8''" + quote(download_name, safe="!#$&+^`|~")
    response.headers.set("Content-Disposition", "attachment", **names)


def send_report_document(application: Application, document_id: int) -> Any:
    """A supporting document of the dossier's final report; 404 when it is not one of this dossier's."""
    report = payouts.report_of(application)
    document = next((d for d in report.documents if d.id == document_id), None) if report else None
    if document is None:
        abort(404)
    return _send_stored_pdf(document.stored_name, document.original_name)


def send_document(stored: bytes | None, make: Callable[[], bytes], download_name: str, title: str) -> Any:
    """A document that is made once and kept (a receipt, a decision letter), as a download.

    A GET only reads: a document the worker has not made yet (it does so with the e-mail that carries
    it, seconds after the event) is offered as a button, whose POST makes it, keeps it and sends it.
    So no GET writes (link checkers and prefetching browsers follow links), and the document that is
    kept is the one every later download gets.
    """
    if stored is None and request.method != "POST":
        return render_template("documents/pending.html", form=ButtonForm(), title=title), 200
    if stored is None:
        if not ButtonForm().validate_on_submit():
            abort(400)
        stored = make()
        db.session.commit()  # the document made just now is kept
    return send_file(io.BytesIO(stored), mimetype="application/pdf", as_attachment=True, download_name=download_name)


def send_letter(application: Application) -> Any:
    """The decision letter as a download; 404 before a decision."""
    if not decisions.has_letter(application):
        abort(404)
    return send_document(
        decisions.stored_letter(application),
        lambda: decisions.letter_bytes(application),
        f"beslissing-{application.reference}.pdf",
        _("Beslissingsbrief"),
    )
