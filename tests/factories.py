"""Test data built through the real services: an open call, complete drafts, real PDF files."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from portal.db import utcnow
from portal.extensions import db
from portal.models import Application, Call, Organisation
from portal.services.calls import create_call
from portal.services.seed import CALL_2022, sample_draft, sample_pdf
from workflows.calls import BRUSSELS


def pdf_bytes(pages: int = 1) -> bytes:
    return sample_pdf(pages=pages).data


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
    """A draft ready to submit: EUR 5.400,00 a month at half-time from 1 September to 31 December 2026."""
    return sample_draft(call, applicant, municipality(receiving_nis), date(2026, 9, 1), wage_cents)
