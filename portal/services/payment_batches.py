"""Payment batches (SPEC section 9): approved transfers reach the bank in one stored pain.001 file each.

Finance creates a batch with a POST. Under the locks of the dossiers (by id) and then their calls,
the approved transfers not yet in a file move to `in_file`, and the file is built once and stored
with its message id; every download serves those same bytes. A payout is pending in at most one
file (the state says so, and a unique index on the batch lines too); paid or failed is recorded
per payout (portal/services/payouts.py), and a failed one, once prepared and approved again, goes
into a later batch.
"""

from __future__ import annotations

import hashlib
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import Application, BatchOutcome, PaymentBatch, PaymentBatchItem, Payout, User
from portal.services import audit, exports
from portal.services.exports import DebtorAccountMissing, NothingToTransfer
from portal.services.locks import lock_calls, lock_dossiers
from portal.services.payouts import PayoutRefused, put_in_file
from workflows.payouts import TRANSFERS, PayoutAction, PayoutKind, PayoutState, batchable, may

__all__ = [
    "DebtorAccountMissing",
    "NothingToTransfer",
    "batch_of",
    "batches",
    "create_batch",
    "find_batch",
    "ready_for_batch",
]


def ready_for_batch() -> list[Payout]:
    """What the next batch would hold now: approved transfers not yet in a file, oldest first."""
    return exports.transferable_payouts()


def create_batch(actor: User, execution_on: date) -> PaymentBatch:
    """Put every approved transfer in one new payment file, stored; refuses an empty one.

    Two finance users creating a batch at the same moment: the second waits for the first's dossier
    locks and then finds those payouts in a file already, so no payout is ever in two files.
    """
    if not may(actor.role_enum, PayoutState.APPROVED, PayoutAction.ADD_TO_FILE):
        raise PayoutRefused("not_allowed")
    candidates = db.session.execute(
        select(Payout.id, Payout.application_id).where(
            Payout.state == PayoutState.APPROVED, Payout.kind.in_(tuple(TRANSFERS))
        )
    ).all()
    if not candidates:
        raise NothingToTransfer()
    dossiers = lock_dossiers(application_id for _, application_id in candidates)
    lock_calls(application.call_id for application in dossiers.values())
    # Read again under the locks: a payout may have gone into another file, or been paid, meanwhile.
    payouts = [
        payout
        for payout in db.session.scalars(
            select(Payout)
            .where(Payout.id.in_([payout_id for payout_id, _ in candidates]))
            .options(selectinload(Payout.application).selectinload(Application.organisation))
            .order_by(Payout.id)
            .execution_options(populate_existing=True)
        )
        if batchable(PayoutKind(payout.kind), PayoutState(payout.state))
    ]
    if not payouts:
        raise NothingToTransfer()
    transfer = exports.pain001(payouts, execution_on)
    batch = PaymentBatch(
        message_id=transfer.message_id,
        execution_on=execution_on,
        payout_count=len(payouts),
        total_cents=sum(p.amount_cents for p in payouts),
        debtor_iban=transfer.debtor_iban,
        content=transfer.xml,
        content_sha256=hashlib.sha256(transfer.xml).hexdigest(),
        created_by_id=actor.id,
    )
    db.session.add(batch)
    db.session.flush()
    for payout in payouts:
        put_in_file(payout, actor, batch.message_id)
        db.session.add(
            PaymentBatchItem(
                batch_id=batch.id,
                payout_id=payout.id,
                amount_cents=payout.amount_cents,
                end_to_end_id=payout.end_to_end_id,
                outcome=BatchOutcome.PENDING,
            )
        )
    audit.record(
        actor, "payment_batch.created", "payment_batch", batch.id,
        details={
            "message_id": batch.message_id,
            "payout_ids": [p.id for p in payouts],
            "execution_on": execution_on.isoformat(),
            "total_cents": batch.total_cents,
            "sha256": batch.content_sha256,
        },
    )  # fmt: skip
    db.session.flush()  # the unique index on pending lines is the last word: never two files
    return batch


def batches() -> list[PaymentBatch]:
    return list(
        db.session.scalars(
            select(PaymentBatch).options(selectinload(PaymentBatch.items)).order_by(PaymentBatch.id.desc())
        )
    )


def batch_of(payout_id: int) -> int | None:
    """The payment file the payout went to the bank in last, if any."""
    return db.session.scalar(
        select(PaymentBatchItem.batch_id)
        .where(PaymentBatchItem.payout_id == payout_id)
        .order_by(PaymentBatchItem.id.desc())
        .limit(1)
    )


def find_batch(batch_id: int) -> PaymentBatch | None:
    return db.session.scalar(
        select(PaymentBatch)
        .where(PaymentBatch.id == batch_id)
        .options(
            selectinload(PaymentBatch.items).selectinload(PaymentBatchItem.payout).selectinload(Payout.application)
        )
    )
