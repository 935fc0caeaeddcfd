"""A real Celery worker on the local Redis, started with the production configuration."""

from __future__ import annotations

import time

import pytest
import redis

from tests.services import redis_url
from tests.worker.conftest import HEALTH_BROKER_DB


@pytest.mark.redis
def test_a_worker_on_redis_runs_a_task_inside_the_app_and_reaches_the_database(app, start_worker):
    from celery import Celery

    broker = redis_url(HEALTH_BROKER_DB)
    redis.Redis.from_url(broker).flushdb()
    start_worker(app, broker)
    client = Celery("probe", broker=broker, backend=broker)
    deadline = time.monotonic() + 60
    result = client.send_task("portal.health_check")
    assert result.get(timeout=max(1, deadline - time.monotonic())) == "ok"
