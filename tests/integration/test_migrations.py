"""The migrations are the schema: one head, identical to the models, and they go down and up again."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from config import ROOT
from portal.extensions import db
from tests.conftest import make_app
from tests.services import throwaway_database


def test_the_migrations_have_exactly_one_head():
    script = ScriptDirectory(str(ROOT / "migrations"))
    assert len(script.get_heads()) == 1


def test_the_models_and_the_migrations_describe_the_same_schema(app, db_session):
    connection = db.session.connection()
    differences = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), db.metadata)
    assert differences == []


def test_every_migration_downgrades_and_upgrades_again(tmp_path, smtp_sink):
    with throwaway_database(tmp_path) as url:
        fresh = make_app(url, smtp_sink)
        with fresh.app_context():
            upgrade()
            assert "audit_entry" in inspect(db.engine).get_table_names()
            downgrade(revision="base")
            assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
            upgrade()
            assert "call" in inspect(db.engine).get_table_names()
            db.engine.dispose()


def test_notifications_of_a_government_become_inbox_rows_of_its_users_and_back(tmp_path, smtp_sink):
    """0008 turns each government-addressed row of 0007 into one row per user of that government,
    marked `skipped` (shown in the portal, never to be e-mailed now); the downgrade folds them back."""
    from sqlalchemy import text

    from portal.services import reference
    from tests.conftest import make_user
    from tests.factories import municipality, open_call, submitted_dossier

    with throwaway_database(tmp_path) as url:
        fresh = make_app(url, smtp_sink)
        with fresh.app_context():
            upgrade()
            reference.load_reference_data()
            first, second = make_user("applicant"), make_user("applicant", locale="en")
            dossier = submitted_dossier(open_call(), applicant=first)
            gent = municipality("44021").id
            dossier_id, emails = dossier.id, {first.email: "nl", second.email: "en"}
            db.session.commit()
        # The submission's e-mails went out when that context ended; no open transaction holds a lock now.
        with fresh.app_context():
            downgrade(revision="0007")
            with db.engine.begin() as connection:
                assert (
                    connection.execute(text("SELECT count(*) FROM notification")).scalar() == 0
                )  # 0008's kinds have no 0007 form
                connection.execute(
                    text(
                        "INSERT INTO notification (event, organisation_id, application_id, created_at, details) VALUES ('budget_released', :org, :app, :at, '{\"reserved_cents\": 540000}')"
                    ),
                    {"org": gent, "app": dossier_id, "at": "2026-11-01 10:00:00+00:00"},
                )
            upgrade()
            with db.engine.begin() as connection:
                rows = connection.execute(
                    text("SELECT email, locale, status, event, read_at FROM notification ORDER BY id")
                ).all()
            assert {(r.email, r.locale) for r in rows} == set(emails.items())
            assert {(r.status, r.event, r.read_at) for r in rows} == {("skipped", "budget_released", None)}
            downgrade(revision="0007")
            with db.engine.begin() as connection:
                back = connection.execute(text("SELECT organisation_id, application_id, event FROM notification")).all()
            assert [tuple(r) for r in back] == [(gent, dossier_id, "budget_released")]
            upgrade()
            db.session.remove()
        with fresh.app_context():  # after the context above handed over its notifications (it delivers them)
            db.engine.dispose()


def test_the_files_of_an_instance_move_into_the_store_and_back(tmp_path, smtp_sink, capfd):
    """0012 moves every file a row names from FILES_PATH into the database; a missing upload stops it
    with its name, a missing receipt is forgotten (it is made from the frozen content); 0011 writes them back."""
    import hashlib
    from pathlib import Path

    import pytest
    from sqlalchemy import text

    from portal.services import files, receipts, reference
    from tests.factories import open_call, submitted_dossier

    folder = tmp_path / "files"
    with throwaway_database(tmp_path) as url:
        fresh = make_app(url, smtp_sink, FILES_PATH=str(folder))
        with fresh.app_context():
            upgrade()
            reference.load_reference_data()
            dossier = submitted_dossier(open_call())
            receipts.receipt_bytes(dossier.latest_submission, "nl")
            stored = {a.stored_name: a.sha256 for a in dossier.attachments}
            receipt = dossier.latest_submission.receipt_name
            db.session.commit()
            db.session.remove()

            downgrade(revision="0011")
            assert {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in stored} == stored
            assert (folder / receipt).read_bytes().startswith(b"%PDF")

            (folder / receipt).unlink()  # a receipt lost: forgotten, made again from the frozen content
            lost_upload = next(iter(stored))
            kept = (folder / lost_upload).read_bytes()
            (folder / lost_upload).unlink()
            with pytest.raises(SystemExit):  # Flask-Migrate's way of saying the migration failed
                upgrade()
            assert f"attachment.stored_name = {lost_upload}" in capfd.readouterr().err  # named for the operator
            Path(folder / lost_upload).write_bytes(kept)
            upgrade()

            for name, sha256 in stored.items():
                assert hashlib.sha256(files.read_file(name)).hexdigest() == sha256
            with db.engine.begin() as connection:
                assert connection.execute(text("SELECT receipt_name FROM submission")).scalar() is None
            db.session.remove()
        with fresh.app_context():  # after the context above handed over its notifications (it delivers them)
            db.engine.dispose()
