"""What the benches share: a database of their own, gunicorn on loopback, memory from /proc."""

from __future__ import annotations

import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def plain_url(url: str) -> str:
    """The URL as libpq and psycopg write it (no SQLAlchemy driver name)."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


@contextmanager
def own_database(prefix: str = "portal_bench") -> Iterator[str]:
    """A new PostgreSQL database on the bench server, dropped afterwards; yields its SQLAlchemy URL."""
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = plain_url(POSTGRES)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield POSTGRES.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def kib(process_id: int, field: str) -> int:
    status = Path(f"/proc/{process_id}/status").read_text()
    match = re.search(rf"^{field}:\s+(\d+) kB", status, re.M)
    assert match, field
    return int(match.group(1))


def reset_peak(process_id: int) -> int:
    """Reset a process's high-water mark (Linux: clear_refs 5); its resident memory now, in KiB."""
    Path(f"/proc/{process_id}/clear_refs").write_text("5")
    return kib(process_id, "VmRSS")


def children_of(process_id: int) -> list[int]:
    path = Path(f"/proc/{process_id}/task/{process_id}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def cpu_seconds(process_ids: list[int]) -> dict[int, float]:
    """User and system CPU each of these processes has used so far (its finished children not included)."""
    used = {}
    for process_id in process_ids:
        try:
            fields = Path(f"/proc/{process_id}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        used[process_id] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return used


def cpu_used_since(before: dict[int, float], process_ids: list[int]) -> float:
    """CPU the processes used since `before`, one taken earlier: a process started since counts whole (a
    database backend opened for the burst), one that ended since is not counted (its last moments are lost)."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in cpu_seconds(process_ids).items())


def postgres_processes() -> list[int]:
    """The PostgreSQL server's processes on this machine (its backends serve every connection)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    found.append(int(entry.name))
            except (FileNotFoundError, ProcessLookupError):
                pass
    return found


@contextmanager
def gunicorn(target: str, env: dict[str, str], chdir: Path, *, workers: int = 1, ready_path: str = "/health",
             timeout: int = 120) -> Iterator[tuple[str, list[int]]]:  # fmt: skip
    """gunicorn on loopback; yields (base URL, the workers' pids) once it answers `ready_path`."""
    port = free_port()
    master = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--timeout", str(timeout), "--backlog", "2048", target],
        cwd=chdir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_until_answering(f"http://127.0.0.1:{port}{ready_path}", master, f"gunicorn {target}")
        deadline = time.monotonic() + 30
        while len(children_of(master.pid)) < workers and time.monotonic() < deadline:
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}", children_of(master.pid)
    finally:
        master.terminate()
        master.wait(timeout=30)


def wait_until_answering(url: str, process: subprocess.Popen[bytes], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            assert time.monotonic() < deadline and process.poll() is None, f"{what} did not start"
            time.sleep(0.2)


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile (p95: fraction 0.95)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def median(values: list[float]) -> float:
    return statistics.median(values)


class CountingSink:
    """An SMTP server's handler (aiosmtpd) that accepts every message and counts them."""

    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()
        self.last_at = 0.0

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802 (aiosmtpd's name)
        with self.lock:
            self.count += 1
            self.last_at = time.monotonic()
        return "250 OK"


def submitted_dossier() -> int:
    """In the current app's new database: the schema, the reference data and one submitted dossier (whose own
    e-mails, with the receipt, are then waiting); its id."""
    from flask_migrate import upgrade

    from portal.extensions import db
    from portal.models import User
    from portal.services import applications, reference
    from tests.factories import complete_draft, municipality, open_call

    upgrade()
    reference.load_reference_data()
    applicant = User(email="bench@example.be", full_name="Bench", role="applicant", organisation=municipality("44021"))
    db.session.add(applicant)
    draft = complete_draft(applicant, open_call())
    applications.submit(draft.id, applicant, declared=True)
    db.session.commit()
    return int(draft.id)
