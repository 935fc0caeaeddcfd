"""The applicant journey through the pages: each section, its errors, submitting, the receipt."""

import io
import re
from datetime import timedelta

from pypdf import PdfReader
from sqlalchemy import func, select

from portal.db import brussels_today, utcnow
from portal.models import Application, AuditEntry, Mentor, Submission
from tests.conftest import csrf_token, make_user, sign_in
from tests.factories import complete_draft, municipality, open_call, pdf_bytes


def start(client, db_session):
    call = open_call()
    db_session.commit()
    token = csrf_token(client, "/mijn-dossiers/nieuw")
    response = client.post("/mijn-dossiers/nieuw", data={"csrf_token": token, "call_id": str(call.id)})
    assert response.status_code == 302
    application_id = int(re.search(r"/mijn-dossiers/(\d+)", response.headers["Location"]).group(1))
    return call, application_id


def test_starting_in_a_closed_call_is_refused_in_dutch(client, db_session):
    from portal.models import Call

    sign_in(client, make_user("applicant"))
    open_call()
    closed = db_session.scalar(select(Call).where(Call.code == "ARM-2022"))
    token = csrf_token(client, "/mijn-dossiers/nieuw")
    response = client.post("/mijn-dossiers/nieuw", data={"csrf_token": token, "call_id": str(closed.id)})
    assert response.status_code == 400 and "Kies een oproep die open is" in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(Application)) == 0


def test_an_applicant_fills_in_every_section_and_submits(client, db_session):
    applicant = make_user("applicant")
    sign_in(client, applicant)
    call, app_id = start(client, db_session)
    base = f"/mijn-dossiers/{app_id}"
    page = client.get(base).get_data(as_text=True)
    # Parties start with the applicant as contact person: "in progress" from the start.
    assert page.count("Niet gestart") == 4 and page.count("Bezig") == 1 and "Nog niet mogelijk" in page

    # Parties: one wrong e-mail address; everything else is kept and saved.
    ronse = municipality("45041")
    token = csrf_token(client, f"{base}/partijen")
    parties = {
        "csrf_token": token, "receiving_organisation_id": str(ronse.id),
        "giving_contact_name": "An Aanvrager", "giving_contact_function": "Beleidsmedewerker",
        "giving_contact_email": "an@gent.be", "giving_contact_phone": "09 266 00 00",
        "receiving_contact_name": "Rik Ronse", "receiving_contact_function": "Diensthoofd",
        "receiving_contact_email": "rik-at-ronse", "receiving_contact_phone": "055 23 27 00", "save": "y",
    }  # fmt: skip
    response = client.post(f"{base}/partijen", data=parties)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Vul een geldig e-mailadres in" in page and 'value="rik-at-ronse"' in page
    application = db_session.get(Application, app_id)
    db_session.refresh(application)
    assert application.receiving_contact_name == "Rik Ronse"  # saved despite the error elsewhere
    parties["receiving_contact_email"] = "rik@ronse.be"
    assert client.post(f"{base}/partijen", data=parties).status_code == 302

    # Exchange: forgetting the themes is an error; the texts are kept.
    token = csrf_token(client, f"{base}/uitwisseling")
    exchange = {
        "csrf_token": token, "exchange_type": "mentoring", "rights": ["01", "08"],
        "approach": "Armoedeplan met de volledige cyclus", "need": "Een regierol opbouwen",
        "goals": "Een eigen armoedeplan", "participation": "Klankbordgroep", "embedding": "In het meerjarenplan", "save": "y",
    }  # fmt: skip
    page = client.post(f"{base}/uitwisseling", data=exchange).get_data(as_text=True)
    assert "Kies minstens één thema" in page and "Klankbordgroep" in page
    exchange["themes"] = ["lokale_regie", "participatie"]
    assert client.post(f"{base}/uitwisseling", data=exchange).status_code == 302

    # A mentor: a wage typed wrongly is shown again as typed.
    token = csrf_token(client, f"{base}/mentoren/nieuw")
    mentor = {
        "csrf_token": token, "full_name": "Mona Mentor", "function": "Beleidsmedewerker armoede",
        "years_experience": "12", "drew_up_plan": "yes", "plan_description": "Armoedeplan Gent 2020-2025",
        "plan_year": "2020", "themes": ["lokale_regie"], "monthly_wage": "vijfduizend",
        "time_share": "50", "start_on": ["1", "9", "2026"], "end_on": ["31", "12", "2026"], "save": "y",
    }  # fmt: skip
    response = client.post(f"{base}/mentoren/nieuw", data=mentor)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'value="vijfduizend"' in page
    assert "Vul een bedrag in euro in" in page
    saved = db_session.scalars(select(Mentor).where(Mentor.application_id == app_id)).all()
    assert [m.full_name for m in saved] == ["Mona Mentor"]  # saved once, not lost
    action = re.search(r'<form method="post" action="([^"]*/mentoren/\d+)"', page).group(1)
    mentor["monthly_wage"] = "5.400,00"
    assert client.post(action, data=mentor).status_code == 302
    assert db_session.scalar(select(func.count()).select_from(Mentor).where(Mentor.application_id == app_id)) == 1

    # Budget: the compensation is computed, line by line; the IBAN is checked.
    page = client.get(f"{base}/budget").get_data(as_text=True)
    assert 'data-figure="requested">EUR\u00a05.400,00<' in page
    assert "4,00" in page and "50\u00a0%" in page and "Maanden tellen per kalendermaand" in page
    token = csrf_token(client, f"{base}/budget")
    page = client.post(f"{base}/budget", data={"csrf_token": token, "iban": "BE00 1234", "save": "y"}).get_data(
        as_text=True
    )
    assert "Dit is geen geldig IBAN-rekeningnummer" in page
    assert (
        client.post(
            f"{base}/budget", data={"csrf_token": token, "iban": "be68 5390 0754 7034", "save": "y"}
        ).status_code
        == 302
    )

    # Attachments: by content, not by name.
    for kind in ("action_plan", "agreement"):
        token = csrf_token(client, f"{base}/bijlagen")
        response = client.post(
            f"{base}/bijlagen",
            data={"csrf_token": token, f"{kind}-csrf_token": token, f"{kind}-upload": "y",
                  f"{kind}-document": (io.BytesIO(pdf_bytes()), f"{kind}.pdf")},
            content_type="multipart/form-data",
        )  # fmt: skip
        assert response.status_code == 302, response.get_data(as_text=True)[:300]

    page = client.get(base).get_data(as_text=True)
    assert page.count("Voltooid") == 5 and "Klaar om in te dienen" in page

    # Check, declare, submit.
    token = csrf_token(client, f"{base}/controleren")
    page = client.post(f"{base}/controleren", data={"csrf_token": token}).get_data(as_text=True)
    assert "Bevestig de verklaring om de aanvraag in te dienen" in page
    response = client.post(f"{base}/controleren", data={"csrf_token": token, "declaration": "y"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{base}/bevestiging")
    page = client.get(f"{base}/bevestiging").get_data(as_text=True)
    year = call.opens_at.year
    assert f"{call.reference_prefix}-{year}-0001" in page
    assert re.search(r"data-queue-position>1<", page)

    # The receipt: a real PDF with the answers, the breakdown, the moment and the hash.
    receipt = client.get(f"{base}/ontvangstbewijs.pdf")
    assert receipt.mimetype == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(receipt.data)).pages)
    submission = db_session.scalar(select(Submission).where(Submission.application_id == app_id))
    assert f"{call.reference_prefix}-{year}-0001" in text
    assert submission.content_sha256 in text.replace("\n", "")
    assert "5.400,00" in text and "Mona Mentor" in text and "Ronse" in text
    assert "Brusselse tijd" in text

    # Nothing can be changed any more.
    assert client.get(f"{base}/partijen").status_code == 302
    assert db_session.scalar(select(AuditEntry).where(AuditEntry.action == "application.submitted")) is not None


def test_a_second_submit_of_the_same_draft_does_not_submit_again(client, db_session):
    applicant = make_user("applicant")
    sign_in(client, applicant)
    application = complete_draft(applicant, open_call())
    db_session.commit()
    base = f"/mijn-dossiers/{application.id}"
    token = csrf_token(client, f"{base}/controleren")
    first = client.post(f"{base}/controleren", data={"csrf_token": token, "declaration": "y"})
    second = client.post(f"{base}/controleren", data={"csrf_token": token, "declaration": "y"})
    assert first.headers["Location"] == second.headers["Location"]
    assert (
        db_session.scalar(
            select(func.count()).select_from(Submission).where(Submission.application_id == application.id)
        )
        == 1
    )


def test_a_submit_after_the_closing_moment_is_refused_with_the_closing_date(client, db_session):
    applicant = make_user("applicant")
    sign_in(client, applicant)
    call = open_call()
    application = complete_draft(applicant, call)
    db_session.commit()
    base = f"/mijn-dossiers/{application.id}"
    token = csrf_token(client, f"{base}/controleren")
    # The call closed one second ago. The submission's moment is the database's clock, which no test
    # can move: the call's closing moment is moved instead.
    call.closes_at = utcnow() - timedelta(seconds=1)
    db_session.commit()
    response = client.post(f"{base}/controleren", data={"csrf_token": token, "declaration": "y"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "De oproep is afgesloten. Indienen kon tot en met" in page
    from portal.i18n import moment

    with client.application.test_request_context():
        assert moment(call.closes_at) in page  # e.g. "22 december 2026 om 23:59:59"
    db_session.refresh(application)
    assert application.state == "draft"


def test_a_submit_before_the_call_opens_says_when_it_opens(client, db_session):
    applicant = make_user("applicant")
    sign_in(client, applicant)
    today = brussels_today()
    call = open_call("ARM-LATER", opens_on=today + timedelta(days=5), closes_on=today + timedelta(days=50))
    application = complete_draft(applicant, call)
    db_session.commit()
    base = f"/mijn-dossiers/{application.id}"
    token = csrf_token(client, f"{base}/controleren")
    page = client.post(f"{base}/controleren", data={"csrf_token": token, "declaration": "y"}).get_data(as_text=True)
    assert "De oproep is nog niet open. U kunt indienen vanaf" in page


def test_an_incomplete_draft_says_which_sections_are_missing(client, db_session):
    applicant = make_user("applicant")
    sign_in(client, applicant)
    application = complete_draft(applicant, open_call())
    application.iban = None
    application.attachments.clear()
    db_session.commit()
    page = client.get(f"/mijn-dossiers/{application.id}/controleren").get_data(as_text=True)
    assert "Vul eerst deze onderdelen volledig in: Budget, Bijlagen." in page


def test_a_new_government_is_told_how_it_works_and_drafts_are_named_after_their_partner(client, db_session):
    from portal.services import drafts

    applicant = make_user("applicant")
    sign_in(client, applicant)
    page = client.get("/mijn-dossiers/").get_data(as_text=True)
    first_visit = re.search(r"data-first-visit>(.*?)</div>", page, re.S).group(1)
    assert "Zo werkt het" in first_visit and "/mijn-dossiers/samenwerking" in first_visit  # points to matchmaking

    call = open_call()
    with_partner = complete_draft(applicant, call, receiving_nis="45041")
    drafts.start(call, applicant, utcnow())  # a second draft, no partner chosen yet
    db_session.commit()
    page = client.get("/mijn-dossiers/").get_data(as_text=True)
    assert "data-first-visit" not in page
    giving = re.search(r'data-table="giving"(.*?)</table>', page, re.S).group(1)
    assert f"Concept met {with_partner.receiving_organisation.name}" in giving
    assert re.search(r"Concept van \d+ \w+ \d{4} om \d{2}:\d{2}", giving)  # the moment it was started
