"""The benches work: each runs end to end with a small N and reports its checks. Their figures are not
judged here (this machine is shared); the README and bench/*.md hold the measured ones."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.services import USE_POSTGRES, USE_REDIS

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.skipif(
        not (USE_POSTGRES and USE_REDIS), reason="the benches run on PostgreSQL and Redis, not reachable here"
    ),
]


def _bench(*args: str) -> str:
    done = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


def test_the_burst_bench_submits_checks_the_envelope_and_order_and_compares_with_the_floor():
    out = _bench("bench/burst.py", "--governments", "6", "--queue", "3", "--workers", "2", "--embedded")
    assert "the floor: minimal Flask reservation" in out and "ratio to the floor" in out
    assert "the portal's lightest signed-in POST (/account/berichten/gelezen): rate" in out
    assert out.count("envelope held") == 2  # production and the embedded default
    assert "all 10 in the order of submission" in out  # 3 before, 6 at once, the one whose queries were counted


def test_the_files_bench_uploads_and_downloads_through_the_store():
    out = _bench("bench/files.py", "--megabytes", "1", "--repeat", "1")
    assert "portal download" in out and "files written to the web machine's own instance folder: 0" in out


def test_the_notifications_bench_delivers_through_a_worker_and_reports_rate_and_memory():
    out = _bench("bench/notifications.py", "--count", "60")
    assert "delivered (SMTP 250): 60" in out and "rows marked sent: 60" in out
    assert "e-mails/s" in out and "worker peak memory:" in out


def test_the_delivery_profile_runs_the_worker_task_in_batches():
    out = _bench("bench/profile_delivery.py", "--count", "30", "--batch", "10", "--top", "5")
    assert "30 e-mails in" in out and "rows sent 31" in out
