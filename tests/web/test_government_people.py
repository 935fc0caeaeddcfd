"""A government's own people: colleagues invite and remove each other (own government only), the administrator
restores access and decides on access requests from the public form, which never tells whether an address is
known and is throttled like the login."""

import re

from sqlalchemy import func, select

from portal.models import AccessRequest, AuditEntry, Notification, User, UserSession
from tests.conftest import PASSWORD, csrf_token, mail_body, make_user, sign_in
from tests.factories import municipality, open_call, submitted_dossier

COLLEAGUES = "/mijn-bestuur/collegas"
INVITE = "/mijn-bestuur/collegas/uitnodigen"
REQUEST = "/toegang-aanvragen"
SAME_ANSWER = "Als de gegevens kloppen, krijgt u binnen enkele werkdagen antwoord per e-mail."


def fresh(db_session, model, row_id):
    db_session.expire_all()  # what the requests wrote, not what this session remembers
    return db_session.get(model, row_id)


def remove_url(user):
    return f"/mijn-bestuur/collegas/{user.id}/toegang-intrekken"


def invite(client, full_name="Carla Collega", email="carla@gent.be"):
    token = csrf_token(client, INVITE)
    return client.post(INVITE, data={"csrf_token": token, "full_name": full_name, "email": email})


def request_access(client, db_session, email="nieuw@ronse.be", nis="45041", full_name="Nele Nieuw"):
    token = csrf_token(client, REQUEST)
    return client.post(
        REQUEST,
        data={
            "csrf_token": token,
            "full_name": full_name,
            "function": "Beleidsmedewerker armoede",
            "organisation_id": str(municipality(nis).id),
            "email": email,
        },
    )


def audit_actions(db_session, action):
    return db_session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


# --- colleagues ----------------------------------------------------------------------------------------


def test_an_applicant_invites_a_colleague_of_its_own_government_as_applicant(client, db_session, smtp_sink):
    inviter = make_user("applicant")
    sign_in(client, inviter)
    response = invite(client, email="Carla@Gent.be")
    assert response.status_code == 302 and response.headers["Location"].endswith(COLLEAGUES)
    colleague = db_session.scalar(select(User).where(User.email == "carla@gent.be"))
    assert colleague.role == "applicant" and colleague.organisation_id == inviter.organisation_id
    [message] = smtp_sink.to("carla@gent.be")
    body = mail_body(message)
    assert inviter.full_name in body and "/account/activeren/" in body
    assert audit_actions(db_session, "access.colleague_invited")[0].actor_id == inviter.id
    page = client.get(COLLEAGUES).get_data(as_text=True)
    assert "Carla Collega" in page and "Uitgenodigd, nog niet aangemeld" in page
    assert inviter.full_name in page  # invited by


def test_inviting_an_address_that_has_an_account_is_refused_with_a_message(client, db_session):
    sign_in(client, make_user("applicant"))
    other = make_user("applicant", organisation=municipality("45041"))
    before = db_session.scalar(select(func.count(User.id)))
    response = invite(client, email=other.email.upper())
    assert response.status_code == 400
    assert "Er bestaat al een account met dit e-mailadres" in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count(User.id))) == before
    assert fresh(db_session, User, other.id).organisation_id == municipality("45041").id


def test_bad_input_on_the_invitation_gets_dutch_messages(client):
    sign_in(client, make_user("applicant"))
    page = invite(client, full_name="", email="geen-adres").get_data(as_text=True)
    assert "Vul de naam van uw collega in" in page and "Vul een geldig e-mailadres in" in page


def test_removing_access_signs_the_colleague_out_and_tells_them(app, client, db_session, smtp_sink):
    remover = make_user("applicant")
    colleague = make_user("applicant")
    other_browser = app.test_client()
    sign_in(other_browser, colleague)
    assert other_browser.get("/mijn-dossiers/").status_code == 200
    sign_in(client, remover)
    page = client.get(remove_url(colleague)).get_data(as_text=True)
    assert "kan dan niet meer inloggen" in page
    response = client.post(remove_url(colleague), data={"csrf_token": csrf_token(client, remove_url(colleague))})
    assert response.status_code == 302
    assert fresh(db_session, User, colleague.id).is_active is False
    assert fresh(db_session, User, colleague.id) is not None  # never deleted
    open_sessions = db_session.scalar(
        select(func.count(UserSession.id)).where(UserSession.user_id == colleague.id, UserSession.revoked_at.is_(None))
    )
    assert open_sessions == 0
    assert other_browser.get("/mijn-dossiers/").status_code == 302  # back to the login
    [entry] = audit_actions(db_session, "access.revoked")
    assert entry.actor_id == remover.id and entry.entity_id == str(colleague.id)
    [message] = db_session.scalars(select(Notification).where(Notification.event == "access_revoked")).all()
    assert message.email == colleague.email and message.user_id is None
    [mail] = smtp_sink.to(colleague.email)
    assert mail["Subject"] == "Uw toegang tot het portaal is ingetrokken"
    assert f"{remover.full_name} heeft uw toegang tot het portaal voor Gent ingetrokken" in mail_body(mail)
    login_token = csrf_token(other_browser, "/inloggen")
    refused = other_browser.post(
        "/inloggen", data={"csrf_token": login_token, "email": colleague.email, "password": PASSWORD}
    )
    assert refused.status_code == 400


def test_another_governments_user_cannot_be_removed(client, db_session):
    sign_in(client, make_user("applicant"))
    stranger = make_user("applicant", organisation=municipality("45041"))
    make_user("applicant", organisation=municipality("45041"))
    assert client.get(remove_url(stranger)).status_code == 404
    token = csrf_token(client, COLLEAGUES + "/uitnodigen")
    assert client.post(remove_url(stranger), data={"csrf_token": token}).status_code == 404
    assert fresh(db_session, User, stranger.id).is_active is True
    assert stranger.email not in client.get(COLLEAGUES).get_data(as_text=True)


def test_staff_of_the_same_organisation_is_not_a_colleague(client, db_session):
    applicant = make_user("applicant")
    reviewer = make_user("reviewer", organisation=applicant.organisation)
    sign_in(client, applicant)
    assert client.get(remove_url(reviewer)).status_code == 404


def test_the_last_active_user_cannot_remove_themselves(client, db_session):
    alone = make_user("applicant", organisation=municipality("11001"))
    sign_in(client, alone)
    page = client.get(remove_url(alone))
    assert "U bent de laatste collega met toegang" in page.get_data(as_text=True)
    token = csrf_token(client, INVITE)
    response = client.post(remove_url(alone), data={"csrf_token": token})
    assert response.status_code == 409
    assert fresh(db_session, User, alone.id).is_active is True


def test_a_user_with_a_colleague_may_remove_their_own_access(client, db_session):
    me = make_user("applicant", organisation=municipality("11001"))
    make_user("applicant", organisation=municipality("11001"))
    sign_in(client, me)
    response = client.post(remove_url(me), data={"csrf_token": csrf_token(client, remove_url(me))})
    assert response.status_code == 302
    assert fresh(db_session, User, me.id).is_active is False
    assert client.get(COLLEAGUES).status_code == 302  # signed out


def test_non_applicants_are_refused_the_colleague_pages(client):
    for role in ("matcher", "reviewer", "officer", "finance", "admin"):
        sign_in(client, make_user(role))
        assert client.get(COLLEAGUES).status_code == 403, role
        assert client.get(INVITE).status_code == 403, role


def test_the_administrator_restores_a_removed_access(client, db_session, smtp_sink):
    colleague = make_user("applicant")
    make_user("applicant")
    sign_in(client, make_user("applicant"))
    client.post(remove_url(colleague), data={"csrf_token": csrf_token(client, remove_url(colleague))})
    admin = make_user("admin")
    sign_in(client, admin)
    page = client.get(f"/beheer/gebruikers/{colleague.id}").get_data(as_text=True)
    assert "Ingetrokken door" in page and "Toegang herstellen" in page
    token = csrf_token(client, f"/beheer/gebruikers/{colleague.id}")
    response = client.post(f"/beheer/gebruikers/{colleague.id}/toegang-herstellen", data={"csrf_token": token})
    assert response.status_code == 302
    assert fresh(db_session, User, colleague.id).is_active is True
    assert audit_actions(db_session, "access.restored")[0].actor_id == admin.id
    assert (
        db_session.scalar(select(Notification).where(Notification.event == "access_restored")).user_id == colleague.id
    )


def test_the_admin_user_list_shows_who_invited_whom(client, db_session):
    inviter = make_user("applicant")
    sign_in(client, inviter)
    invite(client)
    sign_in(client, make_user("admin"))
    page = client.get("/beheer/gebruikers").get_data(as_text=True)
    row = re.search(r"Carla Collega.*?</tr>", page, re.S).group(0)
    assert inviter.full_name in row


def test_a_colleague_sees_the_governments_dossiers(client, db_session):
    dossier = submitted_dossier(open_call())
    sign_in(client, make_user("applicant"))
    assert dossier.reference in client.get("/mijn-dossiers/").get_data(as_text=True)


# --- access requests -----------------------------------------------------------------------------------


def test_the_answer_is_the_same_for_new_known_and_repeated_addresses(client, db_session):
    known = make_user("applicant")
    answers = []
    for email in ("nieuw@ronse.be", known.email, "nieuw@ronse.be", known.email.upper()):
        response = request_access(client, db_session, email=email)
        answers.append((response.status_code, response.get_data(as_text=True)))
    assert len({status for status, _ in answers}) == 1 and answers[0][0] == 200
    assert SAME_ANSWER in answers[0][1]
    # The pages differ only in their CSRF token and nonces.
    normalised = {re.sub(r'(nonce|value)="[^"]*"', "", text) for _, text in answers}
    assert len(normalised) == 1
    # Only the first request for the new address is stored; nothing for the known one.
    rows = db_session.scalars(select(AccessRequest)).all()
    assert [row.email for row in rows] == ["nieuw@ronse.be"]


def test_a_request_is_stored_and_the_administrators_are_told(client, db_session, smtp_sink):
    admin = make_user("admin")
    request_access(client, db_session)
    row = db_session.scalar(select(AccessRequest))
    assert row.state == "pending" and row.organisation_id == municipality("45041").id
    assert row.function == "Beleidsmedewerker armoede"
    told = db_session.scalars(select(Notification).where(Notification.event == "access_requested")).all()
    assert admin.id in {message.user_id for message in told}
    [mail] = smtp_sink.to(admin.email)
    assert mail["Subject"] == "Nieuwe toegangsaanvraag van Ronse"
    assert "/beheer/toegangsaanvragen" in mail_body(mail)
    assert audit_actions(db_session, "access_request.received")


def test_bad_input_on_the_request_form_gets_dutch_messages(client, db_session):
    token = csrf_token(client, REQUEST)
    response = client.post(
        REQUEST, data={"csrf_token": token, "full_name": "", "function": "", "organisation_id": "0", "email": "x"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    for text in ("Vul uw naam in", "Vul uw functie in", "Kies uw bestuur", "Vul een geldig e-mailadres in"):
        assert text in page
    abb = db_session.scalar(select(User.organisation_id).where(User.role == "admin")) or None
    if abb:
        forged = client.post(
            REQUEST,
            data={
                "csrf_token": token,
                "full_name": "X",
                "function": "Y",
                "organisation_id": str(abb),
                "email": "a@b.be",
            },
        )
        assert forged.status_code == 400
    assert db_session.scalar(select(func.count(AccessRequest.id))) == 0


def test_requests_are_throttled_per_address(app, client, db_session):
    limit = int(app.config["LOGIN_LIMIT_PER_IP"].split()[0])
    token = csrf_token(client, REQUEST)
    statuses = [
        client.post(REQUEST, data={"csrf_token": token, "full_name": "", "email": f"x{n}@y.be"}).status_code
        for n in range(limit + 1)
    ]
    assert statuses[:limit] == [400] * limit
    assert statuses[-1] == 429


def test_the_administrator_approves_a_request_and_the_invitation_goes_out(client, db_session, smtp_sink):
    request_access(client, db_session)
    row = db_session.scalar(select(AccessRequest))
    admin = make_user("admin")
    sign_in(client, admin)
    assert "Nele Nieuw" in client.get("/beheer/toegangsaanvragen").get_data(as_text=True)
    page = client.get(f"/beheer/toegangsaanvragen/{row.id}").get_data(as_text=True)
    assert "e-maildomeinen" in page
    token = csrf_token(client, f"/beheer/toegangsaanvragen/{row.id}")
    response = client.post(f"/beheer/toegangsaanvragen/{row.id}/goedkeuren", data={"csrf_token": token})
    assert response.status_code == 302
    user = db_session.scalar(select(User).where(User.email == "nieuw@ronse.be"))
    assert user.role == "applicant" and user.organisation_id == municipality("45041").id
    row = fresh(db_session, AccessRequest, row.id)
    assert row.state == "approved" and row.decided_by_id == admin.id and row.user_id == user.id
    [message] = smtp_sink.to("nieuw@ronse.be")
    assert "/account/activeren/" in mail_body(message)
    assert audit_actions(db_session, "access_request.approved")
    # Deciding twice is refused.
    again = client.post(f"/beheer/toegangsaanvragen/{row.id}/goedkeuren", data={"csrf_token": token})
    assert again.status_code == 302
    assert "al beslist" in client.get("/beheer/toegangsaanvragen").get_data(as_text=True)


def test_refusing_needs_a_reason_and_tells_the_requester(client, db_session, smtp_sink):
    request_access(client, db_session)
    row = db_session.scalar(select(AccessRequest))
    sign_in(client, make_user("admin"))
    url = f"/beheer/toegangsaanvragen/{row.id}/weigeren"
    token = csrf_token(client, url)
    empty = client.post(url, data={"csrf_token": token, "reason": "   "})
    assert empty.status_code == 400
    assert "Schrijf waarom u de aanvraag weigert" in empty.get_data(as_text=True)
    assert fresh(db_session, AccessRequest, row.id).state == "pending"
    done = client.post(url, data={"csrf_token": token, "reason": "Dit adres hoort niet bij het bestuur."})
    assert done.status_code == 302
    row = fresh(db_session, AccessRequest, row.id)
    assert row.state == "refused" and row.refusal_reason == "Dit adres hoort niet bij het bestuur."
    [message] = db_session.scalars(select(Notification).where(Notification.event == "access_request_refused")).all()
    assert message.email == "nieuw@ronse.be"
    [mail] = smtp_sink.to("nieuw@ronse.be")
    assert "Reden: Dit adres hoort niet bij het bestuur." in mail_body(mail)
    assert audit_actions(db_session, "access_request.refused")[0].reason == row.refusal_reason
    assert db_session.scalar(select(User).where(User.email == "nieuw@ronse.be")) is None
