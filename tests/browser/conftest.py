"""A live portal with the demo data on its own database, and Debian's Chromium to drive it."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from werkzeug.serving import make_server

from tests.browser import html_checker
from tests.conftest import SmtpSink, make_app
from tests.services import free_port, throwaway_database

CHROMIUM = "/usr/bin/chromium"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not os.path.exists(CHROMIUM):
        skip = pytest.mark.skip(reason=f"Debian's Chromium is not installed at {CHROMIUM} (make test installs it)")
        for item in items:
            if "tests/browser" in str(item.fspath):
                item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    # Debian's Chromium, never a downloaded build; no background traffic on a closed network.
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory, smtp_sink: SmtpSink) -> Iterator[str]:
    from flask_migrate import upgrade

    from portal.extensions import db
    from portal.services.seed import seed_demo

    port = free_port()
    with throwaway_database(tmp_path_factory.mktemp("live")) as url:
        # Every journey signs in from 127.0.0.1: the per-address login limit (tested in tests/web) would
        # otherwise refuse the suite's later sign-ins within its five minutes.
        app = make_app(
            url,
            smtp_sink,
            SERVER_NAME=None,
            PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
            LOGIN_LIMIT_PER_IP="10000 per 5 minutes",
        )
        app.after_request(_keep_html)
        with app.app_context():
            upgrade()
            seed_demo()
            db.session.commit()
        server = make_server("127.0.0.1", port, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.shutdown()
            with app.app_context():
                db.engine.dispose()


# Every HTML page the live portal sent, in order, as sent: (path, body). The Nu checker reads them.
SENT_PAGES: list[tuple[str, bytes]] = []


def _keep_html(response: Any) -> Any:
    from flask import request

    if response.mimetype == "text/html" and not response.direct_passthrough:
        SENT_PAGES.append((request.full_path.rstrip("?"), response.get_data()))
    return response


@pytest.fixture(scope="session")
def nu_checker() -> Iterator[html_checker.NuChecker | None]:
    if not html_checker.available():
        yield None
        return
    checker = html_checker.NuChecker(free_port())
    try:
        yield checker
    finally:
        checker.stop()


@pytest.fixture(autouse=True)
def pages_are_valid_html(request: pytest.FixtureRequest, nu_checker: html_checker.NuChecker | None) -> Iterator[None]:
    """After each browser test, every page the portal sent during it passes the Nu HTML checker."""
    first = len(SENT_PAGES)
    yield
    if nu_checker is None:
        pytest.skip(f"HTML not checked: {html_checker.MISSING}")
    problems = [problem for path, html in SENT_PAGES[first:] for problem in nu_checker.errors(path, html)]
    assert not problems, f"{len(problems)} HTML error(s) on the pages this test visited:\n" + "\n".join(
        map(str, problems)
    )


PHONE_WIDTH = 390  # CSS pixels: a common phone held upright


STATIC = Path(__file__).resolve().parents[2] / "portal" / "static"


def _from_checkout(base: str) -> Any:
    def fulfil(route: Any) -> None:
        path = STATIC / route.request.url.removeprefix(f"{base}/static/").split("?", 1)[0]
        if path.is_file() and STATIC in path.resolve().parents:
            route.fulfill(path=path)
        else:
            route.fulfill(status=404)

    return fulfil


def _serving(html: bytes) -> Any:
    def fulfil(route: Any) -> None:
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)

    return fulfil


@pytest.fixture(autouse=True)
def pages_fit_a_phone(request: pytest.FixtureRequest) -> Iterator[None]:
    """After each browser test, every page the portal sent during it, as sent, is laid out again in a window
    390 pixels wide (its style sheets and scripts from the live portal) and must not be wider than that."""
    first = len(SENT_PAGES)
    yield
    sent = SENT_PAGES[first:]
    if not sent or "live_server" not in request.fixturenames:
        return
    base = request.getfixturevalue("live_server")
    context = request.getfixturevalue("browser").new_context(viewport={"width": PHONE_WIDTH, "height": 844})
    # Style sheets, scripts and images come from the checkout, not the live portal: closing this window never
    # drops a connection the portal is still answering.
    context.route(f"{base}/static/**", _from_checkout(base))
    try:
        phone = context.new_page()
        too_wide = []
        for path, html in sent:
            phone.route(f"{base}/__as-sent__", _serving(html))
            phone.goto(f"{base}/__as-sent__")
            width = phone.evaluate("document.documentElement.scrollWidth")
            if width > PHONE_WIDTH:
                too_wide.append(f"{path}: {width} px")
            phone.unroute(f"{base}/__as-sent__")
    finally:
        context.close()
    assert not too_wide, f"{len(too_wide)} page(s) wider than a {PHONE_WIDTH}-pixel phone:\n" + "\n".join(too_wide)


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


def assert_accessible(axe: Axe, page: Any) -> None:
    """axe-core finds no WCAG 2.1 A/AA violation on the page as it is now."""
    results = axe.run(
        page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
    )
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


def sign_in_staff(page: Any, live_server: str, email: str) -> None:
    """Password, then the two-step code."""
    from portal.services.seed import DEMO_PASSWORD

    page.goto(f"{live_server}/inloggen")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    enter_two_step_code(page)


def enter_two_step_code(page: Any) -> None:
    """The demo accounts share one key and a code is accepted once per account: when this account
    used the current code already (an earlier test), wait for the next one."""
    import time

    import pyotp

    from portal.services.seed import DEMO_TOTP_SECRET

    totp = pyotp.TOTP(DEMO_TOTP_SECRET)
    page.get_by_label("Code van zes cijfers").fill(totp.now())
    page.get_by_role("button", name="Doorgaan").click()
    if "/inloggen/code" in page.url:
        page.wait_for_timeout(1000 * (31 - int(time.time()) % 30))
        page.get_by_label("Code van zes cijfers").fill(totp.now())
        page.get_by_role("button", name="Doorgaan").click()
