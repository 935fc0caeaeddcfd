"""The base every use case on a dossier builds on: who may see it, the transitions of the state table
with their audit rows, refusals, and the money a dossier asks for. It calls no other use case, so
that submitting, eligibility, reviews, decisions and payouts can all build on it without building
on each other. Locking is `portal.services.locks`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import or_
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.interfaces import ORMOption

from portal.db import utcnow
from portal.extensions import db
from portal.models import Application, Mentor, User
from portal.services import audit, budget
from portal.services.locks import LockOrderError, holds_call, lock_dossiers
from portal.services.refusal import NotAllowed
from workflows.applications import SYSTEM, Action, State, places_taken, transition
from workflows.compensation import Compensation, MentorCost, compensation


class Relation(StrEnum):
    GIVING = "giving"  # the applicant's own government: may edit a draft and submit
    RECEIVING = "receiving"  # the other party: reads and confirms its participation


@dataclass(frozen=True)
class Visible:
    application: Application
    relation: Relation


# A dossier read whole in one statement: its call, both governments and its mentors (not its
# attachments or submissions, which would multiply the rows).
WHOLE: tuple[ORMOption, ...] = (
    joinedload(Application.call),
    joinedload(Application.organisation),
    joinedload(Application.receiving_organisation),
    joinedload(Application.mentors),
)


def visible_to(user: User, application_id: int, *, for_update: bool = False) -> Visible | None:
    """The application if the user's government is a party to it; None otherwise (the route answers 404).

    `for_update` locks the row for a change, so that a change and a submission never interleave, and
    reads the dossier whole with it.
    """
    application: Application | None
    if for_update:
        if user.organisation_id is None:
            return None
        # Only a dossier of the user's government is locked: another government's request, answered 404,
        # never holds one up, even for a moment.
        party = or_(
            Application.organisation_id == user.organisation_id,
            Application.receiving_organisation_id == user.organisation_id,
        )
        try:
            # Read in the locking statement itself.
            application = lock_dossiers([application_id], *WHOLE, only_if=(party,))[application_id]
        except LookupError:
            application = None
    else:
        application = db.session.get(Application, application_id)
    if application is None or user.organisation_id is None:
        return None
    if application.organisation_id == user.organisation_id:
        return Visible(application, Relation.GIVING)
    if application.receiving_organisation_id == user.organisation_id and application.submitted_at is not None:
        return Visible(application, Relation.RECEIVING)
    return None


def cost_basis(mentor: Mentor) -> MentorCost | None:
    if None in (mentor.monthly_wage_cents, mentor.time_share_bp, mentor.start_on, mentor.end_on):
        return None
    assert mentor.monthly_wage_cents is not None and mentor.time_share_bp is not None
    assert mentor.start_on is not None and mentor.end_on is not None
    return MentorCost(mentor.monthly_wage_cents, mentor.time_share_bp, mentor.start_on, mentor.end_on)


def compensation_of(application: Application) -> tuple[list[tuple[Mentor, Any]], Compensation]:
    """The breakdown per mentor (mentors without a full cost basis count nothing yet) and the total."""
    with_cost = [(mentor, cost_basis(mentor)) for mentor in application.mentors]
    counted = [(mentor, cost) for mentor, cost in with_cost if cost is not None]
    call = application.call
    result = compensation([cost for _, cost in counted], call.compensation_rate_percent, call.cap_cents)
    return [(mentor, line) for (mentor, _), line in zip(counted, result.lines, strict=True)], result


def move(
    application: Application, action: Action, actor: User | None, audit_action: str, reason: str | None = None
) -> None:
    """Take a transition of the table: its target state, and the audit row (who, from, to, why).

    No actor means the portal itself (SYSTEM in the table), for example when the last review is in.
    """
    found = transition(application.state_enum, action)
    if found is None or (actor.role if actor is not None else SYSTEM) not in found.actors:
        raise NotAllowed(f"{action} in {application.state}")
    before = application.state
    application.state = found.target
    count_place(application, State(before))
    audit.record(
        actor, audit_action, "application", application.id, from_state=before, to_state=found.target, reason=reason
    )


def count_place(application: Application, before: State) -> None:
    """Keep the call's count of places in the queue after the dossier moved from `before`. A move that
    takes or gives up a place needs the call's lock: the count would otherwise lose a concurrent one."""
    change = places_taken(before, application.state_enum)
    if change:
        if not holds_call(application.call_id):
            raise LockOrderError(f"dossier {application.id} took or left a place without the lock of its call")
        application.call.queue_places += change


def decide_against(
    application: Application, action: Action, actor: User, audit_action: str, motivation: str, budget_reason: str
) -> None:
    """A negative decision (ineligible, rejected): its written motivation is shown to the applicant and
    printed in the letter (formal motivation of administrative acts); its money goes to the waiting list.
    The caller holds the dossier's lock and then the call's."""
    if not motivation.strip():
        raise ValueError("a negative decision needs a motivation")
    application.decision_motivation = motivation.strip()
    application.decided_at = utcnow()
    application.decided_by_id = actor.id
    move(application, action, actor, audit_action, application.decision_motivation)
    db.session.flush()
    budget.rebalance(application.call, actor, budget_reason)
