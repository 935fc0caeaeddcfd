"""The application rules: transition table, task-list sections, submit check, reference, hash."""

from datetime import UTC, datetime

import pytest

from workflows.applications import (
    TRANSITIONS,
    Action,
    ContactFacts,
    DraftFacts,
    MentorFacts,
    Section,
    SectionStatus,
    State,
    SubmitProblem,
    allowed_actions,
    can,
    check_submit,
    content_hash,
    places_taken,
    reference_number,
    section_statuses,
)
from workflows.calls import CallWindow
from workflows.roles import Role

CONTACT = ContactFacts("An", "Beleidsmedewerker", "an@gent.be", "09 123 45 67")
WINDOW = CallWindow(datetime(2022, 6, 13, 22, tzinfo=UTC), datetime(2022, 10, 31, 22, 59, 59, tzinfo=UTC))
DURING = datetime(2022, 9, 1, 10, tzinfo=UTC)


def complete_facts(**changes) -> DraftFacts:
    values = dict(
        receiving_chosen=True,
        giving_contact=CONTACT,
        receiving_contact=CONTACT,
        exchange_type="mentoring",
        theme_count=2,
        right_count=1,
        texts=("aanpak", "nood", "doelen", "participatie", "verankering"),
        mentors=(MentorFacts(True),),
        iban="BE68539007547034",
        attachments_present=frozenset({"action_plan", "agreement"}),
        attachments_required=frozenset({"action_plan", "agreement"}),
    )
    values.update(changes)
    return DraftFacts(**values)


@pytest.mark.parametrize("transition", TRANSITIONS, ids=lambda t: f"{t.source}-{t.action}")
def test_each_transition_is_allowed_to_its_actors_only(transition):
    for actor in [*Role, "system"]:
        assert can(actor, transition.source, transition.action) == (actor in transition.actors)


def test_the_table_has_one_target_per_state_and_action():
    pairs = [(t.source, t.action) for t in TRANSITIONS]
    assert len(pairs) == len(set(pairs))


def test_an_applicant_may_withdraw_until_granted_but_not_after_a_decision_against_or_closing():
    for state in (State.DRAFT, State.SUBMITTED, State.ELIGIBLE, State.IN_REVIEW, State.SCORED, State.GRANTED):
        assert Action.WITHDRAW in allowed_actions(Role.APPLICANT, state)
    for state in (State.INELIGIBLE, State.REJECTED, State.CLOSED, State.WITHDRAWN):
        assert Action.WITHDRAW not in allowed_actions(Role.APPLICANT, state)


def test_only_a_draft_can_be_submitted_and_only_by_an_applicant():
    assert allowed_actions(Role.APPLICANT, State.DRAFT) == [Action.SUBMIT, Action.WITHDRAW]
    assert not can(Role.OFFICER, State.DRAFT, Action.SUBMIT)
    assert not can(Role.APPLICANT, State.SUBMITTED, Action.SUBMIT)


def test_sections_of_an_empty_draft_are_not_started():
    empty = DraftFacts(
        False, ContactFacts(), ContactFacts(), None, 0, 0, ("",) * 5, (), None, frozenset(), frozenset({"action_plan"})
    )
    assert set(section_statuses(empty).values()) == {SectionStatus.NOT_STARTED}


def test_sections_in_progress_and_completed():
    statuses = section_statuses(complete_facts())
    assert set(statuses.values()) == {SectionStatus.COMPLETED}
    partial = section_statuses(
        complete_facts(
            receiving_contact=ContactFacts(name="Bert"),
            mentors=(MentorFacts(True), MentorFacts(False)),
            attachments_present=frozenset({"agreement"}),
            texts=("aanpak", "", "", "", ""),
        )
    )
    assert partial[Section.PARTIES] is SectionStatus.IN_PROGRESS
    assert partial[Section.EXCHANGE] is SectionStatus.IN_PROGRESS
    assert partial[Section.MENTORS] is SectionStatus.IN_PROGRESS
    assert partial[Section.BUDGET] is SectionStatus.IN_PROGRESS  # IBAN given, mentors not complete
    assert partial[Section.ATTACHMENTS] is SectionStatus.IN_PROGRESS


def test_submit_check_lists_every_reason():
    assert check_submit(State.DRAFT, complete_facts(), WINDOW, DURING, declared=True).ok
    check = check_submit(
        State.SUBMITTED, complete_facts(iban=None), WINDOW, datetime(2022, 11, 1, tzinfo=UTC), declared=False
    )
    assert check.problems == (
        SubmitProblem.NOT_A_DRAFT,
        SubmitProblem.CALL_CLOSED,
        SubmitProblem.INCOMPLETE,
        SubmitProblem.NOT_DECLARED,
    )
    assert check.incomplete_sections == (Section.BUDGET,)
    early = check_submit(State.DRAFT, complete_facts(), WINDOW, datetime(2022, 6, 1, tzinfo=UTC), declared=True)
    assert early.problems == (SubmitProblem.CALL_NOT_OPEN_YET,)


def test_the_last_second_of_the_closing_day_still_counts():
    last_second = datetime(2022, 10, 31, 22, 59, 59, tzinfo=UTC)
    assert check_submit(State.DRAFT, complete_facts(), WINDOW, last_second, declared=True).ok
    after = datetime(2022, 10, 31, 23, 0, 0, tzinfo=UTC)
    assert check_submit(State.DRAFT, complete_facts(), WINDOW, after, declared=True).problems == (
        SubmitProblem.CALL_CLOSED,
    )


def test_reference_numbers_and_content_hashes():
    assert reference_number("ARM", 2022, 7) == "ARM-2022-0007"
    with pytest.raises(ValueError):
        reference_number("ARM", 2022, 0)
    assert content_hash({"b": 1, "a": "é"}) == content_hash({"a": "é", "b": 1})
    assert content_hash({"a": 1}) != content_hash({"a": 2})
    assert len(content_hash({})) == 64


def test_only_a_submission_a_correction_and_a_withdrawal_change_the_places_in_the_queue():
    """A dossier takes a place when it is submitted or resubmitted, gives it up when it is sent back for a
    correction or withdrawn, and keeps it through every decision (SPEC 8: first come, first served)."""
    changes = {
        (t.source, t.action): places_taken(t.source, t.target) for t in TRANSITIONS if places_taken(t.source, t.target)
    }
    placed_before_a_payout = (State.SUBMITTED, State.ELIGIBLE, State.IN_REVIEW, State.SCORED, State.GRANTED)
    assert changes == {
        (State.DRAFT, Action.SUBMIT): 1,
        (State.CORRECTION_REQUESTED, Action.RESUBMIT): 1,
        (State.SUBMITTED, Action.REQUEST_CORRECTION): -1,
        **{(state, Action.WITHDRAW): -1 for state in placed_before_a_payout},
    }
