"""Printing: our HTML pages as PDF (receipts, decision letters, agreements, minutes), the one place that calls WeasyPrint."""

from __future__ import annotations

from flask import current_app


def pdf_of(html: str) -> bytes:
    """The PDF of a page of ours (templates/pdf/), its relative links read from the portal's folder."""
    # WeasyPrint (31 MiB with its font and layout libraries) is loaded with the first PDF, not with the portal:
    # most processes (a web process that serves pages, a worker that sends mail) make none, or only later.
    from weasyprint import HTML

    return HTML(string=html, base_url=current_app.root_path).write_pdf()  # type: ignore[no-any-return]
