"""Benchmark: the opening burst. N governments, each signed in with a complete draft, submit at the same
instant over HTTP; in the same run, with the same client and gunicorn settings, the framework's floor
(bench/floor_reservation_app.py: one authenticated, CSRF-checked reservation on the same PostgreSQL).
After the submissions, the same governments send the portal's lightest signed-in write (marking their
messages read) at the same instant: what the portal costs around any form, apart from what a submission does.

    .venv/bin/python bench/burst.py [--governments 300] [--queue 0] [--workers 4] [--embedded]

- The portal runs in the production configuration (PostgreSQL, Redis as broker and throttling store,
  gunicorn with --workers), as a production trial (plain HTTP on loopback). No Celery worker runs: the
  e-mails wait in Redis, as they would while the workers catch up.
- `--queue 5000`: that many dossiers are submitted (through the same service) before the burst.
- `--embedded`: the embedded default too (SQLite, jobs in this web process, `flask run`), same burst.
- `--py-spy FILE`: py-spy samples the portal's gunicorn workers during its burst only (not while the
  forms are fetched beforehand) and writes FILE in py-spy's raw format (one folded stack per line).
Prints rate, p50 and p95 of each side (each latency from the common start), their ratios, the queries
of one submission (before and after the burst), and checks that the envelope held and that the
reservations follow the order of submission. Needs PostgreSQL and Redis (BENCH_POSTGRES_URL,
BENCH_REDIS_URL); makes a database of its own and drops it.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    REDIS,
    ROOT,
    cpu_seconds,
    cpu_used_since,
    free_port,
    gunicorn,
    median,
    own_database,
    percentile,
    plain_url,
    postgres_processes,
    wait_until_answering,
)

SECRET_KEY = "bench-burst-secret-key-0123456789-abcdefghijklmnop"
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@dataclass
class Client:
    """One government's browser: its cookie, the form it posts, where it posts it."""

    path: str
    cookie: str
    body: bytes
    status: int = 0
    location: str = ""
    seconds: float = 0.0


@dataclass(frozen=True)
class Outcome:
    label: str
    seconds: list[float]
    wall: float
    web_cpu: float = 0.0  # seconds of CPU the web workers used during the burst
    database_cpu: float = 0.0  # and PostgreSQL's processes

    def cpu_line(self) -> str:
        count = len(self.seconds)
        return (f"  CPU per request ({self.label.split(' (')[0]}): web workers {self.web_cpu / count * 1000:.1f} ms, "
                f"PostgreSQL {self.database_cpu / count * 1000:.1f} ms")  # fmt: skip

    @property
    def rate(self) -> float:
        return len(self.seconds) / self.wall

    def line(self) -> str:
        return (f"{self.label:<46} {self.rate:7.1f} /s   p50 {median(self.seconds) * 1000:6.0f} ms   "
                f"p95 {percentile(self.seconds, 0.95) * 1000:6.0f} ms")  # fmt: skip


def _cookie_from(response: http.client.HTTPResponse, name: str, cookie: str) -> str:
    for header in response.headers.get_all("Set-Cookie") or []:
        if header.startswith(f"{name}="):
            return header.split(";", 1)[0]
    return cookie


def fetch_form(base: str, client: Client, page: str, cookie_name: str) -> str:
    """GET the page that holds the form (as the browser did before clicking); the CSRF token."""
    url = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
    connection.request("GET", page, headers={"Cookie": client.cookie})
    response = connection.getresponse()
    text = response.read().decode()
    assert response.status == 200, (page, response.status, text[:300])
    client.cookie = _cookie_from(response, cookie_name, client.cookie)
    connection.close()
    match = CSRF.search(text)
    return match.group(1) if match else text.strip()


def burst(base: str, clients: list[Client]) -> float:
    """Every client posts at the same instant (connections opened beforehand); the wall time."""
    url = urllib.parse.urlsplit(base)
    connections = [http.client.HTTPConnection(url.hostname, url.port, timeout=300) for _ in clients]
    for connection in connections:
        connection.connect()
    start = threading.Barrier(len(clients) + 1)
    began: list[float] = []

    def post(index: int) -> None:
        start.wait()
        _post(connections[index], clients[index], began[0])

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    began.append(time.perf_counter())
    start.wait()
    for thread in threads:
        thread.join()
    return max(c.seconds for c in clients)


def _post(connection: http.client.HTTPConnection, client: Client, since: float) -> None:
    connection.request("POST", client.path, body=client.body,
                       headers={"Cookie": client.cookie, "Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    response = connection.getresponse()
    response.read()
    client.seconds = time.perf_counter() - since
    client.status, client.location = response.status, response.headers.get("Location", "")
    connection.close()


def one_at_a_time(base: str, clients: list[Client]) -> list[float]:
    """Each client submits alone, after the previous one was answered; each one's seconds."""
    url = urllib.parse.urlsplit(base)
    for client in clients:
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
        connection.connect()
        _post(connection, client, time.perf_counter())
        assert client.status == 302 and client.location.endswith("/bevestiging"), (client.status, client.location)
    return [c.seconds for c in clients]


# --- the portal -----------------------------------------------------------------------------------


def portal_app(database: str, config: str = "test", **overrides: object) -> object:
    from portal import create_app

    return create_app(
        config,
        {
            "SQLALCHEMY_DATABASE_URI": database,
            "SECRET_KEY": SECRET_KEY,
            "RATELIMIT_STORAGE_URI": "memory://",
            **overrides,
        },
    )


def prepare_portal(app: object, governments: int, queue: int) -> tuple[int, list[tuple[int, str]]]:
    """The call, `queue` dossiers already submitted, and `governments` signed-in drafts ready to submit.
    Returns the call's id and, per draft, its id and the session cookie's value."""
    from flask_migrate import upgrade

    from portal.extensions import db
    from portal.models import Call, User
    from portal.services import accounts, reference
    from tests.factories import complete_draft, open_call

    with app.app_context():  # type: ignore[attr-defined]
        upgrade()
        reference.load_reference_data()
        call_id = open_call("BURST").id
        db.session.commit()
    fill_queue(app, call_id, queue)
    with app.app_context():  # type: ignore[attr-defined]
        call = db.session.get(Call, call_id)
        municipalities = _municipalities()
        serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
        ready = []
        for number in range(governments):
            user = User(email=f"burst-{number}@bestuur.example", full_name=f"Indiener {number}", role="applicant",
                        organisation=municipalities[number % len(municipalities)], locale="nl")  # fmt: skip
            db.session.add(user)
            draft_id = complete_draft(
                user, call, receiving_nis=municipalities[(number + 1) % len(municipalities)].nis_code
            ).id
            token = accounts.start_session(user, "bench").cookie_token
            ready.append((draft_id, serializer.dumps({"_user_id": token, "_fresh": True})))
        db.session.commit()
        db.engine.dispose()
    return call_id, ready


def _municipalities() -> list[object]:
    from sqlalchemy import select

    from portal.extensions import db
    from portal.models import Organisation
    from portal.models.organisations import OrganisationKind

    return list(
        db.session.scalars(
            select(Organisation).where(Organisation.kind == OrganisationKind.MUNICIPALITY).order_by(Organisation.id)
        )
    )


def fill_queue(app: object, call_id: int, count: int) -> None:
    """`count` more dossiers submitted through the service, as governments before the measured ones."""
    from sqlalchemy import func, select

    from portal.extensions import db
    from portal.models import Call, User
    from portal.services import applications
    from tests.factories import complete_draft

    if not count:
        return
    started = time.perf_counter()
    with app.app_context():  # type: ignore[attr-defined]
        call = db.session.get(Call, call_id)
        municipalities = _municipalities()
        first = int(db.session.scalar(select(func.count()).select_from(User)) or 0)
        for number in range(first, first + count):
            user = User(email=f"before-{number}@bestuur.example", full_name=f"Eerder {number}", role="applicant",
                        organisation=municipalities[number % len(municipalities)], locale="nl")  # fmt: skip
            db.session.add(user)
            draft = complete_draft(
                user, call, receiving_nis=municipalities[(number + 1) % len(municipalities)].nis_code
            )
            applications.submit(draft.id, user, declared=True)
            # Gone since: the measured governments are told of their own submission, as in an empty
            # queue, not every earlier applicant of the same municipality as well.
            user.is_active = False
            if number % 100 == 99:
                db.session.commit()
        db.session.commit()
        db.engine.dispose()
    print(f"queue: {count} more submitted dossiers made in {time.perf_counter() - started:.0f} s")


def portal_clients(base: str, ready: list[tuple[int, str]]) -> list[Client]:
    clients = []
    for draft_id, session in ready:
        client = Client(f"/mijn-dossiers/{draft_id}/controleren", f"portal_session={session}", b"")
        token = fetch_form(base, client, client.path, "portal_session")
        client.body = urllib.parse.urlencode(
            {"csrf_token": token, "declaration": "y", "submit": "Aanvraag indienen"}
        ).encode()
        clients.append(client)
    return clients


# The portal's lightest signed-in write, for the same governments after their submissions: sign-in, CSRF,
# one UPDATE (their messages marked read), commit, redirect. What the portal costs around any signed-in form
# (its session, access rules, headers, metrics), apart from what a submission does.
LIGHTEST = "/account/berichten/gelezen"


def lightest_clients(submitted: list[Client]) -> list[Client]:
    clients = []
    for client in submitted:
        token = urllib.parse.parse_qs(client.body.decode())["csrf_token"][0]
        clients.append(Client(LIGHTEST, client.cookie, urllib.parse.urlencode({"csrf_token": token}).encode()))
    return clients


def check_lightest(clients: list[Client]) -> None:
    answers = {(c.status, c.location.rsplit("/", 1)[-1]) for c in clients}
    assert answers == {(302, "berichten")}, answers


def check_portal(app: object, call_id: int, clients: list[Client]) -> str:
    """The envelope held, every reservation follows the submission order, every government was answered."""
    from sqlalchemy import select

    from portal.extensions import db
    from portal.models import Application, Call, Reservation
    from portal.services.budget import IN_QUEUE
    from workflows.budget import Claim, ShortfallPolicy, allocate

    refused = [(c.status, c.location) for c in clients if c.status != 302 or not c.location.endswith("/bevestiging")]
    assert not refused, f"{len(refused)} submissions not confirmed, e.g. {refused[:3]}"
    with app.app_context():  # type: ignore[attr-defined]
        call = db.session.get(Call, call_id)
        queue = list(
            db.session.scalars(
                select(Application)
                .where(Application.call_id == call_id, Application.state.in_(IN_QUEUE))
                .order_by(Application.queue_number)
            )
        )
        reservations = {
            r.application_id: r for r in db.session.scalars(select(Reservation).where(Reservation.call_id == call_id))
        }
        moments = [a.submitted_at for a in queue]
        assert moments == sorted(moments), "the queue is not in the order of submission"
        assert call.reserved_cents + call.committed_cents <= call.envelope_cents, "the envelope did not hold"
        assert sum(r.reserved_cents for r in reservations.values()) == call.reserved_cents
        expected = allocate(
            call.envelope_cents,
            call.committed_cents,
            [Claim(a.id, a.requested_cents or 0) for a in queue],
            ShortfallPolicy(call.shortfall_policy),
        )
        for position in expected.positions:
            held = reservations[position.application_id]
            assert (held.standing, held.reserved_cents) == (position.standing, position.reserved_cents), (
                position,
                held.standing,
                held.reserved_cents,
            )
        reserved = sum(1 for r in reservations.values() if r.standing == "reserved")
        summary = (f"envelope held: {call.reserved_cents / 100:,.2f} of {call.envelope_cents / 100:,.2f} EUR reserved by {reserved} dossiers, "
                   f"{len(queue) - reserved} waiting, all {len(queue)} in the order of submission")  # fmt: skip
        db.engine.dispose()
    return summary


def queries_of_one_submission(app: object, call_id: int) -> int:
    """Statements one submission runs (the whole request: session, checks, the submission), counted in
    this process through the same view."""
    from sqlalchemy import event

    from portal.extensions import db
    from portal.models import Call, Organisation, User
    from portal.services import accounts
    from tests.factories import complete_draft

    with app.app_context():  # type: ignore[attr-defined]
        call = db.session.get(Call, call_id)
        organisation = db.session.query(Organisation).filter(Organisation.nis_code == "44021").one()
        user = User(
            email=f"burst-count-{time.monotonic_ns()}@bestuur.example",
            full_name="Teller",
            role="applicant",
            organisation=organisation,
            locale="nl",
        )
        db.session.add(user)
        draft_id = complete_draft(user, call, receiving_nis="11002").id
        token = accounts.start_session(user, "bench").cookie_token
        db.session.commit()
        engine = db.engine
    browser = app.test_client()  # type: ignore[attr-defined]
    with browser.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True
    page = browser.get(f"/mijn-dossiers/{draft_id}/controleren").get_data(as_text=True)
    token = CSRF.search(page).group(1)  # type: ignore[union-attr]
    statements: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        response = browser.post(
            f"/mijn-dossiers/{draft_id}/controleren", data={"csrf_token": token, "declaration": "y"}
        )
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 302 and response.headers["Location"].endswith("/bevestiging"), response.status_code
    with app.app_context():  # type: ignore[attr-defined]
        db.engine.dispose()
    return len(statements)


# --- the floor --------------------------------------------------------------------------------------


def prepare_floor(database: str, governments: int) -> None:
    import psycopg

    with psycopg.connect(plain_url(database), autocommit=True) as conn:
        conn.execute("CREATE TABLE floor_user (id integer PRIMARY KEY, email varchar(200) NOT NULL)")
        conn.execute(
            "CREATE TABLE floor_call (id integer PRIMARY KEY, envelope_cents bigint NOT NULL, reserved_cents bigint NOT NULL DEFAULT 0)"
        )
        conn.execute("""CREATE TABLE floor_reservation (id serial PRIMARY KEY, call_id integer NOT NULL REFERENCES floor_call,
                        user_id integer NOT NULL UNIQUE REFERENCES floor_user, reserved_cents bigint NOT NULL,
                        standing varchar(10) NOT NULL, created_at timestamptz NOT NULL DEFAULT now())""")
        conn.execute("INSERT INTO floor_call VALUES (1, 25000000, 0)")
        with conn.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO floor_user VALUES (%s, %s)",
                [(n, f"floor-{n}@bestuur.example") for n in range(1, governments + 1)],
            )


def floor_clients(base: str, governments: int) -> list[Client]:
    clients = []
    for number in range(1, governments + 1):
        client = Client("/reserve", "", b"")
        token = fetch_form(base, client, f"/sign-in/{number}", "session")
        client.body = urllib.parse.urlencode({"csrf_token": token}).encode()
        clients.append(client)
    return clients


def check_floor(database: str, clients: list[Client]) -> None:
    import psycopg

    assert all(c.status == 302 for c in clients), [c.status for c in clients if c.status != 302][:5]
    with psycopg.connect(plain_url(database)) as conn:
        reserved, envelope = conn.execute("SELECT reserved_cents, envelope_cents FROM floor_call").fetchone()  # type: ignore[misc]
        count = conn.execute("SELECT count(*) FROM floor_reservation").fetchone()[0]  # type: ignore[index]
    assert reserved <= envelope and count == len(clients)


# --- the embedded default ---------------------------------------------------------------------------


@contextmanager
def flask_run(env: dict[str, str], log: object) -> Iterator[tuple[str, int]]:
    """The embedded default as `make run` starts it: `flask run` (threaded), jobs in this process; its
    address and process id."""
    port = free_port()
    process = subprocess.Popen([str(ROOT / ".venv/bin/flask"), "--app", "wsgi", "run", "--host", "127.0.0.1", "--port", str(port)],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)  # fmt: skip
    try:
        wait_until_answering(f"http://127.0.0.1:{port}/health", process, "flask run")
        yield f"http://127.0.0.1:{port}", process.pid
    finally:
        process.terminate()
        process.wait(timeout=60)


def run_side(
    label: str, base: str, make_clients: Callable[[], list[Client]], workers: list[int], spy_to: str | None = None
) -> tuple[Outcome, list[Client]]:
    """One side's burst, with the CPU its web workers and PostgreSQL used meanwhile; `spy_to`: py-spy
    samples the web workers into that file."""
    clients = make_clients()
    web_before, database_before = cpu_seconds(workers), cpu_seconds(postgres_processes())
    with py_spy(workers[0], spy_to) if spy_to else nullcontext():
        wall = burst(base, clients)
    web, database = cpu_used_since(web_before, workers), cpu_used_since(database_before, postgres_processes())
    return Outcome(label, [c.seconds for c in clients], wall, web, database), clients


@contextmanager
def py_spy(worker_pid: int, output: str) -> Iterator[None]:
    """py-spy records the gunicorn master of `worker_pid` and its workers until the block ends."""
    master = int(Path(f"/proc/{worker_pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    spy = subprocess.Popen(
        [str(ROOT / ".venv/bin/py-spy"), "record", "--pid", str(master), "--subprocesses", "--rate", "200",
         "--format", "raw", "--output", output, "--nonblocking"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    time.sleep(2)  # py-spy says nothing until it ends when its output is no terminal: time to attach
    try:
        yield
    finally:
        spy.send_signal(signal.SIGINT)
        spy.wait(timeout=60)


def latency_against_queue(count: int, queue: int, workers: int) -> None:
    """Does a submission cost more when the queue is long? The same K-by-K measurement on one server,
    before and after `queue` dossiers joined the queue."""
    with own_database() as database:
        app = portal_app(database, CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL=REDIS)
        call_id, ready = prepare_portal(app, 2 * count, 0)
        env = {**os.environ, "SECRET_KEY": SECRET_KEY, "PORTAL_CONFIG": "production", "PRODUCTION_TRIAL": "true", "DATABASE_URL": database,
               "CELERY_BROKER_URL": REDIS, "RATELIMIT_STORAGE_URI": REDIS, "PUBLIC_BASE_URL": "http://127.0.0.1",
               "PORTAL_INSTANCE_PATH": tempfile.mkdtemp(prefix="portal-bench-latency-"), "PROXY_COUNT": "0"}  # fmt: skip
        with gunicorn("wsgi:app", env, ROOT, workers=workers) as (base, _workers):
            clients = portal_clients(base, ready)
            one_at_a_time(base, clients[:3])  # warm-up: every worker's first request imports and caches
            first = one_at_a_time(base, clients[3:count])
            fill_queue(app, call_id, queue)
            later = one_at_a_time(base, clients[count + 3 :])
        print(f"one submission at a time: median {median(first) * 1000:.1f} ms into an empty queue, "
              f"{median(later) * 1000:.1f} ms after {queue} more ({median(later) / median(first):.2f} times)")  # fmt: skip
        with app.app_context():  # type: ignore[attr-defined]
            from portal.extensions import db

            db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--governments", type=int, default=300)
    parser.add_argument("--queue", type=int, default=0, help="dossiers already submitted before the burst")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--embedded", action="store_true", help="also burst the embedded default (SQLite, flask run)")
    parser.add_argument("--py-spy", metavar="FILE", help="sample the portal's workers during its burst into FILE")
    parser.add_argument("--latency", type=int, default=0, metavar="K",
                        help="instead of a burst: K submissions one at a time into an empty queue, then --queue more dossiers, then K more")  # fmt: skip
    args = parser.parse_args()
    if args.latency:
        latency_against_queue(args.latency, args.queue, args.workers)
        return

    import redis
    from aiosmtpd.controller import Controller

    class Sink:
        async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802 (aiosmtpd's name)
            return "250 OK"

    smtp_port = free_port()
    sink = Controller(Sink(), hostname="127.0.0.1", port=smtp_port)
    sink.start()
    broker = redis.Redis.from_url(REDIS)
    broker.flushdb()
    instance = Path(tempfile.mkdtemp(prefix="portal-bench-burst-"))
    base_env = {
        **os.environ,
        "SECRET_KEY": SECRET_KEY,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_port),
        "MAIL_BACKEND": "smtp",
    }
    print(f"{args.governments} governments submit at the same instant; queue before: {args.queue}; "
          f"gunicorn --workers {args.workers}; {os.cpu_count()} cores")  # fmt: skip
    try:
        with own_database() as database:
            # The production path: e-mails handed to Redis after the commit, not sent in the request.
            app = portal_app(database, CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL=REDIS)
            call_id, ready = prepare_portal(app, args.governments, args.queue)
            queries_before = queries_of_one_submission(app, call_id)
            prepare_floor(database, args.governments)
            env = {**base_env, "PORTAL_CONFIG": "production", "PRODUCTION_TRIAL": "true", "DATABASE_URL": database,
                   "CELERY_BROKER_URL": REDIS, "RATELIMIT_STORAGE_URI": REDIS, "PUBLIC_BASE_URL": "http://127.0.0.1",
                   "PORTAL_INSTANCE_PATH": str(instance), "PROXY_COUNT": "0"}  # fmt: skip
            with gunicorn("wsgi:app", env, ROOT, workers=args.workers) as (base, workers):
                portal, clients = run_side(
                    "the portal's submit (production)", base, lambda: portal_clients(base, ready), workers, args.py_spy
                )
                lightest, lightest_answers = run_side(
                    "the portal's lightest signed-in POST", base, lambda: lightest_clients(clients), workers
                )
            check_lightest(lightest_answers)
            floor_env = {
                **os.environ,
                "SECRET_KEY": SECRET_KEY,
                "DATABASE_URL": database,
                "PYTHONPATH": str(ROOT / "bench"),
            }
            with gunicorn("floor_reservation_app:app", floor_env, ROOT / "bench", workers=args.workers) as (
                base,
                workers,
            ):
                floor, floor_answers = run_side(
                    "the floor: minimal Flask reservation", base, lambda: floor_clients(base, args.governments), workers
                )
            check_floor(database, floor_answers)
            print(portal.line())
            print(floor.line())
            print(lightest.line())
            print(portal.cpu_line())
            print(floor.cpu_line())
            print(lightest.cpu_line())
            print(f"  ratio to the floor: rate {portal.rate / floor.rate:.2f}, "
                  f"p95 {percentile(portal.seconds, 0.95) / percentile(floor.seconds, 0.95):.2f} times the floor's")  # fmt: skip
            print(f"  the portal's lightest signed-in POST ({LIGHTEST}): rate {lightest.rate / floor.rate:.2f} of the "
                  f"floor's, p95 {percentile(lightest.seconds, 0.95) / percentile(floor.seconds, 0.95):.2f} times")  # fmt: skip
            print(f"  {check_portal(app, call_id, clients)}")
            queries_after = queries_of_one_submission(app, call_id)
            print(f"  queries of one submission (whole request): {queries_before} with {args.queue} in the queue, "
                  f"{queries_after} with {args.queue + args.governments + 1}")  # fmt: skip
        if args.embedded:
            embedded_instance = Path(tempfile.mkdtemp(prefix="portal-bench-embedded-"))
            sqlite = f"sqlite:///{embedded_instance / 'portal.sqlite'}"
            app = portal_app(sqlite, "embedded")
            call_id, ready = prepare_portal(app, args.governments, args.queue)
            env = {
                **base_env,
                "PORTAL_CONFIG": "embedded",
                "DATABASE_URL": sqlite,
                "PORTAL_INSTANCE_PATH": str(embedded_instance),
            }
            with open(embedded_instance / "server.log", "w") as log, flask_run(env, log) as (base, server):
                embedded, clients = run_side(
                    "the embedded default's submit (SQLite)", base, lambda: portal_clients(base, ready), [server]
                )
            print(embedded.line())
            print(f"  (the server's log: {embedded_instance / 'server.log'})")
            print(f"  the embedded default reaches {embedded.rate / portal.rate:.2f} of production's rate")
            print(f"  {check_portal(app, call_id, clients)}")
    finally:
        sink.stop()
        broker.flushdb()


if __name__ == "__main__":
    main()
