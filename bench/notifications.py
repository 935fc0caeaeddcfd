"""Benchmark: 1,000 notifications through a real Celery worker on Redis to a local SMTP sink.

Reports the throughput (e-mails per second, from the commit that records them to the last one
accepted by the SMTP server) and the peak memory (VmHWM) of the worker process(es).

    .venv/bin/python bench/notifications.py [--count 1000] [--pool solo|prefork] [--concurrency 2]

Needs PostgreSQL (BENCH_POSTGRES_URL, default the local `test` database server) and Redis
(BENCH_REDIS_URL, default redis://127.0.0.1:6379/10); it makes a database of its own and drops it.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10")


class CountingSink:
    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()
        self.last_at = 0.0

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802 (aiosmtpd's name)
        with self.lock:
            self.count += 1
            self.last_at = time.monotonic()
        return "250 OK"


def peak_memory_kib(pid: int) -> int:
    """VmHWM of a process and its children (prefork), from /proc."""
    total = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for each in pids:
        try:
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--pool", choices=("solo", "prefork"), default="solo")
    parser.add_argument("--concurrency", type=int, default=2)
    args = parser.parse_args()

    import psycopg
    import redis
    from aiosmtpd.controller import Controller
    from flask_migrate import upgrade

    sink = CountingSink()
    with __import__("socket").socket() as probe:
        probe.bind(("127.0.0.1", 0))
        smtp_port = probe.getsockname()[1]
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    controller.start()

    name = f"portal_bench_{uuid.uuid4().hex[:10]}"
    admin = POSTGRES.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    database = POSTGRES.rsplit("/", 1)[0] + f"/{name}"
    redis.Redis.from_url(REDIS).flushdb()
    files = tempfile.mkdtemp(prefix="portal-bench-")
    worker = None
    try:
        from portal import create_app
        from portal.extensions import db

        app = create_app(
            "test",
            {
                "SQLALCHEMY_DATABASE_URI": database,
                "CELERY_TASK_ALWAYS_EAGER": False,
                "CELERY_BROKER_URL": REDIS,
                "MAIL_BACKEND": "smtp",
                "MAIL_SERVER": "127.0.0.1",
                "MAIL_PORT": smtp_port,
                "FILES_PATH": files,
            },
        )
        with app.app_context():
            from portal.models import Notification, User
            from portal.models.notifications import NotificationEvent
            from portal.services import applications, notifications, reference
            from tests.factories import complete_draft, municipality, open_call

            upgrade()
            reference.load_reference_data()
            applicant = User(
                email="bench@example.be", full_name="Bench", role="applicant", organisation=municipality("44021")
            )
            db.session.add(applicant)
            draft = complete_draft(applicant, open_call())
            applications.submit(draft.id, applicant, declared=True)
            db.session.commit()
            dossier_id = draft.id
            # the submission's own e-mails (with the receipt) go out too; they are counted apart
            before = db.session.scalar(db.select(db.func.count(Notification.id)))

        env = {
            **os.environ,
            "PORTAL_CONFIG": "production",
            "SECRET_KEY": "bench-notifications-secret-key-0123456789abcdef",
            "DATABASE_URL": database,
            "CELERY_BROKER_URL": REDIS,
            "RATELIMIT_STORAGE_URI": REDIS,
            "PUBLIC_BASE_URL": "https://portaal.example.be",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(smtp_port),
            "FILES_PATH": files,
            "PORTAL_INSTANCE_PATH": files,
        }
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "worker.app",
            "worker",
            f"--pool={args.pool}",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
        ]
        if args.pool == "prefork":
            command.append(f"--concurrency={args.concurrency}")
        log = Path(files) / "worker.log"
        worker = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
        ready_probe = redis.Redis.from_url(REDIS)
        time.sleep(1)
        deadline = time.monotonic() + 60
        while not any(k.startswith(b"_kombu.binding") for k in ready_probe.keys()):
            assert time.monotonic() < deadline and worker.poll() is None, log.read_text()
            time.sleep(0.1)
        idle_kib = peak_memory_kib(worker.pid)

        started = time.monotonic()
        with app.app_context():
            dossier = db.session.get(applications.Application, dossier_id)
            recipients = [notifications.Recipient(f"bench-{i}@example.be") for i in range(args.count)]
            notifications.record(NotificationEvent.DECLARED_ELIGIBLE, recipients, dossier)
            db.session.commit()
        recorded = time.monotonic()  # the relay handed them to Redis when the context ended
        peak_kib = idle_kib
        deadline = time.monotonic() + 600
        target = before + args.count
        while sink.count < target:
            assert time.monotonic() < deadline, f"only {sink.count} of {target} e-mails arrived"
            assert worker.poll() is None, log.read_text()
            peak_kib = max(peak_kib, peak_memory_kib(worker.pid))
            time.sleep(0.05)
        finished = sink.last_at
        peak_kib = max(peak_kib, peak_memory_kib(worker.pid))
        with app.app_context():
            sent = db.session.scalar(
                db.select(db.func.count(Notification.id)).where(
                    Notification.status == "sent", Notification.email.like("bench-%")
                )
            )
            db.session.remove()
            db.engine.dispose()

        elapsed = finished - started
        print(
            f"notifications:        {args.count} (worker pool {args.pool}{'' if args.pool == 'solo' else f', concurrency {args.concurrency}'})"
        )
        print(f"recorded and relayed: {recorded - started:.2f} s")
        print(
            f"delivered (SMTP 250): {sink.count - before} (and {before} of the submission first), rows marked sent: {sent}"
        )
        print(f"total time:           {elapsed:.2f} s")
        print(f"throughput:           {args.count / elapsed:.0f} e-mails/s")
        print(f"worker peak memory:   {peak_kib / 1024:.0f} MiB (idle {idle_kib / 1024:.0f} MiB)")
    finally:
        if worker is not None and worker.poll() is None:
            worker.terminate()
            worker.wait(timeout=30)
        controller.stop()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
