"""Use case: everything the portal holds about one user, as plain data (GDPR art. 15 and 20: access, portability).

The user downloads it themselves; an officer produces the same for a person who asks by letter (audited).
Secrets are never included: password hashes, two-step keys, session and token hashes.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select

from portal.extensions import db
from portal.models import (
    Application,
    AuditEntry,
    DossierNote,
    Need,
    Notification,
    Offer,
    Review,
    User,
    UserSession,
)
from portal.services import audit


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _row(obj: Any, columns: tuple[str, ...]) -> dict[str, Any]:
    return {column: _plain(getattr(obj, column)) for column in columns}


ACCOUNT = (
    "id",
    "email",
    "full_name",
    "role",
    "locale",
    "is_active",
    "created_at",
    "last_login_at",
    "password_changed_at",
    "totp_confirmed_at",
    "anonymised_at",
)
DOSSIER = (
    "reference",
    "state",
    "created_at",
    "submitted_at",
    "giving_contact_name",
    "giving_contact_function",
    "giving_contact_email",
    "giving_contact_phone",
    "receiving_contact_name",
    "receiving_contact_function",
    "receiving_contact_email",
    "receiving_contact_phone",
    "approach",
    "need",
    "goals",
    "participation",
    "embedding",
    "withdrawal_reason",
    "receiving_decline_reason",
    "early_end_reason",
)
LISTING = ("id", "state", "contact_name", "contact_email", "created_at", "updated_at", "withdrawn_at")


def personal_data(user: User) -> dict[str, Any]:
    """The user's account, sessions, messages, the dossiers and listings that name them, and what they did."""
    email = user.email.lower()
    account = _row(user, ACCOUNT)
    account["organisation"] = user.organisation.name if user.organisation else None
    account["two_step_enabled"] = user.has_two_step

    sessions = [
        _row(s, ("created_at", "expires_at", "revoked_at", "user_agent"))
        for s in db.session.scalars(select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.id))
    ]
    notifications = []
    for notification in db.session.scalars(
        select(Notification)
        .where(or_(Notification.user_id == user.id, Notification.email == email))
        .order_by(Notification.id)
    ):
        item = _row(notification, ("event", "email", "created_at", "read_at", "status", "sent_at", "details"))
        item["dossier"] = notification.application.reference if notification.application else None
        notifications.append(item)

    dossiers = []
    for application in db.session.scalars(
        select(Application)
        .where(
            or_(
                Application.created_by_id == user.id,
                Application.giving_contact_email == email,
                Application.receiving_contact_email == email,
            )
        )
        .order_by(Application.id)
    ):
        item = _row(application, DOSSIER)
        item["call"] = application.call.code
        item["your_role"] = [
            name
            for name, applies in (
                ("creator", application.created_by_id == user.id),
                ("giving_contact", application.giving_contact_email.lower() == email),
                ("receiving_contact", application.receiving_contact_email.lower() == email),
            )
            if applies
        ]
        item["mentors"] = [_row(m, ("full_name", "function")) for m in application.mentors]
        dossiers.append(item)

    listings: dict[str, list[dict[str, Any]]] = {}
    for name, model in (("offers", Offer), ("needs", Need)):
        listings[name] = [
            _row(listing, LISTING)
            for listing in db.session.scalars(
                select(model)
                .where(or_(model.created_by_id == user.id, model.contact_email == email))
                .order_by(model.id)
            )
        ]

    written = {
        "dossier_notes": [
            {"dossier": note.application_id, **_row(note, ("created_at", "body"))}
            for note in db.session.scalars(select(DossierNote).where(DossierNote.author_id == user.id))
        ],
        "reviews": [
            {"dossier": review.application_id, "comment": review.comment, "conflict_reason": review.conflict_reason}
            for review in db.session.scalars(select(Review).where(Review.reviewer_id == user.id))
        ],
    }
    actions = [
        _row(
            entry, ("occurred_at", "action", "entity_type", "entity_id", "from_state", "to_state", "reason", "details")
        )
        for entry in db.session.scalars(
            select(AuditEntry).where(AuditEntry.actor_id == user.id).order_by(AuditEntry.id)
        )
    ]
    return {
        "account": account,
        "sessions": sessions,
        "notifications": notifications,
        "dossiers": dossiers,
        **listings,
        **written,
        "audit_entries": actions,
    }


def export_for_request(person: User, actor: User, reason: str) -> dict[str, Any]:
    """An officer produces a person's data on their written request: the act is audited, with the letter's
    reference as the reason."""
    data = personal_data(person)
    audit.record(actor, "privacy.data_exported", "user", person.id, reason=reason)
    db.session.flush()
    return data
