"""Who may give and take a government's access to the portal, and how an access request is decided. Pure:
standard library only."""

from __future__ import annotations

from enum import StrEnum


class AccessRequestState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"


class RemovalRefusal(StrEnum):
    LAST_ACTIVE = "last_active"  # the government would have nobody left to act for it
    ALREADY_REMOVED = "already_removed"


def removal_refusal(*, target_is_active: bool, active_colleagues: int) -> RemovalRefusal | None:
    """Why access may not be removed, or None. `active_colleagues` counts the government's active applicants,
    the one to remove included. A user may remove their own access too, but never as the last active one: the
    government would lose its dossiers until the administrator steps in."""
    if not target_is_active:
        return RemovalRefusal.ALREADY_REMOVED
    if active_colleagues <= 1:
        return RemovalRefusal.LAST_ACTIVE
    return None


def may_decide(state: AccessRequestState) -> bool:
    """A request is approved or refused once; a decided one stays as it was decided."""
    return state is AccessRequestState.PENDING


def email_fits_domains(email: str, domains: frozenset[str]) -> bool | None:
    """Whether the address is at one of the government's own domains; None when the reference data holds no
    domain for it (the administrator then judges the address)."""
    if not domains:
        return None
    domain = email.rsplit("@", 1)[-1].strip().lower()
    return any(domain == known or domain.endswith("." + known) for known in domains)
