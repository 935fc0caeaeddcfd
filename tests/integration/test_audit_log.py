"""The audit log is append-only, in the ORM and in the database itself."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from portal.models import AuditEntry
from portal.models.audit import AuditLogIsAppendOnly
from portal.services import audit


def test_an_audit_entry_cannot_be_changed_through_the_orm(db_session):
    entry = audit.record(None, "test.happened", "thing", 1, reason="because")
    db_session.flush()
    entry.reason = "rewritten"
    with pytest.raises(AuditLogIsAppendOnly):
        db_session.flush()
    db_session.rollback()


@pytest.mark.parametrize("statement", ["UPDATE audit_entry SET reason = 'x'", "DELETE FROM audit_entry"])
def test_the_database_refuses_to_update_or_delete_audit_rows(db_session, statement):
    audit.record(None, "test.happened", "thing", 1)
    db_session.flush()
    nested = db_session.begin_nested()
    with pytest.raises(DatabaseError, match="append-only"):
        db_session.execute(text(statement))
    nested.rollback()
    assert db_session.query(AuditEntry).filter_by(action="test.happened").count() == 1
