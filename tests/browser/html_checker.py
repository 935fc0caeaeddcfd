"""The Nu HTML Checker (the W3C validator, npm package vnu-jar) as a local service for the browser tests.

Every HTML page the portal sends while a browser test runs is checked as the server sent it, not as Chromium
re-serialises it: a parser repairs what the checker must see (an attribute written twice, a stray end tag).
The checker runs once per test session as its own HTTP service (a JVM start per page would cost seconds).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
MISSING = "the Nu HTML checker needs Java and node_modules/vnu-jar (make test installs both)"


def available() -> bool:
    return VNU_JAR.exists() and shutil.which("java") is not None


@dataclass(frozen=True)
class Problem:
    page: str
    line: int
    message: str
    extract: str

    def __str__(self) -> str:
        return f"{self.page} line {self.line}: {self.message}\n    {self.extract.strip()}"


class NuChecker:
    def __init__(self, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}/?out=json"
        self.process = subprocess.Popen(
            [
                "java",
                "-Xss1m",
                "-Dnu.validator.servlet.bind-address=127.0.0.1",
                "-cp",
                str(VNU_JAR),
                "nu.validator.servlet.Main",
                str(port),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._wait_until_ready(port)

    def _wait_until_ready(self, port: int, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the Nu HTML checker stopped at start (exit code {self.process.returncode})")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2):
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.3)
        raise RuntimeError(f"the Nu HTML checker did not answer on port {port} within {timeout:.0f} s")

    def errors(self, page: str, html: bytes) -> list[Problem]:
        """Every error the checker reports (warnings and information are not failures)."""
        # S310: the address is the local checker this module started, always http.
        request = urllib.request.Request(self.url, data=html, headers={"Content-Type": "text/html; charset=utf-8"})  # noqa: S310
        with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310
            messages = json.load(answer)["messages"]
        return [
            Problem(page, message.get("lastLine", 0), message["message"], message.get("extract", ""))
            for message in messages
            if message["type"] in ("error", "non-document-error")
        ]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
