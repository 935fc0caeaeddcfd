"""Test data built through the real services: an open call, complete drafts, real PDF files."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from pypdf import PdfWriter
from sqlalchemy import select

from portal.db import utcnow
from portal.extensions import db
from portal.models import Application, Call, Mentor, Organisation
from portal.services import applications, files
from portal.services.calls import create_call
from portal.services.seed import CALL_2022
from workflows.calls import BRUSSELS


def pdf_bytes(pages: int = 1, text: str = "") -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if text:
        writer.add_metadata({"/Title": text})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def open_call(code: str = "ARM-OPEN", **changes: Any) -> Call:
    existing = db.session.scalar(select(Call).where(Call.code == code))
    if existing is not None:
        return existing
    today = utcnow().astimezone(BRUSSELS).date()
    values = {"code": code, "opens_on": today - timedelta(days=10), "closes_on": today + timedelta(days=30)}
    values.update(changes)
    return create_call(replace(CALL_2022, **values), actor=None)


def municipality(nis_code: str) -> Organisation:
    org = db.session.scalar(select(Organisation).where(Organisation.nis_code == nis_code))
    assert org is not None
    return org


def complete_draft(applicant: Any, call: Call, receiving_nis: str = "45041", wage_cents: int = 540_000) -> Application:
    """A draft with every section filled in, ready to submit (EUR 5.400,00 a month, half-time, 4 months)."""
    application = applications.start_draft(call, applicant, utcnow())
    application.receiving_organisation = municipality(receiving_nis)
    for party in ("giving", "receiving"):
        setattr(application, f"{party}_contact_name", f"Contact {party}")
        setattr(application, f"{party}_contact_function", "Beleidsmedewerker armoede")
        setattr(application, f"{party}_contact_email", f"{party}@example.be")
        setattr(application, f"{party}_contact_phone", "09 123 45 67")
    application.exchange_type = "mentoring"
    application.theme_codes = ["lokale_regie", "participatie"]
    application.right_codes = ["01", "02"]
    application.approach = "Een lokaal armoedeplan met de volledige beleidscyclus."
    application.need = "Het ontvangende bestuur start met een regierol."
    application.goals = "Een goedgekeurd armoedeplan."
    application.participation = "Een klankbordgroep van mensen in armoede."
    application.embedding = "Het plan wordt deel van het meerjarenplan."
    application.iban = "BE68539007547034"
    application.mentors.append(
        Mentor(
            position=1,
            full_name="Mona Mentor",
            function="Beleidsmedewerker armoede",
            years_experience=12,
            drew_up_plan=True,
            plan_description="Lokaal armoedeplan 2020-2025",
            plan_year=2020,
            theme_codes=["lokale_regie"],
            monthly_wage_cents=wage_cents,
            time_share_bp=5_000,
            start_on=date(2026, 9, 1),
            end_on=date(2026, 12, 31),
        )
    )
    for kind in call.required_attachments:
        checked = files.check_pdf(pdf_bytes(), 10 * 1024 * 1024)
        assert not isinstance(checked, files.UploadProblem)
        files.store_attachment(application, kind, f"{kind}.pdf", checked, applicant)
    db.session.flush()
    return application
