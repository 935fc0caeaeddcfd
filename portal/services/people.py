"""A government's own people: its users invite colleagues and remove their access; anyone may ask for access
through the public form, and an administrator decides. Writes in the caller's transaction; never commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from portal.db import utcnow
from portal.extensions import db
from portal.models import AccessRequest, AccountToken, AuditEntry, Organisation, TokenPurpose, User
from portal.models.notifications import NotificationEvent
from portal.services import accounts, audit, notifications
from portal.services.notifications import Recipient
from portal.services.refusal import NotAllowed, Refused
from workflows.access import AccessRequestState, RemovalRefusal, may_decide, removal_refusal
from workflows.organisations import OrganisationKind
from workflows.roles import Role


class EmailTaken(NotAllowed):
    """An account with this e-mail address exists already (of this government or another)."""


class RemovalRefused(Refused):
    """Removing a colleague refused; `code` is a RemovalRefusal (workflows/access.py)."""


class AlreadyDecided(NotAllowed):
    """The access request was approved or refused before (perhaps by another administrator)."""


# --- colleagues ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Colleague:
    user: User
    invited_by: User | None

    @property
    def since(self) -> datetime:
        return self.user.created_at


def colleagues_of(user: User) -> list[Colleague]:
    """Every applicant account of the user's government, active ones first, with who invited them."""
    users = list(
        db.session.scalars(
            select(User)
            .where(User.organisation_id == user.organisation_id, User.role == Role.APPLICANT)
            .order_by(User.is_active.desc(), User.full_name, User.id)
        )
    )
    inviters = inviters_of([colleague.id for colleague in users])
    return [Colleague(colleague, inviters.get(colleague.id)) for colleague in users]


def inviters_of(user_ids: list[int]) -> dict[int, User]:
    """Who issued each user's latest invitation, in one query."""
    if not user_ids:
        return {}
    latest = (
        select(AccountToken.user_id, func.max(AccountToken.id).label("token_id"))
        .where(AccountToken.user_id.in_(user_ids), AccountToken.purpose == TokenPurpose.INVITATION)
        .group_by(AccountToken.user_id)
        .subquery()
    )
    rows = db.session.execute(
        select(latest.c.user_id, User)
        .join(AccountToken, AccountToken.id == latest.c.token_id)
        .join(User, User.id == AccountToken.created_by_id)
    )
    return {user_id: inviter for user_id, inviter in rows}


def colleague(actor: User, user_id: int) -> User | None:
    """An applicant of the actor's own government; None for anyone else (the route answers 404)."""
    user = db.session.get(User, user_id)
    if user is None or user.role != Role.APPLICANT or user.organisation_id != actor.organisation_id:
        return None
    return user


def email_taken(email: str) -> bool:
    return db.session.scalar(select(User.id).where(User.email == accounts.normalise_email(email))) is not None


def invite_colleague(actor: User, full_name: str, email: str) -> tuple[User, str]:
    """An applicant invites a colleague: always the applicant role, always the actor's own government. The
    invitation (and its e-mail naming who invited whom as what) is the administrator's own."""
    if email_taken(email):
        raise EmailTaken("email_taken")
    user, token = accounts.invite_user(
        email=email,
        full_name=full_name,
        role=Role.APPLICANT,
        organisation=actor.organisation,
        locale=actor.locale,
        actor=actor,
    )
    audit.record_row(actor, "access.colleague_invited", user, details={"organisation_id": actor.organisation_id})
    db.session.flush()
    return user, token


def _active_applicants(organisation_id: int | None) -> int:
    return int(
        db.session.scalar(
            select(func.count(User.id)).where(
                User.organisation_id == organisation_id, User.role == Role.APPLICANT, User.is_active.is_(True)
            )
        )
        or 0
    )


def may_remove(user: User) -> RemovalRefusal | None:
    return removal_refusal(target_is_active=user.is_active, active_colleagues=_active_applicants(user.organisation_id))


def remove_access(user: User, actor: User) -> None:
    """Switch the account off (never deleted: its history stays), end its sessions, tell the colleague."""
    # The government's row is locked so that two colleagues removing each other cannot leave nobody.
    db.session.execute(select(Organisation.id).where(Organisation.id == user.organisation_id).with_for_update())
    refusal = may_remove(user)
    if refusal is not None:
        raise RemovalRefused(refusal)
    user.is_active = False
    accounts.revoke_sessions(user)
    audit.record_row(
        actor,
        "access.revoked",
        user,
        from_state="active",
        to_state="inactive",
        details={"organisation_id": user.organisation_id},
    )
    # Addressed to the e-mail only: a switched-off account gets no mail through its (closed) inbox.
    details = {"name": user.full_name, "by": actor.full_name, "organisation": _organisation_name(user)}
    notifications.record(NotificationEvent.ACCESS_REVOKED, [Recipient(user.email, None, user.locale)], None, details)
    db.session.flush()


@dataclass(frozen=True)
class Removal:
    at: datetime
    by: User | None


def last_removal(user: User) -> Removal | None:
    """When and by whom the user's access was last removed by a colleague, if the account is still off."""
    if user.is_active:
        return None
    entry = db.session.scalar(
        select(AuditEntry)
        .where(
            AuditEntry.action == "access.revoked",
            AuditEntry.entity_type == "user",
            AuditEntry.entity_id == str(user.id),
        )
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )
    if entry is None:
        return None
    return Removal(entry.occurred_at, db.session.get(User, entry.actor_id) if entry.actor_id else None)


def restore_access(user: User, actor: User) -> None:
    """The administrator undoes a removal: the account signs in again with its own password."""
    if user.is_active:
        return
    user.is_active = True
    audit.record_row(actor, "access.restored", user, from_state="inactive", to_state="active")
    notifications.record(
        NotificationEvent.ACCESS_RESTORED,
        [notifications.user_recipient(user)],
        None,
        {"organisation": _organisation_name(user)},
    )
    db.session.flush()


def _organisation_name(user: User) -> str:
    return user.organisation.name if user.organisation is not None else ""


# --- access requests -------------------------------------------------------------------------------


def municipalities() -> list[Organisation]:
    return list(
        db.session.scalars(
            select(Organisation)
            .where(Organisation.kind == OrganisationKind.MUNICIPALITY, Organisation.is_active.is_(True))
            .order_by(Organisation.name)
        )
    )


def request_access(full_name: str, function: str, organisation: Organisation, email: str) -> AccessRequest | None:
    """Store a request and tell the administrators. Nothing is stored (and nobody told) when the address has
    an account or a pending request already: the caller answers the same either way."""
    address = accounts.normalise_email(email)
    if email_taken(address) or _pending_request_for(address) is not None:
        return None
    request = AccessRequest(
        full_name=full_name.strip(),
        function=function.strip(),
        organisation=organisation,
        email=address,
        state=AccessRequestState.PENDING,
    )
    db.session.add(request)
    audit.record_row(None, "access_request.received", request, details={"organisation_id": organisation.id})
    admins = db.session.scalars(select(User).where(User.role == Role.ADMIN, User.is_active.is_(True)).order_by(User.id))
    notifications.record(
        NotificationEvent.ACCESS_REQUESTED,
        [notifications.user_recipient(admin) for admin in admins],
        None,
        {"name": request.full_name, "function": request.function, "organisation": organisation.name},
    )
    db.session.flush()
    return request


def _pending_request_for(email: str) -> AccessRequest | None:
    return db.session.scalar(
        select(AccessRequest).where(AccessRequest.email == email, AccessRequest.state == AccessRequestState.PENDING)
    )


def pending_requests() -> list[AccessRequest]:
    return list(
        db.session.scalars(
            select(AccessRequest)
            .where(AccessRequest.state == AccessRequestState.PENDING)
            .order_by(AccessRequest.created_at, AccessRequest.id)
        )
    )


def pending_count() -> int:
    return int(
        db.session.scalar(select(func.count(AccessRequest.id)).where(AccessRequest.state == AccessRequestState.PENDING))
        or 0
    )


def decided_requests(limit: int = 20) -> list[AccessRequest]:
    return list(
        db.session.scalars(
            select(AccessRequest)
            .where(AccessRequest.state != AccessRequestState.PENDING)
            .order_by(AccessRequest.decided_at.desc(), AccessRequest.id.desc())
            .limit(limit)
        )
    )


def _lock_pending(request_id: int) -> AccessRequest:
    request = db.session.scalar(select(AccessRequest).where(AccessRequest.id == request_id).with_for_update())
    if request is None or not may_decide(request.state_enum):
        raise AlreadyDecided("already_decided")
    return request


def approve_request(request_id: int, actor: User) -> tuple[User, str]:
    """Create the applicant account for the government asked for, through the invitation service."""
    request = _lock_pending(request_id)
    if email_taken(request.email):
        raise EmailTaken("email_taken")
    user, token = accounts.invite_user(
        email=request.email,
        full_name=request.full_name,
        role=Role.APPLICANT,
        organisation=request.organisation,
        locale="nl",
        actor=actor,
    )
    request.decided_at = utcnow()
    request.decided_by_id = actor.id
    request.user_id = user.id
    audit.record_move(
        actor, "access_request.approved", request, AccessRequestState.APPROVED, details={"user_id": user.id}
    )
    db.session.flush()
    return user, token


def refuse_request(request_id: int, actor: User, reason: str) -> AccessRequest:
    reason = reason.strip()
    if not reason:
        raise NotAllowed("reason")
    request = _lock_pending(request_id)
    request.decided_at = utcnow()
    request.decided_by_id = actor.id
    request.refusal_reason = reason
    audit.record_move(actor, "access_request.refused", request, AccessRequestState.REFUSED, reason=reason)
    notifications.record(
        NotificationEvent.ACCESS_REQUEST_REFUSED,
        [Recipient(request.email, None, "nl")],
        None,
        {"name": request.full_name, "organisation": request.organisation.name, "reason": reason},
    )
    db.session.flush()
    return request
