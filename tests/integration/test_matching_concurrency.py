"""Matchmaking under concurrent requests on PostgreSQL: both governments accept at the same moment,
two proposals for one need are accepted at once, a need is withdrawn while its proposal is accepted."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.db import utcnow
from portal.extensions import db
from portal.models import Notification
from portal.models.matching import Match, Need
from portal.services import matching
from portal.services.seed import sample_need, sample_offer
from tests.conftest import csrf_token, make_user
from tests.factories import municipality
from tests.integration.conftest import run_together, signed_in_browser
from workflows.matching import Answer, Side

pytestmark = pytest.mark.postgres


def _people():
    return (
        make_user("applicant", organisation=municipality("44021")),
        make_user("applicant", organisation=municipality("45041")),
        make_user("applicant", organisation=municipality("24062")),
        make_user("matcher"),
    )


@pytest.mark.parametrize("round_", range(4))
def test_both_governments_accepting_at_once_confirm_the_match_once(live_app, round_):
    with live_app.app_context():
        gent, ronse, _, matcher = _people()
        match = matching.propose(
            sample_need(ronse, ["lokale_regie"]).id, sample_offer(gent, ["lokale_regie"]).id, matcher, "", utcnow()
        )
        db.session.commit()
        url = f"/mijn-dossiers/samenwerking/matches/{match.id}"
        browsers = [signed_in_browser(live_app, gent), signed_in_browser(live_app, ronse)]
        match_id, emails = match.id, {gent.email, ronse.email, matcher.email}
    tokens = [csrf_token(b, url) for b in browsers]

    responses = run_together(
        [
            lambda b=b, t=t: b.post(url, data={"csrf_token": t, "answer": "accepted"})
            for b, t in zip(browsers, tokens, strict=True)
        ]
    )

    assert [r.status_code for r in responses] == [302, 302]
    with live_app.app_context():
        match = db.session.get(Match, match_id)
        assert (match.state, match.giving_answer, match.receiving_answer) == ("confirmed", "accepted", "accepted")
        assert db.session.get(Need, match.need_id).state == "matched"
        rows = db.session.scalars(select(Notification).where(Notification.event == "match_confirmed")).all()
        told = [r.email for r in rows if r.details["match_id"] == match_id]
        # Every user of both governments and every matcher (earlier rounds added more), each once.
        assert emails <= set(told) and len(told) == len(set(told))


def test_two_proposals_for_one_need_accepted_at_once_give_one_match(live_app):
    with live_app.app_context():
        gent, ronse, leuven, matcher = _people()
        need = sample_need(ronse, ["lokale_regie"])
        first = matching.propose(need.id, sample_offer(gent, ["lokale_regie"]).id, matcher, "", utcnow())
        second = matching.propose(need.id, sample_offer(leuven, ["lokale_regie"]).id, matcher, "", utcnow())
        # Both giving governments accepted already; the receiving government accepts both in two tabs.
        for match, giver in ((first, gent), (second, leuven)):
            matching.answer(match, Side.GIVING, giver, Answer.ACCEPTED, "", utcnow())
        db.session.commit()
        urls = [f"/mijn-dossiers/samenwerking/matches/{m.id}" for m in (first, second)]
        browsers = [signed_in_browser(live_app, ronse) for _ in urls]
        need_id = need.id
    tokens = [csrf_token(b, u) for b, u in zip(browsers, urls, strict=True)]

    responses = run_together(
        [
            lambda b=b, u=u, t=t: b.post(u, data={"csrf_token": t, "answer": "accepted"})
            for b, u, t in zip(browsers, urls, tokens, strict=True)
        ]
    )

    assert [r.status_code for r in responses] == [302, 302]
    with live_app.app_context():
        states = sorted(db.session.scalars(select(Match.state).where(Match.need_id == need_id)))
        assert states == ["cancelled", "confirmed"]
        assert db.session.get(Need, need_id).state == "matched"


def test_a_need_withdrawn_while_its_proposal_is_accepted_ends_one_way_or_the_other(live_app):
    with live_app.app_context():
        gent, ronse, _, matcher = _people()
        need = sample_need(ronse, ["lokale_regie"])
        match = matching.propose(need.id, sample_offer(gent, ["lokale_regie"]).id, matcher, "", utcnow())
        matching.answer(match, Side.GIVING, gent, Answer.ACCEPTED, "", utcnow())
        db.session.commit()
        match_url = f"/mijn-dossiers/samenwerking/matches/{match.id}"
        withdraw_url = f"/mijn-dossiers/samenwerking/vragen/{need.id}/intrekken"
        accepting, withdrawing = signed_in_browser(live_app, ronse), signed_in_browser(live_app, ronse)
        ids = (need.id, match.id)
    tokens = [csrf_token(accepting, match_url), csrf_token(withdrawing, "/mijn-dossiers/samenwerking")]

    responses = run_together(
        [
            lambda: accepting.post(match_url, data={"csrf_token": tokens[0], "answer": "accepted"}),
            lambda: withdrawing.post(withdraw_url, data={"csrf_token": tokens[1]}),
        ]
    )

    assert [r.status_code for r in responses] == [302, 302]  # no deadlock, no error page
    with live_app.app_context():
        need_state = db.session.get(Need, ids[0]).state
        match_state = db.session.get(Match, ids[1]).state
        assert (need_state, match_state) in {("matched", "confirmed"), ("withdrawn", "cancelled")}
        assert (
            db.session.scalar(
                select(func.count()).select_from(Match).where(Match.need_id == ids[0], Match.state == "proposed")
            )
            == 0
        )
