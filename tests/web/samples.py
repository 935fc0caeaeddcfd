"""Every route of the app, and sample objects to visit each one as a given user.

Shared by the access matrix (every role against every route) and the form fuzzer (hostile input into every
form): both reach each route through the same sample dossiers, reviews, payouts and matches.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from portal.db import brussels_today, utcnow
from portal.models import Call, Mentor, Organisation, Payout
from portal.models.notifications import NotificationEvent
from portal.services import (
    applications,
    drafts,
    eligibility,
    matching,
    meetings,
    notifications,
    payment_batches,
    people,
    reviews,
)
from portal.services.seed import sample_need, sample_offer
from tests.conftest import make_user
from tests.factories import complete_draft, in_review, municipality, open_call, submitted_dossier


def routes(app: Flask) -> list[tuple[str, str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, rule.rule))
    return found


def all_routes() -> list[tuple[str, str, str]]:
    from portal import create_app

    return routes(create_app("test", {"SQLALCHEMY_DATABASE_URI": "sqlite://"}))


def sample_arguments(app: Flask, endpoint: str, rule_text: str, db_session: Any, user: Any) -> dict[str, Any]:
    """Values for every URL argument a route can have, with the objects behind them made for `user`."""
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
        # Past the conflict question, so that the review's page is the scoring form (the question has its own page).
        reviews.declare_no_conflict(review.id, reviewer)
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
        samples.update(batch_id=payment_batches.create_batch(finance, brussels_today()).id)
    if "meeting_id" in rule.arguments:
        # The sample call's meeting, closed with its minutes when the route needs them.
        officer = make_user("officer")
        meeting = meetings.open_meeting(call.id, call.opens_at.date(), [make_user("reviewer").id], "", officer)
        if endpoint == "officer.meeting_minutes":
            meetings.close_meeting(meeting.id, officer)
        samples.update(meeting_id=meeting.id)
    if {"offer_id", "need_id", "match_id"} & set(rule.arguments):
        # Gent's offer and need; the offer proposed to Ronse's need.
        owner = user if user is not None and user.role == "applicant" else make_user("applicant")
        offer = sample_offer(owner, ["lokale_regie"])
        need = sample_need(owner, ["participatie"])
        ronse = sample_need(make_user("applicant", organisation=municipality("45041")), ["lokale_regie"])
        match = matching.propose(ronse.id, offer.id, make_user("matcher"), "", utcnow())
        samples.update(offer_id=offer.id, need_id=need.id, match_id=match.id)
    if "request_id" in rule.arguments:
        # A pending access request from Ronse, made through the public form's service.
        request = people.request_access("Nele Nieuw", "Beleidsmedewerker", municipality("45041"), "nele@ronse.be")
        samples.update(request_id=request.id if request is not None else 1)
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
    return samples


def sample_url(app: Flask, endpoint: str, rule_text: str, db_session: Any, user: Any) -> str:
    from flask import url_for

    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint and r.rule == rule_text)
    samples = sample_arguments(app, endpoint, rule_text, db_session, user)
    with app.test_request_context():
        url = url_for(endpoint, **{arg: samples[arg] for arg in rule.arguments})
    matched, _ = app.url_map.bind("portal.test").match(
        url, method="GET" if "GET" in rule.methods else "POST", return_rule=True
    )
    assert matched.rule == rule_text, url  # the sample really exercises this rule
    return url
