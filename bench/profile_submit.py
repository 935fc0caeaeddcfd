"""Where a submission's time goes: cProfile over K submissions through the real view (test client, the
production code path on PostgreSQL, the e-mails handed to Redis), after a queue of Q dossiers; with
`--in-process`, the e-mails are sent inside the request, as the embedded default's jobs run. Prints the functions with the most
cumulative time and the share of the request spent in the database driver.

    .venv/bin/python bench/profile_submit.py [--submissions 30] [--queue 0] [--top 30] [--cpu]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from burst import CSRF, portal_app, prepare_portal  # noqa: E402
from common import REDIS, median, own_database  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=30)
    parser.add_argument("--queue", type=int, default=0)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="cumulative", help="pstats order: cumulative or tottime")
    parser.add_argument("--in-process", action="store_true", help="jobs in the web process (the embedded default)")
    parser.add_argument(
        "--cpu", action="store_true", help="this process's CPU time only (what a burst runs out of), not the waits"
    )
    args = parser.parse_args()

    with own_database() as database:
        jobs = {} if args.in_process else {"CELERY_TASK_ALWAYS_EAGER": False, "CELERY_BROKER_URL": REDIS}
        app = portal_app(database, **jobs)
        _call_id, ready = prepare_portal(app, args.submissions + 1, args.queue)
        browsers = []
        for draft_id, cookie in ready:
            browser = app.test_client()  # type: ignore[attr-defined]
            browser.set_cookie("portal_session", cookie, domain=app.config["SERVER_NAME"] or "localhost")  # type: ignore[attr-defined]
            token = CSRF.search(browser.get(f"/mijn-dossiers/{draft_id}/controleren").get_data(as_text=True)).group(1)  # type: ignore[union-attr]
            browsers.append((browser, draft_id, token))

        def submit(browser: object, draft_id: int, token: str) -> None:
            response = browser.post(
                f"/mijn-dossiers/{draft_id}/controleren", data={"csrf_token": token, "declaration": "y"}
            )  # type: ignore[attr-defined]
            assert response.status_code == 302, response.status_code

        submit(*browsers[0])  # warm-up: imports and caches of the first request
        profiler = cProfile.Profile(time.process_time) if args.cpu else cProfile.Profile()
        times = []
        for browser, draft_id, token in browsers[1:]:
            started = time.perf_counter()
            profiler.enable()
            submit(browser, draft_id, token)
            profiler.disable()
            times.append(time.perf_counter() - started)
        print(
            f"{args.submissions} submissions after a queue of {args.queue}: median {median(times) * 1000:.1f} ms each (under the profiler)"
        )
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats(args.sort).print_stats(args.top)
        print(out.getvalue())
        from portal.extensions import db

        with app.app_context():  # type: ignore[attr-defined]
            db.engine.dispose()


if __name__ == "__main__":
    main()
