"""Receipts and decision letters are made once and kept, and no GET writes one: a document the worker
has not made yet is offered as a button whose POST makes, keeps and sends it."""

import io

from pypdf import PdfReader

from portal.extensions import db
from portal.services import decisions
from tests.conftest import csrf_token, make_user, sign_in
from tests.factories import granted_dossier, open_call, payout_people, submitted_dossier


def test_a_receipt_not_made_yet_is_offered_as_a_button_and_made_once_by_its_post(client):
    applicant = make_user("applicant")
    dossier = submitted_dossier(open_call(), applicant=applicant)  # through the service: no worker ran
    submission = dossier.latest_submission
    db.session.commit()
    sign_in(client, applicant)
    url = f"/mijn-dossiers/{dossier.id}/ontvangstbewijs.pdf"

    page = client.get(url)
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "Maken en downloaden" in page.get_data(as_text=True)
    db.session.refresh(submission)
    assert submission.receipt_name is None  # the GET made nothing

    made = client.post(url, data={"csrf_token": csrf_token(client, url)})
    assert made.status_code == 200 and made.mimetype == "application/pdf"
    assert dossier.reference in PdfReader(io.BytesIO(made.data)).pages[0].extract_text()
    db.session.refresh(submission)
    assert submission.receipt_name is not None

    again = client.get(url)
    assert again.mimetype == "application/pdf" and again.data == made.data  # the kept one, byte for byte


def test_the_documents_post_needs_its_csrf_token(client):
    applicant = make_user("applicant")
    dossier = submitted_dossier(open_call(), applicant=applicant)
    db.session.commit()
    sign_in(client, applicant)
    refused = client.post(f"/mijn-dossiers/{dossier.id}/ontvangstbewijs.pdf", data={})
    assert refused.status_code == 400
    db.session.refresh(dossier.latest_submission)
    assert dossier.latest_submission.receipt_name is None


def test_a_decision_letter_is_read_by_get_and_made_by_post_for_applicant_and_officer(client):
    people = payout_people()
    dossier = granted_dossier(people)
    db.session.commit()
    assert decisions.stored_letter(dossier) is None
    sign_in(client, people["officer"])
    officer_url = f"/behandeling/dossiers/{dossier.id}/beslissing.pdf"
    assert client.get(officer_url).mimetype == "text/html"
    assert decisions.stored_letter(dossier) is None
    letter = client.post(officer_url, data={"csrf_token": csrf_token(client, officer_url)})
    assert letter.mimetype == "application/pdf"

    applicant_client = client.application.test_client()
    sign_in(applicant_client, make_user("applicant"))  # of the giving government, as the factory's
    applicant_copy = applicant_client.get(f"/mijn-dossiers/{dossier.id}/beslissing.pdf")
    assert applicant_copy.mimetype == "application/pdf" and applicant_copy.data == letter.data


def test_the_receipt_names_themes_and_fundamental_rights_in_the_readers_language(client):
    applicant = make_user("applicant", locale="en")
    dossier = submitted_dossier(open_call(), applicant=applicant)  # themes lokale_regie, participatie; rights 01, 08
    db.session.commit()
    sign_in(client, applicant)
    url = f"/mijn-dossiers/{dossier.id}/ontvangstbewijs.pdf"
    made = client.post(url, data={"csrf_token": csrf_token(client, url)})
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(made.data)).pages)
    assert "Participation" in text and "Housing" in text  # rights 01 and 08, by name
    assert "01, 08" not in text and "Participatie" not in text
