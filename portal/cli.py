"""`flask` commands: seed the real call, load the demo. (Migrations: `flask db upgrade`.)"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click
import pyotp
from flask import Flask

from portal.db import brussels_today, utcnow
from portal.extensions import db
from portal.outbox import sweep_and_relay
from portal.services import notifications, reference, reminders, retention, seed


def register(app: Flask, migrations: Path) -> None:
    # Flask-Migrate brings alembic (10 MiB): loaded where the `flask` commands are, never in the worker.
    from flask_migrate import Migrate

    Migrate(app, db, directory=str(migrations), render_as_batch=True, compare_type=True)

    @app.cli.command("seed")
    def seed_command() -> None:
        """Load the reference data and the real 2022 call."""
        count = reference.load_reference_data()
        call, created = seed.seed_call_2022()
        db.session.commit()
        click.echo(f"Municipalities: {count.created} added, {count.updated} updated.")
        click.echo(f"Call {call.code}: {'created' if created else 'already present'}.")

    @app.cli.command("demo")
    def demo_command() -> None:
        """Load the demo: users for every role, a call open today (after `seed`). Never in production."""
        try:
            users = seed.seed_demo()
        except seed.DemoRefused as refused:
            raise click.ClickException(
                f"{refused}; PORTAL_CONFIG is {app.config['PORTAL_CONFIG_NAME']!r}. Nothing was changed."
            ) from refused
        db.session.commit()
        click.echo(f"Demo users (password for all: {seed.DEMO_PASSWORD})")
        for user in users:
            click.echo(f"  {user.role.value:<10} {user.email}")
        click.echo(
            "Officer, finance, reviewer and admin log in with a two-step code: add the key "
            f"{seed.DEMO_TOTP_SECRET} to an authenticator app, or run `flask demo-code`."
        )
        click.echo(
            "Retention: `flask anonymise --dry-run --today 2040-01-01` lists what the calls' periods would "
            "anonymise by then; the privacy statement (/privacy) shows the periods."
        )

    @app.cli.command("sweep-outbox")
    def sweep_outbox_command() -> None:
        """Hand undelivered notifications to the worker again (beat does this every minute)."""

        found, handed = sweep_and_relay()
        click.echo(f"Notifications handed over: {handed} of {found}.")

    @app.cli.command("reminders")
    def reminders_command() -> None:
        """Record the reminders due now (beat does this every hour); each goes out once."""

        count = reminders.remind_all(utcnow())
        db.session.commit()
        click.echo(f"Reminders recorded: {count}.")

    @app.cli.command("resend")
    @click.argument("notification_id", type=int)
    def resend_command(notification_id: int) -> None:
        """Send a failed or uncertain notification again (as the officer page does)."""

        try:
            notifications.resend(notification_id, actor=None)
        except notifications.NotResendable:
            raise click.ClickException(f"Notification {notification_id} is not failed or uncertain.") from None
        db.session.commit()
        click.echo(f"Notification {notification_id} queued again.")

    @app.cli.command("demo-code")
    def demo_code_command() -> None:
        """Print the current two-step code of the demo staff accounts."""
        click.echo(pyotp.TOTP(seed.DEMO_TOTP_SECRET).now())

    @app.cli.command("anonymise")
    @click.option("--dry-run", is_flag=True, help="Only list what would change; change nothing.")
    @click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Judge as on this day (YYYY-MM-DD).")
    def anonymise_command(dry_run: bool, today: datetime | None) -> None:
        """Anonymise personal data past the calls' retention periods (beat does this every night)."""
        day = today.date() if today is not None else brussels_today()
        run = retention.anonymise(day, dry_run=dry_run)
        if dry_run:
            db.session.rollback()
        else:
            db.session.commit()
        click.echo(f"{'Would anonymise' if dry_run else 'Anonymised'} as on {day.isoformat()}:")
        for line in run.lines:
            click.echo(f"  {line}")
        click.echo(", ".join(f"{name}: {count}" for name, count in run.counts.items()))
