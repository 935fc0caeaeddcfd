"""Where a worker's time goes when it delivers e-mail: cProfile over N notifications of one event, delivered by
the worker's own task functions in this process (PostgreSQL, a local SMTP sink), handed over as the relay hands
them (`--batch` ids per task). Prints the rate and the functions with the most time.

    .venv/bin/python bench/profile_delivery.py [--count 500] [--batch 50] [--top 30] [--sort tottime]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import REDIS, CountingSink, free_port, own_database, submitted_dossier  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="tottime", help="pstats order: cumulative or tottime")
    args = parser.parse_args()

    import tempfile

    import redis
    from aiosmtpd.controller import Controller

    sink = CountingSink()
    smtp_port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    redis.Redis.from_url(REDIS).flushdb()
    try:
        with own_database("portal_profile") as database:
            from portal import create_app
            from portal.extensions import db

            app = create_app(
                "test",
                {
                    "SQLALCHEMY_DATABASE_URI": database,
                    "CELERY_TASK_ALWAYS_EAGER": False,  # the relay hands the rows to Redis; this process delivers them
                    "CELERY_BROKER_URL": REDIS,
                    "MAIL_BACKEND": "smtp",
                    "MAIL_SERVER": "127.0.0.1",
                    "MAIL_PORT": smtp_port,
                    "FILES_PATH": tempfile.mkdtemp(prefix="portal-profile-"),
                },
            )
            from portal.models import Notification
            from portal.models.notifications import NotificationEvent
            from portal.services import applications, notifications
            from worker import tasks

            with app.app_context():
                draft = db.session.get(applications.Application, submitted_dossier())
                recipients = [notifications.Recipient(f"bench-{i}@example.be") for i in range(args.count + 1)]
                notifications.record(NotificationEvent.DECLARED_ELIGIBLE, recipients, draft)
                db.session.commit()
                ids = list(
                    db.session.scalars(
                        db.select(Notification.id).where(Notification.email.like("bench-%")).order_by(Notification.id)
                    )
                )
            deliver = tasks.deliver_notifications if args.batch > 1 else None
            with app.app_context():
                tasks.deliver_notification.run(ids[0])  # warm-up: imports, templates, the mail connection
                db.session.remove()
            profiler = cProfile.Profile()
            started = time.perf_counter()
            rest = ids[1:]
            for start in range(0, len(rest), max(args.batch, 1)):
                chunk = rest[start : start + max(args.batch, 1)]
                with app.app_context():
                    profiler.enable()
                    if deliver is not None:
                        deliver.run(chunk)
                    else:
                        tasks.deliver_notification.run(chunk[0])
                    profiler.disable()
                    db.session.remove()
            elapsed = time.perf_counter() - started
            with app.app_context():
                sent = db.session.scalar(
                    db.select(db.func.count(Notification.id)).where(
                        Notification.status == "sent", Notification.email.like("bench-%")
                    )
                )
                db.engine.dispose()
            print(
                f"{len(rest)} e-mails in {elapsed:.2f} s under the profiler: {len(rest) / elapsed:.0f}/s; rows sent {sent}"
            )
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.top)
            print(out.getvalue())
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
