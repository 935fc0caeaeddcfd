"""The administration's own handling of a dossier: who owns it and the internal notes about it.

Neither moves money nor changes the dossier's state, so they take no money locks; both are audited. The
governments never see either (their pages read neither the owner nor the notes).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from portal.extensions import db
from portal.models import Application, DossierNote, User
from portal.services import audit
from portal.services.refusal import Refused
from workflows.roles import Role


class HandlingRefused(Refused):
    """A choice of owner or a note the rules refuse; `code` says why."""


def officers() -> list[User]:
    """Who can own a dossier: the officers whose account is active, by name."""
    return list(
        db.session.scalars(
            select(User).where(User.role == Role.OFFICER, User.is_active.is_(True)).order_by(User.full_name, User.id)
        )
    )


def assign_owner(application: Application, owner_id: int | None, actor: User, now: datetime) -> User | None:
    """Make `owner_id` (an active officer) the dossier's owner, or leave it without one (None)."""
    owner = db.session.get(User, owner_id) if owner_id is not None else None
    if owner_id is not None and (owner is None or owner.role_enum is not Role.OFFICER or not owner.is_active):
        raise HandlingRefused("owner_not_officer")
    if application.owner_id == owner_id:
        return owner
    previous = application.owner_id
    application.owner_id = owner_id
    application.updated_at = now
    audit.record_row(
        actor, "dossier.owner_assigned", application, details={"from_owner_id": previous, "to_owner_id": owner_id}
    )
    db.session.flush()
    return owner


def add_note(application: Application, body: str, actor: User, now: datetime) -> DossierNote:
    text = body.strip()
    if not text:
        raise HandlingRefused("note_empty")
    note = DossierNote(application_id=application.id, author_id=actor.id, created_at=now, body=text)
    db.session.add(note)
    db.session.flush()
    # The note's words stay in the note; the audit row says that one was written and which.
    audit.record_row(actor, "dossier.note_added", application, details={"note_id": note.id})
    return note


def notes_of(application: Application) -> list[DossierNote]:
    """The notes, newest first."""
    return list(
        db.session.scalars(
            select(DossierNote)
            .where(DossierNote.application_id == application.id)
            .order_by(DossierNote.created_at.desc(), DossierNote.id.desc())
        )
    )
