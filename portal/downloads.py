"""A JSON file as a download: never cached, named for the person's own disk."""

from __future__ import annotations

import json

from flask import Response


def json_download(data: object, name: str) -> Response:
    body = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )
