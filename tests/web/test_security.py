"""Security headers, cookies, and a production configuration that refuses to start half-configured."""

import pytest

from config import ProductionConfig, check_required
from tests.conftest import PASSWORD, csrf_token, make_user

# The rate limiter is one object shared by every app a test run makes: keep its counts in memory.
IN_THIS_PROCESS = {"RATELIMIT_STORAGE_URI": "memory://"}


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

    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "production-test-secret-of-at-least-32-characters")
    monkeypatch.setattr(ProductionConfig, "SQLALCHEMY_DATABASE_URI", app.config["SQLALCHEMY_DATABASE_URI"])
    monkeypatch.setattr(ProductionConfig, "CELERY_BROKER_URL", "memory://")
    # Settings the start-up check accepts; the app itself then counts login attempts in this process
    # (overrides apply after the check), because the limiter is one object shared by every app of the run.
    monkeypatch.setattr(ProductionConfig, "RATELIMIT_STORAGE_URI", "redis://redis.internal:6379/1")
    monkeypatch.setattr(ProductionConfig, "PUBLIC_BASE_URL", "https://portaal.example.be")
    production = create_app(
        "production",
        {"SERVER_NAME": "portal.test", "MAIL_SERVER": smtp_sink.host, "MAIL_PORT": smtp_sink.port, **IN_THIS_PROCESS},
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

    proxied = make_app(
        app.config["SQLALCHEMY_DATABASE_URI"], smtp_sink, PROXY_COUNT=1, LOGIN_LIMIT_PER_IP="3 per 5 minutes"
    )
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
    [
        ("SECRET_KEY", "SECRET_KEY"),
        ("SQLALCHEMY_DATABASE_URI", "DATABASE_URL"),
        ("CELERY_BROKER_URL", "CELERY_BROKER_URL"),
    ],
)
def test_production_refuses_to_start_without_its_settings(monkeypatch, missing, name):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "x" * 40)
    monkeypatch.setattr(ProductionConfig, "SQLALCHEMY_DATABASE_URI", "postgresql://x")
    monkeypatch.setattr(ProductionConfig, "CELERY_BROKER_URL", "redis://x")
    monkeypatch.setattr(ProductionConfig, missing, None)
    with pytest.raises(RuntimeError, match=name):
        check_required(ProductionConfig)


def test_errors_are_shown_as_a_page_never_a_stack_trace(client):
    response = client.get("/bestaat-niet")
    assert response.status_code == 404
    assert "Pagina niet gevonden" in response.get_data(as_text=True)


SAFE = {
    "SECRET_KEY": "k" * 40,
    "RATELIMIT_STORAGE_URI": "redis://redis.internal:6379/1",
    "PUBLIC_BASE_URL": "https://portaal.example.be",
}


@pytest.mark.parametrize(
    ("setting", "value", "named"),
    [
        ("SECRET_KEY", "embedded-development-key-not-for-production", "SECRET_KEY"),
        ("SECRET_KEY", "test-secret", "SECRET_KEY"),
        ("SECRET_KEY", "short-but-random-91", "SECRET_KEY"),
        ("RATELIMIT_STORAGE_URI", "memory://", "RATELIMIT_STORAGE_URI"),
        ("PUBLIC_BASE_URL", "http://127.0.0.1:5000", "PUBLIC_BASE_URL"),
        ("PUBLIC_BASE_URL", "http://localhost:8000", "PUBLIC_BASE_URL"),
        ("PUBLIC_BASE_URL", "http://portaal.localhost", "PUBLIC_BASE_URL"),
        ("PUBLIC_BASE_URL", "http://[::1]:8000", "PUBLIC_BASE_URL"),
        ("PUBLIC_BASE_URL", "", "PUBLIC_BASE_URL"),
    ],
)
def test_production_refuses_a_setting_only_safe_on_a_developers_machine(monkeypatch, setting, value, named):
    for key, safe in {
        **SAFE,
        "SQLALCHEMY_DATABASE_URI": "postgresql://db/portal",
        "CELERY_BROKER_URL": "redis://r",
    }.items():
        monkeypatch.setattr(ProductionConfig, key, safe)
    check_required(ProductionConfig)  # the safe settings start
    monkeypatch.setattr(ProductionConfig, setting, value)
    with pytest.raises(RuntimeError, match=named):
        check_required(ProductionConfig)


def test_a_production_trial_on_one_machine_may_link_to_it_but_nothing_else_is_relaxed(monkeypatch):
    for key, safe in {
        **SAFE,
        "SQLALCHEMY_DATABASE_URI": "postgresql://db/portal",
        "CELERY_BROKER_URL": "redis://r",
    }.items():
        monkeypatch.setattr(ProductionConfig, key, safe)
    monkeypatch.setattr(ProductionConfig, "PRODUCTION_TRIAL", True)
    monkeypatch.setattr(ProductionConfig, "PUBLIC_BASE_URL", "http://127.0.0.1:8000")
    check_required(ProductionConfig)
    monkeypatch.setattr(ProductionConfig, "RATELIMIT_STORAGE_URI", "memory://")
    with pytest.raises(RuntimeError, match="RATELIMIT_STORAGE_URI"):
        check_required(ProductionConfig)


def test_the_demo_refuses_to_run_in_production_and_changes_nothing(production_app):
    from sqlalchemy import func, select

    from portal.extensions import db
    from portal.models import User

    with production_app.app_context():
        before = db.session.scalar(select(func.count()).select_from(User))
    result = production_app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 1
    assert (
        "the demo runs only in the embedded and test configurations" in result.output
        and "'production'" in result.output
    )
    with production_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == before
        assert db.session.scalar(select(User).where(User.email == "beheerder@abb.demo")) is None


def test_production_without_a_sepa_account_says_so_once_at_start_up(production_app, smtp_sink, monkeypatch, caplog):
    import logging

    from portal import create_app
    from portal.extensions import db

    # Alembic's logging set-up (run by earlier migration tests) switches off loggers it does not name.
    monkeypatch.setattr(logging.getLogger("portal"), "disabled", False)
    monkeypatch.setattr(ProductionConfig, "SEPA_DEBTOR_IBAN", "")
    caplog.clear()
    with caplog.at_level("WARNING"):
        started = create_app("production", {"SERVER_NAME": "portal.test", **IN_THIS_PROCESS})
    with started.app_context():
        db.engine.dispose()
    assert [r.getMessage() for r in caplog.records].count(
        "SEPA_DEBTOR_IBAN is not set: finance cannot make a payment file until it is"
    ) == 1
