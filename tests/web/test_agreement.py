"""The cooperation agreement: made from the application on request for both governments (404 for any
other), and the signed copy's digital signature read and shown, never required."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from portal.extensions import db
from portal.models import Attachment
from portal.services import applications
from tests.conftest import csrf_token, make_user, sign_in
from tests.factories import complete_draft, digitally_signed, municipality, open_call, pdf_bytes


def _text(data: bytes) -> str:
    """The PDF's words, whatever line their table cell wrapped them onto."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def _upload(client, base: str, kind: str, data: bytes, name: str = "overeenkomst.pdf"):
    token = csrf_token(client, f"{base}/bijlagen")
    return client.post(
        f"{base}/bijlagen",
        data={"csrf_token": token, f"{kind}-csrf_token": token, f"{kind}-upload": "y",
              f"{kind}-document": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )  # fmt: skip


def test_the_giving_government_downloads_its_drafts_agreement_with_parties_mentors_and_compensation(client):
    applicant = make_user("applicant")  # Gent (44021), the giving government
    draft = complete_draft(applicant, open_call())  # to Ronse (45041): EUR 5.400 a month, half-time, four months
    db.session.commit()
    sign_in(client, applicant)

    response = client.get(f"/mijn-dossiers/{draft.id}/overeenkomst.pdf")

    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    text = _text(response.data)
    assert "Gent" in text and "44021" in text and "Ronse" in text and "45041" in text
    assert "Mona Mentor" in text and "Beleidsmedewerker armoede" in text
    # 50% of EUR 5.400 a month x 50% time x 4 months = EUR 5.400, for the one mentor and in total.
    assert text.count("5.400,00") >= 2
    assert "00_04_10" in text  # the action of the Flemish Action Plan the call serves
    assert "Handtekening" in text and "Voor het ontvangend bestuur" in text
    assert "eindverslag" in text


def test_the_receiving_government_gets_the_agreement_once_submitted_and_another_government_never(client):
    applicant = make_user("applicant")
    draft = complete_draft(applicant, open_call())
    partner = make_user("applicant", organisation=municipality("45041"))
    stranger = make_user("applicant", organisation=municipality("37022"))
    db.session.commit()
    url = f"/mijn-dossiers/{draft.id}/overeenkomst.pdf"

    sign_in(client, partner)
    assert client.get(url).status_code == 404  # a draft is the giving government's own
    applications.submit(draft.id, applicant, declared=True)
    db.session.commit()
    received = client.get(url)
    assert received.status_code == 200 and received.mimetype == "application/pdf"
    assert draft.reference in _text(received.data) and "Mona Mentor" in _text(received.data)
    dossier_page = client.get(f"/mijn-dossiers/{draft.id}").get_data(as_text=True)
    assert "Download de overeenkomst om te ondertekenen" in dossier_page

    stranger_client = client.application.test_client()
    sign_in(stranger_client, stranger)
    assert stranger_client.get(url).status_code == 404


def test_the_attachments_page_links_the_agreement_to_sign(client):
    applicant = make_user("applicant")
    draft = complete_draft(applicant, open_call())
    db.session.commit()
    sign_in(client, applicant)
    page = client.get(f"/mijn-dossiers/{draft.id}/bijlagen").get_data(as_text=True)
    assert "Download de overeenkomst om te ondertekenen" in page
    assert f"/mijn-dossiers/{draft.id}/overeenkomst.pdf" in page


def test_an_unsigned_agreement_is_taken_and_said_to_carry_no_digital_signature(client):
    applicant = make_user("applicant")
    draft = complete_draft(applicant, open_call())
    db.session.commit()
    sign_in(client, applicant)
    base = f"/mijn-dossiers/{draft.id}"

    assert _upload(client, base, "agreement", pdf_bytes()).status_code == 302

    page = client.get(f"{base}/bijlagen").get_data(as_text=True)
    assert "Geen digitale handtekening gevonden (een ingescande handtekening is ook goed)" in page
    assert "Digitaal ondertekend" not in page
    attachment = db.session.scalar(db.select(Attachment).filter_by(application_id=draft.id, kind="agreement"))
    assert attachment.signature_status == "unsigned" and attachment.signer_names == ""


def test_a_digitally_signed_agreement_is_said_signed_with_its_signers_name_to_both_sides_and_the_officer(client):
    applicant = make_user("applicant")
    draft = complete_draft(applicant, open_call())
    officer = make_user("officer")
    db.session.commit()
    sign_in(client, applicant)
    base = f"/mijn-dossiers/{draft.id}"
    signed = digitally_signed(client.get(f"{base}/overeenkomst.pdf").data, "Jan Peeters")

    assert _upload(client, base, "agreement", signed, "overeenkomst-ondertekend.pdf").status_code == 302

    said = "Digitaal ondertekend (door Jan Peeters)"
    assert said in client.get(f"{base}/bijlagen").get_data(as_text=True)
    assert said in client.get(f"{base}/controleren").get_data(as_text=True)
    attachment = db.session.scalar(db.select(Attachment).filter_by(application_id=draft.id, kind="agreement"))
    assert attachment.signature_status == "signed" and attachment.signers == ["Jan Peeters"]
    # The action plan is no agreement: nothing is said about its signatures.
    assert _upload(client, base, "action_plan", digitally_signed(pdf_bytes(), "Jan Peeters")).status_code == 302
    assert client.get(f"{base}/bijlagen").get_data(as_text=True).count(said) == 1

    applications.submit(draft.id, applicant, declared=True)
    db.session.commit()
    officer_client = client.application.test_client()
    sign_in(officer_client, officer)
    assert said in officer_client.get(f"/behandeling/dossiers/{draft.id}").get_data(as_text=True)


def test_an_agreement_the_signature_reader_cannot_read_is_still_taken_as_unknown(client, monkeypatch):
    from pyhanko.pdf_utils import reader
    from pyhanko.pdf_utils.misc import PdfReadError

    def unreadable(*arguments, **keywords):
        raise PdfReadError("cannot read")

    monkeypatch.setattr(reader, "PdfFileReader", unreadable)  # the portal loads pyHanko's reader on first use
    applicant = make_user("applicant")
    draft = complete_draft(applicant, open_call())
    db.session.commit()
    sign_in(client, applicant)
    base = f"/mijn-dossiers/{draft.id}"

    assert _upload(client, base, "agreement", pdf_bytes()).status_code == 302

    page = client.get(f"{base}/bijlagen").get_data(as_text=True)
    assert "We konden niet nagaan of het bestand digitaal ondertekend is" in page
    attachment = db.session.scalar(db.select(Attachment).filter_by(application_id=draft.id, kind="agreement"))
    assert attachment.signature_status == "unknown"


@pytest.mark.parametrize("data", [b"%PDF-1.7\n%garbage", b"not a pdf at all"])
def test_reading_signatures_never_raises(app, data):
    from portal.services.agreements import read_signatures
    from workflows.agreement import SignatureStatus

    assert read_signatures(data).status is SignatureStatus.UNKNOWN
