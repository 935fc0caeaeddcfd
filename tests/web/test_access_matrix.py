"""Every route against every role (and anonymous): the one place that proves who may use what.

The expectation comes from the access policy written down as data in tests/web/access_policy.py, never from the
route's own declaration (portal/access.py): a decorator that loses or gains a role is caught, not believed. The
policy must have a row for every route and none for a route that does not exist, and every declaration must equal
its row before any request is sent. POSTs are sent without a CSRF token: an allowed user gets the CSRF refusal
(400), so this also proves that every form route checks CSRF.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.access import PUBLIC, SIGNED_IN, declared_access
from tests.conftest import make_user, sign_in
from tests.web.access_policy import POLICY
from tests.web.samples import all_routes, routes, sample_url
from workflows.roles import Role

ANONYMOUS = "anonymous"
WHO = [ANONYMOUS, *[role.value for role in Role]]

# Pages that, by design, do not answer 200 to a plain visit by someone allowed.
GET_EXCEPTIONS = {
    "auth.two_step": 302,  # no login in progress: back to the login page
    "auth.two_step_setup": 302,
    "auth.accept_invitation": 404,  # unknown link
    "auth.reset_password": 404,
    "finance.confirm_approvals": 400,  # no payout chosen: the list again, with the message at the top
    "applicant.download_attachment": 404,  # the sample draft has no attachments
    "applicant.confirmation": 404,  # nor a submission
    "applicant.receipt": 404,
    "applicant.decision_letter": 404,  # nor a decision
    "officer.decision_letter": 404,  # the officer's sample dossier is submitted, not decided
    "applicant.report": 404,  # a final report belongs to a granted dossier; the sample is a draft
    "applicant.report_cost": 404,
    "applicant.report_document": 404,
    "applicant.declare_end": 404,  # declaring the trajectory's end, too
    "applicant.decline_participation": 404,  # only the receiving government declines; the sample is the user's own
    "officer.report_document": 404,  # nor has it a final report
    "applicant.start_from_match": 404,  # the sample match waits for answers: nothing to start yet
    "committee.check_answers": 302,  # the sample review has no scores to check yet: back to the form
    "ops.metrics": 404,  # no operators' token configured: the page does not exist
}


ROUTES = all_routes()


def test_every_route_declares_who_may_use_it(app):
    with app.app_context():
        undeclared = [
            endpoint for endpoint in app.view_functions if endpoint != "static" and declared_access(endpoint) is None
        ]
    assert undeclared == []


def test_the_matrix_covers_every_route(app):
    assert {(e, m) for e, m, _ in routes(app)} == {(e, m) for e, m, _ in ROUTES}
    assert len(ROUTES) >= 30


def test_the_policy_has_one_row_for_each_route_and_no_other(app):
    endpoints = set(app.view_functions) - {"static"}
    assert sorted(endpoints - POLICY.keys()) == [], "routes without a row in tests/web/access_policy.py"
    assert sorted(POLICY.keys() - endpoints) == [], (
        "rows in tests/web/access_policy.py for routes the app does not have"
    )
    # An empty set or a misspelt word would silently mean "nobody" in the matrix below.
    malformed = [
        endpoint
        for endpoint, access in POLICY.items()
        if access not in (PUBLIC, SIGNED_IN)
        and not (isinstance(access, frozenset) and access and all(isinstance(role, Role) for role in access))
    ]
    assert malformed == []


def _shown(access: object) -> str:
    if isinstance(access, frozenset):
        return "roles(" + ", ".join(sorted(role.value for role in access)) + ")"
    return repr(access)


def test_each_route_declares_what_the_policy_says(app):
    with app.app_context():
        differences = [
            f"{endpoint}: declared {_shown(declared_access(endpoint))}, policy {_shown(POLICY.get(endpoint))}"
            for endpoint in sorted(app.view_functions)
            if endpoint != "static" and declared_access(endpoint) != POLICY.get(endpoint)
        ]
    assert differences == [], "\n".join(differences)


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize(("endpoint", "method", "rule"), ROUTES, ids=[f"{m} {r}" for _, m, r in ROUTES])
def test_route_answers_each_role_as_the_policy_says(app, client, db_session, endpoint, method, rule, who):
    access = POLICY.get(endpoint)
    assert access is not None, f"{endpoint} has no row in tests/web/access_policy.py"
    user = None if who == ANONYMOUS else make_user(who)
    if user is not None:
        sign_in(client, user)
    url = sample_url(app, endpoint, rule, db_session, user)
    commits: list[str] = []

    def record(session: Any) -> None:
        if has_request_context():
            commits.append(request.method)

    event.listen(Session, "after_commit", record)
    try:
        response = client.open(url, method=method)
    finally:
        event.remove(Session, "after_commit", record)
    if method == "GET":
        assert commits == [], f"GET {url} committed: a GET must only read"

    allowed = access == PUBLIC or (user is not None and (access == SIGNED_IN or Role(who) in access))
    if not allowed and user is None:
        assert response.status_code == 302, response.status_code
        assert "/inloggen" in response.headers["Location"]
        return
    if not allowed:
        assert response.status_code == 403
        assert "Geen toegang" in response.get_data(as_text=True)
        return
    if method == "POST":
        assert response.status_code == 400, "a POST without CSRF token must be refused"
        assert "Uw formulier kon niet worden verwerkt" in response.get_data(as_text=True)
        return
    expected = GET_EXCEPTIONS.get(endpoint, 200)
    if endpoint == "auth.login" and user is not None:
        expected = 302  # already signed in: to their own landing page
    assert response.status_code == expected, response.get_data(as_text=True)[:500]
