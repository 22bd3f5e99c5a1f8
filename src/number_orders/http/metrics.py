"""Prometheus metrics: requests by route template and status, latency, and the outbox depth.

Each application owns its registry (several can live in one test process). With several
server processes, `PROMETHEUS_MULTIPROC_DIR` (set by `server.serve`) makes every process
write its samples to files there and a scrape of any process adds them all up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from number_orders.errors import StoreUnavailable

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    def __init__(self, outbox_depth: Callable[[], int], multiprocess_dir: str | None) -> None:
        self.multiprocess_dir = multiprocess_dir
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "number_orders_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "number_orders_http_request_duration_seconds",
            "Time from the request's arrival to the end of its response.",
            ["method", "route"],
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.outbox = _OutboxDepth(outbox_depth)
        # Each label combination's children, found once: `labels()` takes a lock and
        # builds keys on every call. Bounded like the labels themselves.
        self._children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        children = self._children.get((method, route, status))
        if children is None:
            children = self._children_of(method, route, status)
        children[0].inc()
        children[1].observe(seconds)

    def _children_of(self, method: str, route: str, status: int) -> tuple[Counter, Histogram]:
        label = method if method in _METHODS else "other"  # bounded label values
        children = (
            self.requests.labels(label, route, str(status)),
            self.latency.labels(label, route),
        )
        if method in _METHODS:
            self._children[(method, route, status)] = children
        return children

    def exposition(self) -> bytes:
        """The text format of every metric; blocking (it reads the store)."""
        registry = CollectorRegistry()
        if self.multiprocess_dir:
            MultiProcessCollector(registry, self.multiprocess_dir)  # type: ignore[no-untyped-call]
        else:
            registry.register(_Forward(self.registry))
        registry.register(self.outbox)
        return generate_latest(registry)


class _OutboxDepth(Collector):
    """Read at scrape time from the store, so every process reports the same shared value."""

    def __init__(self, read: Callable[[], int]) -> None:
        self.read = read

    def collect(self) -> Iterator[Metric]:
        try:
            depth = self.read()
        except StoreUnavailable:
            return  # an outage must not make the metrics unreadable; the gauge is absent
        yield GaugeMetricFamily(
            "number_orders_outbox_depth",
            "Webhook events waiting for delivery (pending in the outbox).",
            value=depth,
        )


class _Forward(Collector):
    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry

    def collect(self) -> Iterator[Metric]:
        yield from self.registry.collect()
