"""When something outside the user's control fails, they get a clear page and lose nothing."""

import logging
import re

import pytest
from sqlalchemy import select, text

from portal.access import public
from portal.extensions import db
from portal.models import Call
from tests.conftest import IsolatedClient, csrf_token, make_app, make_user, sign_in
from tests.services import free_port
from tests.web.test_calls import call_form


class Kept(logging.Handler):
    """The app's own log records, whatever the logging configuration of earlier tests left behind."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.records = []

    def emit(self, record):
        self.records.append(record)


def test_a_database_error_shows_the_portals_error_page_not_a_stack_trace(app, smtp_sink):
    broken = make_app(app.config["SQLALCHEMY_DATABASE_URI"], smtp_sink, TESTING=False, PROPAGATE_EXCEPTIONS=False)
    broken.test_client_class = IsolatedClient

    @broken.get("/kapot")
    @public
    def fails():
        db.session.execute(text("SELECT * FROM no_such_table"))
        return "unreachable"

    log = Kept()
    broken.logger.addHandler(log)
    try:
        response = broken.test_client().get("/kapot")
        page = response.get_data(as_text=True)
        assert response.status_code == 500
        assert "Er ging iets mis" in page and "Uw gegevens zijn niet verloren" in page
        assert "no_such_table" not in page and "Traceback" not in page
        # A reference to quote, and the log line that names it (with the cause, for the one who reads it).
        reference = re.search(r"data-error-reference>([0-9A-F]{8})<", page).group(1)
        logged = [r for r in log.records if reference in r.getMessage()]
        assert len(logged) == 1 and "/kapot" in logged[0].getMessage() and logged[0].exc_info is not None
        assert reference not in broken.test_client().get("/kapot").get_data(as_text=True)  # one per failure
    finally:
        broken.logger.removeHandler(log)
        with broken.app_context():
            db.engine.dispose()


@pytest.fixture
def mail_server_down(app):
    state = app.extensions["mailman"]
    port = state.port
    state.port = free_port()  # nothing listens there
    yield
    state.port = port


def test_a_reset_request_looks_the_same_when_the_mail_server_is_down(client, mail_server_down):
    user = make_user("applicant")
    token = csrf_token(client, "/wachtwoord-vergeten")
    response = client.post("/wachtwoord-vergeten", data={"csrf_token": token, "email": user.email})
    assert response.status_code == 200
    assert "Als er een account bestaat" in response.get_data(as_text=True)


def test_an_invitation_that_could_not_be_mailed_says_so_and_can_be_resent(client, db_session, mail_server_down):
    sign_in(client, make_user("admin"))
    from tests.web.test_invitations_and_resets import invite

    response = invite(client, db_session, email="later@gent.be", nis="44021")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "de e-mail kon niet verstuurd worden" in page


def test_large_amounts_are_stored_exactly_and_absurd_ones_are_refused(client, db_session):
    sign_in(client, make_user("officer"))
    token = csrf_token(client, "/behandeling/oproepen/nieuw")
    response = client.post(
        "/behandeling/oproepen/nieuw", data=call_form(token, envelope="30.000.000,01", cap="25.000.000")
    )
    assert response.status_code == 302
    call = db_session.scalar(select(Call).where(Call.code == "ARM-2027"))
    assert call.envelope_cents == 3_000_000_001
    page = client.post(
        "/behandeling/oproepen/nieuw", data=call_form(token, code="ARM-2028", envelope="2.000.000.000")
    ).get_data(as_text=True)
    assert "Vul een budget tot 1.000.000.000,00 euro in" in page


def test_an_english_speaking_officer_saves_a_call_unchanged(client, db_session):
    sign_in(client, make_user("officer", locale="en"))
    call = db_session.scalar(select(Call).where(Call.code == "ARM-2022"))
    page = client.get(f"/behandeling/oproepen/{call.id}").get_data(as_text=True)
    assert 'value="250.000,00"' in page  # typed back the way the field reads it
    token = csrf_token(client, f"/behandeling/oproepen/{call.id}")
    data = call_form(
        token,
        code="ARM-2022",
        envelope="250.000,00",
        cap="50.000,00",
        opens_on=["14", "6", "2022"],
        closes_on=["31", "10", "2022"],
    )
    assert client.post(f"/behandeling/oproepen/{call.id}", data=data).status_code == 302
