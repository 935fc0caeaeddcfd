"""Editing a draft: starting it, saving each section, the mentors, the account number.

The one way in for every change to a draft. Each change locks the dossier (a change and a
submission never interleave), refuses a dossier that is no longer a draft, and writes an audit row
naming the fields it changed (not their values: the audit trail holds no contact details). A form
saves what it accepted even when another field was refused, so that nothing typed is lost: a field
the form refused arrives as KEEP and the draft keeps what it had.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from enum import Enum
from typing import Any

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from sqlalchemy import select

from portal.extensions import db
from portal.models import Application, Call, Mentor, Organisation, User
from portal.services import audit
from portal.services.locks import lock_dossier
from portal.services.refusal import NotAllowed
from workflows.applications import State
from workflows.calls import CallPhase
from workflows.drafts import changed_fields, kept_period, positions


class Keep(Enum):
    KEEP = "keep"


KEEP = Keep.KEEP  # the form refused this field: the draft keeps its value


class InvalidIban(ValueError):
    """Not an IBAN (the reason is in the message, for the log; the form says it in Dutch)."""


@dataclass(frozen=True)
class PartiesInput:
    receiving_organisation_id: int | None | Keep = KEEP
    giving_contact_name: str | Keep = KEEP
    giving_contact_function: str | Keep = KEEP
    giving_contact_email: str | Keep = KEEP
    giving_contact_phone: str | Keep = KEEP
    receiving_contact_name: str | Keep = KEEP
    receiving_contact_function: str | Keep = KEEP
    receiving_contact_email: str | Keep = KEEP
    receiving_contact_phone: str | Keep = KEEP


@dataclass(frozen=True)
class ExchangeInput:
    exchange_type: str | None | Keep = KEEP
    approach: str | Keep = KEEP
    need: str | Keep = KEEP
    goals: str | Keep = KEEP
    participation: str | Keep = KEEP
    embedding: str | Keep = KEEP
    theme_codes: list[str] | Keep = KEEP
    right_codes: list[str] | Keep = KEEP


@dataclass(frozen=True)
class MentorInput:
    full_name: str | Keep = KEEP
    function: str | Keep = KEEP
    years_experience: int | None | Keep = KEEP
    drew_up_plan: bool | None | Keep = KEEP
    plan_description: str | Keep = KEEP
    plan_year: int | None | Keep = KEEP
    theme_codes: list[str] | Keep = KEEP
    monthly_wage_cents: int | None | Keep = KEEP
    time_share_bp: int | None | Keep = KEEP
    start_on: date | None | Keep = KEEP
    end_on: date | None | Keep = KEEP


def may_start_in(call: Call, now: datetime) -> bool:
    return call.is_published and call.window.phase(now) is not CallPhase.CLOSED


def start(call: Call, actor: User, now: datetime) -> Application:
    if actor.organisation is None or actor.organisation.kind not in call.eligible_organisation_kinds:
        raise NotAllowed("organisation may not apply to this call")
    if not may_start_in(call, now):
        raise NotAllowed("call closed")
    application = Application(
        call=call,
        organisation=actor.organisation,
        created_by_id=actor.id,
        state=State.DRAFT,
        giving_contact_name=actor.full_name,
        giving_contact_email=actor.email,
        theme_codes=[],
        right_codes=[],
    )
    audit.record_added(actor, "application.started", application)
    return application


def is_editable(application: Application) -> bool:
    return application.state_enum in (State.DRAFT, State.CORRECTION_REQUESTED)


def require_draft(application: Application) -> None:
    if not is_editable(application):
        raise NotAllowed("only a draft can be changed")


def editable(application_id: int, actor: User) -> Application:
    """The actor's government's draft, locked and read as it is now. LookupError when it is not theirs
    (the route answers 404); NotAllowed when it is no longer a draft (submitted meanwhile)."""
    try:
        application = lock_dossier(application_id)
    except LookupError:
        raise LookupError(application_id) from None
    if actor.organisation_id is None or application.organisation_id != actor.organisation_id:
        raise LookupError(application_id)
    require_draft(application)
    return application


def receiving_choices(application: Application) -> list[Organisation]:
    """Eligible governments other than the applicant's own."""
    return list(
        db.session.scalars(
            select(Organisation)
            .where(
                Organisation.kind.in_(application.call.eligible_organisation_kinds),
                Organisation.is_active.is_(True),
                Organisation.id != application.organisation_id,
            )
            .order_by(Organisation.name)
        )
    )


def _given(changes: Any) -> dict[str, Any]:
    return {field.name: value for field in fields(changes) if (value := getattr(changes, field.name)) is not KEEP}


def _apply(target: Any, values: dict[str, Any]) -> list[str]:
    """Set the values on the row; the names of those that changed."""
    changed = changed_fields({name: getattr(target, name) for name in values}, values)
    for name in changed:
        setattr(target, name, values[name])
    return changed


def save_parties(application_id: int, actor: User, changes: PartiesInput) -> Application:
    application = editable(application_id, actor)
    values = _given(changes)
    chosen = values.get("receiving_organisation_id")
    if chosen is not None and chosen not in {organisation.id for organisation in receiving_choices(application)}:
        del values["receiving_organisation_id"]  # not a party this government may choose: kept as it was
    _audit_section(actor, application, "parties", _apply(application, values))
    return application


def save_exchange(application_id: int, actor: User, changes: ExchangeInput) -> Application:
    application = editable(application_id, actor)
    _audit_section(actor, application, "exchange", _apply(application, _given(changes)))
    return application


def _audit_section(actor: User, application: Application, section: str, changed: list[str]) -> None:
    if changed:
        audit.record_row(actor, "draft.section_saved", application, details={"section": section, "fields": changed})


def save_mentor(application_id: int, actor: User, mentor_id: int | None, changes: MentorInput) -> Mentor:
    """Add a mentor (mentor_id None) or change one of this draft's; LookupError for another's."""
    application = editable(application_id, actor)
    values = _given(changes)
    if mentor_id is None:
        mentor = Mentor(application=application, position=len(application.mentors) + 1, theme_codes=[])
        db.session.add(mentor)
    else:
        mentor = _mentor_of(application, mentor_id)
    start_on = values.get("start_on", mentor.start_on)
    end_on = values.get("end_on", mentor.end_on)
    if "start_on" in values or "end_on" in values:
        values["start_on"], values["end_on"] = kept_period(start_on, end_on)
    changed = _apply(mentor, values)
    db.session.flush()
    if mentor_id is None:
        audit.record_row(
            actor,
            "draft.mentor_added",
            application,
            details={"mentor_id": mentor.id, "position": mentor.position, "fields": changed},
        )
    elif changed:
        audit.record_row(
            actor, "draft.mentor_changed", application, details={"mentor_id": mentor.id, "fields": changed}
        )
    return mentor


def remove_mentor(application_id: int, actor: User, mentor_id: int) -> Mentor:
    """Remove one of this draft's mentors; the others move up. The removed row, for its name."""
    application = editable(application_id, actor)
    mentor = _mentor_of(application, mentor_id)
    application.mentors.remove(mentor)
    renumbered = positions([remaining.id for remaining in application.mentors])
    for remaining in application.mentors:
        remaining.position = renumbered[remaining.id]
    audit.record_row(
        actor, "draft.mentor_removed", application, details={"mentor_id": mentor_id, "position": mentor.position}
    )
    return mentor


def _mentor_of(application: Application, mentor_id: int) -> Mentor:
    found = next((mentor for mentor in application.mentors if mentor.id == mentor_id), None)
    if found is None:
        raise LookupError(mentor_id)
    return found


def normalise_iban(text: str) -> str:
    """A valid IBAN in its compact form; InvalidIban with a reason otherwise."""
    try:
        return str(IBAN(text).compact)
    except SchwiftyException as exc:
        raise InvalidIban(str(exc)) from exc


def save_iban(application_id: int, actor: User, iban: str | None) -> Application:
    """The account the compensation is paid into; None clears it. InvalidIban leaves it as it was."""
    application = editable(application_id, actor)
    compact = normalise_iban(iban) if iban else None
    if _apply(application, {"iban": compact}):
        audit.record_row(actor, "draft.iban_changed", application, details={"set": compact is not None})
    return application
