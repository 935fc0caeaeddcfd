"""The receiving government's answer to an application (SPEC 5): confirmed, declined or not yet. Pure.

The receiving government confirms that it takes part, or declines with a reason. A decline is not
final: the partner may change its mind and confirm afterwards, which clears the decline (the two
governments may settle what stood in the way). A confirmation is final: the giving government and the
administration build on it, so a confirmed dossier can no longer be declined; a partner that drops out
later talks to the giving government, which withdraws.
"""

from __future__ import annotations

from enum import StrEnum

from workflows.applications import Action, State, can
from workflows.roles import Role

# The longest reason a declining government may give (a short motivation, not a letter).
DECLINE_REASON_LIMIT = 2000


class Answer(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    DECLINED = "declined"


class AnswerRefusal(StrEnum):
    WRONG_STATE = "wrong_state"  # the dossier is not (or no longer) in a state where the partner answers
    ALREADY_CONFIRMED = "already_confirmed"
    ALREADY_DECLINED = "already_declined"
    REASON_MISSING = "reason_missing"
    REASON_TOO_LONG = "reason_too_long"


def answer_of(confirmed: bool, declined: bool) -> Answer:
    """The answer from the two facts the dossier stores (the database refuses both at once)."""
    if confirmed and declined:
        raise ValueError("a dossier is confirmed or declined, never both")
    if confirmed:
        return Answer.CONFIRMED
    return Answer.DECLINED if declined else Answer.PENDING


def confirm_refusal(state: State, answer: Answer) -> AnswerRefusal | None:
    """Why the receiving government cannot confirm now, or None. Confirming after a decline is allowed and
    clears it; confirming twice changes nothing (the first confirmation stands)."""
    if not can(Role.APPLICANT, state, Action.CONFIRM_PARTICIPATION):
        return AnswerRefusal.WRONG_STATE
    return None


def decline_refusal(state: State, answer: Answer, reason: str) -> AnswerRefusal | None:
    """Why the receiving government cannot decline now with this reason, or None."""
    if not can(Role.APPLICANT, state, Action.DECLINE_PARTICIPATION):
        return AnswerRefusal.WRONG_STATE
    if answer is Answer.CONFIRMED:
        return AnswerRefusal.ALREADY_CONFIRMED
    if answer is Answer.DECLINED:
        return AnswerRefusal.ALREADY_DECLINED
    if not reason.strip():
        return AnswerRefusal.REASON_MISSING
    if len(reason.strip()) > DECLINE_REASON_LIMIT:
        return AnswerRefusal.REASON_TOO_LONG
    return None


def may_confirm(state: State, answer: Answer) -> bool:
    """Whether the page offers the confirm button: the rule, and not confirmed yet."""
    return answer is not Answer.CONFIRMED and confirm_refusal(state, answer) is None


def may_decline(state: State, answer: Answer) -> bool:
    """Whether the page offers declining (the reason is asked on the next page)."""
    return decline_refusal(state, answer, "-") is None
