"""A PDF with active content (a script, a launched program, an embedded file) is refused at every upload
route with a clear message, Dutch first and English on request: never an error page, nothing stored,
what was there before stays."""

from __future__ import annotations

import io

from pypdf import PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import NameObject
from sqlalchemy import func, select

from portal.models import ReportDocument, StoredFile
from tests.conftest import csrf_token, make_user, sign_in
from tests.factories import complete_draft, granted_dossier, municipality, open_call, payout_people

DUTCH = "Het PDF-bestand bevat actieve inhoud, zoals JavaScript, een opdracht die een programma start of een ingesloten bestand."
ENGLISH = (
    "The PDF file contains active content, such as JavaScript, a command that starts a program or an embedded file."
)


def with_script() -> bytes:
    """A one-page PDF that runs JavaScript as soon as it is opened."""
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.root_object[NameObject("/OpenAction")] = JavaScript("app.alert('hallo');")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def with_embedded_file() -> bytes:
    """A one-page PDF carrying a program as an embedded file."""
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_attachment("factuur.exe", b"MZ\x90\x00")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def stored_files(db_session) -> int:
    return db_session.scalar(select(func.count()).select_from(StoredFile))


def upload_attachment(client, application_id, data):
    path = f"/mijn-dossiers/{application_id}/bijlagen"
    token = csrf_token(client, path)
    return client.post(
        path,
        data={
            "csrf_token": token,
            "action_plan-csrf_token": token,
            "action_plan-upload": "y",
            "action_plan-document": (io.BytesIO(data), "actieplan.pdf"),
        },
        content_type="multipart/form-data",
    )


def test_an_attachment_with_a_script_is_refused_in_dutch_and_the_earlier_one_stays(client, db_session):
    applicant = make_user("applicant")
    sign_in(client, applicant)
    draft = complete_draft(applicant, open_call())
    db_session.commit()
    before, files_before = draft.attachment("action_plan").sha256, stored_files(db_session)

    response = upload_attachment(client, draft.id, with_script())

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert DUTCH in page and "Er is een probleem" in page
    db_session.refresh(draft)
    assert draft.attachment("action_plan").sha256 == before
    assert stored_files(db_session) == files_before


def test_an_attachment_with_an_embedded_file_is_refused_in_english_for_an_english_user(client, db_session):
    applicant = make_user("applicant", locale="en")
    sign_in(client, applicant)
    draft = complete_draft(applicant, open_call())
    db_session.commit()
    before, files_before = draft.attachment("action_plan").sha256, stored_files(db_session)

    response = upload_attachment(client, draft.id, with_embedded_file())

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert ENGLISH in page and DUTCH not in page
    db_session.refresh(draft)
    assert draft.attachment("action_plan").sha256 == before
    assert stored_files(db_session) == files_before


def test_a_report_document_with_a_script_is_refused_and_the_report_text_stays(app, db_session):
    applicant = make_user("applicant", organisation=municipality("44021"))
    dossier = granted_dossier(payout_people(), applicant=applicant)
    db_session.commit()
    client = app.test_client()
    sign_in(client, applicant)
    report_url = f"/mijn-dossiers/{dossier.id}/eindrapport"
    token = csrf_token(client, report_url)
    assert (
        client.post(report_url, data={"csrf_token": token, "achievements": "De regierol is verankerd."}).status_code
        == 302
    )
    files_before = stored_files(db_session)

    response = client.post(
        f"{report_url}/bewijsstukken",
        data={"csrf_token": token, "upload": "1", "document": (io.BytesIO(with_script()), "loonfiches.pdf")},
        content_type="multipart/form-data",
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert DUTCH in page and "De regierol is verankerd." in page
    assert db_session.scalar(select(func.count()).select_from(ReportDocument)) == 0
    assert stored_files(db_session) == files_before
