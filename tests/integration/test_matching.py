"""Matchmaking on a real database: registering offers and needs, withdrawing them, proposing,
answering, the database guards of a match, the ranking and the draft started from a confirmed match."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.db import utcnow
from portal.extensions import db
from portal.models import Application, AuditEntry, Notification
from portal.models.matching import Match, Need, Offer
from portal.models.notifications import NotificationEvent
from portal.services import matching
from portal.services.matching import CannotStart, NeedDetails, NotEditable, OfferDetails, ProfileDetails
from tests.conftest import make_user
from tests.factories import municipality, open_call
from workflows.applications import State
from workflows.matching import (
    Answer,
    MatchProblem,
    MatchRefused,
    MatchState,
    NeedState,
    OfferState,
    Priority,
    ProvinceFit,
    Side,
)
from workflows.roles import Role

PLAN_WRITER = ProfileDetails("Els Mentor", "Armoedecoördinator", 12, True, "Lokaal armoedeplan 2020-2025", 2020)
SOCIAL_WORKER = ProfileDetails("", "Maatschappelijk werker", 4, False, "", None)


def offer_details(**changes):
    values = {
        "theme_codes": ["participatie", "data_tools"],
        "approach": "Een armoedetoets bij elke beslissing van het college.",
        "inhabitants": 9_000,
        "available_from_on": date(2026, 11, 1),
        "months_available": 3,
        "time_share_bp": 5_000,
        "contact_name": "Gert Gever",
        "contact_email": "gever@example.be",
    }
    values.update(changes)
    return OfferDetails(**values)


def need_details(**changes):
    values = {
        "theme_codes": ["participatie", "data_tools"],
        "context": "Een kleine gemeente zonder armoedeambtenaar.",
        "goals": "Mensen in armoede laten meepraten over het beleid.",
        "inhabitants": 8_000,
        "staff_fte_tenths": 5,
        "contact_name": "Olga Ontvanger",
        "contact_email": "ontvanger@example.be",
    }
    values.update(changes)
    return NeedDetails(**values)


@pytest.fixture
def people(db_session):
    """Two active matchers and an inactive one, and applicants of six governments in all five provinces."""
    gone = make_user(Role.MATCHER)
    gone.is_active = False
    return {
        "matchers": [make_user(Role.MATCHER), make_user(Role.MATCHER)],
        "gone_matcher": gone,
        "antwerpen": make_user(Role.APPLICANT, organisation=municipality("11002")),  # Antwerpen province
        "hasselt": make_user(Role.APPLICANT, organisation=municipality("71072")),  # Limburg
        "leuven": make_user(Role.APPLICANT, organisation=municipality("24062")),  # Vlaams-Brabant
        "tielt": make_user(Role.APPLICANT, organisation=municipality("37022")),  # West-Vlaanderen
        "brugge": make_user(Role.APPLICANT, organisation=municipality("31005")),  # West-Vlaanderen
        "aalst": make_user(Role.APPLICANT, organisation=municipality("41002")),  # Oost-Vlaanderen
    }


def matcher_emails(people):
    return {user.email for user in people["matchers"]}


def notified(event, match_id=None):
    """The addresses a notification of this event went to (for one match, when given)."""
    rows = db.session.scalars(select(Notification).where(Notification.event == event))
    return {row.email for row in rows if match_id is None or row.details.get("match_id") == match_id}


def audit_actions(entity_type, entity_id):
    query = select(AuditEntry.action).where(
        AuditEntry.entity_type == entity_type, AuditEntry.entity_id == str(entity_id)
    )
    return list(db.session.scalars(query.order_by(AuditEntry.id)))


def proposed(people, need, offer, now=None):
    return matching.propose(need.id, offer.id, people["matchers"][0], "Dit past goed.", now or utcnow())


def answered(match, side, actor, given=Answer.ACCEPTED, reason="", now=None):
    locked = matching.lock_match(match.id)
    assert locked is not None
    return matching.answer(locked, side, actor, given, reason, now or utcnow())


def confirmed(people, need, offer, giver, receiver):
    match = proposed(people, need, offer)
    answered(match, Side.GIVING, giver)
    return answered(match, Side.RECEIVING, receiver)


# --- registering, changing and withdrawing -------------------------------------------------------


def test_registering_an_offer_stores_it_with_its_profiles_and_tells_every_active_matcher(people):
    giver = people["antwerpen"]
    offer = matching.register_offer(giver, offer_details(), [PLAN_WRITER, SOCIAL_WORKER])
    db.session.expire_all()
    stored = db.session.get(Offer, offer.id)
    assert (stored.organisation_id, stored.state, stored.created_by_id) == (
        giver.organisation_id,
        OfferState.OPEN,
        giver.id,
    )
    assert (stored.theme_codes, stored.inhabitants, stored.months_available) == (
        ["participatie", "data_tools"],
        9_000,
        3,
    )
    assert [(p.position, p.function, p.drew_up_plan) for p in stored.profiles] == [
        (1, "Armoedecoördinator", True),
        (2, "Maatschappelijk werker", False),
    ]
    assert audit_actions("offer", offer.id) == ["offer.registered"]
    assert notified(NotificationEvent.OFFER_REGISTERED) == matcher_emails(people)
    (row, _) = db.session.scalars(select(Notification).where(Notification.event == NotificationEvent.OFFER_REGISTERED))
    assert row.details["offer_id"] == offer.id and row.details["theme_codes"] == ["participatie", "data_tools"]


def test_registering_a_need_stores_it_and_tells_every_active_matcher(people):
    receiver = people["hasselt"]
    need = matching.register_need(receiver, need_details())
    db.session.expire_all()
    stored = db.session.get(Need, need.id)
    assert (stored.organisation_id, stored.state, stored.created_by_id) == (
        receiver.organisation_id,
        NeedState.OPEN,
        receiver.id,
    )
    assert (stored.inhabitants, stored.staff_fte_tenths, stored.contact_email) == (8_000, 5, "ontvanger@example.be")
    assert audit_actions("need", need.id) == ["need.registered"]
    assert notified(NotificationEvent.NEED_REGISTERED) == matcher_emails(people)
    assert people["gone_matcher"].email not in notified(NotificationEvent.NEED_REGISTERED)


def test_an_open_offer_can_be_changed_and_its_profiles_replaced(people):
    giver = people["antwerpen"]
    offer = matching.register_offer(giver, offer_details(), [PLAN_WRITER, SOCIAL_WORKER])
    matching.update_offer(offer, giver, offer_details(months_available=6, approach="Anders."), [SOCIAL_WORKER])
    db.session.flush()
    db.session.expire_all()
    stored = db.session.get(Offer, offer.id)
    assert (stored.months_available, stored.approach) == (6, "Anders.")
    assert [(p.position, p.function) for p in stored.profiles] == [(1, "Maatschappelijk werker")]
    changed = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "offer.changed")).one()
    assert changed.details == {"changed": ["approach", "months_available"], "profiles": 1}


def test_a_withdrawn_offer_or_need_is_no_longer_editable(people):
    giver, receiver = people["antwerpen"], people["hasselt"]
    offer = matching.register_offer(giver, offer_details(), [PLAN_WRITER])
    need = matching.register_need(receiver, need_details())
    now = utcnow()
    matching.withdraw_offer(offer, giver, now)
    matching.withdraw_need(need, receiver, now)
    with pytest.raises(NotEditable):
        matching.update_offer(offer, giver, offer_details(months_available=6), [PLAN_WRITER])
    with pytest.raises(NotEditable):
        matching.update_need(need, receiver, need_details(goals="Iets anders."))
    with pytest.raises(NotEditable):
        matching.withdraw_offer(offer, giver, now)
    db.session.flush()
    assert (offer.state, offer.months_available, offer.withdrawn_at) == (OfferState.WITHDRAWN, 3, now)
    assert (need.state, need.withdrawn_at) == (NeedState.WITHDRAWN, now)
    assert audit_actions("offer", offer.id) == ["offer.registered", "offer.withdrawn"]


def test_withdrawing_an_offer_cancels_its_proposals_and_tells_both_governments(people):
    giver, receiver, other_receiver = people["antwerpen"], people["hasselt"], people["leuven"]
    offer = matching.register_offer(giver, offer_details(), [PLAN_WRITER])
    need = matching.register_need(receiver, need_details())
    other_need = matching.register_need(other_receiver, need_details(contact_email="leuven-contact@example.be"))
    kept = confirmed(people, other_need, offer, giver, other_receiver)
    proposal = proposed(people, need, offer)
    now = utcnow()

    matching.withdraw_offer(offer, giver, now)
    db.session.flush()

    assert (proposal.state, proposal.closed_at) == (MatchState.CANCELLED, now)
    assert kept.state == MatchState.CONFIRMED  # a confirmed match is the governments' own
    assert notified(NotificationEvent.MATCH_CANCELLED, proposal.id) == {
        giver.email,
        "gever@example.be",
        receiver.email,
        "ontvanger@example.be",
    }
    assert notified(NotificationEvent.MATCH_CANCELLED, kept.id) == set()
    cancelled = db.session.scalars(
        select(Notification).where(Notification.event == NotificationEvent.MATCH_CANCELLED)
    ).first()
    assert cancelled.details["why"] == "offer_withdrawn"
    assert audit_actions("match", proposal.id) == ["match.proposed", "match.cancelled"]


def test_withdrawing_a_need_cancels_its_proposals(people):
    giver, receiver = people["antwerpen"], people["hasselt"]
    offer = matching.register_offer(giver, offer_details(), [PLAN_WRITER])
    need = matching.register_need(receiver, need_details())
    proposal = proposed(people, need, offer)
    matching.withdraw_need(need, receiver, utcnow())
    db.session.flush()
    assert proposal.state == MatchState.CANCELLED
    assert giver.email in notified(NotificationEvent.MATCH_CANCELLED, proposal.id)


# --- proposing -----------------------------------------------------------------------------------


def test_a_proposal_is_recorded_and_told_to_both_governments_but_not_the_matchers(people):
    giver, receiver = people["antwerpen"], people["hasselt"]
    offer = matching.register_offer(giver, offer_details(), [PLAN_WRITER])
    need = matching.register_need(receiver, need_details())
    match = proposed(people, need, offer)
    db.session.expire_all()
    stored = db.session.get(Match, match.id)
    assert (stored.state, stored.need_id, stored.offer_id, stored.message) == (
        MatchState.PROPOSED,
        need.id,
        offer.id,
        "Dit past goed.",
    )
    assert stored.proposed_by_id == people["matchers"][0].id
    assert notified(NotificationEvent.MATCH_PROPOSED, match.id) == {
        giver.email,
        "gever@example.be",
        receiver.email,
        "ontvanger@example.be",
    }


def test_a_government_is_never_matched_with_itself(people):
    government = people["antwerpen"]
    offer = matching.register_offer(government, offer_details(), [PLAN_WRITER])
    need = matching.register_need(government, need_details())
    with pytest.raises(MatchRefused) as refused:
        proposed(people, need, offer)
    assert refused.value.problem is MatchProblem.SAME_GOVERNMENT
    assert db.session.scalars(select(Match)).all() == []


def test_a_pair_is_not_proposed_again_while_its_match_is_live_but_may_be_after_a_cancellation(people):
    offer = matching.register_offer(people["antwerpen"], offer_details(), [PLAN_WRITER])
    need = matching.register_need(people["hasselt"], need_details())
    first = proposed(people, need, offer)
    with pytest.raises(MatchRefused) as refused:
        proposed(people, need, offer)
    assert refused.value.problem is MatchProblem.ALREADY_PROPOSED
    matching.cancel(matching.lock_match(first.id), people["matchers"][1], utcnow())
    second = proposed(people, need, offer)
    assert (first.state, second.state) == (MatchState.CANCELLED, MatchState.PROPOSED)


def test_the_database_refuses_a_second_live_match_for_the_same_pair(people):
    offer = matching.register_offer(people["antwerpen"], offer_details(), [PLAN_WRITER])
    need = matching.register_need(people["hasselt"], need_details())
    first = proposed(people, need, offer)
    matcher = people["matchers"][0]
    with db.session.begin_nested(), pytest.raises(IntegrityError) as refused:
        db.session.add(Match(need_id=need.id, offer_id=offer.id, state=MatchState.PROPOSED, proposed_by_id=matcher.id))
        db.session.flush()
    # PostgreSQL names the index; SQLite names its columns.
    message = str(refused.value)
    assert (
        "uq_expertise_match_need_offer_live" in message
        or "expertise_match.need_id, expertise_match.offer_id" in message
    )
    # A closed match of the same pair is history, not a second live one.
    with db.session.begin_nested():
        db.session.add(
            Match(
                need_id=need.id,
                offer_id=offer.id,
                state=MatchState.CANCELLED,
                proposed_by_id=matcher.id,
                closed_at=utcnow(),
            )
        )
        db.session.flush()
    assert first.state == MatchState.PROPOSED


# --- answering -----------------------------------------------------------------------------------


def test_an_acceptance_by_the_giving_government_is_told_to_the_receiving_government_and_the_matchers(people):
    giver, receiver = people["antwerpen"], people["hasselt"]
    offer = matching.register_offer(giver, offer_details(), [PLAN_WRITER])
    need = matching.register_need(receiver, need_details())
    match = proposed(people, need, offer)
    now = utcnow()
    answered(match, Side.GIVING, giver, now=now)
    db.session.flush()
    assert (match.state, match.giving_answer, match.receiving_answer) == (MatchState.PROPOSED, Answer.ACCEPTED, None)
    assert (match.giving_answered_at, match.giving_answered_by_id) == (now, giver.id)
    assert notified(NotificationEvent.MATCH_ACCEPTED, match.id) == {
        receiver.email,
        "ontvanger@example.be",
    } | matcher_emails(people)
    assert need.state == NeedState.OPEN


def test_both_acceptances_confirm_the_match_answer_the_need_and_cancel_its_other_proposals(people):
    giver, other_giver, receiver = people["antwerpen"], people["leuven"], people["hasselt"]
    offer = matching.register_offer(giver, offer_details(), [PLAN_WRITER])
    other_offer = matching.register_offer(
        other_giver, offer_details(contact_email="leuven@example.be"), [SOCIAL_WORKER]
    )
    need = matching.register_need(receiver, need_details())
    match = proposed(people, need, offer)
    other = proposed(people, need, other_offer)
    answered(other, Side.GIVING, other_giver)  # half accepted: still only a proposal
    answered(match, Side.RECEIVING, receiver)
    now = utcnow()
    answered(match, Side.GIVING, giver, now=now)
    db.session.flush()
    db.session.expire_all()

    match, other, need = db.session.get(Match, match.id), db.session.get(Match, other.id), db.session.get(Need, need.id)
    assert (match.state, match.giving_answer, match.receiving_answer, match.confirmed_at) == (
        MatchState.CONFIRMED,
        Answer.ACCEPTED,
        Answer.ACCEPTED,
        now,
    )
    assert need.state == NeedState.MATCHED
    assert notified(NotificationEvent.MATCH_CONFIRMED, match.id) == {
        giver.email,
        "gever@example.be",
        receiver.email,
        "ontvanger@example.be",
    } | matcher_emails(people)
    assert (other.state, other.closed_at) == (MatchState.CANCELLED, now)
    assert notified(NotificationEvent.MATCH_CANCELLED, other.id) == {
        other_giver.email,
        "leuven@example.be",
        receiver.email,
        "ontvanger@example.be",
    }
    assert audit_actions("need", need.id) == ["need.registered", "need.matched"]
    assert audit_actions("match", match.id) == ["match.proposed", "match.accepted", "match.accepted"]
    # The need is answered: no new proposal for it.
    third = matching.register_offer(people["aalst"], offer_details(), [PLAN_WRITER])
    with pytest.raises(MatchRefused) as refused:
        proposed(people, need, third)
    assert refused.value.problem is MatchProblem.NEED_NOT_OPEN


def test_a_decline_declines_the_match_keeps_the_reason_and_leaves_the_need_open(people):
    giver, receiver = people["antwerpen"], people["hasselt"]
    offer = matching.register_offer(giver, offer_details(), [PLAN_WRITER])
    need = matching.register_need(receiver, need_details())
    match = proposed(people, need, offer)
    answered(match, Side.GIVING, giver)
    now = utcnow()
    answered(match, Side.RECEIVING, receiver, Answer.DECLINED, "  Geen tijd dit jaar.  ", now=now)
    db.session.flush()
    db.session.expire_all()
    match = db.session.get(Match, match.id)
    assert (match.state, match.giving_answer, match.receiving_answer) == (
        MatchState.DECLINED,
        Answer.ACCEPTED,
        Answer.DECLINED,
    )
    assert (match.decline_reason, match.closed_at, match.confirmed_at) == ("Geen tijd dit jaar.", now, None)
    assert db.session.get(Need, need.id).state == NeedState.OPEN
    assert notified(NotificationEvent.MATCH_DECLINED, match.id) == {giver.email, "gever@example.be"} | matcher_emails(
        people
    )
    (declined,) = db.session.scalars(
        select(Notification).where(
            Notification.event == NotificationEvent.MATCH_DECLINED, Notification.email == giver.email
        )
    )
    assert declined.details["reason"] == "Geen tijd dit jaar."
    declined_entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "match.declined")).one()
    assert (declined_entry.from_state, declined_entry.to_state, declined_entry.reason) == (
        "proposed",
        "declined",
        "Geen tijd dit jaar.",
    )


def test_a_government_answers_once_and_a_closed_match_takes_no_answers(people):
    giver, receiver = people["antwerpen"], people["hasselt"]
    offer = matching.register_offer(giver, offer_details(), [PLAN_WRITER])
    need = matching.register_need(receiver, need_details())
    match = proposed(people, need, offer)
    answered(match, Side.GIVING, giver)
    with pytest.raises(MatchRefused) as refused:
        answered(match, Side.GIVING, giver, Answer.DECLINED)
    assert refused.value.problem is MatchProblem.ALREADY_ANSWERED
    assert (match.state, match.giving_answer) == (MatchState.PROPOSED, Answer.ACCEPTED)
    answered(match, Side.RECEIVING, receiver, Answer.DECLINED, "Nee.")
    with pytest.raises(MatchRefused) as refused:
        answered(match, Side.RECEIVING, receiver)
    assert refused.value.problem is MatchProblem.NOT_PROPOSED


def test_the_side_of_a_user_follows_the_government_of_the_offer_and_of_the_need(people):
    giver, receiver = people["antwerpen"], people["hasselt"]
    offer = matching.register_offer(giver, offer_details(), [PLAN_WRITER])
    need = matching.register_need(receiver, need_details())
    match = proposed(people, need, offer)
    assert matching.side_of(giver, match) is Side.GIVING
    assert matching.side_of(receiver, match) is Side.RECEIVING
    assert matching.side_of(people["leuven"], match) is None
    assert matching.side_of(people["matchers"][0], match) is None


@pytest.mark.parametrize(
    ("changes", "constraint"),
    [
        pytest.param({"state": "confirmed"}, "confirmed_by_both", id="confirmed-without-answers"),
        pytest.param(
            {"state": "confirmed", "giving_answer": "accepted", "receiving_answer": "accepted"},
            "confirmed_by_both",
            id="confirmed-without-moment",
        ),
        pytest.param(
            {
                "state": "confirmed",
                "giving_answer": "accepted",
                "receiving_answer": "declined",
                "confirmed_at": datetime(2026, 5, 1, tzinfo=UTC),
            },
            "confirmed_by_both",
            id="confirmed-with-a-decline",
        ),
        pytest.param(
            {"state": "declined", "giving_answer": "accepted", "receiving_answer": "accepted"},
            "declined_by_one",
            id="declined-after-two-acceptances",
        ),
        pytest.param({"giving_answer": "maybe"}, "giving_answer", id="unknown-answer"),
        pytest.param({"state": "pending"}, "state", id="unknown-state"),
        # A missing answer must not let the row through: `NULL = 'declined'` is unknown, not false.
        pytest.param(
            {"state": "declined", "giving_answer": "accepted"},
            "declined_by_one",
            id="declined-without-a-decline",
        ),
        pytest.param(
            {"state": "declined"},
            "declined_by_one",
            id="declined-without-any-answer",
        ),
        pytest.param(
            {"state": "confirmed", "giving_answer": "accepted", "confirmed_at": datetime(2026, 5, 1, tzinfo=UTC)},
            "confirmed_by_both",
            id="confirmed-with-one-answer",
        ),
    ],
)
def test_the_database_refuses_a_match_whose_state_does_not_fit_its_answers(people, changes, constraint):
    offer = matching.register_offer(people["antwerpen"], offer_details(), [PLAN_WRITER])
    need = matching.register_need(people["hasselt"], need_details())
    match = proposed(people, need, offer)
    with db.session.begin_nested(), pytest.raises(IntegrityError) as refused:
        for name, value in changes.items():
            setattr(match, name, value)
        db.session.flush()
    assert f"ck_expertise_match_{constraint}" in str(refused.value)


def test_the_database_refuses_an_application_on_a_match_that_is_not_confirmed(people):
    giver, receiver = people["antwerpen"], people["hasselt"]
    call = open_call("ARM-MATCH-GUARD")
    offer = matching.register_offer(giver, offer_details(), [PLAN_WRITER])
    need = matching.register_need(receiver, need_details())
    match = confirmed(people, need, offer, giver, receiver)
    application = matching.start_application(match, call, giver, utcnow())
    other_need = matching.register_need(people["leuven"], need_details())
    proposal = proposed(people, other_need, offer)
    match.application_id = None
    db.session.flush()
    with db.session.begin_nested(), pytest.raises(IntegrityError) as refused:
        proposal.application_id = application.id
        db.session.flush()
    assert "ck_expertise_match_application_after_confirmation" in str(refused.value)


# --- the ranking ---------------------------------------------------------------------------------


def test_the_need_of_a_small_government_with_little_staff_comes_first(people):
    large = matching.register_need(people["antwerpen"], need_details(inhabitants=530_000, staff_fte_tenths=40))
    small_with_staff = matching.register_need(people["leuven"], need_details(inhabitants=9_000, staff_fte_tenths=20))
    small_little_staff = matching.register_need(people["tielt"], need_details(inhabitants=9_500, staff_fte_tenths=3))
    matched = matching.register_need(people["aalst"], need_details(inhabitants=2_000, staff_fte_tenths=0))
    offer = matching.register_offer(people["brugge"], offer_details(), [PLAN_WRITER])
    confirmed(people, matched, offer, people["brugge"], people["aalst"])

    ranked = matching.open_needs_ranked()

    assert [r.need.id for r in ranked] == [
        small_little_staff.id,
        small_with_staff.id,
        large.id,
    ]  # the matched need is gone
    assert [r.priority.priority for r in ranked] == [Priority.HIGH, Priority.RAISED, Priority.NORMAL]


def test_for_a_need_the_offer_sharing_its_themes_comes_first_with_the_reasons(people):
    need = matching.register_need(
        people["tielt"], need_details(theme_codes=["participatie", "data_tools"], inhabitants=8_000)
    )
    # Same province and size, but nothing in common: listed, last.
    nothing_shared = matching.register_offer(
        people["brugge"], offer_details(theme_codes=["impactmeting"], inhabitants=8_500), [PLAN_WRITER]
    )
    # Both themes, a neighbouring province, a similar size.
    both_themes = matching.register_offer(
        people["aalst"],
        offer_details(theme_codes=["data_tools", "participatie", "lokale_regie"], inhabitants=9_000),
        [PLAN_WRITER],
    )
    # One theme, far away, much larger.
    one_theme = matching.register_offer(
        people["hasselt"], offer_details(theme_codes=["participatie"], inhabitants=80_000), [PLAN_WRITER]
    )
    own = matching.register_offer(people["tielt"], offer_details(), [PLAN_WRITER])
    withdrawn = matching.register_offer(people["leuven"], offer_details(), [PLAN_WRITER])
    matching.withdraw_offer(withdrawn, people["leuven"], utcnow())
    live = proposed(people, need, one_theme)

    (ranked,) = [r for r in matching.open_needs_ranked() if r.need.id == need.id]

    assert [r.offer.id for r in ranked.offers] == [both_themes.id, one_theme.id, nothing_shared.id]
    assert own.id not in {r.offer.id for r in ranked.offers}
    reasons = [(r.suggestion.shared_themes, r.suggestion.province, r.suggestion.similar_size) for r in ranked.offers]
    assert reasons == [
        (("data_tools", "participatie"), ProvinceFit.NEIGHBOURING, True),
        (("participatie",), ProvinceFit.FAR, False),
        ((), ProvinceFit.SAME, True),
    ]
    assert [r.match for r in ranked.offers] == [None, live, None]
    assert [r.offer.id for r in matching.ranked_need(need).offers] == [both_themes.id, one_theme.id, nothing_shared.id]


# --- the draft application -----------------------------------------------------------------------


def test_a_confirmed_match_starts_the_giving_governments_draft_filled_in_from_the_offer_and_the_need(people):
    giver, receiver = people["antwerpen"], people["hasselt"]
    call = open_call("ARM-MATCH", theme_codes=["lokale_regie", "participatie", "grondrechten"])
    offer = matching.register_offer(
        giver,
        offer_details(
            theme_codes=["participatie", "data_tools", "lokale_regie", "impactmeting"],
            available_from_on=date(2026, 11, 1),
            months_available=3,
            time_share_bp=2_500,
        ),
        [PLAN_WRITER, SOCIAL_WORKER],
    )
    need = matching.register_need(receiver, need_details(theme_codes=["lokale_regie", "data_tools", "participatie"]))
    match = confirmed(people, need, offer, giver, receiver)

    application = matching.start_application(matching.lock_match(match.id), call, giver, utcnow())
    db.session.flush()
    db.session.expire_all()

    application = db.session.get(Application, application.id)
    assert (application.state, application.call_id) == (State.DRAFT, call.id)
    assert (application.organisation_id, application.receiving_organisation_id) == (
        giver.organisation_id,
        receiver.organisation_id,
    )
    assert (application.giving_contact_name, application.giving_contact_email) == ("Gert Gever", "gever@example.be")
    assert (application.receiving_contact_name, application.receiving_contact_email) == (
        "Olga Ontvanger",
        "ontvanger@example.be",
    )
    assert application.theme_codes == ["lokale_regie", "participatie"]  # shared, and themes of the call
    assert (application.approach, application.need, application.goals) == (
        "Een armoedetoets bij elke beslissing van het college.",
        "Een kleine gemeente zonder armoedeambtenaar.",
        "Mensen in armoede laten meepraten over het beleid.",
    )
    mentors = sorted(application.mentors, key=lambda mentor: mentor.position)
    assert [
        (m.position, m.full_name, m.function, m.years_experience, m.drew_up_plan, m.plan_description, m.plan_year)
        for m in mentors
    ] == [
        (1, "Els Mentor", "Armoedecoördinator", 12, True, "Lokaal armoedeplan 2020-2025", 2020),
        (2, "", "Maatschappelijk werker", 4, False, "", None),
    ]
    for mentor in mentors:
        assert mentor.theme_codes == ["lokale_regie", "participatie"]
        assert (mentor.time_share_bp, mentor.start_on, mentor.end_on) == (2_500, date(2026, 11, 1), date(2027, 1, 31))
        assert mentor.monthly_wage_cents is None  # the wage is the giving government's to fill in
    assert db.session.get(Match, match.id).application_id == application.id
    assert audit_actions("match", match.id)[-1] == "match.application_started"


@pytest.mark.parametrize(
    ("available_from_on", "months", "last_day"),
    [
        (date(2026, 9, 1), 4, date(2026, 12, 31)),
        (date(2027, 1, 1), 2, date(2027, 2, 28)),
        (date(2026, 1, 1), 36, date(2028, 12, 31)),
    ],
)
def test_a_mentor_is_available_until_the_last_day_of_the_available_months(people, available_from_on, months, last_day):
    giver, receiver = people["antwerpen"], people["hasselt"]
    call = open_call("ARM-MATCH")
    offer = matching.register_offer(
        giver, offer_details(available_from_on=available_from_on, months_available=months), [PLAN_WRITER]
    )
    need = matching.register_need(receiver, need_details())
    match = confirmed(people, need, offer, giver, receiver)
    application = matching.start_application(match, call, giver, utcnow())
    (mentor,) = application.mentors
    assert (mentor.start_on, mentor.end_on) == (available_from_on, last_day)


def test_a_draft_is_started_by_the_giving_government_only_once_and_only_after_confirmation(people):
    giver, receiver = people["antwerpen"], people["hasselt"]
    call = open_call("ARM-MATCH")
    offer = matching.register_offer(giver, offer_details(), [PLAN_WRITER])
    need = matching.register_need(receiver, need_details())
    match = proposed(people, need, offer)
    answered(match, Side.GIVING, giver)
    with pytest.raises(CannotStart) as refused:
        matching.start_application(match, call, giver, utcnow())
    assert refused.value.why == "not_confirmed"
    answered(match, Side.RECEIVING, receiver)
    with pytest.raises(CannotStart) as refused:
        matching.start_application(match, call, receiver, utcnow())
    assert refused.value.why == "not_giving"
    first = matching.start_application(match, call, giver, utcnow())
    with pytest.raises(CannotStart) as refused:
        matching.start_application(match, call, giver, utcnow())
    assert refused.value.why == "already_started"
    drafts = db.session.scalars(select(Application).where(Application.call_id == call.id)).all()
    assert drafts == [first]
