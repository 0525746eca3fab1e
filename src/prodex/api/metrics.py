"""Prometheus metrics of the API: requests by route, status and business code, and latency.

Each app owns its registry (no process-global state), exposed at ``/metrics``. With several
server processes each process reports its own counters.
"""

from __future__ import annotations

from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class HttpMetrics:
    """The request counter and latency histogram of one app, in their own registry."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        self.requests = Counter(
            "prodex_http_requests",
            "HTTP requests served, by method, route template, HTTP status and business code.",
            ["method", "route", "status", "code"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "prodex_http_request_duration_seconds",
            "Time from receiving a request to sending the end of its response.",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        # Label look-ups cost more than the update; the label sets are bounded (route templates).
        self._children: dict[tuple[str, str, int, int | None], tuple[Any, Any]] = {}

    def observe(self, method: str, route: str, status: int, code: int | None, seconds: float) -> None:
        """Count one finished request and record its duration."""
        key = (method, route, status, code)
        children = self._children.get(key)
        if children is None:
            children = self._children[key] = (
                self.requests.labels(method, route, str(status), "" if code is None else str(code)),
                self.latency.labels(method, route),
            )
        children[0].inc()
        children[1].observe(seconds)

    def render(self) -> bytes:
        """Every metric in the Prometheus text format."""
        return generate_latest(self.registry)
