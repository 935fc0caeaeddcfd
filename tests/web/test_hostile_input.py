"""Input no field can hold is a message at its field, never a 500; a number no row can have is a 404;
signed-in pages and downloads are not kept by the browser."""

import pytest
from sqlalchemy import select

from portal.models import Application, Organisation
from tests.conftest import csrf_token, make_user, sign_in
from tests.factories import complete_draft, open_call

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
    response = browser.post(path, data={"csrf_token": csrf_token(browser, path), "approach": "Onze aanpak\x00", "save_draft": "y"})
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
