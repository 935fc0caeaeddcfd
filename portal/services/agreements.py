"""The cooperation agreement: made as a PDF from the application as it is now, and what the signed copy
says about its digital signatures (read with pyHanko, which stays in this layer).

The agreement is not stored: it changes with the draft, and both governments sign the copy they
download; the copy that counts is the signed one they upload as the "agreement" attachment.
"""

from __future__ import annotations

import io
import logging
import warnings
from dataclasses import dataclass
from datetime import datetime

from flask import render_template
from flask_babel import force_locale
from sqlalchemy import select

from portal.db import utcnow
from portal.extensions import db
from portal.models import Application, Attachment, Theme
from portal.services import dossiers, printing
from workflows.agreement import PaymentTerms, SignatureStatus, payment_terms, signature_status

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SignatureReading:
    status: SignatureStatus
    signers: tuple[str, ...]  # the certificates' common names, when the file is signed


def read_signatures(data: bytes) -> SignatureReading:
    """The digital signatures a PDF carries. Never raises: a file pyHanko cannot read is "unknown"
    (the upload already passed the portal's own PDF checks and stands)."""
    with warnings.catch_warnings():
        # pyHanko is loaded on the first agreement read, not with the portal: the worker, which shares these
        # modules, never reads one and would carry its 45 MiB for nothing (bench/notifications.py). Its
        # signature modules import DSA support that cryptography deprecates; reading needs none of it. The
        # reader imports its validation module on first use: loaded here, under this filter.
        warnings.filterwarnings("ignore", message="DSA is deprecated")
        from pyhanko.pdf_utils.reader import PdfFileReader  # on first use (above)
        from pyhanko.sign.validation import pdf_embedded  # noqa: F401 - on first use (above)
    try:
        signatures = PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures
        signers = tuple(_common_name(signature) for signature in signatures)
    except Exception:  # noqa: BLE001  anything a foreign file makes pyHanko raise: unknown, not a refusal
        log.info("agreement signatures could not be read", exc_info=True)
        return SignatureReading(signature_status(False, 0), ())
    return SignatureReading(signature_status(True, len(signers)), tuple(name for name in signers if name))


def _common_name(signature: object) -> str:
    try:
        subject = signature.signer_cert.subject.native  # type: ignore[attr-defined]
        return str(subject.get("common_name", "")).strip()[:200]
    except Exception:  # noqa: BLE001  a signature without a readable certificate still counts as a signature
        return ""


def record_signatures(attachment: Attachment, data: bytes) -> SignatureReading:
    """Keep on the attachment what its file says about digital signatures (the agreement only)."""
    reading = read_signatures(data)
    attachment.signature_status = reading.status.value
    attachment.signer_names = "\n".join(reading.signers)
    return reading


# --- the agreement as a PDF -----------------------------------------------------------------------


@dataclass(frozen=True)
class Agreement:
    """What the agreement states, read from the application before the (slow) rendering."""

    application: Application
    lines: list[tuple[object, object]]
    total_cents: int
    uncapped_cents: int
    cap_cents: int
    is_capped: bool
    terms: PaymentTerms
    theme_names: dict[str, str]
    made_at: datetime


def agreement_of(application: Application) -> Agreement:
    lines, money = dossiers.compensation_of(application)
    call = application.call
    ends = [m.end_on for m in application.mentors if m.end_on is not None]
    return Agreement(
        application=application,
        lines=list(lines),
        total_cents=money.total_cents,
        uncapped_cents=money.uncapped_cents,
        cap_cents=money.cap_cents,
        is_capped=money.is_capped,
        terms=payment_terms(money.total_cents, call.advance_percent, ends),
        theme_names={t.code: t.name_nl for t in db.session.scalars(select(Theme))},
        made_at=utcnow(),
    )


def render_agreement(application: Application) -> bytes:
    """Always in Dutch: an agreement between two Flemish governments is written in Dutch (language law)."""
    agreement = agreement_of(application)
    with force_locale("nl_BE"):
        html = render_template(
            "pdf/agreement.html", application=application, call=application.call, agreement=agreement, lang="nl"
        )
    return printing.pdf_of(html)


def download_name(application: Application) -> str:
    return f"overeenkomst-{application.reference or f'ontwerp-{application.id}'}.pdf"
