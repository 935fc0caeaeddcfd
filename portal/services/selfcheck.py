"""The public self-check on a call: which rules an application would meet, the compensation it would get, and
where it would stand in the queue today. Reads only: nothing is stored for someone without an account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from portal.models import Call
from portal.services import budget
from workflows.calls import BudgetMeter
from workflows.selfcheck import CallRules, SelfCheckAnswers, SelfCheckResult, self_check


@dataclass(frozen=True)
class SelfCheck:
    result: SelfCheckResult
    meter: BudgetMeter
    prospect: budget.Prospect


def rules_of(call: Call) -> CallRules:
    return CallRules(
        window=call.window,
        eligible_kinds=frozenset(call.eligible_organisation_kinds),
        exchange_types=frozenset(call.exchange_types),
        theme_codes=frozenset(theme.code for theme in call.themes),
        rate_percent=call.compensation_rate_percent,
        cap_cents=call.cap_cents,
    )


def check(call: Call, answers: SelfCheckAnswers, now: datetime) -> SelfCheck:
    result = self_check(answers, rules_of(call), now)
    return SelfCheck(result, budget.meter(call), budget.prospect(call, result.estimate.total_cents))
