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
from flask import Flask, has_request_context, request
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from portal.access import PUBLIC, SIGNED_IN, declared_access
from portal.db import utcnow
from portal.models import Call, Mentor, Organisation, Payout
from portal.models.notifications import NotificationEvent
from portal.services import applications, drafts, eligibility, matching, notifications, payment_batches, reviews
from portal.services.seed import sample_need, sample_offer
from tests.conftest import make_user, sign_in
from tests.factories import complete_draft, in_review, municipality, open_call, submitted_dossier
from tests.web.access_policy import POLICY
from workflows.roles import Role

ANONYMOUS = "anonymous"
WHO = [ANONYMOUS, *[role.value for role in Role]]

# Pages that, by design, do not answer 200 to a plain visit by someone allowed.
GET_EXCEPTIONS = {
    "auth.two_step": 302,  # no login in progress: back to the login page
    "auth.two_step_setup": 302,
    "auth.accept_invitation": 404,  # unknown link
    "auth.reset_password": 404,
    "applicant.download_attachment": 404,  # the sample draft has no attachments
    "applicant.confirmation": 404,  # nor a submission
    "applicant.receipt": 404,
    "applicant.decision_letter": 404,  # nor a decision
    "officer.decision_letter": 404,  # the officer's sample dossier is submitted, not decided
    "applicant.report": 404,  # a final report belongs to a granted dossier; the sample is a draft
    "applicant.report_cost": 404,
    "applicant.report_document": 404,
    "officer.report_document": 404,  # nor has it a final report
    "applicant.start_from_match": 404,  # the sample match waits for answers: nothing to start yet
    "ops.metrics": 404,  # no operators' token configured: the page does not exist
}


def _routes(app: Flask) -> list[tuple[str, str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((rule.endpoint, method, rule.rule))
    return routes


def _all_routes() -> list[tuple[str, str, str]]:
    from portal import create_app

    return _routes(create_app("test", {"SQLALCHEMY_DATABASE_URI": "sqlite://"}))


ROUTES = _all_routes()


def test_every_route_declares_who_may_use_it(app):
    with app.app_context():
        undeclared = [
            endpoint for endpoint in app.view_functions if endpoint != "static" and declared_access(endpoint) is None
        ]
    assert undeclared == []


def test_the_matrix_covers_every_route(app):
    assert {(e, m) for e, m, _ in _routes(app)} == {(e, m) for e, m, _ in ROUTES}
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


def _url(app: Flask, endpoint: str, rule_text: str, db_session, user) -> str:
    from flask import url_for

    gent = db_session.scalar(select(Organisation).where(Organisation.nis_code == "44021"))
    call = db_session.scalar(select(Call).where(Call.code == "ARM-2022"))
    samples = {"code": call.code}
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint and r.rule == rule_text)
    if "application_id" in rule.arguments:
        # A draft of the applicant's own government (Gent), with one mentor.
        owner = user if user is not None and user.role == "applicant" else make_user("applicant")
        if endpoint.startswith("officer."):
            # The officer handles submitted dossiers.
            draft = complete_draft(owner, open_call())
            applications.submit(draft.id, owner, declared=True)
            result = eligibility.current_results(draft)[0]
            samples.update(application_id=draft.id, result_id=result.id, kind="action_plan")
        else:
            draft = drafts.start(open_call(), owner, utcnow())
            draft.mentors.append(Mentor(position=1, full_name="Mona", theme_codes=[]))
            db_session.flush()
            samples.update(application_id=draft.id, mentor_id=draft.mentors[0].id, kind="action_plan")
    if "review_id" in rule.arguments:
        # A dossier in review, with the signed-in reviewer (or another one) among its reviewers.
        reviewer = user if user is not None and user.role == "reviewer" else make_user("reviewer")
        officer = make_user("officer")
        dossier = in_review(submitted_dossier(open_call()), officer, [reviewer, make_user("reviewer")])
        review = next(r for r in reviews.reviews_of(dossier) if r.reviewer_id == reviewer.id)
        samples.update(review_id=review.id, kind="action_plan")
    if "notification_id" in rule.arguments:
        # A message to the signed-in user (or someone else) that could not be delivered.
        recipient = user or make_user("applicant")
        dossier = submitted_dossier(open_call())
        message = notifications.record(
            NotificationEvent.DECLARED_ELIGIBLE, [notifications.user_recipient(recipient)], dossier
        )[0]
        message.status = "failed"
        db_session.flush()
        samples.update(notification_id=message.id)
    if "payout_id" in rule.arguments:
        # A payout waiting for approval, prepared by an officer.
        dossier = submitted_dossier(open_call())
        payout = Payout(
            application_id=dossier.id,
            call_id=dossier.call_id,
            kind="advance",
            amount_cents=100_00,
            iban="BE68539007547034",
            prepared_by_id=make_user("officer").id,
        )
        db_session.add(payout)
        db_session.flush()
        samples.update(payout_id=payout.id)
    if "batch_id" in rule.arguments:
        # A payment file holding one approved advance.
        dossier = submitted_dossier(open_call())
        finance = make_user("finance")
        payout = Payout(application_id=dossier.id, call_id=dossier.call_id, kind="advance", amount_cents=100_00, iban="BE68539007547034",
                        prepared_by_id=make_user("officer").id, state="approved", approved_by_id=finance.id, approved_at=utcnow())  # fmt: skip
        db_session.add(payout)
        db_session.flush()
        samples.update(batch_id=payment_batches.create_batch(finance, utcnow().date()).id)
    if {"offer_id", "need_id", "match_id"} & set(rule.arguments):
        # Gent's offer and need; the offer proposed to Ronse's need.
        owner = user if user is not None and user.role == "applicant" else make_user("applicant")
        offer = sample_offer(owner, ["lokale_regie"])
        need = sample_need(owner, ["participatie"])
        ronse = sample_need(make_user("applicant", organisation=municipality("45041")), ["lokale_regie"])
        match = matching.propose(ronse.id, offer.id, make_user("matcher"), "", utcnow())
        samples.update(offer_id=offer.id, need_id=need.id, match_id=match.id)
    samples |= {
        "document_id": 1,
        "dataset": "dossiers",
        "fmt": "csv",
        "code": call.code,
        "call_id": call.id,
        "token": "no-such-token",
        "user_id": user.id if user else 1,
        "organisation_id": gent.id,
    }
    with app.test_request_context():
        url = url_for(endpoint, **{arg: samples[arg] for arg in rule.arguments})
    matched, _ = app.url_map.bind("portal.test").match(
        url, method="GET" if "GET" in rule.methods else "POST", return_rule=True
    )
    assert matched.rule == rule_text, url  # the sample really exercises this rule
    return url


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize(("endpoint", "method", "rule"), ROUTES, ids=[f"{m} {r}" for _, m, r in ROUTES])
def test_route_answers_each_role_as_the_policy_says(app, client, db_session, endpoint, method, rule, who):
    access = POLICY.get(endpoint)
    assert access is not None, f"{endpoint} has no row in tests/web/access_policy.py"
    user = None if who == ANONYMOUS else make_user(who)
    if user is not None:
        sign_in(client, user)
    url = _url(app, endpoint, rule, db_session, user)
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
