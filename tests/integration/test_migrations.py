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
                assert connection.execute(text("SELECT count(*) FROM notification")).scalar() == 0  # 0008's kinds have no 0007 form
                connection.execute(
                    text("INSERT INTO notification (event, organisation_id, application_id, created_at, details) VALUES ('budget_released', :org, :app, :at, '{\"reserved_cents\": 540000}')"),
                    {"org": gent, "app": dossier_id, "at": "2026-11-01 10:00:00+00:00"},
                )
            upgrade()
            with db.engine.begin() as connection:
                rows = connection.execute(text("SELECT email, locale, status, event, read_at FROM notification ORDER BY id")).all()
            assert {(r.email, r.locale) for r in rows} == set(emails.items())
            assert {(r.status, r.event, r.read_at) for r in rows} == {("skipped", "budget_released", None)}
            downgrade(revision="0007")
            with db.engine.begin() as connection:
                back = connection.execute(text("SELECT organisation_id, application_id, event FROM notification")).all()
            assert [tuple(r) for r in back] == [(gent, dossier_id, "budget_released")]
            upgrade()
            db.session.remove()
            db.engine.dispose()
