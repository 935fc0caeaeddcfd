"""Input no field can hold is a message at its field, never a 500; a number no row can have is a 404 in an
address and a message in a form; signed-in pages and downloads are not kept by the browser."""

import pytest
from sqlalchemy import select

from portal.models import Application, Organisation
from portal.services import eligibility, reviews
from portal.services.seed import sample_offer
from tests.conftest import csrf_token, make_user, sign_in
from tests.factories import complete_draft, open_call, submitted_dossier

CONTROL_MESSAGE = "onzichtbaar stuurteken"


@pytest.mark.parametrize("hostile", ["Jan\x00Peeters", "Jan\x07Peeters", "Jan\x1bPeeters", "Jan\x85Peeters"])
def test_a_control_character_in_a_section_is_refused_at_its_field_and_the_rest_is_kept(app, db_session, hostile):
    applicant = make_user("applicant")
    draft = complete_draft(applicant, open_call())
    db_session.commit()
    browser = app.test_client()
    sign_in(browser, applicant)
    path = f"/mijn-dossiers/{draft.id}/partijen"
    response = browser.post(
        path,
        data={
            "csrf_token": csrf_token(browser, path),
            "receiving_organisation_id": str(draft.receiving_organisation_id),
            "giving_contact_name": hostile,
            "giving_contact_function": "Beleidsmedewerker armoede",
            "giving_contact_email": "jan@example.be",
            "giving_contact_phone": "+32 9 123 45 67",
            "receiving_contact_name": "An Claes",
            "receiving_contact_function": "Diensthoofd",
            "receiving_contact_email": "an@example.be",
            "receiving_contact_phone": "+32 55 12 34 56",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert CONTROL_MESSAGE in page
    db_session.expire_all()
    kept = db_session.get(Application, draft.id)
    assert kept.giving_contact_name != hostile  # the refused value is not stored ...
    assert kept.giving_contact_function == "Beleidsmedewerker armoede"  # ... the accepted ones are


def test_a_control_character_in_a_long_text_is_refused_in_english_too(app, db_session):
    applicant = make_user("applicant", locale="en")
    draft = complete_draft(applicant, open_call())
    db_session.commit()
    browser = app.test_client()
    sign_in(browser, applicant)
    path = f"/mijn-dossiers/{draft.id}/uitwisseling"
    response = browser.post(
        path, data={"csrf_token": csrf_token(browser, path), "approach": "Onze aanpak\x00", "save_draft": "y"}
    )
    assert response.status_code == 400
    assert "invisible control character" in response.get_data(as_text=True)
    db_session.expire_all()
    assert "\x00" not in db_session.get(Application, draft.id).approach


def test_searches_with_control_characters_answer_normally(app, db_session):
    officer, admin = make_user("officer"), make_user("admin")
    browser = app.test_client()
    sign_in(browser, officer)
    assert browser.get("/behandeling/dossiers?zoek=a%00b%1b").status_code == 200
    browser = app.test_client()
    sign_in(browser, admin)
    page = browser.get("/beheer/organisaties?q=Gen%00t")
    assert page.status_code == 200
    assert "Gent" in page.get_data(as_text=True)  # the term is searched without the control character
    assert db_session.scalar(select(Organisation).where(Organisation.name == "Gent")) is not None


@pytest.mark.parametrize("number", ["0", "2147483648", "99999999999999999999", "18446744073709551616"])
def test_an_id_no_row_can_have_is_a_404(app, db_session, number):
    officer = make_user("officer")
    browser = app.test_client()
    sign_in(browser, officer)
    assert browser.get(f"/behandeling/dossiers/{number}").status_code == 404
    assert browser.get(f"/behandeling/rapportering?oproep={number}").status_code == 404


def test_the_largest_id_a_row_can_have_still_reaches_the_route(app, db_session):
    officer = make_user("officer")
    browser = app.test_client()
    sign_in(browser, officer)
    response = browser.get("/behandeling/dossiers/2147483647")
    assert response.status_code == 404  # no such dossier: the route answered, not the router
    assert "Pagina niet gevonden" in response.get_data(as_text=True)


def test_a_call_code_with_a_nul_is_a_404_not_a_database_error(app, db_session):
    browser = app.test_client()
    assert browser.get("/oproepen/%00").status_code == 404
    assert browser.get("/oproepen/ARM-2022%00").status_code == 404
    assert browser.get("/oproepen/ARM-2022").status_code == 200


def test_id_zero_names_no_mentor_and_starts_no_new_one(app, db_session):
    applicant = make_user("applicant")
    draft = complete_draft(applicant, open_call())
    db_session.commit()
    browser = app.test_client()
    sign_in(browser, applicant)
    path = f"/mijn-dossiers/{draft.id}/mentoren"
    token = csrf_token(browser, path)
    assert browser.get(f"{path}/0").status_code == 404
    mentors = len(draft.mentors)
    assert (
        browser.post(f"{path}/0", data={"csrf_token": token, "full_name": "Nieuw", "save_draft": "y"}).status_code
        == 404
    )
    db_session.expire_all()
    assert len(db_session.get(Application, draft.id).mentors) == mentors


@pytest.mark.parametrize("number", ["2147483648", "99999999999999999999"])
def test_a_posted_call_no_row_can_have_is_a_message_at_its_field(app, db_session, number):
    applicant = make_user("applicant")
    open_call()
    db_session.commit()
    browser = app.test_client()
    sign_in(browser, applicant)
    token = csrf_token(browser, "/mijn-dossiers/nieuw")
    response = browser.post("/mijn-dossiers/nieuw", data={"csrf_token": token, "call_id": number})
    assert response.status_code == 400
    assert "Kies een oproep die open is" in response.get_data(as_text=True)


@pytest.mark.parametrize("posted", ["2147483648", "99999999999999999999", "²", "①"])
def test_a_posted_reviewer_no_row_can_have_is_refused_at_its_field(app, db_session, posted):
    officer = make_user("officer")
    dossier = submitted_dossier(open_call())
    eligibility.declare_eligible(dossier.id, officer)
    db_session.commit()
    browser = app.test_client()
    sign_in(browser, officer)
    token = csrf_token(browser, f"/behandeling/dossiers/{dossier.id}")
    response = browser.post(
        f"/behandeling/dossiers/{dossier.id}/beoordelaars", data={"csrf_token": token, "reviewers": posted}
    )
    assert response.status_code == 400
    assert reviews.reviews_of(db_session.get(Application, dossier.id)) == []


@pytest.mark.parametrize("posted", ["²", "①"])
def test_a_digit_that_is_no_number_removes_no_profile(app, db_session, posted):
    applicant = make_user("applicant")
    offer = sample_offer(applicant, ["lokale_regie"])
    db_session.commit()
    browser = app.test_client()
    sign_in(browser, applicant)
    path = f"/mijn-dossiers/samenwerking/aanbod/{offer.id}"
    response = browser.post(
        path, data={"csrf_token": csrf_token(browser, path), "remove_profile": posted, "profiles-0-full_name": "Mona"}
    )
    assert response.status_code == 400  # the page again, with what to correct


@pytest.mark.parametrize("signed_in", [True, False], ids=["signed in", "session expired"])
def test_a_multipart_post_with_a_nameless_part_is_a_bad_request(app, db_session, signed_in):
    applicant = make_user("applicant")
    db_session.commit()
    browser = app.test_client()
    sign_in(browser, applicant)
    path = "/mijn-dossiers/samenwerking/aanbod/nieuw"  # a form with a list of sub-forms, and one that keeps input
    token = csrf_token(browser, path)
    if not signed_in:
        with browser.session_transaction() as session:
            session["_user_id"] = "verlopen"
    boundary = "grens"
    parts = [("", "zonder naam"), ('; name="csrf_token"', token), ('; name="profiles-0-full_name"', "Mona")]
    body = "".join(f"--{boundary}\r\nContent-Disposition: form-data{name}\r\n\r\n{value}\r\n" for name, value in parts)
    response = browser.post(
        path, data=f"{body}--{boundary}--\r\n".encode(), content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 400


def test_signed_in_pages_and_downloads_are_not_stored_but_public_pages_and_assets_may_be(app, db_session):
    applicant = make_user("applicant")
    draft = complete_draft(applicant, open_call())
    db_session.commit()
    browser = app.test_client()
    assert "no-store" not in browser.get("/").headers.get("Cache-Control", "")
    sign_in(browser, applicant)
    assert browser.get(f"/mijn-dossiers/{draft.id}").headers["Cache-Control"] == "no-store"
    assert browser.get("/mijn-dossiers/").headers["Cache-Control"] == "no-store"
    assert "no-store" not in browser.get("/static/css/portal.css").headers.get("Cache-Control", "")
    attachment = browser.get(f"/mijn-dossiers/{draft.id}/bijlagen/action_plan")
    assert attachment.status_code == 200 and attachment.mimetype == "application/pdf"
    assert attachment.headers["Cache-Control"] == "no-store"
