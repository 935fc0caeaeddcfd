"""Prometheus metrics: requests by route and status per process, and the portal's figures at each scrape.

Under gunicorn with several workers, prometheus-client's multiprocess mode (PROMETHEUS_MULTIPROC_DIR,
set for every process before it starts) adds up the request counts of all of them; the figures
(dossiers, budget, notifications, the worker queue) come from the database and the broker.
"""

from __future__ import annotations

import time
from typing import Any

from flask import Flask, Response, g, request
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector

from portal.services import operations

REQUESTS = Counter(
    "portal_http_requests_total", "HTTP requests answered, by route and status", ["endpoint", "method", "status"]
)
LATENCY = Histogram("portal_http_request_seconds", "Time to answer a request, by route", ["endpoint"])


def init_metrics(app: Flask) -> None:
    @app.before_request
    def _start_clock() -> None:
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _count(response: Response) -> Response:
        endpoint = request.endpoint or "unknown"  # never the raw path: ids would make endless series
        REQUESTS.labels(endpoint, request.method, str(response.status_code)).inc()
        started = g.get("metrics_started")
        if started is not None:
            LATENCY.labels(endpoint).observe(time.perf_counter() - started)
        return response


class _Figures:
    """The portal's figures as metric families, read when Prometheus asks."""

    def collect(self) -> Any:
        data = operations.figures()
        budget = GaugeMetricFamily(
            "portal_budget_cents",
            "The envelope and what is reserved, committed and paid, per call",
            labels=["call", "figure"],
        )
        for code, amounts in data["budget"]:
            for figure, cents in amounts.items():
                budget.add_metric([code, figure], cents)
        yield budget
        dossiers = GaugeMetricFamily("portal_dossiers", "Dossiers per call and state", labels=["call", "state"])
        for code, state, count in data["dossiers"]:
            dossiers.add_metric([code, state], count)
        yield dossiers
        submissions = CounterMetricFamily(
            "portal_submissions", "Submissions (resubmissions included) per call", labels=["call"]
        )
        for code, count in data["submissions"]:
            submissions.add_metric([code], count)
        yield submissions
        notifications = GaugeMetricFamily(
            "portal_notifications", "Notifications per delivery status (pending, sent, failed, ...)", labels=["status"]
        )
        for status, count in data["notifications"]:
            notifications.add_metric([status], count)
        yield notifications
        yield GaugeMetricFamily(
            "portal_notifications_not_handed_over",
            "Pending notifications not yet handed to the broker",
            value=data["notifications_not_handed_over"],
        )
        if data["worker_queue_length"] is not None:
            yield GaugeMetricFamily(
                "portal_worker_queue_length",
                "Messages waiting for a worker in the broker",
                value=data["worker_queue_length"],
            )


def exposition(multiprocess_dir: str | None) -> Response:
    """The metrics page: this process's (or all processes') request metrics, then the figures."""
    if multiprocess_dir:
        requests_registry = CollectorRegistry()
        MultiProcessCollector(requests_registry, path=multiprocess_dir)
        processes = generate_latest(requests_registry)
    else:
        processes = generate_latest(REGISTRY)
    figures_registry = CollectorRegistry()
    figures_registry.register(_Figures())  # type: ignore[arg-type]
    return Response(processes + generate_latest(figures_registry), mimetype=CONTENT_TYPE_LATEST)
