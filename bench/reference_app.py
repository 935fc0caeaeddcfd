"""The framework's floor for a file: a minimal Flask app that takes a multipart upload whole (as the
portal's upload form does) and streams a download from memory in 1 MiB chunks. bench/files.py
serves it with the same gunicorn settings as the portal and measures both in the same run."""

from __future__ import annotations

from collections.abc import Iterator

from flask import Flask, Response, request

app = Flask(__name__)
app.config["MAX_CONTENT_LENGTH"] = 55 * 1024 * 1024
CHUNK = 1024 * 1024


@app.post("/sink")
def sink() -> str:
    data = request.files["document"].read()
    return str(len(data))


@app.get("/source/<int:size>")
def source(size: int) -> Response:
    block = b"x" * CHUNK

    def chunks() -> Iterator[bytes]:
        left = size
        while left > 0:
            yield block[: min(CHUNK, left)]
            left -= CHUNK

    return Response(chunks(), mimetype="application/pdf", headers={"Content-Length": str(size)})
