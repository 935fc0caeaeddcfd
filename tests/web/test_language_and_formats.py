"""Dutch (nl-BE) first, English on request; Belgian dates and amounts."""

from datetime import UTC, date, datetime

from flask_babel import force_locale

from portal.i18n import day, eur, moment
from tests.conftest import csrf_token, make_user, sign_in


def test_amounts_and_dates_are_written_the_belgian_way(app):
    with app.test_request_context(), force_locale("nl_BE"):
        assert eur(5_000_000) == "EUR\u00a050.000,00"
        assert eur(540_000) == "EUR\u00a05.400,00"
        assert eur(1) == "EUR\u00a00,01"
        assert day(date(2022, 10, 31)) == "31 oktober 2022"
        # 22:59:59 UTC on 31 October 2022 is 23:59:59 in Brussels (winter time).
        assert moment(datetime(2022, 10, 31, 22, 59, 59, tzinfo=UTC)) == "31 oktober 2022 om 23:59:59"
        assert day(datetime(2022, 6, 13, 22, 0, tzinfo=UTC)) == "14 juni 2022"


def test_english_users_see_english_formats(app):
    with app.test_request_context(), force_locale("en"):
        assert eur(5_000_000) == "EUR\u00a050,000.00"
        assert day(date(2022, 10, 31)) == "31 October 2022"


def test_the_portal_is_dutch_by_default(client):
    page = client.get("/oproepen/ARM-2022").get_data(as_text=True)
    assert '<html lang="nl"' in page
    assert "Aanvragen tot en met" in page and "31 oktober 2022 om 23:59:59" in page
    assert "EUR\u00a0250.000,00" in page


def test_a_visitor_switches_to_english_and_back(client):
    token = csrf_token(client, "/")
    response = client.post("/taal", data={"csrf_token": token, "language": "en", "next": "/oproepen/ARM-2022"})
    assert response.headers["Location"].endswith("/oproepen/ARM-2022")
    page = client.get("/oproepen/ARM-2022").get_data(as_text=True)
    assert '<html lang="en"' in page
    assert "Sign in" in page and "31 October 2022" in page and "EUR\u00a0250,000.00" in page
    client.post("/taal", data={"csrf_token": token, "language": "nl", "next": "/"})
    assert "Inloggen" in client.get("/").get_data(as_text=True)


def test_a_signed_in_users_choice_is_kept_on_their_account(client, db_session):
    user = make_user("applicant")
    sign_in(client, user)
    token = csrf_token(client, "/account/")
    response = client.post("/account/taal", data={"csrf_token": token, "language": "en"})
    assert response.status_code == 302
    db_session.refresh(user)
    assert user.locale == "en"
    assert "My applications" in client.get("/mijn-dossiers/").get_data(as_text=True)


def test_an_unknown_language_is_ignored(client):
    token = csrf_token(client, "/")
    client.post("/taal", data={"csrf_token": token, "language": "fr", "next": "/"})
    assert '<html lang="nl"' in client.get("/").get_data(as_text=True)


def test_the_language_switch_only_redirects_within_the_portal(client):
    token = csrf_token(client, "/")
    response = client.post("/taal", data={"csrf_token": token, "language": "en", "next": "https://evil.example/"})
    assert response.headers["Location"] in ("/", "http://portal.test/")
