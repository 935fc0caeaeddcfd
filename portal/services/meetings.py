"""The committee's meeting on a call: open it with the members present, take decisions from its table (through
the decision use cases), close it and draw up its minutes (a PDF kept in the file store, made once)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import render_template
from flask_babel import force_locale
from sqlalchemy import select

from portal.db import utcnow
from portal.extensions import db
from portal.models import Application, Call, CommitteeMeeting, MeetingDecision, Reservation, Review, User
from portal.services import audit, decisions, files, printing, reviews
from portal.services.locks import lock_calls, lock_dossiers
from portal.services.refusal import Refused
from workflows.applications import State
from workflows.meeting import (
    Candidate,
    MeetingDecisionKind,
    MeetingState,
    TableRow,
    close_refusal,
    meeting_table,
    open_refusal,
)
from workflows.roles import Role
from workflows.scoring import DossierScore


class MeetingRefused(Refused):
    """Opening, deciding in or closing a meeting refused; `code` says why (workflows/meeting.py)."""


def active_reviewers() -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(User.role == Role.REVIEWER, User.is_active.is_(True)).order_by(User.full_name)
        )
    )


def meetings_of(call: Call) -> list[CommitteeMeeting]:
    return list(
        db.session.scalars(
            select(CommitteeMeeting)
            .where(CommitteeMeeting.call_id == call.id)
            .order_by(CommitteeMeeting.held_on.desc(), CommitteeMeeting.id.desc())
        )
    )


def open_meeting_of(call: Call) -> CommitteeMeeting | None:
    return db.session.scalar(
        select(CommitteeMeeting).where(CommitteeMeeting.call_id == call.id, CommitteeMeeting.state == MeetingState.OPEN)
    )


def members_of(meeting: CommitteeMeeting) -> list[User]:
    ids = [int(i) for i in meeting.member_ids]
    return list(db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.full_name))) if ids else []


def open_meeting(call_id: int, held_on: date, member_ids: list[int], remarks: str, actor: User) -> CommitteeMeeting:
    """Open the call's meeting; one open meeting per call (the call's lock, and a partial unique index)."""
    lock_calls({call_id})
    call = db.session.get(Call, call_id)
    if call is None:
        raise MeetingRefused("gone")
    refused = open_refusal(
        sorted(set(member_ids)), {u.id for u in active_reviewers()}, open_meeting_of(call) is not None
    )
    if refused is not None:
        raise MeetingRefused(refused)
    meeting = CommitteeMeeting(
        call_id=call.id,
        state=MeetingState.OPEN,
        held_on=held_on,
        member_ids=sorted(set(member_ids)),
        remarks=remarks.strip(),
        opened_by_id=actor.id,
        opened_at=utcnow(),
    )
    audit.record_added(
        actor,
        "meeting.opened",
        meeting,
        details={"call_id": call.id, "held_on": held_on.isoformat(), "member_ids": meeting.member_ids},
    )
    return meeting


# --- the table -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    application: Application
    score: DossierScore | None
    conflicts: list[Review]  # reviewers who declared a conflict and stepped aside
    line: TableRow
    reservation: Reservation | None


def scored_of(call: Call) -> list[Application]:
    return list(
        db.session.scalars(
            select(Application)
            .where(Application.call_id == call.id, Application.state == State.SCORED)
            .order_by(Application.queue_number)
        )
    )


def conflicts_of(application: Application) -> list[Review]:
    return [r for r in reviews.reviews_of(application) if r.conflict_declared_at is not None]


def _amount(application: Application, reservation: Reservation | None) -> int:
    """What the dossier would take of the envelope: its reservation, or what it asks while it waits."""
    if reservation is not None and reservation.reserved_cents > 0:
        return reservation.reserved_cents
    return application.requested_cents or 0


@dataclass(frozen=True)
class Table:
    rows: list[Row]
    available_cents: int
    total_cents: int
    runs_out_at: int | None


def table_of(call: Call) -> Table:
    """The scored dossiers in queue order with what each would take and the running total (reads only)."""
    scored = scored_of(call)
    standing = {a.id: db.session.get(Reservation, a.id) for a in scored}
    available = call.envelope_cents - call.committed_cents
    computed = meeting_table([Candidate(a.id, _amount(a, standing[a.id])) for a in scored], available)
    rows = [
        Row(a, reviews.score_of(a), conflicts_of(a), line, standing[a.id])
        for a, line in zip(scored, computed.rows, strict=True)
    ]
    return Table(rows, available, computed.total_cents, computed.runs_out_at)


# --- deciding in the meeting ---------------------------------------------------------------------


def _lock_meeting(meeting_id: int) -> CommitteeMeeting:
    meeting = db.session.scalar(
        select(CommitteeMeeting)
        .where(CommitteeMeeting.id == meeting_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if meeting is None:
        raise MeetingRefused("gone")
    return meeting


def decide_in_meeting(
    meeting_id: int,
    application_ids: list[int],
    grant_them: bool,
    actor: User,
    motivation: str,
    *,
    partner_acknowledged: bool = False,
) -> list[decisions.Outcome]:
    """One decision for the dossiers chosen from the meeting's table, through the decision use cases (locks:
    the dossiers by id, then the call, then the meeting); each decided one is kept with the meeting."""
    meeting = db.session.get(CommitteeMeeting, meeting_id)
    if meeting is None:
        raise MeetingRefused("gone")
    existing = list(
        db.session.scalars(
            select(Application.id).where(Application.id.in_(application_ids), Application.call_id == meeting.call_id)
        )
    )
    if len(existing) != len(set(application_ids)):
        raise MeetingRefused("not_in_call")
    lock_dossiers(existing)
    lock_calls({meeting.call_id})
    meeting = _lock_meeting(meeting_id)
    if meeting.state_enum is not MeetingState.OPEN:
        raise MeetingRefused("meeting_closed")
    outcomes = decisions.decide_many(existing, grant_them, actor, motivation, partner_acknowledged=partner_acknowledged)
    for outcome in outcomes:
        if outcome.refused is not None:
            continue
        application = db.session.get(Application, outcome.application_id)
        assert application is not None
        db.session.add(
            MeetingDecision(
                meeting_id=meeting.id,
                application_id=application.id,
                decision=MeetingDecisionKind.GRANT if grant_them else MeetingDecisionKind.REJECT,
                amount_cents=(application.granted_cents or 0) if grant_them else 0,
                motivation=application.decision_motivation or "",
                decided_at=application.decided_at or utcnow(),
            )
        )
        audit.record_row(
            actor,
            "meeting.decision_taken",
            meeting,
            details={"application_id": application.id, "decision": "grant" if grant_them else "reject"},
        )
    db.session.flush()
    return outcomes


# --- closing and the minutes ---------------------------------------------------------------------


@dataclass(frozen=True)
class Minutes:
    meeting: CommitteeMeeting
    call: Call
    members: list[User]
    conflicts: list[Review]
    decided: list[tuple[MeetingDecision, DossierScore | None]]
    undecided: list[tuple[Application, DossierScore | None]]
    closed_by: User | None
    closed_at: datetime | None


def minutes_of(meeting: CommitteeMeeting, closed_by: User | None = None, closed_at: datetime | None = None) -> Minutes:
    """What the minutes say; `closed_by`, `closed_at`: the closing about to be recorded."""
    call = meeting.call
    conflicts = list(
        db.session.scalars(
            select(Review)
            .join(Application, Application.id == Review.application_id)
            .where(Application.call_id == call.id, Review.conflict_declared_at.is_not(None))
            .order_by(Application.queue_number, Review.id)
        )
    )
    return Minutes(
        meeting,
        call,
        members_of(meeting),
        conflicts,
        [(d, reviews.score_of(d.application)) for d in meeting.decisions],
        [(a, reviews.score_of(a)) for a in scored_of(call)],
        closed_by or meeting.closed_by,
        closed_at or meeting.closed_at,
    )


def render_minutes(minutes: Minutes) -> bytes:
    """Always in Dutch, as the decisions it records (language law)."""
    with force_locale("nl_BE"):
        html = render_template("pdf/minutes.html", minutes=minutes, lang="nl")
    return printing.pdf_of(html)


def close_meeting(meeting_id: int, actor: User) -> CommitteeMeeting:
    """Close the meeting and draw up its minutes, stored with it and never made again."""
    meeting = _lock_meeting(meeting_id)
    refused = close_refusal(meeting.state_enum)
    if refused is not None:
        raise MeetingRefused(refused)
    now = utcnow()
    pdf = render_minutes(minutes_of(meeting, actor, now))
    name = files.write_file(pdf)
    meeting.closed_at = now
    meeting.closed_by_id = actor.id
    meeting.minutes_name = name
    audit.record_move(
        actor,
        "meeting.closed",
        meeting,
        MeetingState.CLOSED,
        details={"call_id": meeting.call_id, "decisions": len(meeting.decisions)},
    )
    db.session.flush()
    return meeting


def minutes_bytes(meeting: CommitteeMeeting) -> bytes:
    if meeting.minutes_name is None:
        raise MeetingRefused("no_minutes")
    return files.read_file(meeting.minutes_name)
