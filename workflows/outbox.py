"""Delivery rules of the notification outbox (SPEC section 7). Pure: standard library only.

A notification row is delivered by e-mail at most once. A failed attempt that may succeed later
(the mail server is busy or unreachable) is retried after an exponentially growing delay, up to a
limit; a refusal that will not change (an unknown address) ends at once. A row that a worker
claimed but never recorded as sent is never sent again automatically: the e-mail may have left,
so an officer decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # waiting for a worker (first attempt or a retry)
    SENDING = "sending"  # claimed by one worker, which is talking to the mail server
    SENT = "sent"
    FAILED = "failed"  # retries ran out, or the mail server refused for good
    UNCERTAIN = "uncertain"  # the worker stopped while sending: it may or may not have left
    SKIPPED = "skipped"  # nothing to send (the account was deactivated, or the row predates e-mail)


# Shown to officers, who may send these again by hand.
NEEDS_ATTENTION = (DeliveryStatus.FAILED, DeliveryStatus.UNCERTAIN)


@dataclass(frozen=True)
class DeliveryPolicy:
    attempt_limit: int = 6
    first_delay: timedelta = timedelta(seconds=30)
    longest_delay: timedelta = timedelta(hours=1)
    # A row handed to the broker but still waiting after this is handed again (the message was lost).
    requeue_after: timedelta = timedelta(minutes=5)
    # A claimed row not recorded after this: the worker stopped while sending.
    sending_timeout: timedelta = timedelta(minutes=10)

    def __post_init__(self) -> None:
        if self.attempt_limit < 1:
            raise ValueError("at least one attempt")
        if self.first_delay <= timedelta(0) or self.longest_delay < self.first_delay:
            raise ValueError("delays must be positive and the longest at least the first")


def retry_delay(policy: DeliveryPolicy, attempts_made: int) -> timedelta:
    """After the n-th failed attempt wait first_delay x 2^(n-1), never longer than longest_delay."""
    if attempts_made < 1:
        raise ValueError("a delay follows a failed attempt")
    exponent = min(attempts_made - 1, 30)  # 2^30 x 30 s is far beyond any sensible cap
    delay: timedelta = policy.first_delay * (2**exponent)
    return min(delay, policy.longest_delay)


@dataclass(frozen=True)
class AfterFailure:
    status: DeliveryStatus
    retry_in: timedelta | None


def after_failure(policy: DeliveryPolicy, attempts_made: int, permanent: bool) -> AfterFailure:
    """What becomes of a row whose attempt failed: wait and retry, or give up (failed)."""
    if permanent or attempts_made >= policy.attempt_limit:
        return AfterFailure(DeliveryStatus.FAILED, None)
    return AfterFailure(DeliveryStatus.PENDING, retry_delay(policy, attempts_made))


def is_permanent_smtp_refusal(code: int | None) -> bool:
    """SMTP replies 5xx are final (unknown mailbox, rejected message); 4xx and no reply may pass later."""
    return code is not None and 500 <= code < 600


# --- reminders ------------------------------------------------------------------------------------

# call text: the call closes on a fixed date; governments with a draft hear of it a week and a day before.
CLOSING_REMINDER_DAYS = (7, 1)


def closing_reminder(closes_at: datetime, now: datetime, marks: tuple[int, ...] = CLOSING_REMINDER_DAYS) -> int | None:
    """The reminder due now (7 or 1: the mark it belongs to), or None.

    The tightest mark not yet passed: with 5 days left that is the 7-day reminder (late, but
    still useful when the job did not run on the day itself), with 20 hours left the 1-day one.
    """
    left = closes_at - now
    if left <= timedelta(0):
        return None
    due = [mark for mark in marks if left <= timedelta(days=mark)]
    return min(due) if due else None
