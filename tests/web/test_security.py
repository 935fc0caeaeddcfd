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


@pytest.fixture
def production_app(app, smtp_sink, monkeypatch):
    from portal import create_app
    from portal.extensions import db
    from tests.conftest import IsolatedClient

    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "production-test-secret")
    monkeypatch.setattr(ProductionConfig, "SQLALCHEMY_DATABASE_URI", app.config["SQLALCHEMY_DATABASE_URI"])
    monkeypatch.setattr(ProductionConfig, "CELERY_BROKER_URL", "memory://")
    production = create_app(
        "production", {"SERVER_NAME": "portal.test", "MAIL_SERVER": smtp_sink.host, "MAIL_PORT": smtp_sink.port}
    )
    production.test_client_class = IsolatedClient
    yield production
    with production.app_context():
        db.engine.dispose()


def test_production_redirects_to_https_and_sends_hsts_and_secure_cookies(production_app):
    browser = production_app.test_client()
    plain = browser.get("/inloggen")
    assert plain.status_code in (301, 302) and plain.headers["Location"].startswith("https://")
    secure = browser.get("/inloggen", base_url="https://portal.test")
    assert "max-age=" in secure.headers["Strict-Transport-Security"]
    assert "Secure" in secure.headers["Set-Cookie"] and "HttpOnly" in secure.headers["Set-Cookie"]


def test_production_behind_its_proxy_sees_https_and_the_real_client_address(production_app):
    browser = production_app.test_client()
    # The TLS-terminating proxy forwards plain http with X-Forwarded-Proto: no redirect loop.
    response = browser.get("/inloggen", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"})
    assert response.status_code == 200


def test_throttling_behind_a_proxy_counts_each_client_address_apart(app, smtp_sink):
    from portal.extensions import db
    from tests.conftest import IsolatedClient, make_app

    proxied = make_app(app.config["SQLALCHEMY_DATABASE_URI"], smtp_sink, PROXY_COUNT=1, LOGIN_LIMIT_PER_IP="3 per 5 minutes")
    proxied.test_client_class = IsolatedClient
    browser = proxied.test_client()
    try:
        def attempt(client_address: str, n: int) -> int:
            token = csrf_token(browser, "/inloggen")
            return browser.post(
                "/inloggen",
                data={"csrf_token": token, "email": f"poging{n}@example.be", "password": "fout"},
                headers={"X-Forwarded-For": client_address},
            ).status_code

        assert [attempt("198.51.100.1", n) for n in range(4)] == [400, 400, 400, 429]
        assert attempt("198.51.100.2", 9) == 400  # another municipality behind the same proxy is not blocked
    finally:
        with proxied.app_context():
            db.engine.dispose()


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
