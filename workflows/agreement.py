"""The cooperation agreement both governments sign: what its signed copy says about signatures, and the
payment terms it states. Pure.

The call asks for an agreement between the two governments (call text: "Een actieplan en overeenkomst
tussen de besturen wordt opgesteld"); it does not ask for a digital signature, so a scanned signature
is as good: the portal only says what it found.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from workflows.letters import PayoutSchedule, payout_schedule, report_deadline


class SignatureStatus(StrEnum):
    SIGNED = "signed"  # at least one embedded digital signature
    UNSIGNED = "unsigned"  # read entirely, none found
    UNKNOWN = "unknown"  # the signature reader could not read the file (the upload stands)


def signature_status(readable: bool, signer_count: int) -> SignatureStatus:
    """Signed when the file carries a signature; never a refusal: a file the reader cannot read is unknown."""
    if not readable:
        return SignatureStatus.UNKNOWN
    return SignatureStatus.SIGNED if signer_count > 0 else SignatureStatus.UNSIGNED


@dataclass(frozen=True)
class PaymentTerms:
    schedule: PayoutSchedule  # on the requested compensation: the grant may be lower
    trajectory_ends_on: date | None  # the last mentor's last day, None while no period is given
    report_due_on: date | None


def payment_terms(requested_cents: int, advance_percent: int, mentor_ends: Sequence[date]) -> PaymentTerms:
    """How the compensation is paid, as the agreement states it: the call's advance and balance, and the
    final report due after the trajectory's last day."""
    ends_on = max(mentor_ends) if mentor_ends else None
    return PaymentTerms(
        schedule=payout_schedule(requested_cents, advance_percent),
        trajectory_ends_on=ends_on,
        report_due_on=report_deadline(ends_on) if ends_on else None,
    )
