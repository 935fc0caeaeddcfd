"""Benchmark: upload and download of a 20 MB PDF through the shared file store (PostgreSQL), against the
framework's floor (bench/reference_app.py) in the same run, with the same gunicorn settings.

For each side a fresh gunicorn (one worker) is started per phase, so that the worker's peak memory
(VmHWM, the high-water mark of its resident memory) belongs to that phase alone:
- upload: POST the PDF as the applicant's attachment form does (multipart), N times;
- download: GET it back, reading the streamed answer, N times.
Prints the median and the worst time, and the worker's peak memory above its memory after start-up.

    .venv/bin/python bench/files.py [--megabytes 20] [--repeat 5]

Needs PostgreSQL (BENCH_POSTGRES_URL, default the local `test` database server); it makes a
database of its own and drops it. Loopback only.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import io
import os
import re
import statistics
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, gunicorn, kib, own_database, reset_peak  # noqa: E402

PASSWORD = "een-lang-wachtwoord-voor-de-bench"


def large_pdf(size: int) -> bytes:
    """A one-page PDF of about `size` bytes: its page is an uncompressed greyscale image of noise, as a
    scan would be (an embedded file would be refused as active content)."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject

    width = 1024
    noise = os.urandom(size - 1024 - (size - 1024) % width)
    content = DecodedStreamObject()
    content.set_data(
        b"q 595 0 0 842 0 0 cm BI /W %d /H %d /CS /G /BPC 8 ID\n" % (width, len(noise) // width) + noise + b"\nEI Q"
    )
    writer = PdfWriter()
    writer.add_blank_page(595, 842).replace_contents(content)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def multipart(fields: dict[str, str], document: bytes) -> tuple[bytes, str]:
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import stream_encode_multipart

    data: dict[str, object] = dict(fields)
    data["document"] = FileStorage(io.BytesIO(document), filename="plan.pdf", content_type="application/pdf")
    stream, _length, boundary = stream_encode_multipart(data, use_tempfile=False)
    return stream.getvalue(), f"multipart/form-data; boundary={boundary}"


def timed(repeat: int, action: Callable[[], int]) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return times


def read_all(opener: urllib.request.OpenerDirector, url: str) -> int:
    total = 0
    with opener.open(url, timeout=120) as response:
        while chunk := response.read(256 * 1024):
            total += len(chunk)
    return total


def report(label: str, times: list[float], peak_kib: int, megabytes: int) -> None:
    median = statistics.median(times)
    print(f"{label:<34} median {median * 1000:7.0f} ms  worst {max(times) * 1000:7.0f} ms  "
          f"{megabytes / median:6.1f} MB/s  worker peak +{peak_kib / 1024:6.1f} MiB")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    size = args.megabytes * 1024 * 1024

    from flask_migrate import upgrade

    instance = Path(tempfile.mkdtemp(prefix="portal-bench-files-"))
    with own_database() as database:
        from portal import create_app
        from portal.extensions import db
        from portal.models import User
        from portal.services import accounts, reference
        from tests.factories import complete_draft, open_call

        app = create_app("test", {"SQLALCHEMY_DATABASE_URI": database})
        with app.app_context():
            upgrade()
            reference.load_reference_data()
            applicant = User(email="bench@gent.example", full_name="Bench Gent", role="applicant", organisation=reference.municipality("44021"),
                             locale="nl", password_hash=accounts.hash_password(PASSWORD))  # fmt: skip
            db.session.add(applicant)
            draft = complete_draft(applicant, open_call("BENCH-FILES", max_attachment_mb=args.megabytes + 5))
            db.session.commit()
            draft_id = draft.id
            db.engine.dispose()

        document = large_pdf(size)
        env = {
            **os.environ,
            "PORTAL_CONFIG": "embedded",
            "DATABASE_URL": database,
            "PORTAL_INSTANCE_PATH": str(instance),
        }
        portal_results, reference_results = {}, {}

        def signed_in(base: str) -> tuple[urllib.request.OpenerDirector, str]:
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
            page = opener.open(f"{base}/inloggen").read().decode()
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
            body = urllib.parse.urlencode(
                {"csrf_token": token, "email": "bench@gent.example", "password": PASSWORD}
            ).encode()
            opener.open(f"{base}/inloggen", data=body).read()
            page = opener.open(f"{base}/mijn-dossiers/{draft_id}/bijlagen").read().decode()
            return opener, re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)

        # The portal: upload, then (a fresh worker) download.
        with gunicorn("wsgi:app", env, ROOT) as (base, (worker,)):
            opener, token = signed_in(base)
            body, content_type = multipart(
                {"csrf_token": token, "action_plan-csrf_token": token, "action_plan-upload": "y"}, document
            )
            body = body.replace(b'name="document"', b'name="action_plan-document"')

            def upload() -> int:
                request = urllib.request.Request(
                    f"{base}/mijn-dossiers/{draft_id}/bijlagen", data=body, headers={"Content-Type": content_type}
                )
                with opener.open(request, timeout=120) as response:
                    assert response.url.endswith("/bijlagen"), response.url
                    return len(response.read())

            small, small_type = multipart(
                {"csrf_token": token, "action_plan-csrf_token": token, "action_plan-upload": "y"}, large_pdf(64 * 1024)
            )
            warm_up = urllib.request.Request(f"{base}/mijn-dossiers/{draft_id}/bijlagen", data=small.replace(b'name="document"', b'name="action_plan-document"'),
                                             headers={"Content-Type": small_type})  # fmt: skip
            opener.open(warm_up, timeout=120).read()  # the first request imports what the route needs
            start_kib = reset_peak(worker)
            portal_results["upload"] = (timed(args.repeat, upload), kib(worker, "VmHWM") - start_kib)
        with gunicorn("wsgi:app", env, ROOT) as (base, (worker,)):
            opener, _token = signed_in(base)
            url = f"{base}/mijn-dossiers/{draft_id}/bijlagen/action_plan"
            read_all(opener, f"{base}/mijn-dossiers/{draft_id}/bijlagen/agreement")  # warm-up on a small file
            start_kib = reset_peak(worker)

            def download() -> int:
                got = read_all(opener, url)
                assert got == len(document), got
                return got

            portal_results["download"] = (timed(args.repeat, download), kib(worker, "VmHWM") - start_kib)

        # The floor: the same sizes through a minimal Flask app on the same gunicorn settings.
        bench_env = {**os.environ, "PYTHONPATH": str(ROOT / "bench")}
        with gunicorn("reference_app:app", bench_env, ROOT / "bench", ready_path="/source/1") as (base, (worker,)):
            opener = urllib.request.build_opener()
            ref_body, ref_type = multipart({}, document)

            def sink() -> int:
                with opener.open(
                    urllib.request.Request(f"{base}/sink", data=ref_body, headers={"Content-Type": ref_type}),
                    timeout=120,
                ) as response:
                    return int(response.read())

            sink()
            start_kib = reset_peak(worker)
            reference_results["upload"] = (timed(args.repeat, sink), kib(worker, "VmHWM") - start_kib)
        with gunicorn("reference_app:app", bench_env, ROOT / "bench", ready_path="/source/1") as (base, (worker,)):
            opener = urllib.request.build_opener()
            read_all(opener, f"{base}/source/{len(document)}")
            start_kib = reset_peak(worker)
            reference_results["download"] = (
                timed(args.repeat, lambda: read_all(opener, f"{base}/source/{len(document)}")),
                kib(worker, "VmHWM") - start_kib,
            )

        print(
            f"{args.megabytes} MB PDF ({len(document):,} bytes), {args.repeat} times each, one gunicorn worker per phase, PostgreSQL store"
        )
        for phase in ("upload", "download"):
            report(f"portal {phase}", *portal_results[phase], args.megabytes)
            report(f"floor (minimal Flask) {phase}", *reference_results[phase], args.megabytes)
            ratio = statistics.median(portal_results[phase][0]) / statistics.median(reference_results[phase][0])
            print(f"  {phase}: the portal takes {ratio:.1f} times the floor's time")
        print(
            f"files written to the web machine's own instance folder: {sum(1 for _ in instance.rglob('*') if _.is_file() and _.parent.name == 'files')}"
        )


if __name__ == "__main__":
    main()
