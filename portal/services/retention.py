"""Use case: anonymise the personal data whose retention period has passed (GDPR art. 5(1)(e), art. 17).

The rule (which dossier or listing is due) is workflows/retention.py; this module finds the rows, removes the
persons from them and keeps what the administration must keep: amounts, states, dates, references and the
money trail (reservations, budget movements, payouts, batches, the call's budget row).

What is removed, per due dossier: the contact persons (name, function, e-mail, phone), the mentors' names,
functions and plan descriptions, every free text that may speak of people (the dossier's texts, reasons of a
withdrawal, decline or early end, the correction question, the decision motivation, internal notes, reviewers'
comments, the final report's text), the same fields in the frozen submissions (their hash stays: it proves what
was submitted without showing it), the uploaded files (attachments, supporting documents of the final report)
and the receipts (they print the contacts): their bytes leave the file store, their rows stay, marked. The
notifications about the dossier lose their address and the words people wrote in their details (the amounts,
governments and dates stay, so the message still reads in an inbox).

Kept on purpose: the decision letters (the administration's own decision, addressed to the government, signed
by the agency; they name no contact person of the government), the IBANs (a government's account, part of the
money trail), and the audit log. The audit log is append-only (database triggers): it is not rewritten. Its
actors are users, and a user with no remaining purpose is pseudonymised in the user row (name "Persoon 7f3a…",
an address that cannot receive mail, no password, inactive), so every audit entry then points at a pseudonym.
The audit reasons are the administration's motivations about dossiers of governments, kept as the legal record
of its decisions (the Archives Decree); the portal's forms ask there for the reason of an act, not about people.

A user has no remaining purpose when their last sign of life (last sign-in, or creation) lies further back than
the longest period of any call, and no dossier or listing still held names them (creator, owner, contact).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask import current_app
from sqlalchemy import delete, select

from portal.db import utcnow
from portal.extensions import db
from portal.models import (
    AccessRequest,
    AccountToken,
    Application,
    AuditEntry,
    Call,
    DossierNote,
    FinalReport,
    FormRescue,
    Match,
    MeetingDecision,
    Need,
    Notification,
    Offer,
    Review,
    ReviewScore,
    StoredFile,
    StoredFileChunk,
    User,
    UserSession,
)
from portal.models.payouts import ReportDocument
from portal.services import audit
from workflows.applications import State
from workflows.calls import BRUSSELS
from workflows.retention import DossierFacts, RetentionPeriods, add_months, dossier_is_due, listing_is_due

PLACEHOLDER = "[geanonimiseerd]"
REMOVED_FILE_NAME = "verwijderd-na-bewaartermijn.pdf"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
# Used when no call exists yet: the same defaults as a new call.
DEFAULT_PERIODS = RetentionPeriods(granted_months=120, refused_months=24, listing_months=12)

# Keys of a notification's details that hold people's words, or a person.
NOTIFICATION_FREE_TEXTS = frozenset({"message", "question", "reason", "why"})
NOTIFICATION_PERSONAL_KEYS = frozenset({"email", "name", "contact_name", "contact_email", "recipient_name"})

DOSSIER_TEXTS = (
    "giving_contact_name",
    "giving_contact_function",
    "receiving_contact_name",
    "receiving_contact_function",
    "approach",
    "need",
    "goals",
    "participation",
    "embedding",
)
DOSSIER_OPTIONAL_TEXTS = (
    "receiving_decline_reason",
    "early_end_reason",
    "withdrawal_reason",
    "correction_question",
    "decision_motivation",
)


@dataclass
class RetentionRun:
    """What one run changed (or, dry, would change): a line per row for the list, and the counts."""

    today: date
    dry_run: bool
    lines: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(
        default_factory=lambda: {"dossiers": 0, "offers": 0, "needs": 0, "users": 0, "files": 0, "notifications": 0}
    )

    @property
    def changed_anything(self) -> bool:
        return any(self.counts.values())


def pseudonym(user_id: int) -> str:
    """A stable pseudonym: the same user always gets the same one, and it cannot be turned back without the key."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, f"user:{user_id}".encode(), hashlib.sha256).hexdigest()[:10]


def _day(moment: datetime | None) -> date | None:
    return moment.astimezone(BRUSSELS).date() if moment is not None else None


def _closed_days() -> dict[int, date]:
    """The day each dossier was closed, from the audit log (the transition that reached `closed`)."""
    rows = db.session.execute(
        select(AuditEntry.entity_id, AuditEntry.occurred_at).where(
            AuditEntry.entity_type == "application", AuditEntry.to_state == State.CLOSED
        )
    )
    closed: dict[int, date] = {}
    for entity_id, occurred_at in rows:
        if entity_id.isdigit():
            day = _day(occurred_at)
            if day is not None:
                closed[int(entity_id)] = max(day, closed.get(int(entity_id), day))
    return closed


def _facts(application: Application, closed: dict[int, date]) -> DossierFacts:
    closes_on = _day(application.call.closes_at)
    assert closes_on is not None
    return DossierFacts(
        state=application.state,
        closed_on=closed.get(application.id),
        decided_on=_day(application.decided_at),
        withdrawn_on=_day(application.withdrawn_at),
        call_closes_on=closes_on,
    )


def listing_periods() -> RetentionPeriods:
    """Listings belong to no call: the longest listing period of any call applies (never shorter than promised)."""
    calls = db.session.scalars(select(Call)).all()
    if not calls:
        return DEFAULT_PERIODS
    return RetentionPeriods(
        granted_months=max(c.retention_granted_months for c in calls),
        refused_months=max(c.retention_refused_months for c in calls),
        listing_months=max(c.retention_listing_months for c in calls),
    )


def _longest_months() -> int:
    periods = listing_periods()
    return max(periods.granted_months, periods.refused_months, periods.listing_months)


ANONYMOUS_DOMAIN = "@anoniem.invalid"


def due_access_requests(today: date) -> list[AccessRequest]:
    """Decided requests for access, no longer needed after the listing period: the account (if approved) has its
    own data; the request itself only named who asked."""
    periods = listing_periods()
    decided = db.session.scalars(
        select(AccessRequest)
        .where(AccessRequest.decided_at.is_not(None), AccessRequest.email.not_like(f"%{ANONYMOUS_DOMAIN}"))
        .order_by(AccessRequest.id)
    ).all()
    return [r for r in decided if r.decided_at is not None and listing_is_due(_day(r.decided_at), periods, today)]


def _anonymise_access_request(request: AccessRequest) -> None:
    request.full_name = PLACEHOLDER
    request.function = PLACEHOLDER
    request.email = f"toegangsaanvraag-{request.id}{ANONYMOUS_DOMAIN}"
    if request.refusal_reason:
        request.refusal_reason = PLACEHOLDER


def due_dossiers(today: date) -> list[Application]:
    closed = _closed_days()
    candidates = db.session.scalars(
        select(Application).where(Application.anonymised_at.is_(None)).order_by(Application.id)
    ).all()
    return [a for a in candidates if dossier_is_due(_facts(a, closed), a.call.retention, today)]


def _due_listings(model: type[Offer] | type[Need], today: date) -> list[Any]:
    periods = listing_periods()
    rows = db.session.scalars(select(model).where(model.anonymised_at.is_(None)).order_by(model.id)).all()
    due = []
    for row in rows:
        last = _day(row.withdrawn_at or row.updated_at or row.created_at)
        if last is not None and listing_is_due(last, periods, today):
            due.append(row)
    return due


def _wipe_file(name: str | None, run: RetentionRun) -> None:
    """The bytes leave the store; the row that refers to the file stays (an empty file under the same name)."""
    if name is None:
        return
    stored = db.session.get(StoredFile, name)
    if stored is None or stored.chunk_count == 0:
        return
    db.session.execute(delete(StoredFileChunk).where(StoredFileChunk.file_name == name))
    stored.size_bytes = 0
    stored.chunk_count = 0
    stored.sha256 = EMPTY_SHA256
    run.counts["files"] += 1


def _redact_content(content: dict[str, Any]) -> dict[str, Any]:
    redacted = dict(content)
    for side in ("giving", "receiving"):
        if isinstance(redacted.get(side), dict):
            part = dict(redacted[side])
            part["contact"] = {"name": PLACEHOLDER, "function": PLACEHOLDER, "email": "", "phone": ""}
            redacted[side] = part
    if isinstance(redacted.get("exchange"), dict):
        exchange = dict(redacted["exchange"])
        for key in ("approach", "need", "goals", "participation", "embedding"):
            if key in exchange:
                exchange[key] = PLACEHOLDER
        redacted["exchange"] = exchange
    if isinstance(redacted.get("mentors"), list):
        redacted["mentors"] = [
            {**mentor, "name": PLACEHOLDER, "function": PLACEHOLDER, "plan_description": ""}
            for mentor in redacted["mentors"]
            if isinstance(mentor, dict)
        ]
    return redacted


def _wipe_notifications(rows: list[Notification], run: RetentionRun) -> None:
    for notification in rows:
        if notification.email.endswith(".invalid"):
            continue
        notification.email = f"notificatie-{notification.id}@anoniem.invalid"
        notification.key = f"anonymised/{notification.id}"
        # The message still reads (amounts, governments, dates); the words people wrote, and addresses, go.
        notification.details = {
            key: PLACEHOLDER if key in NOTIFICATION_FREE_TEXTS and value else value
            for key, value in (notification.details or {}).items()
            if key not in NOTIFICATION_PERSONAL_KEYS
        }
        notification.last_error = None
        run.counts["notifications"] += 1


def _anonymise_dossier(application: Application, now: datetime, run: RetentionRun) -> None:
    for name in DOSSIER_TEXTS:
        setattr(application, name, PLACEHOLDER if getattr(application, name) else "")
    for name in DOSSIER_OPTIONAL_TEXTS:
        if getattr(application, name):
            setattr(application, name, PLACEHOLDER)
    application.giving_contact_email = ""
    application.giving_contact_phone = ""
    application.receiving_contact_email = ""
    application.receiving_contact_phone = ""
    for mentor in application.mentors:
        mentor.full_name = PLACEHOLDER if mentor.full_name else ""
        mentor.function = PLACEHOLDER if mentor.function else ""
        mentor.plan_description = ""
    for attachment in application.attachments:
        _wipe_file(attachment.stored_name, run)
        attachment.original_name = REMOVED_FILE_NAME
        attachment.signer_names = ""  # the names read from the agreement's digital signatures
    for submission in application.submissions:
        submission.content = _redact_content(submission.content)
        _wipe_file(submission.receipt_name, run)
    for note in db.session.scalars(select(DossierNote).where(DossierNote.application_id == application.id)):
        note.body = PLACEHOLDER
    # The motivation as the committee's meeting recorded it: the dossier's own decision motivation, once more.
    for decided in db.session.scalars(select(MeetingDecision).where(MeetingDecision.application_id == application.id)):
        decided.motivation = PLACEHOLDER if decided.motivation else ""
    for review in db.session.scalars(select(Review).where(Review.application_id == application.id)):
        review.comment = PLACEHOLDER if review.comment else ""
        if review.conflict_reason:
            review.conflict_reason = PLACEHOLDER
        for score in db.session.scalars(select(ReviewScore).where(ReviewScore.review_id == review.id)):
            score.comment = PLACEHOLDER if score.comment else ""
    report = db.session.scalar(select(FinalReport).where(FinalReport.application_id == application.id))
    if report is not None:
        report.achievements = PLACEHOLDER if report.achievements else ""
        for document in db.session.scalars(select(ReportDocument).where(ReportDocument.report_id == report.id)):
            _wipe_file(document.stored_name, run)
            document.original_name = REMOVED_FILE_NAME
    _wipe_notifications(
        list(db.session.scalars(select(Notification).where(Notification.application_id == application.id))), run
    )
    application.anonymised_at = now


def _anonymise_listing(listing: Offer | Need, now: datetime) -> None:
    listing.contact_name = PLACEHOLDER
    listing.contact_email = f"contact-{type(listing).__name__.lower()}-{listing.id}@anoniem.invalid"
    if isinstance(listing, Offer):
        listing.approach = PLACEHOLDER
        for profile in listing.profiles:
            profile.full_name = ""
            profile.function = PLACEHOLDER
            profile.plan_description = PLACEHOLDER if profile.plan_description else ""
        matches = select(Match).where(Match.offer_id == listing.id)
    else:
        listing.context = PLACEHOLDER
        listing.goals = PLACEHOLDER
        matches = select(Match).where(Match.need_id == listing.id)
    for match in db.session.scalars(matches):
        match.message = PLACEHOLDER if match.message else ""
        if match.decline_reason:
            match.decline_reason = PLACEHOLDER
    listing.anonymised_at = now


def _users_without_purpose(today: date) -> list[User]:
    """Users whose last sign of life is older than the longest period, named by no dossier or listing still held."""
    horizon = add_months(today, -_longest_months())
    held = db.session.scalars(select(Application).where(Application.anonymised_at.is_(None))).all()
    named_ids: set[int] = set()
    named_emails: set[str] = set()
    for application in held:
        named_ids.update(i for i in (application.created_by_id, application.owner_id) if i is not None)
        named_emails.update(
            e.lower() for e in (application.giving_contact_email, application.receiving_contact_email) if e
        )
    for model in (Offer, Need):
        for listing in db.session.scalars(select(model).where(model.anonymised_at.is_(None))):
            named_ids.add(listing.created_by_id)
            named_emails.add(listing.contact_email.lower())
    users = db.session.scalars(select(User).where(User.anonymised_at.is_(None)).order_by(User.id)).all()
    due = []
    for user in users:
        last = _day(user.last_login_at or user.created_at)
        if last is None or last >= horizon:
            continue
        if user.id in named_ids or user.email in named_emails:
            continue
        due.append(user)
    return due


def _pseudonymise_user(user: User, now: datetime, run: RetentionRun) -> None:
    code = pseudonym(user.id)
    user.full_name = f"Persoon {code}"
    user.email = f"persoon-{code}@anoniem.invalid"
    user.password_hash = None
    user.totp_secret = None
    user.totp_confirmed_at = None
    user.totp_last_step = None
    user.is_active = False
    user.anonymised_at = now
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    db.session.execute(delete(AccountToken).where(AccountToken.user_id == user.id))
    db.session.execute(delete(FormRescue).where(FormRescue.user_id == user.id))
    _wipe_notifications(list(db.session.scalars(select(Notification).where(Notification.user_id == user.id))), run)


def anonymise(today: date, *, dry_run: bool, actor: User | None = None) -> RetentionRun:
    """Anonymise everything past its period on `today` (or, dry, only list it). Idempotent: a row once done is
    marked and never found again. One audit entry per run that changed something, with the counts."""
    run = RetentionRun(today=today, dry_run=dry_run)
    now = utcnow()
    dossiers = due_dossiers(today)
    offers = _due_listings(Offer, today)
    needs = _due_listings(Need, today)
    for application in dossiers:
        run.lines.append(f"dossier {application.reference or f'#{application.id} (ontwerp)'} ({application.state})")
    for offer in offers:
        run.lines.append(f"aanbod #{offer.id} ({offer.state})")
    for need in needs:
        run.lines.append(f"vraag #{need.id} ({need.state})")
    requests = due_access_requests(today)
    for request in requests:
        run.lines.append(f"toegangsaanvraag #{request.id} ({request.state})")
    run.counts["dossiers"], run.counts["offers"], run.counts["needs"] = len(dossiers), len(offers), len(needs)
    run.counts["access_requests"] = len(requests)
    if not dry_run:
        for application in dossiers:
            _anonymise_dossier(application, now, run)
        for listing in [*offers, *needs]:
            _anonymise_listing(listing, now)
        for request in requests:
            _anonymise_access_request(request)
        db.session.flush()
    # Users are judged after the dossiers and listings of this run are done (dry: as if they were).
    users = _users_after(today, dossiers, offers, needs) if dry_run else _users_without_purpose(today)
    for user in users:
        run.lines.append(f"gebruiker #{user.id} ({user.role})")
    run.counts["users"] = len(users)
    if dry_run:
        return run
    for user in users:
        _pseudonymise_user(user, now, run)
    if run.changed_anything:
        audit.record(
            actor,
            "privacy.anonymised",
            "retention",
            today.isoformat(),
            details={"today": today.isoformat(), **run.counts},
        )
    db.session.flush()
    return run


def _users_after(today: date, dossiers: list[Application], offers: list[Offer], needs: list[Need]) -> list[User]:
    """The users a real run would pseudonymise: judged with this run's dossiers and listings marked, then rolled
    back in a savepoint, so a dry run changes nothing."""
    nested = db.session.begin_nested()
    try:
        now = utcnow()
        for row in [*dossiers, *offers, *needs]:
            row.anonymised_at = now
        db.session.flush()
        return list(_users_without_purpose(today))
    finally:
        nested.rollback()
