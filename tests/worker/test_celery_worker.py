"""A real Celery worker on the local Redis, started with the production configuration."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis

from tests.services import redis_url

ROOT = Path(__file__).resolve().parents[2]
BROKER_DB = 13


@pytest.fixture
def worker(app, tmp_path):
    broker = redis_url(BROKER_DB)
    redis.Redis.from_url(broker).flushdb()
    env = {
        **os.environ,
        "PORTAL_CONFIG": "production",
        "SECRET_KEY": "worker-test-secret",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": broker,
        "PORTAL_INSTANCE_PATH": str(tmp_path),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "worker.app", "worker", "--pool=solo", "--loglevel=INFO", "--without-gossip", "--without-mingle"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield broker
    process.terminate()
    try:
        output, _ = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    assert "Traceback" not in output, output


@pytest.mark.redis
def test_a_worker_on_redis_runs_a_task_inside_the_app_and_reaches_the_database(worker):
    from celery import Celery

    client = Celery("probe", broker=worker, backend=worker)
    deadline = time.monotonic() + 60
    result = client.send_task("portal.health_check")
    assert result.get(timeout=max(1, deadline - time.monotonic())) == "ok"
