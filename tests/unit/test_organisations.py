from workflows.organisations import OrganisationKind, role_fits
from workflows.roles import Role


def test_each_role_belongs_with_its_kind_of_organisation():
    fits = {(role, kind) for role in Role for kind in OrganisationKind if role_fits(role, kind)}
    assert fits == {
        (Role.APPLICANT, OrganisationKind.MUNICIPALITY),
        (Role.MATCHER, OrganisationKind.ASSOCIATION),
        (Role.REVIEWER, OrganisationKind.MUNICIPALITY),
        (Role.REVIEWER, OrganisationKind.ASSOCIATION),
        (Role.REVIEWER, OrganisationKind.AGENCY),
        (Role.OFFICER, OrganisationKind.AGENCY),
        (Role.FINANCE, OrganisationKind.AGENCY),
        (Role.ADMIN, OrganisationKind.AGENCY),
    }
