"""Backups that restore: `pg_dump` of a live portal, `pg_restore` into a new database, and every dossier,
every euro and every file is there again (the files are in the database, so the dump holds them)."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from portal.extensions import db
from portal.models import Application, Attachment, Call, PaymentBatch, Payout, Reservation, StoredFile, StoredFileChunk
from tests.conftest import app_on_own_database
from tests.services import POSTGRES_URL
from workflows.calls import BRUSSELS

pytestmark = pytest.mark.postgres


def _psql_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def _inventory(connection) -> dict[str, object]:
    """What a restore must give back: the dossiers, the money, the files (each by its content)."""
    files = {}
    for name, sha256 in connection.execute(select(StoredFile.name, StoredFile.sha256)):
        chunks = connection.execute(
            select(StoredFileChunk.data).where(StoredFileChunk.file_name == name).order_by(StoredFileChunk.position)
        ).scalars()
        content = b"".join(bytes(chunk) for chunk in chunks)
        assert hashlib.sha256(content).hexdigest() == sha256
        files[name] = sha256
    return {
        "dossiers": sorted(
            connection.execute(
                select(Application.reference, Application.state, Application.requested_cents, Application.granted_cents)
            ).all(),
            key=str,
        ),
        "calls": sorted(
            connection.execute(
                select(Call.code, Call.envelope_cents, Call.reserved_cents, Call.committed_cents, Call.paid_cents)
            ).all()
        ),
        "reservations": sorted(
            connection.execute(
                select(
                    Reservation.application_id,
                    Reservation.reserved_cents,
                    Reservation.committed_cents,
                    Reservation.paid_cents,
                )
            ).all()
        ),
        "payouts": sorted(connection.execute(select(Payout.id, Payout.state, Payout.amount_cents)).all()),
        "payment_files": sorted(connection.execute(select(PaymentBatch.message_id, PaymentBatch.content_sha256)).all()),
        "attachments": sorted(connection.execute(select(Attachment.stored_name, Attachment.sha256)).all()),
        "files": files,
    }


@pytest.mark.skipif(
    not shutil.which("pg_dump") or not shutil.which("pg_restore"),
    reason="pg_dump and pg_restore (Debian's postgresql-client) are not installed",
)
def test_a_backup_restores_every_dossier_euro_and_file(tmp_path: Path, smtp_sink) -> None:
    from portal.services import payouts
    from portal.services.seed import sample_report
    from tests.conftest import make_user
    from tests.factories import granted_dossier, open_call, payout_people, submitted_dossier, to_bank

    with app_on_own_database(tmp_path / "live", smtp_sink) as app:
        with app.app_context():
            people = payout_people()
            call = open_call("ARM-BACKUP", advance_percent=40)
            granted = granted_dossier(people, call)
            submitted_dossier(call, receiving_nis="11002")
            db.session.commit()
            (advance,) = payouts.payouts_of(granted)
            payouts.approve(advance.id, people["finance"])
            db.session.commit()
            to_bank(people["finance2"])
            db.session.commit()
            payouts.pay(advance.id, people["finance2"], advance.approved_at.astimezone(BRUSSELS).date(), "BNK-BACKUP")
            db.session.commit()
            sample_report(granted, make_user("applicant"))
            db.session.commit()
            live_url = app.config["SQLALCHEMY_DATABASE_URI"]
        with app.app_context():  # after the e-mails of the events above made their receipts and letters
            before = _inventory(db.session.connection())
            db.session.remove()

        dump = tmp_path / "portal.dump"
        subprocess.run(["pg_dump", "--format=custom", "--file", str(dump), _psql_url(live_url)], check=True)
        restored = f"portal_restored_{uuid.uuid4().hex[:10]}"
        admin = _psql_url(POSTGRES_URL)
        subprocess.run(["psql", admin, "-qc", f'CREATE DATABASE "{restored}"'], check=True)
        restored_url = POSTGRES_URL.rsplit("/", 1)[0] + f"/{restored}"
        try:
            subprocess.run(
                ["pg_restore", "--no-owner", "--exit-on-error", "--dbname", _psql_url(restored_url), str(dump)],
                check=True,
            )
            engine = create_engine(restored_url)
            with engine.connect() as connection:
                after = _inventory(connection)
                assert (
                    connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
                    == connection.execute(text("SELECT max(version_num) FROM alembic_version")).scalar()
                )
            engine.dispose()
        finally:
            subprocess.run(["psql", admin, "-qc", f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)'], check=True)

    assert after == before
    assert (
        len(before["files"]) >= 6 and before["payment_files"] and before["dossiers"]
    )  # attachments, documents, the file: all there
