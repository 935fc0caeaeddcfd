"""The eligibility rules of the call, each with its code, messages and outcome."""

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from workflows.calls import CallWindow
from workflows.eligibility import EligibilityFacts, MentorExpertise, Outcome, check_eligibility, may_declare_eligible

WINDOW = CallWindow(datetime(2022, 6, 13, 22, tzinfo=UTC), datetime(2022, 10, 31, 22, 59, 59, tzinfo=UTC))
GOOD = EligibilityFacts(
    submitted_at=datetime(2022, 9, 1, tzinfo=UTC),
    window=WINDOW,
    eligible_kinds=frozenset({"municipality"}),
    applicant_kind="municipality",
    applicant_is_giving=True,
    receiving_kind="municipality",
    receiving_is_other=True,
    exchange_type="mentoring",
    allowed_exchange_types=frozenset({"mentoring", "stage"}),
    theme_codes=frozenset({"lokale_regie"}),
    call_theme_codes=frozenset({"lokale_regie", "impactmeting"}),
    attachments_present=frozenset({"action_plan", "agreement"}),
    attachments_required=frozenset({"action_plan", "agreement"}),
    requested_cents=540_000,
    computed_cents=540_000,
    cap_cents=5_000_000,
    mentors=(MentorExpertise("Mona", 12, True),),
    pair_has_other_open_application=False,
    allows_repeat_pair=False,
)


def outcomes(facts):
    return {r.code: r.outcome for r in check_eligibility(facts)}


def test_a_good_application_passes_every_rule_with_messages_in_both_languages():
    results = check_eligibility(GOOD)
    assert [r.code for r in results] == [f"E0{n}_{name}" for n, name in enumerate(
        ["WINDOW", "APPLICANT", "RECEIVING", "EXCHANGE", "ATTACHMENTS", "AMOUNT", "PERSONNEL", "EXPERT", "PAIR"], start=1)]  # fmt: skip
    assert all(r.outcome is Outcome.PASS and r.message_nl and r.message_en for r in results)
    assert may_declare_eligible([r.outcome for r in results])


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"submitted_at": datetime(2022, 11, 1, tzinfo=UTC)}, "E01_WINDOW"),
        ({"applicant_kind": "association"}, "E02_APPLICANT"),
        ({"applicant_is_giving": False}, "E02_APPLICANT"),
        ({"receiving_is_other": False}, "E03_RECEIVING"),
        ({"receiving_kind": None}, "E03_RECEIVING"),
        ({"exchange_type": "detachering"}, "E04_EXCHANGE"),
        ({"theme_codes": frozenset({"sport"})}, "E04_EXCHANGE"),
        ({"attachments_present": frozenset({"action_plan"})}, "E05_ATTACHMENTS"),
        ({"requested_cents": 540_001}, "E06_AMOUNT"),
        ({"requested_cents": 6_000_000, "computed_cents": 6_000_000}, "E06_AMOUNT"),
        ({"mentors": ()}, "E08_EXPERT"),
        ({"pair_has_other_open_application": True}, "E09_PAIR"),
    ],
)
def test_each_rule_fails_on_its_own_condition(changes, code):
    results = outcomes(replace(GOOD, **changes))
    assert results[code] is Outcome.FAIL
    assert [c for c, o in results.items() if o is not Outcome.PASS] == [code]


def test_a_mentor_without_a_full_plan_cycle_needs_review_with_the_name():
    facts = replace(GOOD, mentors=(MentorExpertise("Mona", 12, True), MentorExpertise("Bart", 3, False)))
    result = next(r for r in check_eligibility(facts) if r.code == "E08_EXPERT")
    assert result.outcome is Outcome.NEEDS_REVIEW and "Bart" in result.message_nl and "Mona" not in result.message_nl
    assert not may_declare_eligible([r.outcome for r in check_eligibility(facts)])


def test_a_repeat_pair_is_fine_when_the_call_allows_it():
    assert (
        outcomes(replace(GOOD, pair_has_other_open_application=True, allows_repeat_pair=True))["E09_PAIR"]
        is Outcome.PASS
    )


def test_nothing_to_declare_without_results():
    assert not may_declare_eligible([])
