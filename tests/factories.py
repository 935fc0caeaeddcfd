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
    # Each test call numbers its dossiers with a prefix of its own (the portal refuses two calls of one
    # year sharing one): the letters of its code, ARM-OPEN giving ARMOPEN-2026-0001.
    prefix = "".join(ch for ch in code.upper() if "A" <= ch <= "Z")[:10]
    values = {
        "code": code,
        "reference_prefix": prefix,
        "opens_on": today - timedelta(days=10),
        "closes_on": today + timedelta(days=30),
    }
    values.update(changes)
    return create_call(replace(CALL_2022, **values), actor=None)


def municipality(nis_code: str) -> Organisation:
    org = db.session.scalar(select(Organisation).where(Organisation.nis_code == nis_code))
    assert org is not None
    return org


def complete_draft(
    applicant: Any,
    call: Call,
    receiving_nis: str = "45041",
    wage_cents: int = 540_000,
    start_on: date = date(2026, 9, 1),
) -> Application:
    """A draft ready to submit: EUR 5.400,00 a month at half-time for four whole months, by default from
    1 September to 31 December 2026 (or from the first of the month of `start_on`)."""
    return sample_draft(call, applicant, municipality(receiving_nis), start_on, wage_cents)


def submitted_dossier(
    call: Call,
    receiving_nis: str = "45041",
    wage_cents: int = 540_000,
    applicant: Any = None,
    start_on: date = date(2026, 9, 1),
) -> Application:
    """A complete draft of a Gent applicant, submitted through the real service."""
    from portal.services import applications
    from tests.conftest import make_user

    applicant = applicant or make_user("applicant")
    draft = complete_draft(applicant, call, receiving_nis, wage_cents, start_on)
    applications.submit(draft.id, applicant, declared=True)
    return draft


def in_review(application: Application, officer: Any, reviewers: list[Any]) -> Application:
    """Declared eligible and given reviewers, as the officer does it."""
    from portal.services import eligibility, reviews

    eligibility.declare_eligible(application.id, officer)
    reviews.assign_reviewers(application.id, [r.id for r in reviewers], officer)
    return application


def score_everything(application: Application, reviewer: Any, score: int) -> None:
    """The reviewer gives every criterion the same score and submits."""
    from portal.services import reviews

    review = next(r for r in reviews.reviews_of(application) if r.reviewer_id == reviewer.id)
    codes = [c.code for c in application.call.criteria]
    reviews.save_scores(review.id, reviewer, {code: (score, "") for code in codes}, "")
    reviews.submit_review(review.id, reviewer, utcnow())


def scored_dossier(call: Call, officer: Any, reviewers: list[Any], score: int = 2, **kwargs: Any) -> Application:
    application = in_review(submitted_dossier(call, **kwargs), officer, reviewers)
    for reviewer in reviewers:
        score_everything(application, reviewer, score)
    return application


def payout_people() -> dict[str, Any]:
    """An officer, two finance users (the second pair of eyes) and two reviewers."""
    from tests.conftest import make_user

    return {
        "officer": make_user("officer"),
        "finance": make_user("finance"),
        "finance2": make_user("finance"),
        "reviewers": [make_user("reviewer"), make_user("reviewer")],
    }


def granted_dossier(people: dict[str, Any], call: Call | None = None, **kwargs: Any) -> Application:
    """Scored by both reviewers and granted by the officer, through the real services."""
    from portal.services import decisions

    dossier = scored_dossier(call or open_call(), people["officer"], people["reviewers"], **kwargs)
    decisions.grant(dossier.id, people["officer"])
    return dossier


def to_bank(finance: Any) -> Any:
    """A payment file of every approved transfer, as finance makes it before the bank pays."""
    from portal.services import payment_batches

    return payment_batches.create_batch(finance, utcnow().astimezone(BRUSSELS).date())


def digitally_signed(pdf: bytes, common_name: str) -> bytes:
    """`pdf` with a digital signature by `common_name`, under a self-signed certificate made here, signed
    by pyHanko as a signing tool would (not through the portal's own code)."""
    import io
    import warnings
    from concurrent.futures import ThreadPoolExecutor

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="DSA is deprecated")
        from asn1crypto import keys
        from asn1crypto import x509 as asn1_x509
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import signers
        from pyhanko_certvalidator.registry import SimpleCertificateStore

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = utcnow()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER)),
        signing_key=keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        ),
        cert_registry=SimpleCertificateStore(),
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    metadata = signers.PdfSignatureMetadata(field_name="Handtekening")
    with ThreadPoolExecutor(max_workers=1) as pool:  # sign_pdf runs an event loop: not inside the browser's
        return pool.submit(signers.sign_pdf, writer, metadata, signer=signer).result().getvalue()
