from workflows.roles import Role, requires_two_step


def test_staff_roles_need_two_step_login_and_others_do_not():
    assert {role for role in Role if requires_two_step(role)} == {Role.OFFICER, Role.FINANCE, Role.REVIEWER, Role.ADMIN}
