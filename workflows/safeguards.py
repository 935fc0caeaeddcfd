"""Safeguards before the officer's irreversible steps: may a dossier be declared eligible or granted
while the receiving government has not confirmed its participation? Pure.

The call sets what happens while the receiving government has not answered: `warn` (the officer
proceeds only after ticking that they know) or `refuse`. A receiving government that declined is
always a refusal: the exchange cannot happen without it.
"""

from __future__ import annotations

from enum import StrEnum

from workflows.participation import Answer


class UnconfirmedPartnerPolicy(StrEnum):
    """A call's setting: what eligibility and grant do while the receiving government has not confirmed."""

    WARN = "warn"
    REFUSE = "refuse"


class PartnerCheck(StrEnum):
    CLEAR = "clear"  # confirmed: nothing to say
    WARN = "warn"  # not confirmed yet, the call warns: proceed only after an explicit acknowledgement
    REFUSED = "refused"  # not confirmed yet, the call refuses
    DECLINED = "declined"  # the receiving government declined: always refused


def check_partner(answer: Answer, policy: UnconfirmedPartnerPolicy) -> PartnerCheck:
    """What declaring eligible or granting meets, given the receiving government's answer and the call."""
    if answer is Answer.CONFIRMED:
        return PartnerCheck.CLEAR
    if answer is Answer.DECLINED:
        return PartnerCheck.DECLINED
    return PartnerCheck.WARN if policy is UnconfirmedPartnerPolicy.WARN else PartnerCheck.REFUSED


def may_proceed(check: PartnerCheck, acknowledged: bool) -> bool:
    """Whether the step may go ahead: always when clear, after the acknowledgement when warned, never else."""
    if check is PartnerCheck.CLEAR:
        return True
    return check is PartnerCheck.WARN and acknowledged
