"""Shared by the tests that need real concurrency: an app on its own PostgreSQL database, no test
transaction around it, and a way to start many requests at the same moment."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask

from portal.extensions import db
from tests.conftest import app_on_own_database, sign_in
from tests.services import USE_REDIS, redis_url

PARALLEL = 20
CONCURRENCY_BROKER_DB = 11


@pytest.fixture(scope="module")
def live_app(tmp_path_factory: pytest.TempPathFactory, smtp_sink: Any) -> Iterator[Flask]:
    """An app on its own database, with no test transaction around it: every request commits for real."""
    # Notifications go to a broker as in production (Redis when reachable, else kombu's in-memory
    # transport); delivering them is the worker tests' subject, not these tests'.
    broker = redis_url(CONCURRENCY_BROKER_DB) if USE_REDIS else "memory://"
    with app_on_own_database(
        tmp_path_factory.mktemp("concurrency"),
        smtp_sink,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": PARALLEL, "max_overflow": 5},
        CELERY_TASK_ALWAYS_EAGER=False,
        CELERY_BROKER_URL=broker,
        LOCK_ORDER_CHECK=True,  # a lock out of order fails here every time, not only when the race happens
    ) as app:
        yield app
    if USE_REDIS:
        import redis

        redis.Redis.from_url(broker).flushdb()


def run_together(actions: list[Callable[[], Any]]) -> list[Any]:
    """Start every action at the same moment, on its own thread; their results in order."""
    start = threading.Barrier(len(actions))
    results: list[Any] = [None] * len(actions)

    def run(index: int) -> None:
        start.wait()
        results[index] = actions[index]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def signed_in_browser(app: Flask, user: Any) -> Any:
    browser = app.test_client()
    sign_in(browser, user)
    db.session.commit()
    return browser
