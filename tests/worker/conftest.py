"""Real Celery workers (subprocesses, production configuration) on Redis, an app that hands its
notifications to them, and an SMTP sink that can refuse or hold a message."""

from __future__ import annotations

import asyncio
import email
import email.policy
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any, TypeVar

import pytest
import redis
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import ColumnElement, func, select

from portal.extensions import db
from portal.models import Notification
from tests.conftest import SmtpSink, app_on_own_database, make_user, sign_in
from tests.factories import complete_draft, municipality, open_call
from tests.services import free_port, redis_url

ROOT = Path(__file__).resolve().parents[2]
HEALTH_BROKER_DB = 13
OUTBOX_BROKER_DB = 12
SETTLE = 1.5  # seconds to keep watching, once everything is final, for a copy that should not come
# Seconds a page or a relay may take while the broker is down. What this guards against is waiting for the
# broker: kombu's own connection retries held a page 6 s while Redis refused connections, 8 s while it did
# not answer at all. A page takes about 0.05 s here (0.55 s with a silent broker, its connect timeout), but
# once took 1.06 s on a loaded machine: the bound leaves room for that and stays well under the failure.
BROKER_DOWN_BOUND = 3.0

T = TypeVar("T")


def wait_until(condition: Callable[[], T], failure: Callable[[], str], timeout: float = 60, every: float = 0.1) -> T:
    """Poll `condition` until it returns something true, and return that; at the deadline, fail with `failure()`."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        assert time.monotonic() < deadline, failure()
        time.sleep(every)
    return result


class WorkerProcess:
    """`python -m worker` in its own process, as production starts it."""

    def __init__(self, env: dict[str, str], log: Path, beat: bool = False) -> None:
        command = [
            sys.executable,
            "-m",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
        ]
        if beat:
            command += ["--beat", "--schedule", str(log.with_suffix(".beat"))]
        self.log = log
        self._file = log.open("a")
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self._file, stderr=subprocess.STDOUT, text=True
        )

    def output(self) -> str:
        self._file.flush()
        return self.log.read_text()

    def wait_for(self, text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output():
            assert self.process.poll() is None, self.output()
            assert time.monotonic() < deadline, f"{text!r} not in the worker's log:\n{self.output()}"
            time.sleep(0.1)

    def stop(self) -> str:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._file.close()
        return self.log.read_text()

    def kill(self) -> None:
        """SIGKILL: no goodbye, no acknowledgement, nothing recorded."""
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()


def worker_env(app: Flask, broker: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "PORTAL_CONFIG": "production",
        "SECRET_KEY": "worker-test-secret-of-at-least-32-characters",
        "RATELIMIT_STORAGE_URI": broker,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": broker,
        "MAIL_SERVER": str(app.config["MAIL_SERVER"]),
        "MAIL_PORT": str(app.config["MAIL_PORT"]),
        # An instance folder of the worker's own: every file it needs comes from the shared store.
        "FILES_PATH": str(Path(app.config["FILES_PATH"]).parent / "worker-machine-files"),
        "PUBLIC_BASE_URL": app.config["PUBLIC_BASE_URL"],
        **extra,
    }


@pytest.fixture
def start_worker(tmp_path: Path) -> Iterator[Callable[..., WorkerProcess]]:
    started: list[WorkerProcess] = []

    def start(app: Flask, broker: str, beat: bool = False, **extra: str) -> WorkerProcess:
        env = worker_env(app, broker, PORTAL_INSTANCE_PATH=str(tmp_path), **extra)
        worker = WorkerProcess(env, tmp_path / f"worker-{len(started)}.log", beat=beat)
        started.append(worker)
        worker.wait_for("ready.")
        return worker

    yield start
    for worker in started:
        output = worker.stop()
        assert "Traceback" not in output, output


# --- an SMTP sink that can refuse, or hold its answer -------------------------------------------


@dataclass
class ControlledSink(SmtpSink):
    refuse: int = 0  # answer this many messages with a temporary refusal (451)
    refused: int = 0
    hold_seconds: float = 0  # keep the message, then wait this long before answering 250
    received_at: list[float] = field(default_factory=list)
    unknown: set[str] = field(default_factory=set)  # addresses refused for good (550)
    peers: list[Any] = field(default_factory=list)  # the client end of the connection of each message kept

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any) -> str:  # noqa: N802
        if address in self.unknown:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        with self.lock:
            if self.refuse > 0:
                self.refuse -= 1
                self.refused += 1
                return "451 4.3.2 Please try again later"
            self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))  # type: ignore[arg-type]
            self.received_at.append(time.monotonic())
            self.peers.append(session.peer)
            hold = self.hold_seconds
        if hold:
            await asyncio.sleep(hold)
        return "250 OK"

    def reset(self) -> None:
        with self.lock:
            self.messages.clear()
            self.received_at.clear()
            self.peers.clear()
            self.refuse = self.refused = 0
            self.hold_seconds = 0
            self.unknown = set()

    def wait_for(self, count: int, timeout: float = 60) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            assert time.monotonic() < deadline, f"{len(self.messages)} of {count} e-mails arrived"
            time.sleep(0.05)


@pytest.fixture(scope="module")
def controlled_sink() -> Iterator[ControlledSink]:
    sink = ControlledSink("127.0.0.1", free_port())
    controller = Controller(sink, hostname=sink.host, port=sink.port)
    controller.start()
    yield sink
    controller.stop()


@pytest.fixture(scope="module")
def outbox_app(tmp_path_factory: pytest.TempPathFactory, controlled_sink: ControlledSink) -> Iterator[Flask]:
    """An app on its own database that hands notifications to Redis (not in-process): as production."""
    with app_on_own_database(
        tmp_path_factory.mktemp("outbox"),
        controlled_sink,
        FILES_PATH=str(tmp_path_factory.mktemp("outbox-files")),
        CELERY_TASK_ALWAYS_EAGER=False,
        CELERY_BROKER_URL=redis_url(OUTBOX_BROKER_DB),
        NOTIFICATION_SENDING_TIMEOUT_SECONDS=2,
    ) as app:
        yield app


@pytest.fixture
def outbox_broker(outbox_app: Flask) -> str:
    broker = redis_url(OUTBOX_BROKER_DB)
    redis.Redis.from_url(broker).flushdb()
    return broker


# --- the final state of a delivery, and counting after it -----------------------------------------

FINAL_STATUSES = frozenset({"sent", "failed", "uncertain", "skipped"})
# kombu's Redis transport: the queue's list (and one list per priority step), and the hash holding
# every message handed to a worker and not acknowledged yet (prefetched, running, or a retry
# waiting for its countdown).
QUEUE_KEYS = ("celery", *(f"celery\x06\x16{step}" for step in (3, 6, 9)))
UNACKED_KEY = "unacked"


def last_notification_id(app: Flask) -> int:
    """Rows a test makes from here on have a higher id: `Notification.id > last_notification_id(app)`."""
    with app.app_context():
        return int(db.session.scalar(select(func.coalesce(func.max(Notification.id), 0))))


def broker_backlog(broker: str) -> tuple[int, int]:
    """(messages waiting in the queue, messages handed to a worker and not acknowledged), read at one moment."""
    client = redis.Redis.from_url(broker)
    try:
        pipe = client.pipeline(transaction=True)
        for key in QUEUE_KEYS:
            pipe.llen(key)
        pipe.hlen(UNACKED_KEY)
        *queued, unacked = pipe.execute()
        return sum(queued), int(unacked)
    finally:
        client.close()


def wait_for_final_state(
    app: Flask,
    which: ColumnElement[bool],
    broker: str | None = None,
    sink: ControlledSink | None = None,
    count: int = 0,
    timeout: float = 60,
) -> None:
    """Until every notification row `which` selects is in a final status, the broker (when there is
    one) holds no message, waiting or unacknowledged, and the sink holds at least `count` e-mails."""
    seen: dict[str, Any] = {}

    def final() -> bool:
        with app.app_context():
            seen["statuses"] = Counter(db.session.scalars(select(Notification.status).where(which)))
        seen["backlog"] = broker_backlog(broker) if broker is not None else (0, 0)
        seen["received"] = len(sink.messages) if sink is not None else 0
        statuses = seen["statuses"]
        return (
            bool(statuses)
            and set(statuses) <= FINAL_STATUSES
            and seen["backlog"] == (0, 0)
            and seen["received"] >= count
        )

    wait_until(
        final,
        lambda: (
            f"not final: rows {dict(seen['statuses'])}, (queued, unacknowledged) {seen['backlog']}, {seen['received']} of {count} e-mails"
        ),
        timeout,
    )


def delivered_exactly(
    sink: ControlledSink,
    count: int,
    app: Flask,
    which: ColumnElement[bool],
    broker: str | None = None,
    settle: float = SETTLE,
) -> list[EmailMessage]:
    """The e-mails once nothing is left to send: exactly `count`, and still `count` after `settle`
    seconds, so that a second copy arriving late fails the test as well."""
    wait_for_final_state(app, which, broker, sink, count)
    with sink.lock:
        messages = list(sink.messages)
    assert len(messages) == count, Counter(str(m["To"]) for m in messages)
    time.sleep(settle)
    with sink.lock:
        later = list(sink.messages)
    assert len(later) == count, (
        f"{len(later) - count} more after the final state: {Counter(str(m['To']) for m in later[count:])}"
    )
    return messages


# --- a Redis server of the test's own, to stop and start again ------------------------------------


class OwnRedis:
    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                if redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping():
                    return
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "the test's own Redis did not start"
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    if not (shutil.which("redis-server") or Path("/usr/bin/redis-server").exists()):
        pytest.skip("redis-server is not installed: the test that stops and restarts Redis needs one of its own")
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    server.stop()


def submission_page(app: Flask, giving_nis: str) -> tuple[Any, str, int]:
    """A signed-in applicant's browser on the check page of a complete draft: (browser, path, draft id)."""
    with app.app_context():
        applicant = make_user("applicant", organisation=municipality(giving_nis))
        draft = complete_draft(applicant, open_call(), receiving_nis="12035")
        db.session.commit()
        browser = app.test_client()
        sign_in(browser, applicant)
        db.session.commit()
        path = f"/mijn-dossiers/{draft.id}/controleren"
        draft_id = draft.id
    return browser, path, draft_id
