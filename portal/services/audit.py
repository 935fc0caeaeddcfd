"""Writing the audit trail: every state change calls `record` in the same transaction."""

from __future__ import annotations

from typing import Any

from portal.extensions import db
from portal.models import AuditEntry, User


def record(
    actor: User | None,
    action: str,
    entity_type: str,
    entity_id: object,
    *,
    from_state: str | None = None,
    to_state: str | None = None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        details=details,
    )
    db.session.add(entry)
    return entry
