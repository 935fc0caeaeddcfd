"""Security headers, cookies, and a production configuration that refuses to start half-configured."""

import pytest

from config import ProductionConfig, check_required
from tests.conftest import PASSWORD, csrf_token, make_user


def test_pages_carry_a_content_security_policy_with_nonces_and_other_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    nonce = csp.split("'nonce-")[1].split("'")[0]
    page = response.get_data(as_text=True)
    assert f'nonce="{nonce}"' in page  # every script on the page carries it
    assert page.count("<script") == page.count(f'nonce="{nonce}"')
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_the_session_cookie_is_http_only_and_same_site(client):
    user = make_user("applicant")
    token = csrf_token(client, "/inloggen")
    response = client.post("/inloggen", data={"csrf_token": token, "email": user.email, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_uses_secure_cookies_and_https():
    assert ProductionConfig.SESSION_COOKIE_SECURE is True
    assert ProductionConfig.FORCE_HTTPS is True


@pytest.mark.parametrize(
    ("missing", "name"),
    [("SECRET_KEY", "SECRET_KEY"), ("SQLALCHEMY_DATABASE_URI", "DATABASE_URL"), ("CELERY_BROKER_URL", "CELERY_BROKER_URL")],
)
def test_production_refuses_to_start_without_its_settings(monkeypatch, missing, name):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "x")
    monkeypatch.setattr(ProductionConfig, "SQLALCHEMY_DATABASE_URI", "postgresql://x")
    monkeypatch.setattr(ProductionConfig, "CELERY_BROKER_URL", "redis://x")
    monkeypatch.setattr(ProductionConfig, missing, None)
    with pytest.raises(RuntimeError, match=name):
        check_required(ProductionConfig)


def test_errors_are_shown_as_a_page_never_a_stack_trace(client):
    response = client.get("/bestaat-niet")
    assert response.status_code == 404
    assert "Pagina niet gevonden" in response.get_data(as_text=True)
