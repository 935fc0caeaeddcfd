"""Calls as data: list, create and change them; changes after opening are audited in detail.

A change of the envelope or of the shortfall policy moves money: it is taken under the call's lock,
refused below what is already reserved and committed, and hands what it frees to the waiting list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from portal.db import MAX_ID, utcnow
from portal.extensions import db
from portal.models import Call, CallCriterion, Theme, User
from portal.services import audit, budget
from portal.services.locks import lock_call
from workflows.calls import BRUSSELS, CallPhase, closing_moment, opening_moment
from workflows.safeguards import UnconfirmedPartnerPolicy
from workflows.text import has_control_characters


@dataclass(frozen=True)
class CriterionInput:
    code: str
    name_nl: str
    name_en: str
    weight: int
    minimum_score: int | None
    # What each score means, from the lowest score of the scale up (empty: not described).
    level_descriptions_nl: tuple[str, ...] = ()
    level_descriptions_en: tuple[str, ...] = ()


@dataclass(frozen=True)
class CallInput:
    """A call's settings as typed by an officer (already validated by the form)."""

    code: str
    title_nl: str
    title_en: str
    summary_nl: str
    summary_en: str
    action_code: str
    reference_prefix: str
    envelope_cents: int
    cap_cents: int
    compensation_rate_percent: int
    opens_on: date
    closes_on: date
    exchange_types: list[str]
    theme_codes: list[str]
    eligible_organisation_kinds: list[str]
    required_attachments: list[str]
    max_attachment_mb: int
    scale_min: int
    scale_max: int
    pass_threshold_percent: int
    spread_flag_percent: int
    reviews_per_dossier: int
    review_days: int
    allocation_policy: str
    shortfall_policy: str
    advance_percent: int
    allows_repeat_pair: bool
    is_published: bool
    criteria: list[CriterionInput]
    unconfirmed_partner_policy: str = UnconfirmedPartnerPolicy.WARN
    signatory_name: str = ""
    signatory_function: str = ""
    retention_granted_months: int = 120
    retention_refused_months: int = 24
    retention_listing_months: int = 12


class DuplicateCallCode(ValueError):
    pass


class DuplicateReferencePrefix(ValueError):
    """Another call opening in the same year numbers its dossiers with this prefix (`ARM-2026-0001`)."""

    def __init__(self, other_code: str) -> None:
        super().__init__(other_code)
        self.other_code = other_code


class EnvelopeBelowAllocated(ValueError):
    """The new envelope is less than what is already reserved and committed."""

    def __init__(self, allocated_cents: int) -> None:
        super().__init__(allocated_cents)
        self.allocated_cents = allocated_cents


def published_calls() -> list[Call]:
    return list(db.session.scalars(select(Call).where(Call.is_published.is_(True)).order_by(Call.opens_at.desc())))


def all_calls() -> list[Call]:
    return list(db.session.scalars(select(Call).order_by(Call.opens_at.desc())))


def find_published_call(code: str) -> Call | None:
    if has_control_characters(code):  # no call's code has one; a NUL in the query is an error in PostgreSQL
        return None
    return db.session.scalar(select(Call).where(Call.code == code, Call.is_published.is_(True)))


def find_call(call_id: int) -> Call | None:
    return db.session.get(Call, call_id) if 0 < call_id <= MAX_ID else None


def open_calls(now: datetime) -> list[Call]:
    return [call for call in published_calls() if call.window.phase(now) is CallPhase.OPEN]


def _apply(call: Call, data: CallInput) -> None:
    call.code = data.code
    call.title_nl = data.title_nl
    call.title_en = data.title_en
    call.summary_nl = data.summary_nl
    call.summary_en = data.summary_en
    call.action_code = data.action_code
    call.reference_prefix = data.reference_prefix
    call.envelope_cents = data.envelope_cents
    call.cap_cents = data.cap_cents
    call.compensation_rate_percent = data.compensation_rate_percent
    call.opens_at = opening_moment(data.opens_on)
    call.closes_at = closing_moment(data.closes_on)
    call.exchange_types = list(data.exchange_types)
    call.eligible_organisation_kinds = list(data.eligible_organisation_kinds)
    call.required_attachments = list(data.required_attachments)
    call.max_attachment_mb = data.max_attachment_mb
    call.scale_min = data.scale_min
    call.scale_max = data.scale_max
    call.pass_threshold_percent = data.pass_threshold_percent
    call.spread_flag_percent = data.spread_flag_percent
    call.reviews_per_dossier = data.reviews_per_dossier
    call.review_days = data.review_days
    call.allocation_policy = data.allocation_policy
    call.shortfall_policy = data.shortfall_policy
    call.advance_percent = data.advance_percent
    call.allows_repeat_pair = data.allows_repeat_pair
    call.is_published = data.is_published
    call.unconfirmed_partner_policy = data.unconfirmed_partner_policy
    call.signatory_name = data.signatory_name
    call.retention_granted_months = data.retention_granted_months
    call.retention_refused_months = data.retention_refused_months
    call.retention_listing_months = data.retention_listing_months
    call.signatory_function = data.signatory_function
    call.themes = list(db.session.scalars(select(Theme).where(Theme.code.in_(data.theme_codes))))
    call.criteria = [
        CallCriterion(
            position=position,
            code=criterion.code,
            name_nl=criterion.name_nl,
            name_en=criterion.name_en,
            weight=criterion.weight,
            minimum_score=criterion.minimum_score,
            level_descriptions_nl=list(criterion.level_descriptions_nl),
            level_descriptions_en=list(criterion.level_descriptions_en),
        )
        for position, criterion in enumerate(data.criteria, start=1)
    ]


def _code_taken(code: str, except_id: int | None) -> bool:
    query = select(Call.id).where(Call.code == code)
    if except_id is not None:
        query = query.where(Call.id != except_id)
    return db.session.scalar(query) is not None


def _prefix_taken_by(prefix: str, year: int, except_id: int | None) -> Call | None:
    """The other call whose reference numbers would look like this one's: same prefix, same year."""
    others = db.session.scalars(select(Call).where(Call.reference_prefix == prefix, Call.id != (except_id or 0)))
    return next((other for other in others if other.opens_at.astimezone(BRUSSELS).year == year), None)


def _refuse_duplicates(data: CallInput, except_id: int | None) -> None:
    if _code_taken(data.code, except_id):
        raise DuplicateCallCode(data.code)
    other = _prefix_taken_by(data.reference_prefix, data.opens_on.year, except_id)
    if other is not None:
        raise DuplicateReferencePrefix(other.code)


def create_call(data: CallInput, actor: User | None) -> Call:
    _refuse_duplicates(data, None)
    call = Call()
    _apply(call, data)
    db.session.add(call)
    audit.record_row(actor, "call.created", call, details={"settings": _jsonable(call.settings_snapshot())})
    return call


def update_call(call: Call, data: CallInput, actor: User, now: datetime | None = None) -> dict[str, Any]:
    """Apply new settings; returns the changes. After opening, every change is kept in the audit log.

    The call's row is locked first (no dossier is touched directly: its reservations are the call's
    to change), so that the envelope is compared with what is reserved and committed right now.
    """
    _refuse_duplicates(data, call.id)
    call = lock_call(call.id)
    allocated = call.reserved_cents + call.committed_cents
    if data.envelope_cents < allocated:
        raise EnvelopeBelowAllocated(allocated)
    now = now or utcnow()
    before = _jsonable(call.settings_snapshot())
    was_opened = call.window.phase(now) is not CallPhase.UPCOMING
    _apply(call, data)
    db.session.flush()
    after = _jsonable(call.settings_snapshot())
    changes = {key: {"from": before[key], "to": after[key]} for key in after if before.get(key) != after[key]}
    if changes:
        audit.record(
            actor,
            "call.changed_after_opening" if was_opened else "call.changed",
            "call",
            call.id,
            details={"changes": changes},
        )
    if "envelope_cents" in changes or "shortfall_policy" in changes:
        # More money, or a policy that offers what remains: the waiting list is served now, and the
        # dossiers that get a reservation or an offer are told (SPEC 8).
        budget.rebalance(call, actor, "envelope_changed" if "envelope_cents" in changes else "policy_changed")
    return changes


def _jsonable(snapshot: dict[str, Any]) -> dict[str, Any]:
    return {
        key: (value.isoformat() if isinstance(value, (date, datetime)) else value) for key, value in snapshot.items()
    }
