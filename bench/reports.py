"""Benchmark: the reporting dashboard and the dossier list over 5,000 dossiers on PostgreSQL.

Builds a database of its own (the migrations, the reference data), inserts the dossiers in bulk
with their reservations, mentors, reviews, final reports and payouts (and ANALYZE, as autovacuum
would), then times GET requests
through the Flask test client signed in as an officer. Prints the median, p95 and maximum in
milliseconds, and the SQL statements per request (which must not depend on the number of dossiers).

    .venv/bin/python bench/reports.py [--dossiers 5000] [--requests 50]

Needs PostgreSQL (BENCH_POSTGRES_URL, default the local `test` database server); it makes a
database of its own and drops it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
WARM_UP = 3


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile: the value below which `share` of the values lie."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()

    import psycopg
    from flask_migrate import upgrade
    from sqlalchemy import event, text

    name = f"portal_bench_{uuid.uuid4().hex[:10]}"
    admin = POSTGRES.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    database = POSTGRES.rsplit("/", 1)[0] + f"/{name}"
    try:
        from portal import create_app
        from portal.extensions import db

        app = create_app(
            "test", {"SQLALCHEMY_DATABASE_URI": database, "FILES_PATH": tempfile.mkdtemp(prefix="portal-bench-")}
        )
        with app.app_context():
            from portal.services import reference
            from tests.conftest import make_user, sign_in
            from tests.integration.test_report_queries import Dossiers, report_call

            upgrade()
            reference.load_reference_data()
            call = report_call("ARM-BENCH")
            started = time.perf_counter()
            dossiers = Dossiers(call)
            dossiers.add(args.dossiers)
            officer = make_user("officer")
            db.session.commit()
            inserted = time.perf_counter() - started
            # The planner's statistics, as autovacuum would have gathered them after such an insert.
            db.session.execute(text("ANALYZE"))
            db.session.commit()
            client = app.test_client()
            sign_in(client, officer)
            db.session.commit()
            call_id = call.id
            expected = dossiers.expected
            engine = db.engine
        # The requests run outside that context: each gets its own, as in production.

        statements = 0

        def count(*_args: Any) -> None:
            nonlocal statements
            statements += 1

        event.listen(engine, "before_cursor_execute", count)
        pages = {
            "dashboard": f"/behandeling/rapportering?oproep={call_id}",
            "list, first page": f"/behandeling/dossiers?oproep={call_id}",
            "list, filtered, page 2": f"/behandeling/dossiers?oproep={call_id}&status=granted&zoek=an&pagina=2",
        }
        print(
            f"dossiers:        {args.dossiers} in one call ({dict(expected.states)['granted']} granted, "
            f"{sum(v[0] for v in expected.payouts.values())} payouts due), inserted in {inserted:.1f} s"
        )
        print(f"requests:        {args.requests} per page after {WARM_UP} to warm up, one at a time, Flask test client")
        print(f"{'page':<24} {'median':>8} {'p95':>8} {'max':>8}  queries/request")
        for label, path in pages.items():
            for _ in range(WARM_UP):
                assert client.get(path).status_code == 200, path
            timings: list[float] = []
            counts: set[int] = set()
            for _ in range(args.requests):
                statements = 0
                begun = time.perf_counter()
                response = client.get(path)
                timings.append((time.perf_counter() - begun) * 1000)
                assert response.status_code == 200, path
                counts.add(statements)
            shown = "/".join(str(c) for c in sorted(counts))
            print(
                f"{label:<24} {statistics.median(timings):>6.1f}ms {percentile(timings, 0.95):>6.1f}ms {max(timings):>6.1f}ms  {shown}"
            )
        event.remove(engine, "before_cursor_execute", count)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
