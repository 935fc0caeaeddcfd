"""Recording notifications with the event that causes them (the outbox), the in-app inbox, resending.

Every function here writes in the caller's transaction and never sends: delivery happens after the
commit (portal/outbox.py hands the new rows to a worker).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from portal.db import utcnow
from portal.extensions import db
from portal.models import Application, Notification, User
from portal.models.notifications import NotificationEvent
from portal.outbox import relay_after_commit
from portal.services import audit
from portal.services.refusal import NotAllowed
from workflows.outbox import NEEDS_ATTENTION, DeliveryStatus
from workflows.roles import Role


@dataclass(frozen=True)
class Recipient:
    email: str
    user: User | None = None
    locale: str = "nl"  # for an address without an account: Dutch, the call's language


def _portal_users(*organisation_ids: int | None) -> dict[int, list[User]]:
    """The active applicant accounts of these governments, by government, each list in account order."""
    wanted = [organisation_id for organisation_id in organisation_ids if organisation_id is not None]
    found: dict[int, list[User]] = {organisation_id: [] for organisation_id in wanted}
    if wanted:
        for user in db.session.scalars(
            select(User)
            .where(User.organisation_id.in_(wanted), User.is_active.is_(True), User.role == Role.APPLICANT)
            .order_by(User.id)
        ):
            found[user.organisation_id].append(user)
    return found


def _with_contact(users: list[User], contact_email: str) -> list[Recipient]:
    """A government hears through its portal users and through the dossier's contact person for it."""
    recipients = [Recipient(user.email, user, user.locale) for user in users]
    contact = contact_email.strip().lower()
    if contact and contact not in {recipient.email for recipient in recipients}:
        recipients.append(Recipient(contact))
    return recipients


def government_recipients(organisation_id: int | None, contact_email: str) -> list[Recipient]:
    return _with_contact(_portal_users(organisation_id).get(organisation_id or 0, []), contact_email)


def giving_government(application: Application) -> list[Recipient]:
    return government_recipients(application.organisation_id, application.giving_contact_email)


def both_governments(application: Application) -> list[Recipient]:
    """The giving government first, then the receiving one, each address once; their accounts in one query."""
    users = _portal_users(application.organisation_id, application.receiving_organisation_id)
    giving = _with_contact(users.get(application.organisation_id, []), application.giving_contact_email)
    receiving = _with_contact(
        users.get(application.receiving_organisation_id or 0, []), application.receiving_contact_email
    )
    addresses = {recipient.email for recipient in giving}
    return giving + [recipient for recipient in receiving if recipient.email not in addresses]


def officer_recipients() -> list[Recipient]:
    """Every active officer: the administration hears of what changes a dossier it handles."""
    users = db.session.scalars(
        select(User).where(User.role == Role.OFFICER, User.is_active.is_(True)).order_by(User.id)
    )
    return [Recipient(user.email, user, user.locale) for user in users]


def user_recipient(user: User) -> Recipient:
    return Recipient(user.email, user, user.locale)


def record(
    event: NotificationEvent,
    recipients: list[Recipient],
    application: Application | None,
    details: dict[str, Any] | None = None,
    occasion: str | None = None,
) -> list[Notification]:
    """One row per recipient. Without an occasion this is a new occurrence of the event; with one
    (a reminder: "call 3, 7 days before, dossier 12") a recipient gets it once, however often it is asked."""
    rows = []
    for recipient in recipients:
        key = f"{event.value}/{occasion or uuid.uuid4().hex}/{recipient.email}"
        row = Notification(
            key=key,
            event=event,
            application_id=application.id if application is not None else None,
            user_id=recipient.user.id if recipient.user is not None else None,
            email=recipient.email,
            locale=recipient.locale,
            details=details or {},
            status=DeliveryStatus.PENDING,
            attempts=0,
        )
        if occasion is None:
            db.session.add(row)
            rows.append(row)
        elif _add_once(row):
            rows.append(row)
    return rows


def _add_once(row: Notification) -> bool:
    """Insert unless the key exists; the unique constraint settles a race between two reminder runs."""
    if db.session.scalar(select(Notification.id).where(Notification.key == row.key)) is not None:
        return False
    savepoint = db.session.begin_nested()
    try:
        db.session.add(row)
        db.session.flush()
    except IntegrityError:
        savepoint.rollback()
        return False
    savepoint.commit()
    return True


# --- the in-app inbox --------------------------------------------------------------------------------


def inbox_of(user: User, limit: int = 50) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification).where(Notification.user_id == user.id).order_by(Notification.id.desc()).limit(limit)
        )
    )


def unread_count(user: User) -> int:
    return int(
        db.session.scalar(
            select(func.count(Notification.id)).where(Notification.user_id == user.id, Notification.read_at.is_(None))
        )
        or 0
    )


def message_for(user: User, notification_id: int) -> Notification | None:
    """Only the recipient's own message (someone else's reads as not found)."""
    return db.session.scalar(
        select(Notification).where(Notification.id == notification_id, Notification.user_id == user.id)
    )


def mark_read(user: User, notification: Notification | None = None, now: datetime | None = None) -> int:
    """One message, or all of the user's unread ones."""
    statement = update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if notification is not None:
        statement = statement.where(Notification.id == notification.id)
    return int(db.session.execute(statement.values(read_at=now or utcnow())).rowcount)  # type: ignore[attr-defined]


# --- deliveries that need an officer ----------------------------------------------------------------


def needing_attention(limit: int = 200) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.status.in_(NEEDS_ATTENTION))
            .order_by(Notification.id.desc())
            .limit(limit)
        )
    )


def attention_count() -> int:
    return int(
        db.session.scalar(select(func.count(Notification.id)).where(Notification.status.in_(NEEDS_ATTENTION))) or 0
    )


def status_counts() -> dict[str, int]:
    rows = db.session.execute(select(Notification.status, func.count(Notification.id)).group_by(Notification.status))
    counts = {status.value: 0 for status in DeliveryStatus}
    counts.update({status: int(count) for status, count in rows})
    return counts


class NotResendable(NotAllowed):
    """Only a failed or uncertain delivery can be sent again by hand."""


def resend(notification_id: int, actor: User | None) -> Notification:
    """Back to the queue as a new first attempt; the officer's decision is audited (for an uncertain
    delivery it may mean a second copy)."""
    notification = db.session.scalar(select(Notification).where(Notification.id == notification_id).with_for_update())
    if notification is None or notification.status_enum not in NEEDS_ATTENTION:
        raise NotResendable(notification_id)
    before = notification.status
    notification.status = DeliveryStatus.PENDING
    notification.attempts = 0
    notification.next_attempt_at = None
    notification.claimed_at = None
    audit.record_row(
        actor,
        "notification.resent",
        notification,
        from_state=before,
        to_state=DeliveryStatus.PENDING,
        details={"event": notification.event, "user_id": notification.user_id},  # no address in the append-only log
    )
    relay_after_commit(notification)  # marks it for the hand-over after the commit
    return notification
