"""Declarative base with a constraint naming convention, and column types shared by the models."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any, Generic, TypeVar, overload

from flask import has_request_context, request
from sqlalchemy import CheckConstraint, DateTime, Engine, Index, MetaData, TypeDecorator, event, text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase
from werkzeug.routing import IntegerConverter, Map

from workflows.calls import BRUSSELS

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every database (SQLite stores naive text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# Every id is PostgreSQL's integer: a number beyond it names no row, and must not reach a query (where it
# is an error, not an empty answer).
MAX_ID = 2**31 - 1


class RowId(IntegerConverter):
    """`<int:...>` in every route: an id beyond MAX_ID, or 0 (ids start at 1), does not match the route, so it
    is a 404."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def utcnow() -> datetime:
    return datetime.now(UTC)


def brussels_today() -> date:
    """Today in Brussels: the calendar of every date the portal keeps or checks (due dates, payments, periods,
    names of exports), never the server's or UTC's, which are a day behind for an hour or two after midnight."""
    return utcnow().astimezone(BRUSSELS).date()


def enum_check(column: str, values: object) -> str:
    """SQL for a CHECK constraint that keeps an enum-as-text column within its values."""
    quoted = ", ".join(f"'{value}'" for value in values)  # type: ignore[attr-defined]
    return f"{column} IN ({quoted})"


E = TypeVar("E", bound=Enum)


class EnumOf(Generic[E]):
    """An enum-as-text column read as its enum: `state_enum = EnumOf("state", State)`."""

    def __init__(self, column: str, enum: type[E]) -> None:
        self.column = column
        self.enum = enum

    @overload
    def __get__(self, row: None, owner: type) -> EnumOf[E]: ...
    @overload
    def __get__(self, row: object, owner: type) -> E: ...
    def __get__(self, row: object | None, owner: type) -> EnumOf[E] | E:
        return self if row is None else self.enum(getattr(row, self.column))


def unique_where(name: str, *columns: str, where: str) -> Index:
    """A partial unique index (PostgreSQL and SQLite both have them): unique among the rows `where` selects,
    as "one live proposal per pair" or "one open payout of a kind"."""
    return Index(name, *columns, unique=True, sqlite_where=text(where), postgresql_where=text(where))


# A mentor's cost basis: stored as planned on the application's mentor, and as actual in the final report.
COST_BASIS_FIELDS = ("monthly_wage_cents", "time_share_bp", "start_on", "end_on")


def values_of(row: object, names: Iterable[str]) -> dict[str, Any]:
    """The named attributes of a row, as the keyword arguments of another that copies them."""
    return {name: getattr(row, name) for name in names}


def cost_basis_checks() -> tuple[CheckConstraint, ...]:
    """What a mentor's cost basis must respect wherever it is stored (planned, or actual at the end)."""
    return (
        CheckConstraint("time_share_bp IS NULL OR (time_share_bp > 0 AND time_share_bp <= 10000)", name="time_share"),
        CheckConstraint("monthly_wage_cents IS NULL OR monthly_wage_cents >= 0", name="wage_not_negative"),
        CheckConstraint("end_on IS NULL OR start_on IS NULL OR end_on >= start_on", name="period"),
    )


def configure_sqlite(engine: Engine) -> None:
    """Make SQLite behave: foreign keys on, and real BEGIN/SAVEPOINT (pysqlite's own handling is off).

    Several requests at once (the embedded default serves each in a thread, and mail goes out from a
    background thread): a file database writes its journal ahead (WAL), so readers never wait, and a
    transaction that may write takes the write lock when it begins (BEGIN IMMEDIATE), waiting its turn
    for up to 30 s. A deferred transaction that read first and then wrote would instead be refused at
    once ("database is locked") whenever another wrote in between: SQLite cannot wait for that case.
    A GET begins deferred: pages read, and the two that write (a receipt made at its first download,
    a message marked read) write little, once, and wait like any other if nothing wrote since they read.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN" if _only_reads() else "BEGIN IMMEDIATE")


def _only_reads() -> bool:
    return has_request_context() and request.method in ("GET", "HEAD", "OPTIONS")
