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
