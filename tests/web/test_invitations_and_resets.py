"""Admins invite users by e-mail; users reset a forgotten password. Real mail through SMTP to a sink."""

import re
from datetime import timedelta

import time_machine
from sqlalchemy import select

from portal.db import utcnow
from portal.models import AuditEntry, Organisation, User
from tests.conftest import PASSWORD, csrf_token, mail_body, make_user, sign_in

NEW_PASSWORD = "mijn-eigen-lang-wachtwoord"


def invite(client, db_session, email="nieuw@ronse.be", role="applicant", nis="45041", locale="nl"):
    org = db_session.scalar(select(Organisation).where(Organisation.nis_code == nis))
    token = csrf_token(client, "/beheer/gebruikers/uitnodigen")
    return client.post(
        "/beheer/gebruikers/uitnodigen",
        data={
            "csrf_token": token,
            "full_name": "Nora Nieuw",
            "email": email,
            "role": role,
            "organisation_id": str(org.id),
            "locale": locale,
        },
    )


def link_in(message) -> str:
    return re.search(r"http://portal\.test(/\S+)", mail_body(message)).group(1)


def test_an_invited_user_sets_a_password_and_signs_in(app, client, db_session, smtp_sink):
    admin = make_user("admin")
    sign_in(client, admin)
    response = invite(client, db_session)
    assert response.status_code == 302
    [message] = smtp_sink.to("nieuw@ronse.be")
    assert message["Subject"] == "Uw account op Collega-besturen versterken"
    assert "Beste Nora Nieuw" in mail_body(message)
    assert message.get_body(preferencelist=("html",)) is not None
    link = link_in(message)
    assert link.startswith("/account/activeren/")

    visitor = app.test_client()
    page = visitor.get(link).get_data(as_text=True)
    assert "Kies uw wachtwoord" in page and "nieuw@ronse.be" in page
    token = csrf_token(visitor, link)
    mismatch = visitor.post(link, data={"csrf_token": token, "password": NEW_PASSWORD, "confirm": "iets anders"})
    assert "De twee wachtwoorden zijn niet gelijk" in mismatch.get_data(as_text=True)
    done = visitor.post(link, data={"csrf_token": token, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302
    login_token = csrf_token(visitor, "/inloggen")
    signed_in = visitor.post(
        "/inloggen", data={"csrf_token": login_token, "email": "nieuw@ronse.be", "password": NEW_PASSWORD}
    )
    assert signed_in.headers["Location"].endswith("/mijn-dossiers/")
    # The link works once.
    again = app.test_client().get(link)
    assert again.status_code == 410 and "al gebruikt" in again.get_data(as_text=True)
    actions = {e.action for e in db_session.scalars(select(AuditEntry))}
    assert {"user.invited", "user.password_changed"} <= actions


def test_an_invitation_in_english_is_written_in_english(client, db_session, smtp_sink):
    sign_in(client, make_user("admin"))
    invite(client, db_session, email="english@gent.be", nis="44021", locale="en")
    [message] = smtp_sink.to("english@gent.be")
    assert message["Subject"] == "Your account on Collega-besturen versterken"
    assert "Dear Nora Nieuw" in mail_body(message)


def test_an_expired_invitation_gets_a_clear_dutch_message(app, client, db_session, smtp_sink):
    sign_in(client, make_user("admin"))
    invite(client, db_session)
    link = link_in(smtp_sink.to("nieuw@ronse.be")[0])
    with time_machine.travel(utcnow() + timedelta(days=7, minutes=1)):
        response = app.test_client().get(link)
    page = response.get_data(as_text=True)
    assert response.status_code == 410
    assert "Deze uitnodiging is verlopen. Vraag de beheerder van het portaal om een nieuwe uitnodiging." in page


def test_a_reinvitation_replaces_the_old_link(app, client, db_session, smtp_sink):
    sign_in(client, make_user("admin"))
    invite(client, db_session)
    old_link = link_in(smtp_sink.to("nieuw@ronse.be")[0])
    user = db_session.scalar(select(User).where(User.email == "nieuw@ronse.be"))
    token = csrf_token(client, f"/beheer/gebruikers/{user.id}")
    client.post(f"/beheer/gebruikers/{user.id}/opnieuw-uitnodigen", data={"csrf_token": token})
    new_link = link_in(smtp_sink.to("nieuw@ronse.be")[1])
    assert new_link != old_link
    assert app.test_client().get(old_link).status_code == 410
    assert app.test_client().get(new_link).status_code == 200


def test_inviting_an_existing_email_or_without_choices_is_refused_with_messages(client, db_session):
    existing = make_user("applicant")
    sign_in(client, make_user("admin"))
    page = invite(client, db_session, email=existing.email.upper()).get_data(as_text=True)
    assert "Er bestaat al een account met dit e-mailadres" in page
    token = csrf_token(client, "/beheer/gebruikers/uitnodigen")
    response = client.post(
        "/beheer/gebruikers/uitnodigen", data={"csrf_token": token, "full_name": "X", "email": "x@y.be"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Kies een rol" in page
    assert 'value="x@y.be"' in page  # what was typed stays


def test_a_forgotten_password_is_reset_through_a_mailed_link(app, client, db_session, smtp_sink):
    user = make_user("applicant")
    other_device = app.test_client()
    sign_in(other_device, user)
    token = csrf_token(client, "/wachtwoord-vergeten")
    page = client.post("/wachtwoord-vergeten", data={"csrf_token": token, "email": user.email}).get_data(as_text=True)
    assert "Controleer uw e-mail" in page
    [message] = smtp_sink.to(user.email)
    link = link_in(message)
    token = csrf_token(client, link)
    response = client.post(link, data={"csrf_token": token, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert other_device.get("/mijn-dossiers/").status_code == 302  # signed out everywhere
    with time_machine.travel(utcnow() + timedelta(hours=2)):
        assert client.get(link).status_code == 410


def test_a_reset_for_an_unknown_email_says_the_same_and_sends_nothing(client, smtp_sink):
    token = csrf_token(client, "/wachtwoord-vergeten")
    page = client.post("/wachtwoord-vergeten", data={"csrf_token": token, "email": "niemand@example.be"}).get_data(
        as_text=True
    )
    assert "Als er een account bestaat voor niemand@example.be" in page
    assert smtp_sink.messages == []


def test_an_expired_reset_link_offers_a_new_one(client, smtp_sink):
    user = make_user("applicant")
    token = csrf_token(client, "/wachtwoord-vergeten")
    client.post("/wachtwoord-vergeten", data={"csrf_token": token, "email": user.email})
    link = link_in(smtp_sink.to(user.email)[0])
    with time_machine.travel(utcnow() + timedelta(hours=1, minutes=1)):
        page = client.get(link).get_data(as_text=True)
    assert "is verlopen" in page and "Vraag een nieuwe link aan" in page


def test_an_admin_resets_a_lost_authenticator(app, client, db_session):
    officer = make_user("officer")
    sign_in(client, make_user("admin"))
    token = csrf_token(client, f"/beheer/gebruikers/{officer.id}")
    client.post(f"/beheer/gebruikers/{officer.id}/tweestapsverificatie-herstellen", data={"csrf_token": token})
    db_session.refresh(officer)
    assert officer.totp_secret is None and not officer.has_two_step
    # At the next login the officer is asked to set up a new authenticator.
    phone = app.test_client()
    token = csrf_token(phone, "/inloggen")
    response = phone.post("/inloggen", data={"csrf_token": token, "email": officer.email, "password": PASSWORD})
    assert response.headers["Location"].endswith("/inloggen/tweestapsverificatie-instellen")


def test_the_invitation_says_who_invited_whom_as_what(client, db_session, smtp_sink):
    admin = make_user("admin")
    sign_in(client, admin)
    invite(client, db_session, email="nieuw@ronse.be", role="applicant", nis="45041")
    [message] = smtp_sink.to("nieuw@ronse.be")
    body = mail_body(message)
    assert f"{admin.full_name} ({admin.organisation.name}) nodigt u uit op Collega-besturen versterken" in body
    assert "als Aanvrager (lokaal bestuur) voor Ronse." in body
    invite(client, db_session, email="english@gent.be", nis="44021", locale="en")
    [english] = smtp_sink.to("english@gent.be")
    assert (
        f"{admin.full_name} ({admin.organisation.name}) invites you to Collega-besturen versterken as Applicant"
        in mail_body(english)
    )


def test_a_role_that_does_not_fit_the_organisation_is_refused_at_the_role(client, db_session, smtp_sink):
    admin = make_user("admin")
    sign_in(client, admin)
    agency = admin.organisation
    token = csrf_token(client, "/beheer/gebruikers/uitnodigen")
    # An applicant attached to the agency itself: refused, nothing created, nothing sent, what was typed kept.
    response = client.post(
        "/beheer/gebruikers/uitnodigen",
        data={
            "csrf_token": token,
            "full_name": "Nora Nieuw",
            "email": "nora@abb.be",
            "role": "applicant",
            "organisation_id": str(agency.id),
            "locale": "nl",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f"Deze rol past niet bij {agency.name}" in page and 'value="nora@abb.be"' in page
    assert db_session.scalar(select(User).where(User.email == "nora@abb.be")) is None
    assert smtp_sink.to("nora@abb.be") == []
    # An officer at a municipality: refused too.
    assert invite(client, db_session, email="olivier@ronse.be", role="officer", nis="45041").status_code == 400
    # A committee member may work for a municipality.
    assert invite(client, db_session, email="lid@ronse.be", role="reviewer", nis="45041").status_code == 302
    # Changing an existing applicant into an officer while it stays with its municipality: refused, unchanged.
    applicant = make_user("applicant")
    db_session.commit()
    path = f"/beheer/gebruikers/{applicant.id}"
    changed = client.post(
        path,
        data={
            "csrf_token": csrf_token(client, path),
            "role": "officer",
            "organisation_id": str(applicant.organisation_id),
            "is_active": "y",
        },
    )
    assert changed.status_code == 400 and "Deze rol past niet bij" in changed.get_data(as_text=True)
    db_session.refresh(applicant)
    assert applicant.role == "applicant"
