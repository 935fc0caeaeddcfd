"""`python -m worker`: Celery's worker command, without the umbrella command's other subcommands."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _python(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_the_worker_entry_point_takes_celery_workers_own_options() -> None:
    shown = _python("-m", "worker", "--help")
    assert shown.returncode == 0, shown.stderr
    for option in ("--pool", "--concurrency", "--loglevel", "--without-gossip", "--beat", "--queues"):
        assert option in shown.stdout


def test_the_worker_entry_point_loads_no_interactive_shell() -> None:
    # The 9 MiB a worker saves: `celery amqp`'s shell, which the umbrella command `celery` imports.
    loaded = _python(
        "-c",
        "import sys, worker.__main__; "
        "print(sorted(m for m in ('click_repl', 'prompt_toolkit', 'celery.bin.celery') if m in sys.modules))",
    )
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.strip() == "[]"
