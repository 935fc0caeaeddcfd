"""The shared file store: what one web machine stores, another serves; nothing lives on a machine's
own disk; a replaced file leaves no orphan; a file missing from the store is an error, never made up."""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject
from sqlalchemy import delete, func, select, union
from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from portal.extensions import db
from portal.models import Application, Attachment, ReportDocument, StoredFile, StoredFileChunk, Submission
from portal.models.files import CHUNK_BYTES
from tests.conftest import app_on_own_database, csrf_token, make_app, make_user, sign_in
from tests.factories import complete_draft, open_call


@pytest.fixture(scope="module")
def machines(tmp_path_factory: pytest.TempPathFactory, smtp_sink: Any) -> Iterator[tuple[Flask, Flask]]:
    """Two web machines on one database, each with an instance folder of its own."""
    first_folder, second_folder = tmp_path_factory.mktemp("web-1"), tmp_path_factory.mktemp("web-2")
    with app_on_own_database(tmp_path_factory.mktemp("store"), smtp_sink, FILES_PATH=str(first_folder)) as first:
        second = make_app(first.config["SQLALCHEMY_DATABASE_URI"], smtp_sink, FILES_PATH=str(second_folder))
        second.test_client_class = first.test_client_class
        yield first, second
        with second.app_context():
            db.session.remove()
            db.engine.dispose()
        # Neither machine wrote a file of its own.
        assert list(first_folder.iterdir()) == [] and list(second_folder.iterdir()) == []


def large_pdf(size: int) -> bytes:
    """A valid one-page PDF carrying at least `size` random bytes as its page: a greyscale image of noise,
    as a scan would be (an embedded file would be refused as active content)."""
    width = 1024
    noise = os.urandom(-(-size // width) * width)
    content = DecodedStreamObject()
    content.set_data(
        b"q 595 0 0 842 0 0 cm BI /W %d /H %d /CS /G /BPC 8 ID\n" % (width, len(noise) // width) + noise + b"\nEI Q"
    )
    writer = PdfWriter()
    writer.add_blank_page(595, 842).replace_contents(content)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _signed_in(app: Flask, user_id: int) -> Any:
    from portal.models import User

    with app.app_context():
        client = app.test_client()
        sign_in(client, db.session.get(User, user_id))
        db.session.commit()
    return client


def _unreferenced(app: Flask) -> set[str]:
    """Files no row refers to: orphans."""
    with app.app_context():
        referenced = union(
            select(Attachment.stored_name),
            select(ReportDocument.stored_name),
            select(Submission.receipt_name).where(Submission.receipt_name.is_not(None)),
            select(Application.decision_letter_name).where(Application.decision_letter_name.is_not(None)),
        ).subquery()
        return set(db.session.scalars(select(StoredFile.name).where(StoredFile.name.not_in(select(referenced)))))


def test_a_file_uploaded_through_one_machine_streams_from_another_and_a_replaced_one_leaves_no_orphan(machines):
    first, second = machines
    with first.app_context():
        applicant = make_user("applicant")
        draft = complete_draft(applicant, open_call())
        db.session.commit()
        applicant_id, draft_id = applicant.id, draft.id
    on_first, on_second = _signed_in(first, applicant_id), _signed_in(second, applicant_id)

    # A real PDF of three chunks and a bit, uploaded through the first machine.
    big = large_pdf(3 * CHUNK_BYTES)
    path = f"/mijn-dossiers/{draft_id}/bijlagen"
    token = csrf_token(on_first, path)
    # Encoded here in memory: the test client would spool a body this large to a temporary file it never closes.
    body, length, boundary = stream_encode_multipart(
        {
            "csrf_token": token,
            "action_plan-csrf_token": token,
            "action_plan-upload": "y",
            "action_plan-document": FileStorage(io.BytesIO(big), filename="plan.pdf", content_type="application/pdf"),
        },
        use_tempfile=False,
    )
    response = on_first.post(
        path, input_stream=body, content_length=length, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert response.headers["Location"] == path
    with first.app_context():
        kept = db.session.scalar(
            select(Attachment).where(Attachment.application_id == draft_id, Attachment.kind == "action_plan")
        )
        assert (kept.original_name, kept.size_bytes) == ("plan.pdf", len(big))
    assert _unreferenced(first) == set()  # the file it replaced is gone with the replacement

    download = on_second.get(f"/mijn-dossiers/{draft_id}/bijlagen/action_plan", buffered=False)
    assert download.status_code == 200 and download.is_streamed  # sent chunk by chunk
    assert int(download.headers["Content-Length"]) == len(big)
    assert "filename=plan.pdf" in download.headers["Content-Disposition"]
    assert hashlib.sha256(download.get_data()).hexdigest() == hashlib.sha256(big).hexdigest()
    download.close()
    with second.app_context():
        stored = db.session.scalar(
            select(StoredFile)
            .join(Attachment, Attachment.stored_name == StoredFile.name)
            .where(Attachment.application_id == draft_id, Attachment.kind == "action_plan")
        )
        assert (stored.chunk_count, stored.size_bytes) == (4, len(big))


def test_a_receipt_missing_from_the_store_is_an_error_and_never_made_again(machines):
    first, _second = machines
    with first.app_context():
        applicant = make_user("applicant")
        draft = complete_draft(applicant, open_call())
        db.session.commit()
        applicant_id, draft_id = applicant.id, draft.id
    client = _signed_in(first, applicant_id)
    token = csrf_token(client, f"/mijn-dossiers/{draft_id}/controleren")
    assert (
        client.post(
            f"/mijn-dossiers/{draft_id}/controleren", data={"csrf_token": token, "declaration": "y"}
        ).status_code
        == 302
    )
    receipt = client.get(f"/mijn-dossiers/{draft_id}/ontvangstbewijs.pdf")
    assert receipt.status_code == 200 and receipt.data.startswith(b"%PDF")
    with first.app_context():
        name = db.session.scalar(select(Submission.receipt_name).where(Submission.application_id == draft_id))
        db.session.execute(
            delete(StoredFileChunk).where(StoredFileChunk.file_name == name)
        )  # damage behind the portal's back
        db.session.commit()

    page = client.get(f"/mijn-dossiers/{draft_id}/ontvangstbewijs.pdf")
    assert page.status_code == 500 and "Een bestand ontbreekt" in page.get_data(as_text=True)
    with first.app_context():
        assert (
            db.session.scalar(select(Submission.receipt_name).where(Submission.application_id == draft_id)) == name
        )  # not replaced
        assert (
            db.session.scalar(
                select(func.count()).select_from(StoredFileChunk).where(StoredFileChunk.file_name == name)
            )
            == 0
        )
