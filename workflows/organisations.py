"""Which kind of organisation each role belongs to (SPEC section 2). Pure: standard library only."""

from __future__ import annotations

from enum import StrEnum

from workflows.roles import Role


class OrganisationKind(StrEnum):
    MUNICIPALITY = "municipality"  # since 2019 the OCMW is integrated: one organisation per municipality
    ASSOCIATION = "association"  # VVSG
    AGENCY = "agency"  # ABB, the Flemish administration


# A government applies for itself; VVSG's matcher brings governments together; the agency's staff handle the call.
# Committee members may come from anywhere (a member working for a government never scores its dossiers).
KINDS_FOR_ROLE: dict[Role, frozenset[OrganisationKind]] = {
    Role.APPLICANT: frozenset({OrganisationKind.MUNICIPALITY}),
    Role.MATCHER: frozenset({OrganisationKind.ASSOCIATION}),
    Role.REVIEWER: frozenset(OrganisationKind),
    Role.OFFICER: frozenset({OrganisationKind.AGENCY}),
    Role.FINANCE: frozenset({OrganisationKind.AGENCY}),
    Role.ADMIN: frozenset({OrganisationKind.AGENCY}),
}


def role_fits(role: Role, kind: OrganisationKind) -> bool:
    return kind in KINDS_FOR_ROLE[role]
