"""Delivering one notification by e-mail, at most once.

The worker's task calls these steps and commits between them: claim (the row becomes `sending`
for this worker only), prepare its attachment, send, record. A second run of the task, or a
duplicate message, finds the row already claimed and does nothing; a worker that dies between
sending and recording leaves the row `sending`, which the sweep later marks `uncertain` for an
officer instead of sending it again (`portal.outbox.sweep`).
"""

from __future__ import annotations

import hashlib
import json
import os
import smtplib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_mailman import EmailMultiAlternatives
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload, selectinload

from portal.extensions import db, mail
from portal.i18n import Words, locale_for
from portal.kept_connections import KeptConnections
from portal.models import Application, Notification
from portal.models.notifications import WITH_DECISION_LETTER, NotificationEvent
from portal.outbox import policy
from portal.services import decisions, receipts
from portal.services.locks import lock_dossier
from workflows.outbox import AfterFailure, DeliveryStatus, after_failure, is_permanent_smtp_refusal


def claim(notification_id: int, now: datetime) -> bool:
    """Make the row this worker's, in one conditional UPDATE: of two runs at once only one gets it."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.status == DeliveryStatus.PENDING)
        .values(status=DeliveryStatus.SENDING, claimed_at=now, attempts=Notification.attempts + 1)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def claim_many(notification_ids: list[int], now: datetime) -> list[int]:
    """`claim` for rows handed over together, in one UPDATE: the ids this run got, in order (a row another run
    claimed, sent or gave up is left out)."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.id.in_(notification_ids), Notification.status == DeliveryStatus.PENDING)
        .values(status=DeliveryStatus.SENDING, claimed_at=now, attempts=Notification.attempts + 1)
        .returning(Notification.id)
    )
    return sorted(result.scalars())


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str = "application/pdf"


def prepare(notification_id: int) -> list[Attachment]:
    """The submission receipt or the decision letter, stored the first time it is needed (both
    governments then get the same file). The caller commits."""
    notification = _claimed(notification_id)
    if notification.application_id is None:
        return []
    if notification.event_enum is NotificationEvent.APPLICATION_SUBMITTED:
        application_id, version, locale = (
            notification.application_id,
            notification.details.get("version"),
            notification.recipient_locale,
        )
        pdf = receipts.receipt_made_outside_locks(application_id, int(version or 0), locale)
        if pdf is None:
            return []
        reference = db.session.get(Application, application_id).reference  # type: ignore[union-attr]
        return [Attachment(f"ontvangstbewijs-{reference}.pdf", pdf)]
    if notification.event_enum in WITH_DECISION_LETTER:
        application = lock_dossier(notification.application_id)
        return [Attachment(f"beslissing-{application.reference}.pdf", decisions.letter_bytes(application))]
    return []


def is_skipped(notification_id: int) -> bool:
    """A user deactivated since the event gets no e-mail (their messages stay in the inbox)."""
    notification = _claimed(notification_id)
    return notification.user is not None and not notification.user.is_active


@contextmanager
def rows_kept_between_commits() -> Iterator[None]:
    """A claimed notification, its dossier, call and recipient are read once for the whole delivery,
    not again after each of its commits (the claim is this worker's; what it prints may be a few
    milliseconds old, as when it was read first)."""
    session = db.session()
    before = session.expire_on_commit
    session.expire_on_commit = False
    try:
        yield
    finally:
        session.expire_on_commit = before


def load_claimed_many(notification_ids: list[int]) -> list[Notification]:
    """The claimed rows with what their e-mails need, in id order: the rows and their recipients in one
    statement, the dossiers and calls they share once each."""
    if not notification_ids:
        return []
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.id.in_(notification_ids), Notification.status == DeliveryStatus.SENDING)
            .options(joinedload(Notification.user), selectinload(Notification.application).joinedload(Application.call))
            .order_by(Notification.id)
            .execution_options(populate_existing=True)
        ).unique()
    )


def _claimed(notification_id: int) -> Notification:
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.status_enum is not DeliveryStatus.SENDING:
        raise LookupError(f"notification {notification_id} is not claimed")
    return notification


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def _dates(details: dict[str, Any]) -> dict[str, date | datetime]:
    """Details keep ISO text (JSON); `due_on` becomes a date and `closes_at` a moment for the filters."""
    parsed: dict[str, date | datetime] = {}
    for name, value in details.items():
        if isinstance(value, str) and name.endswith("_on"):
            parsed[name] = date.fromisoformat(value)
        elif isinstance(value, str) and name.endswith("_at"):
            parsed[name] = datetime.fromisoformat(value)
    return parsed


FOLDER = "emails/notifications"


def content_context(notification: Notification, locale: str) -> dict[str, Any]:
    """What the templates of an event need; also used by the in-app message page."""
    return {
        "notification": notification,
        "application": notification.application,
        "details": notification.details,
        "dates": _dates(notification.details),
        "recipient_name": notification.user.full_name if notification.user is not None else None,
        "portal_name": current_app.config["PORTAL_NAME"],
        "lang": "en" if locale == "en" else "nl",
    }


def _subject(context: dict[str, Any]) -> str:
    return " ".join(render_template(f"{FOLDER}/{context['notification'].event}.subject.txt", **context).split())


def render_subject(notification: Notification, locale: str) -> str:
    with force_locale(locale_for(locale)):
        return _subject(content_context(notification, locale))


def render(notification: Notification, locale: str | None = None) -> RenderedEmail:
    """In the recipient's language, links absolute. Each event's subject and paragraphs live in
    templates/emails/notifications/<event>.{subject.txt,jinja}; one layout makes the text and the HTML.

    An event told to many people (a closing reminder to every government) reads the same for each who
    shares a language and a name: it is rendered once and kept a short while (`_rendered`)."""
    language = locale or notification.recipient_locale
    key = _content_key(notification, language)
    kept = _rendered.get(key)
    if kept is not None and time.monotonic() - kept[0] < RENDERED_KEPT_SECONDS:
        return kept[1]
    rendered = _render(notification, language)
    if len(_rendered) >= RENDERED_KEPT_AT_MOST:
        _rendered.clear()
    _rendered[key] = (time.monotonic(), rendered)
    return rendered


# What decides an e-mail's words: the event, the language, the dossier as it is now (its and its call's
# last change), the details, and the recipient's name and role (the match link differs per role).
_rendered: dict[tuple[Any, ...], tuple[float, RenderedEmail]] = {}
RENDERED_KEPT_SECONDS = 60.0
RENDERED_KEPT_AT_MOST = 512


def _content_key(notification: Notification, language: str) -> tuple[Any, ...]:
    application = notification.application
    user = notification.user
    return (
        notification.event,
        language,
        current_app.config["PUBLIC_BASE_URL"],
        notification.application_id,
        application.updated_at if application is not None else None,
        application.call.updated_at if application is not None else None,
        json.dumps(notification.details, sort_keys=True, default=str),
        user.full_name if user is not None else None,
        user.role if user is not None else None,
    )


def _render(notification: Notification, language: str) -> RenderedEmail:
    context = content_context(notification, language)
    # Links are built for the public address, also in a worker that has no request of its own.
    with (
        current_app.test_request_context(base_url=current_app.config["PUBLIC_BASE_URL"]),
        force_locale(locale_for(language)),
    ):
        return RenderedEmail(
            subject=_subject(context),
            text=render_template(f"{FOLDER}/_layout.txt", **context),
            html=render_template(f"{FOLDER}/_layout.html", **context),
        )


def message_id(notification: Notification) -> str:
    """Stable per notification: a mail system that sees the same message twice can tell."""
    domain = current_app.config["MAIL_DEFAULT_SENDER"].rpartition("@")[2] or "portal.invalid"
    return f"<{hashlib.sha256(notification.key.encode()).hexdigest()[:40]}@{domain}>"


def send(notification_id: int, attachments: list[Attachment]) -> None:
    """Raises what the mail server answered (smtplib errors, OSError) when it did not accept."""
    notification = _claimed(notification_id)
    rendered = render(notification)
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=current_app.config["MAIL_DEFAULT_SENDER"],
        to=[notification.email],
        headers={"Message-ID": message_id(notification), "Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(rendered.html, "text/html")
    for attachment in attachments:
        message.attach(attachment.filename, attachment.content, attachment.mimetype)
    if current_app.config.get("MAIL_BACKEND") != "smtp":
        message.send()  # a folder or the tests' memory: nothing to keep open
        return
    connection = _mail_connection()
    try:
        connection.send_messages([message])
    except BaseException:
        _kept.close(connection)  # in whatever state the server left it: never used again
        raise
    _kept.give_back(_mail_key(), connection)


# Mail server connections kept between e-mails: a worker sends many in a row, and the SMTP greeting, TLS
# and login cost more than a message.
_kept = KeptConnections(lambda connection: connection.close())
MAIL_CONNECTION_TRUSTED_SECONDS = (
    5.0  # a connection used this recently is not asked first (no server drops one that soon)
)


def _mail_key() -> tuple[Any, ...]:
    config = current_app.config
    return (os.getpid(), config.get("MAIL_BACKEND"), config.get("MAIL_SERVER"), config.get("MAIL_PORT"),
            config.get("MAIL_USE_TLS"), config.get("MAIL_USE_SSL"), config.get("MAIL_USERNAME"))  # fmt: skip


def _mail_connection() -> Any:
    """An open connection: a kept one used a moment ago or that still answers (NOOP), or a new one."""
    while (taken := _kept.take(_mail_key())) is not None:
        connection, last_used = taken
        try:
            if connection.connection is not None and (
                time.monotonic() - last_used < MAIL_CONNECTION_TRUSTED_SECONDS or connection.connection.noop()[0] == 250
            ):
                return connection
        except (smtplib.SMTPException, OSError):
            pass
        _kept.close(connection)  # the server closed it while it waited (idle timeout, restart)
    connection = mail.get_connection(fail_silently=False)
    connection.open()
    return connection


def _end_claim(notification_id: int, **values: Any) -> None:
    """Only the claim of this run is ended: a row that is no longer `sending` is left as it is."""
    db.session.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.status == DeliveryStatus.SENDING)
        .values(**values)
    )


def record_sent_many(notification_ids: list[int], now: datetime) -> None:
    """`record_sent` for several rows in one UPDATE (each still only if this run's claim holds)."""
    if notification_ids:
        db.session.execute(
            update(Notification)
            .where(Notification.id.in_(notification_ids), Notification.status == DeliveryStatus.SENDING)
            .values(status=DeliveryStatus.SENT, sent_at=now, last_error=None)
        )


def record_skipped(notification_id: int) -> None:
    _end_claim(notification_id, status=DeliveryStatus.SKIPPED, last_error="account deactivated")


def smtp_code(error: BaseException) -> int | None:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return int(min(codes)) if codes else None
    if isinstance(error, smtplib.SMTPResponseException):
        return int(error.smtp_code)
    return None


def record_failure(notification_id: int, error: BaseException, now: datetime, retried_by_broker: bool) -> AfterFailure:
    """Back to pending with a retry moment, or failed (shown to officers). `retried_by_broker`: the
    worker schedules the retry itself, so the sweep leaves the row alone until it is overdue."""
    notification = db.session.get(Notification, notification_id)
    if notification is None:
        return AfterFailure(DeliveryStatus.FAILED, None)
    outcome = after_failure(policy(), notification.attempts, is_permanent_smtp_refusal(smtp_code(error)))
    notification.status = outcome.status
    notification.last_error = f"{type(error).__name__}: {error}"[:2000]
    notification.claimed_at = None
    if outcome.retry_in is not None:
        notification.next_attempt_at = now + outcome.retry_in
        notification.enqueued_at = notification.next_attempt_at if retried_by_broker else None
    return outcome


# A short name of the event for officer pages, in the reader's language.
event_label = Words(
    {
        NotificationEvent.APPLICATION_SUBMITTED: _l("Aanvraag ontvangen"),
        NotificationEvent.CORRECTION_REQUESTED: _l("Vervollediging gevraagd"),
        NotificationEvent.DECLARED_ELIGIBLE: _l("Ontvankelijk"),
        NotificationEvent.DECLARED_INELIGIBLE: _l("Onontvankelijk"),
        NotificationEvent.REVIEWER_ASSIGNED: _l("Beoordelaar aangewezen"),
        NotificationEvent.REVIEW_OVERDUE: _l("Beoordeling te laat"),
        NotificationEvent.GRANTED: _l("Toegekend"),
        NotificationEvent.REJECTED: _l("Afgewezen"),
        NotificationEvent.BUDGET_RELEASED: _l("Budget vrijgekomen"),
        NotificationEvent.BUDGET_OFFERED: _l("Lager bedrag aangeboden"),
        NotificationEvent.CALL_CLOSING: _l("Oproep sluit binnenkort"),
        NotificationEvent.PAYOUT_APPROVED: _l("Betaling goedgekeurd"),
        NotificationEvent.PAYOUT_PAID: _l("Betaling uitgevoerd"),
        NotificationEvent.PARTICIPATION_DECLINED: _l("Ontvangend bestuur neemt niet deel"),
        NotificationEvent.REPORT_DUE: _l("Eindrapport verwacht"),
        NotificationEvent.PAYOUT_AWAITING_APPROVAL: _l("Betaling wacht op goedkeuring"),
        NotificationEvent.OFFER_REGISTERED: _l("Nieuw aanbod"),
        NotificationEvent.NEED_REGISTERED: _l("Nieuwe vraag"),
        NotificationEvent.MATCH_PROPOSED: _l("Match voorgesteld"),
        NotificationEvent.MATCH_ACCEPTED: _l("Match aanvaard door één bestuur"),
        NotificationEvent.MATCH_CONFIRMED: _l("Match bevestigd"),
        NotificationEvent.MATCH_DECLINED: _l("Match afgewezen"),
        NotificationEvent.MATCH_CANCELLED: _l("Matchvoorstel vervallen"),
        NotificationEvent.ACCESS_REVOKED: _l("Toegang ingetrokken"),
        NotificationEvent.ACCESS_RESTORED: _l("Toegang hersteld"),
        NotificationEvent.ACCESS_REQUESTED: _l("Nieuwe toegangsaanvraag"),
        NotificationEvent.ACCESS_REQUEST_REFUSED: _l("Toegangsaanvraag geweigerd"),
    }
)
