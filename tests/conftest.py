"""Test fixtures: one app on the real database (PostgreSQL when reachable), a transaction per test,
a real SMTP sink, and helpers to sign in as any role."""

from __future__ import annotations

import email
import email.policy
import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient

from tests.services import NO_POSTGRES, NO_REDIS, USE_POSTGRES, USE_REDIS, free_port, throwaway_database


def pytest_report_header(config: pytest.Config) -> list[str]:
    database = (
        "PostgreSQL at 127.0.0.1:5432 (a new database for this run)"
        if USE_POSTGRES
        else "SQLite, because PostgreSQL is not reachable at 127.0.0.1:5432"
    )
    redis = "Redis at 127.0.0.1:6379" if USE_REDIS else "not reachable: Redis tests are skipped"
    return [f"database: {database}", f"redis: {redis}"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("postgres") and not USE_POSTGRES:
            item.add_marker(pytest.mark.skip(reason=NO_POSTGRES))
        if item.get_closest_marker("redis") and not USE_REDIS:
            item.add_marker(pytest.mark.skip(reason=NO_REDIS))


# --- SMTP sink -------------------------------------------------------------------------------


@dataclass
class SmtpSink:
    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)  # type: ignore[arg-type]
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if address in str(m["To"])]

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()


@pytest.fixture(scope="session")
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink("127.0.0.1", free_port())
    controller = Controller(sink, hostname=sink.host, port=sink.port)
    controller.start()
    yield sink
    controller.stop()


def mail_body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


# --- the application and its database ------------------------------------------------------


def make_app(database_url: str, smtp: SmtpSink, **overrides: Any) -> Flask:
    import tempfile

    from portal import create_app

    config = {
        "FILES_PATH": tempfile.mkdtemp(prefix="portal-files-"),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": smtp.host,
        "MAIL_PORT": smtp.port,
    }
    config.update(overrides)
    return create_app("test", config)


@contextmanager
def app_on_own_database(tmp_dir: Any, smtp: SmtpSink, sqlite: bool = False, **overrides: Any) -> Iterator[Flask]:
    """An app on a new database of its own, with no test transaction around it: every commit is real
    (for concurrency and for workers in other processes). It holds the reference data and an open call.
    With `sqlite`: a SQLite file, as the embedded default has, whatever else is reachable."""
    from flask_migrate import upgrade

    from portal.extensions import db
    from portal.services import reference
    from tests.factories import open_call

    with nullcontext(f"sqlite:///{tmp_dir / 'portal.sqlite'}") if sqlite else throwaway_database(tmp_dir) as url:
        flask_app = make_app(url, smtp, **overrides)
        flask_app.test_client_class = IsolatedClient
        with flask_app.app_context():
            upgrade()
            reference.load_reference_data()
            open_call()
            db.session.commit()
        yield flask_app
        with flask_app.app_context():
            db.session.remove()
            db.engine.dispose()


class IsolatedClient(FlaskClient):
    """Each request gets its own app context (its own `g` and database session), as in production.

    Without this, requests would reuse the test's app context and share `g` (cached CSRF token,
    cached current user) from one request to the next.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        # Buffered: the body is read and the response closed, as a WSGI server does. A streamed download
        # left unread would otherwise hold its request's context and database connection until the
        # garbage collector found it.
        kwargs.setdefault("buffered", True)
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory, smtp_sink: SmtpSink) -> Iterator[Flask]:
    from flask_migrate import upgrade

    from portal.extensions import db
    from portal.services import reference
    from portal.services.seed import seed_call_2022

    # A database of this run's own (on PostgreSQL when reachable), built by the migrations.
    with throwaway_database(tmp_path_factory.mktemp("db")) as url:
        flask_app = make_app(url, smtp_sink, FILES_PATH=str(tmp_path_factory.mktemp("files")))
        flask_app.test_client_class = IsolatedClient
        with flask_app.app_context():
            upgrade()
            reference.load_reference_data()
            seed_call_2022()
            db.session.commit()
            db.session.remove()
        yield flask_app
        with flask_app.app_context():
            db.engine.dispose()


@pytest.fixture
def db_session(app: Flask) -> Iterator[Any]:
    """Each test runs inside one outer transaction that is rolled back: commits become savepoints."""
    from portal.extensions import db, limiter

    with app.app_context():
        engines = db.engines
        engine = engines[None]
        connection = engine.connect()
        outer = connection.begin()
        engines[None] = connection  # type: ignore[assignment]
        limiter.reset()
        try:
            yield db.session
        finally:
            db.session.remove()
            outer.rollback()
            connection.close()
            engines[None] = engine


@pytest.fixture
def client(app: Flask, db_session: Any) -> FlaskClient:
    return app.test_client()


@pytest.fixture(autouse=True)
def _clear_mail(smtp_sink: SmtpSink) -> None:
    smtp_sink.clear()


# --- people ----------------------------------------------------------------------------------

PASSWORD = "een-lang-wachtwoord-voor-tests"


@functools.cache
def _hash(password: str) -> str:
    # argon2 is slow on purpose; one hash per distinct test password is enough.
    from portal.services import accounts

    return accounts.hash_password(password)


def make_user(
    role: str,
    *,
    email: str | None = None,
    organisation: Any = None,
    two_step: bool | None = None,
    locale: str = "nl",
    password: str | None = PASSWORD,
) -> Any:
    from portal.extensions import db
    from portal.models import User
    from portal.services import accounts, reference
    from workflows.roles import Role, requires_two_step

    if organisation is None:
        organisation = {
            "applicant": lambda: reference.municipality("44021"),
            "matcher": reference.vvsg,
        }.get(role, reference.abb)()
    user = User(
        email=email or f"{role}-{make_user.counter}@example.be",
        full_name=f"Test {role.title()} {make_user.counter}",
        role=role,
        organisation=organisation,
        locale=locale,
        password_hash=_hash(password) if password else None,
    )
    make_user.counter += 1
    if two_step if two_step is not None else requires_two_step(Role(role)):
        user.totp_secret = accounts.new_totp_secret()
        from portal.db import utcnow

        user.totp_confirmed_at = utcnow()
    db.session.add(user)
    db.session.flush()
    return user


make_user.counter = 1  # type: ignore[attr-defined]


def sign_in(client: FlaskClient, user: Any) -> None:
    """A completed login (password and, for staff, the second step) without the pages in between."""
    from portal.services import accounts

    user_session = accounts.start_session(user, "pytest")
    with client.session_transaction() as session:
        session["_user_id"] = user_session.cookie_token
        session["_fresh"] = True


def csrf_token(client: FlaskClient, path: str) -> str:
    """The CSRF token from a page's form, as a browser would post it back."""
    import re

    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, f"no CSRF token on {path}"
    return match.group(1)
