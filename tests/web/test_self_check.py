"""The public self-check: the application's own rules and formula on the answers, with the budget of today,
without an account and without storing anything in the portal."""

import re
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from portal.models import Application, AuditEntry
from portal.services import applications, eligibility
from portal.services.dossiers import compensation_of
from tests.conftest import csrf_token, make_user
from tests.factories import complete_draft, municipality, open_call, submitted_dossier

URL = "/oproepen/ARM-OPEN/zelftest"


def answers(token, **changes):
    data = {
        "csrf_token": token,
        "applicant_kind": "municipality",
        "receiving_kind": "municipality",
        "exchange_type": "mentoring",
        "themes": ["lokale_regie"],
        "drew_up_plan": "yes",
        "mentors-0-monthly_wage": "5.400,00",
        "mentors-0-time_share": "50",
        "mentors-0-start_on": ["1", "9", "2026"],
        "mentors-0-end_on": ["31", "12", "2026"],
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def figure(page, name):
    return re.search(rf'data-figure="{name}"[^>]*>\s*(?:<strong>)?([^<]+)<', page).group(1).strip()


def test_a_government_sees_it_may_apply_for_the_computed_amount_and_its_place_today(client, db_session):
    call = open_call()
    submitted_dossier(call, applicant=make_user("applicant", organisation=municipality("11002")))
    db_session.commit()
    page = client.get(URL).get_data(as_text=True)
    assert "Kunnen wij aanvragen, en voor hoeveel?" in page
    answer = client.post(URL, data=answers(csrf_token(client, URL)))
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200 and 'data-outcome="may-apply"' in page
    # 50% of 5,400.00 a month, half-time, four months: 2,700.00 x 0.5 x 4 = 5,400.00
    assert figure(page, "estimate") == "EUR\u00a05.400,00"
    assert figure(page, "place") == "2"  # one dossier is in the queue already
    assert "volledige bedrag zou voor uw project gereserveerd" in page
    assert all(
        f'data-rule="{code}" data-outcome="pass"' in page
        for code in ("E01_WINDOW", "E02_APPLICANT", "E03_RECEIVING", "E04_EXCHANGE", "E08_EXPERT")
    )
    # Nothing is stored in the portal: no dossier, no audit row beyond the one submitted before.
    assert db_session.scalar(select(func.count()).select_from(Application)) == 1
    audited = db_session.scalar(select(func.count()).select_from(AuditEntry))
    client.post(URL, data=answers(csrf_token(client, URL)))
    assert db_session.scalar(select(func.count()).select_from(AuditEntry)) == audited


def test_the_rules_say_why_a_project_may_not_apply(client, db_session):
    open_call()
    db_session.commit()
    page = client.post(URL, data=answers(csrf_token(client, URL), applicant_kind="other", drew_up_plan="no")).get_data(
        as_text=True
    )
    assert 'data-outcome="may-not-apply"' in page and "Zo kunt u niet aanvragen" in page
    assert 'data-rule="E02_APPLICANT" data-outcome="fail"' in page
    assert 'data-rule="E08_EXPERT" data-outcome="needs_review"' in page  # judged by the officer, not a refusal
    assert "data-apply" not in page


def test_a_project_above_the_cap_is_capped_and_a_full_envelope_puts_it_on_the_waiting_list(client, db_session):
    call = open_call(envelope_cents=600_000, cap_cents=600_000)  # EUR 6,000 for the call and per project
    submitted_dossier(call, applicant=make_user("applicant", organisation=municipality("11002")))  # holds 5,400
    db_session.commit()
    page = client.post(
        URL,
        data=answers(csrf_token(client, URL), **{"mentors-0-monthly_wage": "99.000,00", "mentors-0-time_share": "100"}),
    ).get_data(as_text=True)
    assert figure(page, "estimate") == "EUR\u00a06.000,00" and "Begrensd tot het maximum" in page
    assert call.shortfall_policy == "partial" and "deelbedrag van EUR\u00a0600,00" in page
    assert figure(page, "place") == "2"


def test_every_refusal_names_its_field_and_keeps_what_was_typed(client, db_session):
    open_call()
    db_session.commit()
    token = csrf_token(client, URL)
    nothing = client.post(URL, data={"csrf_token": token})
    text = nothing.get_data(as_text=True)
    assert nothing.status_code == 400
    for message in ("Kies wie de expert uitleent", "Kies wie de expertise ontvangt", "Kies mentoring of stage",
                    "Kies minstens één thema", "Kies ja of nee", "Vul de kosten van minstens één mentor in"):  # fmt: skip
        assert message in text, message
    half = client.post(
        URL,
        data=answers(token, **{"mentors-1-monthly_wage": "3.000,00", "mentors-0-end_on": ["1", "8", "2026"]}),
    )
    text = half.get_data(as_text=True)
    assert half.status_code == 400
    assert "De einddatum valt voor de begindatum" in text and "Vul de tijdsbesteding in procent in" in text
    assert 'value="3.000,00"' in text and 'value="5.400,00"' in text


CALL_START = date(2026, 1, 1)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    mentors=st.lists(
        st.tuples(
            st.integers(min_value=1, max_value=10_000_000),  # wage in cents
            st.integers(min_value=1, max_value=10_000),  # time share in basis points
            st.integers(min_value=0, max_value=700),  # start, days after CALL_START
            st.integers(min_value=0, max_value=400),  # length in days
        ),
        min_size=1,
        max_size=3,
    )
)
def test_the_estimate_is_the_applications_compensation_for_the_same_mentors(app, db_session, mentors):
    from datetime import timedelta

    from portal.services import selfcheck
    from workflows.compensation import MentorCost
    from workflows.selfcheck import SelfCheckAnswers

    draft = db_session.scalar(select(Application).limit(1))
    if draft is None:
        draft = complete_draft(make_user("applicant", organisation=municipality("44021")), open_call())
    costs = [
        MentorCost(w, s, CALL_START + timedelta(days=a), CALL_START + timedelta(days=a + n)) for w, s, a, n in mentors
    ]
    # One draft for every example (the fixture lives for the whole test): its mentors take these costs.
    template = draft.mentors[0]
    del draft.mentors[1:]
    for position, cost in enumerate(costs):
        mentor = template if position == 0 else type(template)(full_name=f"M{position}", position=position + 1)
        mentor.monthly_wage_cents, mentor.time_share_bp, mentor.start_on, mentor.end_on = (
            cost.monthly_wage_cents, cost.time_share_bp, cost.start_on, cost.end_on,
        )  # fmt: skip
        if position:
            draft.mentors.append(mentor)
    _, applied = compensation_of(draft)
    answers_ = SelfCheckAnswers(
        "municipality", "municipality", "mentoring", frozenset({"lokale_regie"}), True, tuple(costs)
    )
    estimated = selfcheck.check(draft.call, answers_, draft.call.opens_at).result.estimate
    assert estimated.total_cents == applied.total_cents
    assert [line.compensation_cents for line in estimated.lines] == [
        line.compensation_cents for _, line in compensation_of(draft)[0]
    ]


def test_the_answers_carry_into_a_new_application_after_signing_in(client, db_session):
    from tests.conftest import sign_in

    call = open_call()
    applicant = make_user("applicant", organisation=municipality("44021"))
    db_session.commit()
    two_mentors = answers(
        csrf_token(client, URL),
        exchange_type="stage",
        themes=["lokale_regie", "participatie"],
        **{
            "mentors-1-monthly_wage": "4.000,00",
            "mentors-1-time_share": "20",
            "mentors-1-start_on": ["1", "10", "2026"],
            "mentors-1-end_on": ["31", "12", "2026"],
        },
    )
    assert client.post(URL, data=two_mentors).status_code == 200
    sign_in(client, applicant)  # the same browser, now signed in
    from portal.db import utcnow
    from portal.services import drafts

    draft = drafts.start(call, applicant, utcnow())
    db_session.commit()
    exchange = client.get(f"/mijn-dossiers/{draft.id}/uitwisseling").get_data(as_text=True)
    assert "data-from-self-check" in exchange
    assert re.search(r'value="stage"\s+checked', exchange) and re.search(r'value="participatie"\s+checked', exchange)
    first = client.get(f"/mijn-dossiers/{draft.id}/mentoren/nieuw").get_data(as_text=True)
    assert "data-from-self-check" in first and 'value="5.400,00"' in first and 'value="50"' in first
    assert re.search(r'value="yes"\s+checked', first)
    # Nothing was stored before signing in, and nothing is stored by reading a prefilled form.
    db_session.refresh(draft)
    assert draft.exchange_type is None and draft.mentors == []


def test_the_place_the_self_check_gives_is_the_place_the_receipt_then_prints(client, db_session):
    """Order of submission, as the SPEC's queue: a decided dossier keeps its place (here one declared
    ineligible, whose reservation is released), a withdrawn one gives it up."""
    call = open_call()
    officer = make_user("officer")
    ineligible = submitted_dossier(call, applicant=make_user("applicant", organisation=municipality("11002")))
    leaving = make_user("applicant", organisation=municipality("11004"))
    withdrawn = submitted_dossier(call, applicant=leaving)
    submitted_dossier(call, applicant=make_user("applicant", organisation=municipality("11005")))
    eligibility.declare_ineligible(ineligible.id, officer, "De ontvangende overheid komt niet in aanmerking.")
    applications.withdraw(withdrawn.id, leaving, "Het project gaat niet door.")
    db_session.commit()

    page = client.post(URL, data=answers(csrf_token(client, URL))).get_data(as_text=True)
    assert figure(page, "place") == "3"  # the ineligible one and the third one are ahead; the withdrawn one is not

    applicant = make_user("applicant", organisation=municipality("11008"))
    result = applications.submit(complete_draft(applicant, call).id, applicant, declared=True)
    db_session.commit()
    assert result.submission.content["queue_position"] == 3
    assert applications.queue_position(result.application) == 3
