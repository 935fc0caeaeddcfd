"""Accounts: passwords (argon2), server-side sessions, invitation and reset tokens, two-step login."""

from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from portal.db import utcnow
from portal.extensions import db
from portal.models import AccountToken, Organisation, TokenPurpose, User, UserSession
from portal.services import audit
from workflows.organisations import OrganisationKind, role_fits
from workflows.roles import Role

_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verifying against a dummy hash for unknown e-mails keeps the answer time the same. Made at the first
    sign-in, not at import: a hash takes argon2's 64 MiB for a moment, which a worker, that signs nobody in,
    would otherwise carry as its peak memory (bench/notifications.py)."""
    return _hasher.hash("not-a-real-password")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None (same cost either way)."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None or not user.is_active or user.password_hash is None:
        try:
            _hasher.verify(_dummy_hash(), password)
        except VerificationError:
            pass
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


def start_session(user: User, user_agent: str | None) -> UserSession:
    """Create the server-side session of a completed login; its plain token goes in the cookie."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    user_session = UserSession(
        user=user,
        token_hash=_digest(token),
        created_at=now,
        expires_at=now + current_app.config["USER_SESSION_MAX_AGE"],
        user_agent=(user_agent or "")[:300],
    )
    user_session.cookie_token = token
    user.current_session = user_session
    user.last_login_at = now
    db.session.add(user_session)
    audit.record_row(user, "user.logged_in", user)
    db.session.flush()
    return user_session


def load_session_user(token: str) -> User | None:
    """The user behind a cookie token, if that session is still valid on the server."""
    user_session = db.session.scalar(
        select(UserSession).where(UserSession.token_hash == _digest(token)).options(joinedload(UserSession.user))
    )
    if user_session is None or user_session.revoked_at is not None or user_session.expires_at <= utcnow():
        return None
    user = user_session.user
    if not user.is_active:
        return None
    user_session.cookie_token = token
    user.current_session = user_session
    return user


def session_owner(token: str) -> int | None:
    """Whose login this cookie token was, even if that session has since expired or been revoked."""
    if not token:
        return None
    return db.session.scalar(select(UserSession.user_id).where(UserSession.token_hash == _digest(token)))


def end_session(user: User) -> None:
    if user.current_session is not None:
        user.current_session.revoked_at = utcnow()
    audit.record_row(user, "user.logged_out", user)


def revoke_sessions(user: User, *, keep: UserSession | None = None) -> int:
    """Revoke every open session of the user (except `keep`): used on password change and reset."""
    statement = (
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    if keep is not None:
        statement = statement.where(UserSession.id != keep.id)
    result = db.session.execute(statement)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def change_password(user: User, new_password: str, *, actor: User | None, reason: str) -> None:
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    revoke_sessions(user, keep=user.current_session if actor is user else None)
    audit.record_row(actor, "user.password_changed", user, reason=reason)


# --- invitations and password resets -------------------------------------------------------


def issue_token(user: User, purpose: TokenPurpose, valid_for: timedelta, created_by: User | None) -> str:
    """A new single-use token; earlier unused tokens of the same purpose stop working."""
    now = utcnow()
    db.session.execute(
        update(AccountToken)
        .where(
            AccountToken.user_id == user.id,
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
        )
        .values(expires_at=now)
    )
    token = secrets.token_urlsafe(32)
    db.session.add(
        AccountToken(
            user=user,
            purpose=purpose,
            token_hash=_digest(token),
            created_at=now,
            expires_at=now + valid_for,
            created_by_id=created_by.id if created_by else None,
        )
    )
    db.session.flush()
    return token


@dataclass(frozen=True)
class TokenCheck:
    token: AccountToken | None
    problem: str | None  # "unknown", "used" or "expired"


def check_token(token: str, purpose: TokenPurpose) -> TokenCheck:
    row = db.session.scalar(
        select(AccountToken).where(AccountToken.token_hash == _digest(token), AccountToken.purpose == purpose)
    )
    if row is None:
        return TokenCheck(None, "unknown")
    if row.used_at is not None:
        return TokenCheck(row, "used")
    if row.expires_at <= utcnow():
        return TokenCheck(row, "expired")
    return TokenCheck(row, None)


def use_token(row: AccountToken, new_password: str) -> User:
    """Set the password through an invitation or reset link; the link then stops working."""
    row.used_at = utcnow()
    user = row.user
    reason = "invitation accepted" if row.purpose == TokenPurpose.INVITATION else "password reset"
    change_password(user, new_password, actor=user, reason=reason)
    return user


def invite_user(
    *, email: str, full_name: str, role: Role, organisation: Organisation | None, locale: str, actor: User
) -> tuple[User, str]:
    _check_fit(role, organisation)
    user = User(
        email=normalise_email(email),
        full_name=full_name.strip(),
        role=role,
        organisation=organisation,
        locale=locale,
    )
    db.session.add(user)
    db.session.flush()
    token = issue_token(user, TokenPurpose.INVITATION, current_app.config["INVITATION_VALID_FOR"], actor)
    audit.record_row(
        actor,
        "user.invited",
        user,  # The user's id, not the address: the audit log is append-only and outlives the person's data.
        details={"role": role.value, "organisation_id": organisation.id if organisation else None},
    )
    return user, token


def invited_by(user: User) -> User | None:
    """Who issued the user's latest invitation (the e-mail names them)."""
    return db.session.scalar(
        select(User)
        .join(AccountToken, AccountToken.created_by_id == User.id)
        .where(AccountToken.user_id == user.id, AccountToken.purpose == TokenPurpose.INVITATION)
        .order_by(AccountToken.id.desc())
        .limit(1)
    )


def reinvite_user(user: User, actor: User) -> str:
    token = issue_token(user, TokenPurpose.INVITATION, current_app.config["INVITATION_VALID_FOR"], actor)
    audit.record_row(actor, "user.reinvited", user)
    return token


def request_password_reset(email: str) -> tuple[User, str] | None:
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None or not user.is_active or user.password_hash is None:
        return None
    token = issue_token(user, TokenPurpose.PASSWORD_RESET, current_app.config["PASSWORD_RESET_VALID_FOR"], None)
    audit.record_row(None, "user.password_reset_requested", user)
    return user, token


# --- two-step login (TOTP) -----------------------------------------------------------------


def new_totp_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=current_app.config["TOTP_ISSUER"])


def _accepted_step(secret: str, code: str, last_step: int | None, now: datetime) -> int | None:
    """The time step a code belongs to (one step of clock drift allowed), if it was not used before."""
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in (current, current - 1, current + 1):
        if secrets.compare_digest(totp.generate_otp(step), code):
            if last_step is not None and step <= last_step:
                return None
            return step
    return None


def confirm_two_step(user: User, secret: str, code: str) -> bool:
    step = _accepted_step(secret, code, None, utcnow())
    if step is None:
        return False
    user.totp_secret = secret
    user.totp_confirmed_at = utcnow()
    user.totp_last_step = step
    audit.record_row(user, "user.two_step_enabled", user)
    return True


def verify_two_step(user: User, code: str) -> bool:
    if user.totp_secret is None:
        return False
    step = _accepted_step(user.totp_secret, code, user.totp_last_step, utcnow())
    if step is None:
        return False
    user.totp_last_step = step
    return True


def reset_two_step(user: User, actor: User) -> None:
    """An admin clears a lost authenticator; the user sets a new one at the next login."""
    user.totp_secret = None
    user.totp_confirmed_at = None
    user.totp_last_step = None
    revoke_sessions(user)
    audit.record_row(actor, "user.two_step_reset", user)


def set_locale(user: User, locale: str) -> None:
    user.locale = locale


class OwnAdminRole(Exception):
    """An administrator may not take away their own administrator role or switch off their own account."""


class RoleDoesNotFit(Exception):
    """The role does not belong with this kind of organisation (workflows/organisations.py)."""


def _check_fit(role: Role | str, organisation: Organisation | None) -> None:
    if organisation is None or not role_fits(Role(role), OrganisationKind(organisation.kind)):
        raise RoleDoesNotFit


def change_user(user: User, actor: User, role: str, organisation: Organisation, is_active: bool) -> None:
    """An administrator changes an account's role, government and whether it may sign in."""
    if user.id == actor.id and (role != Role.ADMIN or not is_active):
        raise OwnAdminRole
    _check_fit(role, organisation)
    before = {"role": user.role, "organisation_id": user.organisation_id, "is_active": user.is_active}
    user.role = role
    user.organisation = organisation
    user.is_active = is_active
    if not is_active or role != before["role"]:
        # A new role must be signed in afresh (perhaps with a second step it did not need before).
        revoke_sessions(user)
    after = {"role": role, "organisation_id": organisation.id, "is_active": is_active}
    audit.record_row(actor, "user.changed", user, details={"from": before, "to": after})


def change_organisation(organisation: Organisation, actor: User, name: str, is_active: bool) -> None:
    before = {"name": organisation.name, "is_active": organisation.is_active}
    organisation.name = name.strip()
    organisation.is_active = is_active
    after = {"name": organisation.name, "is_active": organisation.is_active}
    audit.record(actor, "organisation.changed", "organisation", organisation.id, details={"from": before, "to": after})
