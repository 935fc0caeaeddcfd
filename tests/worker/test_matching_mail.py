"""Matchmaking messages through the outbox, a real Celery worker on Redis and SMTP to a local sink:
a proposal reaches both governments, a confirmation reaches both and the matcher, each in their
language, with the link to their own page of the match."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select

from portal.db import utcnow
from portal.extensions import db
from portal.models import Notification
from portal.services import matching
from portal.services.seed import sample_need, sample_offer
from tests.conftest import mail_body, make_user
from tests.factories import municipality
from tests.worker.conftest import delivered_exactly, last_notification_id
from workflows.matching import Answer, Side

pytestmark = [pytest.mark.redis, pytest.mark.postgres]


def test_a_proposal_and_its_confirmation_reach_both_governments_and_the_matcher(
    outbox_app, outbox_broker, controlled_sink, start_worker
):
    controlled_sink.reset()
    start_worker(outbox_app, outbox_broker)
    made_now = Notification.id > last_notification_id(outbox_app)
    with outbox_app.app_context():
        gent = make_user("applicant", organisation=municipality("44021"), locale="en")
        ronse = make_user("applicant", organisation=municipality("45041"))
        matcher = make_user("matcher")
        offer = sample_offer(gent, ["lokale_regie", "participatie"])
        need = sample_need(ronse, ["lokale_regie"])
        db.session.commit()
        match = matching.propose(need.id, offer.id, matcher, "Gent kent de regierol.", utcnow())
        db.session.commit()
        match_id, emails = match.id, (gent.email, ronse.email, matcher.email)

    # The two registrations reached the matcher; the proposal both governments.
    messages = delivered_exactly(controlled_sink, 4, outbox_app, made_now, outbox_broker)
    assert Counter(str(m["To"]) for m in controlled_sink.messages) == Counter(
        {emails[2]: 2, emails[0]: 1, emails[1]: 1}
    )
    proposal = {
        str(m["To"]): m
        for m in messages
        if "Voorstel van match" in str(m["Subject"]) or "Proposed match" in str(m["Subject"])
    }
    dutch = mail_body(proposal[emails[1]])
    assert proposal[emails[1]]["Subject"] == "Voorstel van match: Gent en Ronse"
    assert "Gedeelde thema's: Lokale regie." in dutch and "Gent kent de regierol." in dutch
    assert f"/mijn-dossiers/samenwerking/matches/{match_id}" in dutch
    assert proposal[emails[0]]["Subject"] == "Proposed match: Gent and Ronse"

    controlled_sink.reset()
    made_now = Notification.id > last_notification_id(outbox_app)
    with outbox_app.app_context():
        for user, side in ((gent, Side.GIVING), (ronse, Side.RECEIVING)):
            matching.answer(matching.lock_match(match_id), side, db.session.merge(user), Answer.ACCEPTED, "", utcnow())
            db.session.commit()
    # Gent's acceptance: Ronse and the matcher; the confirmation: all three.
    messages = delivered_exactly(controlled_sink, 5, outbox_app, made_now, outbox_broker)
    assert len(controlled_sink.messages) == 5
    confirmed = [m for m in messages if "bevestigd" in str(m["Subject"]) or "confirmed" in str(m["Subject"])]
    assert Counter(str(m["To"]) for m in confirmed) == Counter(emails)
    to_matcher = next(m for m in confirmed if str(m["To"]) == emails[2])
    assert f"/matching/matches/{match_id}" in mail_body(to_matcher)
    with outbox_app.app_context():
        rows = db.session.scalars(select(Notification).where(Notification.event == "match_confirmed")).all()
        assert {(r.email, r.status) for r in rows} == {(email, "sent") for email in emails}
