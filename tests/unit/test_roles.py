from workflows.roles import Role, requires_two_step


def test_staff_roles_and_the_matcher_need_two_step_login_and_governments_do_not():
    assert {role for role in Role if requires_two_step(role)} == {
        Role.MATCHER,
        Role.OFFICER,
        Role.FINANCE,
        Role.REVIEWER,
        Role.ADMIN,
    }
