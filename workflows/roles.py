"""Roles of the portal and what follows from them (SPEC section 2). Pure: standard library only."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    APPLICANT = "applicant"
    MATCHER = "matcher"
    REVIEWER = "reviewer"
    OFFICER = "officer"
    FINANCE = "finance"
    ADMIN = "admin"


# Accounts that decide on money or on other people's access, or see every government's contacts (the matcher),
# log in with a second factor.
ROLES_REQUIRING_TWO_STEP: frozenset[Role] = frozenset(
    {Role.MATCHER, Role.OFFICER, Role.FINANCE, Role.REVIEWER, Role.ADMIN}
)


def requires_two_step(role: Role) -> bool:
    return role in ROLES_REQUIRING_TWO_STEP
