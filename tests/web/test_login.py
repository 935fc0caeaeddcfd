"""Signing in: clear Dutch messages, throttling, two-step login for staff, revocation on logout."""

import re

import pyotp
import pytest

from portal.models import AuditEntry
from tests.conftest import PASSWORD, csrf_token, make_user, sign_in

WRONG = "Het e-mailadres of het wachtwoord klopt niet"


def login(client, email, password, **extra):
    token = csrf_token(client, "/inloggen")
    return client.post("/inloggen", data={"csrf_token": token, "email": email, "password": password, **extra})


def test_an_applicant_signs_in_and_lands_on_their_dossiers(client):
    user = make_user("applicant")
    response = login(client, user.email, PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/mijn-dossiers/")
    page = client.get("/mijn-dossiers/").get_data(as_text=True)
    assert "Mijn dossiers" in page and "Gent" in page


def test_a_wrong_password_gets_a_clear_dutch_message_and_keeps_the_email(client):
    user = make_user("applicant")
    response = login(client, user.email, "niet-het-wachtwoord")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert WRONG in page
    assert "Er is een probleem" in page  # the error summary at the top
    assert f'value="{user.email}"' in page  # what was typed is kept
    assert 'href="#password"' in page  # the summary links to the field


def test_an_unknown_email_gets_the_same_message_so_accounts_do_not_leak(client):
    response = login(client, "niemand@nergens.be", "wat-dan-ook")
    assert response.status_code == 400
    assert WRONG in response.get_data(as_text=True)


def test_empty_and_malformed_input_get_field_messages(client):
    page = login(client, "", "").get_data(as_text=True)
    assert "Vul uw e-mailadres in" in page and "Vul uw wachtwoord in" in page
    page = login(client, "geen-adres", "x").get_data(as_text=True)
    assert "Vul een geldig e-mailadres in" in page


def test_failed_attempts_on_one_account_are_throttled(client):
    user = make_user("applicant")
    for _ in range(5):
        assert login(client, user.email, "fout").status_code == 400
    response = login(client, user.email, PASSWORD)
    assert response.status_code == 429
    assert "Te veel pogingen" in response.get_data(as_text=True)
    # Another account from the same address is not locked by these failures.
    other = make_user("applicant")
    assert login(client, other.email, PASSWORD).status_code == 302


def test_successful_logins_do_not_count_against_the_account(client):
    user = make_user("applicant")
    for _ in range(7):
        assert login(client, user.email, PASSWORD).status_code == 302
        client.post("/uitloggen", data={"csrf_token": csrf_token(client, "/account/")})


def test_many_attempts_from_one_address_are_throttled(app, client):
    limit = int(app.config["LOGIN_LIMIT_PER_IP"].split()[0])
    statuses = [login(client, f"iemand{n}@example.be", "fout").status_code for n in range(limit + 1)]
    assert statuses[:limit] == [400] * limit
    assert statuses[-1] == 429


def test_staff_sign_in_with_a_second_step(client):
    officer = make_user("officer")
    response = login(client, officer.email, PASSWORD)
    assert response.headers["Location"].endswith("/inloggen/code")
    assert client.get("/behandeling/").status_code == 302  # not signed in yet
    token = csrf_token(client, "/inloggen/code")
    wrong = client.post("/inloggen/code", data={"csrf_token": token, "code": "000000"})
    assert wrong.status_code == 400
    assert "Deze code klopt niet" in wrong.get_data(as_text=True)
    code = pyotp.TOTP(officer.totp_secret).now()
    response = client.post("/inloggen/code", data={"csrf_token": token, "code": code})
    assert response.status_code == 302 and response.headers["Location"].endswith("/behandeling/")
    assert client.get("/behandeling/").status_code == 200


def test_staff_without_an_authenticator_must_set_one_up_first(client, db_session):
    admin = make_user("admin", two_step=False)
    response = login(client, admin.email, PASSWORD)
    assert response.headers["Location"].endswith("/inloggen/tweestapsverificatie-instellen")
    page = client.get("/inloggen/tweestapsverificatie-instellen").get_data(as_text=True)
    assert "<svg" in page  # the QR code, drawn on the server
    secret = re.search(r"data-totp-secret>([A-Z2-7]+)<", page).group(1)
    token = csrf_token(client, "/inloggen/tweestapsverificatie-instellen")
    response = client.post(
        "/inloggen/tweestapsverificatie-instellen", data={"csrf_token": token, "code": pyotp.TOTP(secret).now()}
    )
    assert response.headers["Location"].endswith("/beheer/gebruikers")
    db_session.refresh(admin)
    assert admin.has_two_step and admin.totp_secret == secret


def test_logout_revokes_the_session_on_the_server(client, app):
    user = make_user("applicant")
    assert login(client, user.email, PASSWORD).status_code == 302
    stolen_cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"], domain="portal.test").value
    client.post("/uitloggen", data={"csrf_token": csrf_token(client, "/account/")})
    assert client.get("/mijn-dossiers/").status_code == 302
    # Replaying the cookie from before the logout does not bring the session back.
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], stolen_cookie, domain="portal.test")
    response = client.get("/mijn-dossiers/")
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]


def test_a_password_change_signs_out_other_devices(app, db_session):
    user = make_user("applicant")
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, user)
    sign_in(phone, user)
    token = csrf_token(laptop, "/account/wachtwoord")
    response = laptop.post(
        "/account/wachtwoord",
        data={
            "csrf_token": token,
            "current_password": PASSWORD,
            "password": "een-heel-nieuw-wachtwoord",
            "confirm": "een-heel-nieuw-wachtwoord",
        },
    )
    assert response.status_code == 302
    assert laptop.get("/mijn-dossiers/").status_code == 200
    assert phone.get("/mijn-dossiers/").status_code == 302


def test_a_wrong_current_password_or_mismatch_is_refused(client):
    user = make_user("applicant")
    sign_in(client, user)
    token = csrf_token(client, "/account/wachtwoord")
    page = client.post(
        "/account/wachtwoord",
        data={"csrf_token": token, "current_password": "fout", "password": "kort", "confirm": "anders"},
    ).get_data(as_text=True)
    assert "Kies een wachtwoord van minstens 12 tekens" in page
    assert "De twee wachtwoorden zijn niet gelijk" in page


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil"])
def test_login_never_redirects_off_site(client, target):
    user = make_user("applicant")
    token = csrf_token(client, "/inloggen")
    response = client.post(
        "/inloggen",
        query_string={"next": target},
        data={"csrf_token": token, "email": user.email, "password": PASSWORD},
    )
    assert response.headers["Location"].endswith("/mijn-dossiers/")


def test_logins_and_logouts_are_audited(client, db_session):
    user = make_user("applicant")
    login(client, user.email, PASSWORD)
    client.post("/uitloggen", data={"csrf_token": csrf_token(client, "/account/")})
    actions = [e.action for e in db_session.query(AuditEntry).filter_by(entity_id=str(user.id)).order_by(AuditEntry.id)]
    assert actions == ["user.logged_in", "user.logged_out"]


def test_an_applicant_may_turn_on_two_step_login_from_the_account_page(app, client, db_session):
    user = make_user("applicant")
    sign_in(client, user)
    page = client.get("/account/tweestapsverificatie").get_data(as_text=True)
    secret = re.search(r"data-totp-secret>([A-Z2-7]+)<", page).group(1)
    token = csrf_token(client, "/account/tweestapsverificatie")
    wrong = client.post("/account/tweestapsverificatie", data={"csrf_token": token, "code": "123456"})
    assert wrong.status_code == 400 and "Deze code klopt niet" in wrong.get_data(as_text=True)
    done = client.post("/account/tweestapsverificatie", data={"csrf_token": token, "code": pyotp.TOTP(secret).now()})
    assert done.headers["Location"].endswith("/account/")
    db_session.refresh(user)
    assert user.has_two_step
    # From now on the applicant's login asks for a code too.
    other = app.test_client()
    assert login(other, user.email, PASSWORD).headers["Location"].endswith("/inloggen/code")


@pytest.mark.parametrize(
    "target", ["/\t/evil.example/", "/\n/evil.example/", "/\r\n/evil.example/", "http:/evil.example"]
)
def test_control_characters_cannot_smuggle_an_off_site_redirect(client, target):
    user = make_user("applicant")
    token = csrf_token(client, "/inloggen")
    response = client.post(
        "/inloggen",
        query_string={"next": target},
        data={"csrf_token": token, "email": user.email, "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/mijn-dossiers/")


def test_wrong_codes_are_throttled_per_account_whatever_the_form_says(client):
    officer = make_user("officer")
    login(client, officer.email, PASSWORD)
    token = csrf_token(client, "/inloggen/code")
    statuses = [
        client.post(
            "/inloggen/code", data={"csrf_token": token, "code": "000000", "email": f"x{n}@example.be"}
        ).status_code
        for n in range(6)
    ]
    assert statuses == [400] * 5 + [429]


def test_a_half_finished_authenticator_set_up_never_carries_over_to_another_account(client):
    first, second = make_user("admin", two_step=False), make_user("finance", two_step=False)
    login(client, first.email, PASSWORD)
    page = client.get("/inloggen/tweestapsverificatie-instellen").get_data(as_text=True)
    first_secret = re.search(r"data-totp-secret>([A-Z2-7]+)<", page).group(1)
    login(client, second.email, PASSWORD)
    page = client.get("/inloggen/tweestapsverificatie-instellen").get_data(as_text=True)
    assert re.search(r"data-totp-secret>([A-Z2-7]+)<", page).group(1) != first_secret
