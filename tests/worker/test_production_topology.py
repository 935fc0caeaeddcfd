"""The production topology of the Procfile, started by honcho as `make production` does: two gunicorn web
processes with instance folders of their own, a Celery worker and beat, on PostgreSQL and Redis, in the
production configuration. A government submits through one web process, downloads its attachment through
the other, and the worker e-mails both governments the receipt it takes from the shared store."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from config import ROOT
from tests.conftest import make_app
from tests.services import free_port, redis_url, throwaway_database

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
PASSWORD = "een-lang-wachtwoord-voor-de-topologie"
TOPOLOGY_BROKER_DB, TOPOLOGY_LIMITS_DB = 9, 10


def _trial_settings() -> dict[str, str]:
    """The Procfile's settings as `make production` reads them (production-trial.env)."""
    settings = {}
    for line in (ROOT / "production-trial.env").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            settings[key] = value
    return settings


@pytest.fixture
def topology(tmp_path: Path, controlled_sink: Any) -> Iterator[dict[str, Any]]:
    import redis

    with throwaway_database(tmp_path) as url:
        web1, web2 = free_port(), free_port()
        env = {
            **os.environ,
            **_trial_settings(),
            "DATABASE_URL": url,
            "SECRET_KEY": "a-topology-test-key-that-is-long-enough-for-production",
            "CELERY_BROKER_URL": redis_url(TOPOLOGY_BROKER_DB),
            "RATELIMIT_STORAGE_URI": redis_url(TOPOLOGY_LIMITS_DB),
            "WEB1_PORT": str(web1),
            "WEB2_PORT": str(web2),
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{web1}",
            "MAIL_SERVER": controlled_sink.host,
            "MAIL_PORT": str(controlled_sink.port),
            "TRIAL_DIR": str(tmp_path / "trial"),
            "OUTBOX_SWEEP_SECONDS": "1",
        }
        redis.Redis.from_url(env["CELERY_BROKER_URL"]).flushdb()
        for name in ("web1", "web2", "worker", "beat"):
            (tmp_path / "trial" / name).mkdir(parents=True)
        for command in (["db", "upgrade"], ["seed"]):
            subprocess.run(
                [str(ROOT / ".venv/bin/flask"), *command],
                cwd=ROOT,
                env={**env, "FLASK_APP": "wsgi"},
                check=True,
                capture_output=True,
            )
        log = (tmp_path / "honcho.log").open("w")
        honcho = subprocess.Popen(
            [str(ROOT / ".venv/bin/honcho"), "start", "web1", "web2", "worker", "beat"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        try:
            for port in (web1, web2):
                _wait_for_health(port, honcho, tmp_path / "honcho.log")
            yield {"url": url, "web1": f"http://127.0.0.1:{web1}", "web2": f"http://127.0.0.1:{web2}", "trial": tmp_path / "trial",
                   "log": tmp_path / "honcho.log", "sink": controlled_sink}  # fmt: skip
        finally:
            os.killpg(honcho.pid, signal.SIGTERM)
            honcho.wait(timeout=60)
            log.close()
            redis.Redis.from_url(env["CELERY_BROKER_URL"]).flushdb()


def _wait_for_health(port: int, honcho: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as answer:  # noqa: S310 (loopback http)
                if answer.status == 200:
                    return
        except OSError:
            pass
        assert honcho.poll() is None and time.monotonic() < deadline, log.read_text()[-3000:]
        time.sleep(0.25)


def _token(page: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert match, page[:500]
    return match.group(1)


def test_submit_through_one_web_process_download_through_another_and_the_worker_mails_the_receipt(topology, smtp_sink):
    from portal.extensions import db
    from portal.models import Submission, User
    from portal.services import accounts, reference
    from tests.factories import complete_draft, open_call

    app = make_app(topology["url"], smtp_sink)
    with app.app_context():
        gent = reference.municipality("44021")
        applicant = User(email="aanvrager@gent.topologie", full_name="Gent Topologie", role="applicant", organisation=gent, locale="nl",
                         password_hash=accounts.hash_password(PASSWORD))  # fmt: skip
        db.session.add(applicant)
        draft = complete_draft(applicant, open_call("ARM-TOPO"))
        db.session.commit()
        draft_id = draft.id
        agreement = draft.attachment("agreement")
        agreement_sha256 = agreement.sha256

    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    login = browser.open(f"{topology['web1']}/inloggen").read().decode()
    browser.open(f"{topology['web1']}/inloggen", data=urllib.parse.urlencode(
        {"csrf_token": _token(login), "email": "aanvrager@gent.topologie", "password": PASSWORD}).encode()).read()  # fmt: skip
    check = browser.open(f"{topology['web1']}/mijn-dossiers/{draft_id}/controleren").read().decode()
    submitted = browser.open(f"{topology['web1']}/mijn-dossiers/{draft_id}/controleren",
                             data=urllib.parse.urlencode({"csrf_token": _token(check), "declaration": "y"}).encode())  # fmt: skip
    assert submitted.url.endswith(f"/mijn-dossiers/{draft_id}/bevestiging"), submitted.url

    # The other web process, with an instance folder of its own, serves the attachment stored through the first.
    import hashlib

    downloaded = browser.open(f"{topology['web2']}/mijn-dossiers/{draft_id}/bijlagen/agreement").read()
    assert hashlib.sha256(downloaded).hexdigest() == agreement_sha256

    # The worker (a third instance folder) mails both governments the receipt, from the shared store.
    with app.app_context():
        receipt_to = {"aanvrager@gent.topologie"}
        expected = 2  # the applicant and the receiving government's contact person
        messages = topology["sink"].wait_for(expected, timeout=60)
        assert receipt_to <= {str(m["To"]) for m in messages}
        for message in messages:
            names = [part.get_filename() for part in message.iter_attachments()]
            assert any(name and name.startswith("ontvangstbewijs-") for name in names), names
        receipt_name = db.session.scalar(
            Submission.__table__.select()
            .with_only_columns(Submission.receipt_name)
            .where(Submission.application_id == draft_id)
        )
        assert receipt_name is not None
        db.session.remove()
        db.engine.dispose()
    # No process wrote a file to its own instance folder.
    assert [
        p
        for p in topology["trial"].rglob("*")
        if p.is_file() and p.name != "schedule" and not p.name.startswith("schedule")
    ] == []
    log = topology["log"].read_text()
    assert "Traceback" not in log, log[-3000:]
