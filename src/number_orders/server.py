"""Wiring: settings in, a running ASGI application out. The only place that picks the
concrete store and starts background work beside the HTTP server.
"""

from __future__ import annotations

import atexit
import logging
import os
import queue
import shutil
import signal
import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from logging.handlers import QueueHandler, QueueListener
from typing import Any

import httpx
import uvicorn

from number_orders.config import Settings
from number_orders.http.app import create_app
from number_orders.http.guard import RequestGuard
from number_orders.service import NumberOrdersService
from number_orders.storage.database import make_engine, upgrade
from number_orders.storage.sql_store import SqlStore
from number_orders.worker.runner import Background

# How `serve` runs uvicorn; the benchmark's ceiling app uses the same, to compare like with like.
UVICORN_OPTIONS: dict[str, Any] = {
    "loop": "uvloop",
    "http": "httptools",
    "access_log": False,
    "server_header": False,
    "log_level": "warning",
    "timeout_graceful_shutdown": 10,
}


def open_store(database_url: str) -> SqlStore:
    """A store whose schema is up to date."""
    engine = make_engine(database_url)
    upgrade(engine)
    return SqlStore(engine)


# prometheus_client reads this at import: with it, each process writes samples to files.
METRICS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def build_service(settings: Settings, store: SqlStore) -> NumberOrdersService:
    return NumberOrdersService(
        store,
        rules=settings.requirement_rules,
        fulfilment_delay=settings.fulfilment_delay,
        auth_cache_seconds=settings.auth_cache_seconds,
    )


def build_app(
    settings: Settings,
    store: SqlStore | None = None,
    webhook_transport: httpx.AsyncBaseTransport | None = None,
    metrics_dir: str | None = None,
) -> RequestGuard:
    store = store or open_store(settings.database_url)
    service = build_service(settings, store)

    @asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        # Background work (fulfilment, webhook delivery) runs beside the API in every
        # server process unless turned off; it shares its queues through the database, so
        # more processes are safe.
        background = None
        if settings.run_worker:
            background = Background(
                settings, store, service, webhook_transport=webhook_transport
            ).start()
            service.fulfilment_due = background.wake
        try:
            yield
        finally:
            if background is not None:
                background.stop()
            store.close()

    return create_app(settings, service, metrics_dir, lifespan=lifespan)


def app_from_environment() -> RequestGuard:
    """The factory each `serve --workers N` process calls (settings come via environment)."""
    configure_logging()
    return build_app(
        Settings.from_env(os.environ), metrics_dir=os.environ.get(METRICS_DIR_VARIABLE)
    )


def configure_logging() -> None:
    """Log lines go through a queue to a writer thread: a write from the event loop thread
    releases the GIL and then waits for it behind the database threads."""
    root = logging.getLogger("number_orders")
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        lines: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
        listener = QueueListener(lines, handler)
        listener.start()
        atexit.register(listener.stop)
        root.addHandler(_InProcessQueueHandler(lines))
    root.setLevel(logging.INFO)
    root.propagate = False


class _InProcessQueueHandler(QueueHandler):
    """Hands the record over as it is: the writer thread formats it. (The stock handler
    formats and copies it first, so that it could be pickled, on the request's thread.)"""

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        return record


def serve(settings: Settings) -> None:
    os.environ.update(settings.to_env())
    metrics_dir = None
    if settings.workers > 1:
        # Spawned workers import prometheus_client afresh and see the directory.
        metrics_dir = tempfile.mkdtemp(prefix="number-orders-metrics-")
        os.environ[METRICS_DIR_VARIABLE] = metrics_dir
    try:
        _run_uvicorn(settings)
    finally:
        if metrics_dir:
            shutil.rmtree(metrics_dir, ignore_errors=True)


def _run_uvicorn(settings: Settings) -> None:
    # uvicorn drains on SIGTERM, then raises the signal again under the handler it found:
    # with this one in place, a drained server exits 0 instead of dying by the signal.
    signal.signal(signal.SIGTERM, lambda _signal, _frame: None)
    uvicorn.run(
        "number_orders.server:app_from_environment",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers if settings.workers > 1 else None,
        **UVICORN_OPTIONS,
    )
