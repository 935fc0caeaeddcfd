"""The operators' endpoints: `/health` for a load balancer, `/metrics` for Prometheus (with its token)."""

from __future__ import annotations

import hmac

from flask import Blueprint, abort, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from flask_talisman import Talisman

from portal.access import public
from portal.metrics import exposition
from portal.services import operations

bp = Blueprint("ops", __name__)

# A load balancer and Prometheus ask over the internal network, in plain HTTP. Talisman's per-view options
# are stored on the view itself, so they need no instance bound to an app.
plain_http_too = Talisman()(force_https=False)


@bp.get("/health")
@public
@plain_http_too
def health() -> ResponseReturnValue:
    """200 when the database and the broker answer, else 503; what answers, never where it lives."""
    found = operations.health()
    body = {
        "status": "ok" if found.ok else "unavailable",
        "database": "ok" if found.database else "unavailable",
        "broker": "in-process" if found.broker is None else ("ok" if found.broker else "unavailable"),
    }
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if found.ok else 503


@bp.get("/metrics")
@public
@plain_http_too
def metrics() -> ResponseReturnValue:
    """Only with the operators' token (METRICS_TOKEN); without one configured, or with a wrong one, the
    page does not exist (404), so its path says nothing to anyone else."""
    expected = current_app.config["METRICS_TOKEN"]
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        abort(404)
    return exposition(current_app.config["PROMETHEUS_MULTIPROC_DIR"])
