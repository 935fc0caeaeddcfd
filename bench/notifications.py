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
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import POSTGRES, REDIS, CountingSink, children_of, kib, submitted_dossier  # noqa: E402


def worker_processes(pid: int) -> list[int]:
    """The worker and its pool's processes (prefork): children running the worker, not a short-lived helper a
    library starts (ldconfig, found by ctypes), which would count the parent's pages a second time."""
    pids = [pid]
    for child in children_of(pid):
        try:
            if b"worker" in Path(f"/proc/{child}/cmdline").read_bytes():
                pids.append(child)
        except FileNotFoundError:
            pass
    return pids


def peak_memory_kib(pid: int) -> dict[int, int]:
    """VmHWM of each of the worker's processes, from /proc."""
    peaks = {}
    for each in worker_processes(pid):
        try:
            peaks[each] = kib(each, "VmHWM")
        except FileNotFoundError:
            pass
    return peaks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--pool", choices=("solo", "prefork"), default="solo")
    parser.add_argument("--concurrency", type=int, default=2)
    args = parser.parse_args()

    import psycopg
    import redis
    from aiosmtpd.controller import Controller
    from celery import Celery

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
            from portal.models import Notification
            from portal.models.notifications import NotificationEvent
            from portal.services import applications, notifications

            dossier_id = submitted_dossier()
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
        # Idle: once a task has run, the worker has loaded what every task needs (its app, the database).
        health = Celery(broker=REDIS, backend=None)
        health.send_task("portal.health_check")
        time.sleep(1.0)
        idle = peak_memory_kib(worker.pid)

        started = time.monotonic()
        with app.app_context():
            dossier = db.session.get(applications.Application, dossier_id)
            recipients = [notifications.Recipient(f"bench-{i}@example.be") for i in range(args.count)]
            notifications.record(NotificationEvent.DECLARED_ELIGIBLE, recipients, dossier)
            db.session.commit()
        recorded = time.monotonic()  # the relay handed them to Redis when the context ended
        peaks = dict(idle)
        deadline = time.monotonic() + 600
        target = before + args.count
        while sink.count < target:
            assert time.monotonic() < deadline, f"only {sink.count} of {target} e-mails arrived"
            assert worker.poll() is None, log.read_text()
            for each, kib in peak_memory_kib(worker.pid).items():
                peaks[each] = max(peaks.get(each, 0), kib)
            time.sleep(0.05)
        finished = sink.last_at
        for each, kib in peak_memory_kib(worker.pid).items():
            peaks[each] = max(peaks.get(each, 0), kib)
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
        print(
            f"worker peak memory:   {max(peaks.values()) / 1024:.0f} MiB the largest process "
            f"(idle {max(idle.values()) / 1024:.0f} MiB); {sum(peaks.values()) / 1024:.0f} MiB over its "
            f"{len(peaks)} process(es), pages they share counted in each"
        )
    finally:
        if worker is not None and worker.poll() is None:
            worker.terminate()
            worker.wait(timeout=30)
        controller.stop()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
