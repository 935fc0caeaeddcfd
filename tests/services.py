"""Which real services the tests can use: PostgreSQL and Redis when reachable, said out loud when not."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")


def _psycopg_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def postgres_reachable() -> bool:
    try:
        import psycopg

        with psycopg.connect(_psycopg_url(POSTGRES_URL), connect_timeout=3):
            return True
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        return False


def redis_reachable() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping())
    except Exception:  # noqa: BLE001
        return False


USE_POSTGRES = postgres_reachable()
USE_REDIS = redis_reachable()

NO_POSTGRES = "PostgreSQL is not reachable at 127.0.0.1:5432 (database test): start it to run this test"
NO_REDIS = "Redis is not reachable at 127.0.0.1:6379: start it to run this test"


def redis_url(db_number: int) -> str:
    return f"{REDIS_URL}/{db_number}"


@contextmanager
def throwaway_database(tmp_path: Path) -> Iterator[str]:
    """A new, empty database for one test (its own PostgreSQL database, or a SQLite file)."""
    if not USE_POSTGRES:
        yield f"sqlite:///{tmp_path / 'throwaway.sqlite'}"
        return
    import psycopg

    name = f"portal_test_{uuid.uuid4().hex[:12]}"
    admin_url = _psycopg_url(POSTGRES_URL)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
