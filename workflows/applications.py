"""Applications: states, the transition table, the task-list sections, and the submit rules (SPEC 5-6).

The transition table is the single source of truth for who may do what in which state; pages ask
it which buttons to show and services ask it before they change anything.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from workflows.calls import CallPhase, CallWindow
from workflows.roles import Role


class State(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    CORRECTION_REQUESTED = "correction_requested"
    IN_REVIEW = "in_review"
    SCORED = "scored"
    GRANTED = "granted"
    REJECTED = "rejected"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


class Action(StrEnum):
    SUBMIT = "submit"
    DECLARE_ELIGIBLE = "declare_eligible"
    DECLARE_INELIGIBLE = "declare_ineligible"
    REQUEST_CORRECTION = "request_correction"
    RESUBMIT = "resubmit"
    ASSIGN_REVIEWERS = "assign_reviewers"
    COMPLETE_REVIEWS = "complete_reviews"
    GRANT = "grant"
    REJECT = "reject"
    CLOSE = "close"
    WITHDRAW = "withdraw"
    CONFIRM_PARTICIPATION = "confirm_participation"
    DECLINE_PARTICIPATION = "decline_participation"


SYSTEM = "system"  # transitions the portal makes by itself


@dataclass(frozen=True)
class Transition:
    source: State
    action: Action
    target: State
    actors: frozenset[str]


def _t(source: State, action: Action, target: State, *actors: str) -> Transition:
    return Transition(source, action, target, frozenset(actors))


_BEFORE_PAYOUT = (
    State.DRAFT,
    State.SUBMITTED,
    State.ELIGIBLE,
    State.CORRECTION_REQUESTED,
    State.IN_REVIEW,
    State.SCORED,
    State.GRANTED,
)

# A submitted dossier that waits for a decision: the receiving government can still decline it.
_BEFORE_DECISION = (State.SUBMITTED, State.CORRECTION_REQUESTED, State.ELIGIBLE, State.IN_REVIEW, State.SCORED)

TRANSITIONS: tuple[Transition, ...] = (
    _t(State.DRAFT, Action.SUBMIT, State.SUBMITTED, Role.APPLICANT),
    _t(State.SUBMITTED, Action.DECLARE_ELIGIBLE, State.ELIGIBLE, Role.OFFICER, SYSTEM),
    _t(State.SUBMITTED, Action.DECLARE_INELIGIBLE, State.INELIGIBLE, Role.OFFICER),
    _t(State.SUBMITTED, Action.REQUEST_CORRECTION, State.CORRECTION_REQUESTED, Role.OFFICER),
    _t(State.CORRECTION_REQUESTED, Action.RESUBMIT, State.SUBMITTED, Role.APPLICANT),
    _t(State.ELIGIBLE, Action.ASSIGN_REVIEWERS, State.IN_REVIEW, Role.OFFICER),
    # Another reviewer, when one declared a conflict of interest; the state does not change.
    _t(State.IN_REVIEW, Action.ASSIGN_REVIEWERS, State.IN_REVIEW, Role.OFFICER),
    _t(State.IN_REVIEW, Action.COMPLETE_REVIEWS, State.SCORED, SYSTEM),
    _t(State.SCORED, Action.GRANT, State.GRANTED, Role.OFFICER),
    _t(State.SCORED, Action.REJECT, State.REJECTED, Role.OFFICER),
    _t(State.GRANTED, Action.CLOSE, State.CLOSED, Role.OFFICER, SYSTEM),
    # The receiving government confirms its participation; the state does not change.
    *(
        _t(state, Action.CONFIRM_PARTICIPATION, state, Role.APPLICANT)
        for state in _BEFORE_PAYOUT
        if state != State.DRAFT
    ),
    # Or it declines, with a reason, until the decision (workflows/participation.py); the state does not change.
    *(_t(state, Action.DECLINE_PARTICIPATION, state, Role.APPLICANT) for state in _BEFORE_DECISION),
    # "any state before a payout --withdraw(applicant)--> withdrawn"; a payout is checked by the service.
    *(_t(state, Action.WITHDRAW, State.WITHDRAWN, Role.APPLICANT) for state in _BEFORE_PAYOUT),
)

# A dossier holds a place in its call's queue from its submission until it is withdrawn or sent back for
# a correction (its resubmission takes a new place at the end); a decided dossier keeps its place.
WITHOUT_A_PLACE: frozenset[State] = frozenset({State.DRAFT, State.WITHDRAWN, State.CORRECTION_REQUESTED})


def places_taken(before: State, after: State) -> int:
    """What a move from `before` to `after` does to the number of places held in the queue: +1, -1 or 0."""
    return (after not in WITHOUT_A_PLACE) - (before not in WITHOUT_A_PLACE)


# Negative decisions need a written motivation (formal motivation of administrative acts).
NEEDS_MOTIVATION: frozenset[Action] = frozenset({Action.DECLARE_INELIGIBLE, Action.REJECT})


def transition(state: State, action: Action) -> Transition | None:
    return next((t for t in TRANSITIONS if t.source == state and t.action == action), None)


def can(actor: str, state: State, action: Action) -> bool:
    found = transition(state, action)
    return found is not None and actor in found.actors


def allowed_actions(actor: str, state: State) -> list[Action]:
    return [t.action for t in TRANSITIONS if t.source == state and actor in t.actors]


# --- the task list ------------------------------------------------------------------------


class Section(StrEnum):
    PARTIES = "parties"
    EXCHANGE = "exchange"
    MENTORS = "mentors"
    BUDGET = "budget"
    ATTACHMENTS = "attachments"


class SectionStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


@dataclass(frozen=True)
class ContactFacts:
    name: str = ""
    function: str = ""
    email: str = ""
    phone: str = ""

    @property
    def values(self) -> tuple[str, ...]:
        return (self.name, self.function, self.email, self.phone)


@dataclass(frozen=True)
class MentorFacts:
    complete: bool


@dataclass(frozen=True)
class DraftFacts:
    """What the task list needs to know about a draft, as plain values."""

    receiving_chosen: bool
    giving_contact: ContactFacts
    receiving_contact: ContactFacts
    exchange_type: str | None
    theme_count: int
    right_count: int
    texts: tuple[str, ...]  # approach, need, goals, participation, embedding
    mentors: tuple[MentorFacts, ...]
    iban: str | None
    attachments_present: frozenset[str]
    attachments_required: frozenset[str]


def _status(filled: list[bool]) -> SectionStatus:
    if all(filled):
        return SectionStatus.COMPLETED
    if any(filled):
        return SectionStatus.IN_PROGRESS
    return SectionStatus.NOT_STARTED


def section_statuses(facts: DraftFacts) -> dict[Section, SectionStatus]:
    parties = [
        facts.receiving_chosen,
        *(bool(v.strip()) for v in facts.giving_contact.values + facts.receiving_contact.values),
    ]
    exchange = [
        facts.exchange_type is not None,
        facts.theme_count > 0,
        facts.right_count > 0,
        *(bool(t.strip()) for t in facts.texts),
    ]
    mentors_done = bool(facts.mentors) and all(m.complete for m in facts.mentors)
    mentors = (
        SectionStatus.COMPLETED
        if mentors_done
        else SectionStatus.IN_PROGRESS
        if facts.mentors
        else SectionStatus.NOT_STARTED
    )
    budget = (
        SectionStatus.COMPLETED
        if facts.iban and mentors_done
        else SectionStatus.IN_PROGRESS
        if facts.iban
        else SectionStatus.NOT_STARTED
    )
    attachments = (
        SectionStatus.COMPLETED
        if facts.attachments_required <= facts.attachments_present
        else SectionStatus.IN_PROGRESS
        if facts.attachments_present
        else SectionStatus.NOT_STARTED
    )
    return {
        Section.PARTIES: _status(parties),
        Section.EXCHANGE: _status(exchange),
        Section.MENTORS: mentors,
        Section.BUDGET: budget,
        Section.ATTACHMENTS: attachments,
    }


# --- submitting -----------------------------------------------------------------------------


class SubmitProblem(StrEnum):
    NOT_A_DRAFT = "not_a_draft"
    CALL_NOT_OPEN_YET = "call_not_open_yet"
    CALL_CLOSED = "call_closed"
    INCOMPLETE = "incomplete"
    NOT_DECLARED = "not_declared"


@dataclass(frozen=True)
class SubmitCheck:
    problems: tuple[SubmitProblem, ...]
    incomplete_sections: tuple[Section, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.problems


def check_submit(state: State, facts: DraftFacts, window: CallWindow, now: datetime, declared: bool) -> SubmitCheck:
    """May this draft be submitted now? Every reason it may not, in the order a person would fix them."""
    problems: list[SubmitProblem] = []
    if state not in (State.DRAFT, State.CORRECTION_REQUESTED):
        problems.append(SubmitProblem.NOT_A_DRAFT)
    phase = window.phase(now)
    if phase is CallPhase.UPCOMING:
        problems.append(SubmitProblem.CALL_NOT_OPEN_YET)
    elif phase is CallPhase.CLOSED:
        problems.append(SubmitProblem.CALL_CLOSED)
    incomplete = tuple(s for s, status in section_statuses(facts).items() if status is not SectionStatus.COMPLETED)
    if incomplete:
        problems.append(SubmitProblem.INCOMPLETE)
    if not declared:
        problems.append(SubmitProblem.NOT_DECLARED)
    return SubmitCheck(tuple(problems), incomplete)


def reference_number(prefix: str, year: int, number: int) -> str:
    """`ARM-2022-0007`: the call's prefix, the call's year, a number per call."""
    if number < 1:
        raise ValueError("reference numbers start at 1")
    return f"{prefix}-{year}-{number:04d}"


def content_hash(content: dict[str, Any]) -> str:
    """SHA-256 of the frozen content in canonical JSON, printed on the receipt."""
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
