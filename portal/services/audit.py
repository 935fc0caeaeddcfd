"""Writing the audit trail: every state change calls `record` (or `record_row`) in the same transaction."""

from __future__ import annotations

from typing import Any, TypedDict, Unpack

from portal.extensions import db
from portal.models import AuditEntry, User


class Change(TypedDict, total=False):
    """What an audit row says of the change besides who, what and which row."""

    from_state: str | None
    to_state: str | None
    reason: str | None
    details: dict[str, Any] | None


def record(
    actor: User | None, action: str, entity_type: str, entity_id: object, **change: Unpack[Change]
) -> AuditEntry:
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        **change,
    )
    db.session.add(entry)
    return entry


# The audit trail's name for a row whose table has a longer name.
_ENTITY_NAMES = {"expertise_match": "match", "user_account": "user"}


def _entity_of(row: Any) -> str:
    return _ENTITY_NAMES.get(row.__tablename__, row.__tablename__)


def record_row(actor: User | None, action: str, row: Any, **change: Unpack[Change]) -> AuditEntry:
    """`record` for the row that changed, named by its table; a row added in this transaction is flushed
    first, so that it has its id."""
    if row.id is None:
        db.session.flush()
    return record(actor, action, _entity_of(row), row.id, **change)


def record_move(actor: User | None, action: str, row: Any, to_state: str, **change: Unpack[Change]) -> AuditEntry:
    """Move the row to `to_state` and record it: the audit row's from-state is the state the row was in, so
    the trail and the row cannot disagree."""
    before = row.state
    row.state = to_state
    return record(actor, action, _entity_of(row), row.id, from_state=before, to_state=to_state, **change)


def record_added(actor: User | None, action: str, row: Any, **change: Unpack[Change]) -> AuditEntry:
    """Add a new row that has a state and record it: the audit row's to-state is the state it starts in."""
    db.session.add(row)
    return record_row(actor, action, row, to_state=row.state, **change)
