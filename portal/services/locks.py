"""The one locking discipline of every action that moves money: the dossiers by id, then the call(s) by id.

Two actions that take their locks in one global order can wait for each other but never deadlock.
Every use case that changes a dossier's state or the envelope locks through this module. It
remembers, per transaction, what it holds; with LOCK_ORDER_CHECK on (the tests that run every pair of
money actions in parallel on PostgreSQL) it refuses a lock out of order, so that a use case breaking
the order fails there every time rather than only when the race happens.

FOR NO KEY UPDATE (`key_share=True`): it excludes every other change of the row, yet lets rows that
merely refer to it (reservations, history lines, audit rows) be written meanwhile; a plain FOR
UPDATE would deadlock against their foreign-key checks. SQLite ignores row locks: its writers are
serialised by the database file itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm.interfaces import ORMOption
from sqlalchemy.sql.elements import ColumnElement

from portal.db import utcnow
from portal.extensions import db
from portal.models import Application, Call

_HELD = "money_locks"  # session.info: what the open transaction holds


class LockOrderError(RuntimeError):
    """A lock asked for out of the global order (dossiers by id, then calls by id), or a change made without
    the lock it needs (a dossier taking or leaving a place in its call's queue without the call's lock)."""


@dataclass
class _Held:
    transaction: Any
    dossiers: set[int] = field(default_factory=set)
    calls: set[int] = field(default_factory=set)


def _held() -> _Held:
    """The locks of the session's current outermost transaction (a new transaction holds none)."""
    session = db.session()  # the scoped session's Session of this context
    session.connection()  # begins the transaction if none is open yet, so that it has an identity
    transaction = session.get_transaction()
    held: _Held | None = session.info.get(_HELD)
    if held is None or held.transaction is not transaction:
        held = _Held(transaction)
        session.info[_HELD] = held
    return held


def _lock_each(
    model: Any,
    wanted: list[int],
    held_ids: set[int],
    load: tuple[ORMOption, ...] = (),
    only_if: tuple[ColumnElement[bool], ...] = (),
) -> dict[int, Any]:
    """Lock the rows one statement each, in the order given (a multi-row lock's order is not guaranteed),
    and read them as they are now, not as this session last saw them; `load` reads related rows in the
    same statement (only the model's own row is locked). A row failing `only_if` is neither locked nor
    waited for: LookupError, as for a row that does not exist."""
    locked = {}
    for row_id in wanted:
        # Held since earlier in this transaction: nobody else changed it since, this session has it as it is.
        row = db.session.get(model, row_id) if row_id in held_ids else None
        if row is None:
            row = (
                db.session.scalars(
                    select(model)
                    .where(model.id == row_id, *only_if)
                    .options(*load)
                    .with_for_update(key_share=True, of=model)
                    .execution_options(populate_existing=True)
                )
                .unique()
                .first()
            )
        if row is None:
            raise LookupError(row_id)
        held_ids.add(row_id)
        locked[row_id] = row
    return locked


def _out_of_order(message: str) -> None:
    if current_app.config["LOCK_ORDER_CHECK"]:
        raise LockOrderError(message)


def lock_dossiers(
    application_ids: Iterable[int], *load: ORMOption, only_if: tuple[ColumnElement[bool], ...] = ()
) -> dict[int, Application]:
    """The dossier rows, locked in id order until the end of the transaction, as they are now.

    Re-locking a dossier already held is free (and `load` and `only_if` then read nothing); a new
    dossier after a call, or below one already held, breaks the order.
    """
    wanted = sorted(set(application_ids))
    held = _held()
    new = [i for i in wanted if i not in held.dossiers]
    if new and held.calls:
        _out_of_order(f"dossier {new[0]} locked after call {min(held.calls)}")
    if new and held.dossiers and new[0] < max(held.dossiers):
        _out_of_order(f"dossier {new[0]} locked after dossier {max(held.dossiers)}")
    return _lock_each(Application, wanted, held.dossiers, load, only_if)


def lock_dossier(application_id: int, *load: ORMOption) -> Application:
    return lock_dossiers([application_id], *load)[application_id]


def lock_calls(call_ids: Iterable[int]) -> dict[int, Call]:
    """The calls' rows (their budget), locked in id order, after every dossier the action touches."""
    wanted = sorted(set(call_ids))
    held = _held()
    new = [i for i in wanted if i not in held.calls]
    if new and held.calls and new[0] < max(held.calls):
        _out_of_order(f"call {new[0]} locked after call {max(held.calls)}")
    return _lock_each(Call, wanted, held.calls)


def lock_call(call_id: int) -> Call:
    return lock_calls([call_id])[call_id]


def lock_dossier_and_call(application_id: int) -> tuple[Application, Call]:
    """The common case: one dossier, then its call."""
    application = lock_dossier(application_id)
    return application, lock_call(application.call_id)


def database_now() -> datetime:
    """The database server's clock, read now (not at the start of the transaction): one clock for every
    web machine. SQLite lives in this process, so its clock is this machine's."""
    if db.session.get_bind().dialect.name != "postgresql":
        return utcnow()
    moment: datetime = db.session.scalar(select(func.clock_timestamp()))
    return moment.astimezone(UTC)


def holds_dossier(application_id: int) -> bool:
    return application_id in _held().dossiers


def holds_call(call_id: int) -> bool:
    return call_id in _held().calls
