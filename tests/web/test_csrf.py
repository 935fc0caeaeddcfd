"""CSRF: every form carries a token that lasts a working day; a forged one gets a clear message."""

from datetime import timedelta

import pytest
import time_machine

from portal.db import utcnow
from tests.conftest import PASSWORD, csrf_token, make_user


def test_a_forged_token_gets_a_clear_dutch_message(client):
    user = make_user("applicant")
    csrf_token(client, "/inloggen")  # the session has a real token; the form sends another
    response = client.post(
        "/inloggen", data={"csrf_token": "vervalst-token", "email": user.email, "password": PASSWORD}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Uw formulier kon niet worden verwerkt" in page
    assert "laad de pagina opnieuw" in page
    assert "Traceback" not in page


def test_a_token_from_another_session_is_refused(app, client):
    other = app.test_client()
    foreign = csrf_token(other, "/inloggen")
    csrf_token(client, "/inloggen")
    response = client.post("/inloggen", data={"csrf_token": foreign, "email": "a@b.be", "password": "x"})
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("later", "status"),
    [(timedelta(hours=9, minutes=30), 302), (timedelta(hours=10, minutes=1), 400)],
    ids=["still valid late in the working day", "expired after the working day"],
)
def test_a_token_lasts_a_working_day(client, later, status):
    user = make_user("applicant")
    start = utcnow()
    with time_machine.travel(start, tick=False):
        token = csrf_token(client, "/inloggen")
    with time_machine.travel(start + later, tick=False):
        response = client.post("/inloggen", data={"csrf_token": token, "email": user.email, "password": PASSWORD})
    assert response.status_code == status
    if status == 400:
        assert "verlopen of ongeldig" in response.get_data(as_text=True)
