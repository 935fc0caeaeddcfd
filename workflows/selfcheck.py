"""The public self-check: "may we apply, and how much?" answered by the application's own rules.

The eligibility rules that can be judged before anything is written (the period, who applies, who receives, the
form and the themes, the mentors' expertise) run through `check_eligibility` on the answers, exactly as at
submission; the estimate is `compensation` on the same mentor costs. Nothing here is a second copy of a rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from workflows.calls import CallWindow
from workflows.compensation import Compensation, MentorCost, compensation
from workflows.eligibility import EligibilityFacts, MentorExpertise, Outcome, RuleResult, check_eligibility

# The rules a self-check can judge; the others need the application itself (attachments, the pair's other
# dossiers) or hold by construction (the requested amount is always the computed one).
SELF_CHECK_RULES = ("E01_WINDOW", "E02_APPLICANT", "E03_RECEIVING", "E04_EXCHANGE", "E08_EXPERT")


@dataclass(frozen=True)
class CallRules:
    window: CallWindow
    eligible_kinds: frozenset[str]
    exchange_types: frozenset[str]
    theme_codes: frozenset[str]
    rate_percent: int
    cap_cents: int


@dataclass(frozen=True)
class SelfCheckAnswers:
    applicant_kind: str
    receiving_kind: str
    exchange_type: str | None
    theme_codes: frozenset[str]
    mentors_drew_up_plan: bool
    mentors: tuple[MentorCost, ...]


@dataclass(frozen=True)
class SelfCheckResult:
    results: tuple[RuleResult, ...]
    estimate: Compensation

    @property
    def may_apply(self) -> bool:
        """No rule fails (a rule that needs the officer's judgement does not stop anyone from applying)."""
        return all(result.outcome is not Outcome.FAIL for result in self.results)


def self_check(answers: SelfCheckAnswers, rules: CallRules, now: datetime) -> SelfCheckResult:
    estimate = compensation(list(answers.mentors), rules.rate_percent, rules.cap_cents)
    facts = EligibilityFacts(
        submitted_at=now,
        window=rules.window,
        eligible_kinds=rules.eligible_kinds,
        applicant_kind=answers.applicant_kind,
        applicant_is_giving=True,  # the self-check asks the giving government's questions
        receiving_kind=answers.receiving_kind,
        receiving_is_other=True,
        exchange_type=answers.exchange_type,
        allowed_exchange_types=rules.exchange_types,
        theme_codes=answers.theme_codes,
        call_theme_codes=rules.theme_codes,
        attachments_present=frozenset(),
        attachments_required=frozenset(),
        requested_cents=estimate.total_cents,
        computed_cents=estimate.total_cents,
        cap_cents=rules.cap_cents,
        mentors=tuple(
            MentorExpertise(f"mentor {number}", 0, answers.mentors_drew_up_plan)
            for number in range(1, max(1, len(answers.mentors)) + 1)
        ),
        pair_has_other_open_application=False,
        allows_repeat_pair=True,
    )
    results = tuple(result for result in check_eligibility(facts) if result.code in SELF_CHECK_RULES)
    return SelfCheckResult(results, estimate)
