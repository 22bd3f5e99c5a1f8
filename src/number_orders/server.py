"""Wiring: settings in, a running ASGI application out. The only place that picks the
concrete store and starts background work beside the HTTP server.
"""

from __future__ import annotations

import atexit
import logging
import os
import resource
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import orjson
import uvicorn

from number_orders.config import DEFAULT_DATABASE_URL, Settings
from number_orders.domain.faults import FaultBoard
from number_orders.domain.sandbox import Drained
from number_orders.domain.timestamps import set_clock_offset
from number_orders.http.app import create_app
from number_orders.http.guard import RequestGuard
from number_orders.http.journal import Journal
from number_orders.http.sandbox import SandboxControls
from number_orders.service import NumberOrdersService
from number_orders.storage.database import (
    make_engine,
    normalise_url,
    server_max_connections,
    upgrade,
)
from number_orders.storage.sql_store import SqlStore
from number_orders.worker.runner import Background, drain_now
from number_orders.worker.sandbox import JOURNAL_SETTLE_SECONDS, SETTLE_SECONDS, SandboxPoller

log = logging.getLogger("number_orders.server")

# How `serve` runs uvicorn; the benchmark's ceiling app uses the same, to compare like with like.
UVICORN_OPTIONS: dict[str, Any] = {
    "loop": "uvloop",
    # httptools with bounds on request heads and connections (`http/front_door.py`); named
    # by import path, so `--workers N` processes load it too.
    "http": "number_orders.http.front_door:FrontDoorProtocol",
    "access_log": False,
    "server_header": False,
    "log_level": "warning",
    "timeout_graceful_shutdown": 10,
}


def front_door_options(settings: Settings) -> dict[str, Any]:
    """The front door's limits, on the uvicorn options its protocol reads them from."""
    return {
        "timeout_keep_alive": settings.head_timeout,
        "limit_concurrency": settings.max_connections or None,
    }


def open_store(database_url: str, connections: int = 32) -> SqlStore:
    """A store whose schema is up to date; on PostgreSQL it opens at most `connections`,
    a quarter for each pool's steady size and as many again in bursts (two pools: the
    store's and the one of list reads)."""
    engine = make_engine(database_url, pool_size=max(1, connections // 4))
    upgrade(engine)
    return SqlStore(engine)


def connections_per_process(settings: Settings) -> int:
    """Each of `serve`'s processes takes an equal share of `database_connections`."""
    return max(4, settings.database_connections // max(1, settings.workers))


def open_service(settings: Settings) -> NumberOrdersService:
    """The service over a store whose schema is up to date; `close()` it when done. With
    the sandbox on (an admin token), this process takes the sandbox's clock from the store
    first, so a command's instants and due times are the servers'."""
    service = build_service(settings, open_store(settings.database_url))
    if settings.admin_token:
        set_clock_offset(service.read_clock_offset())
    return service


def migrate(database_url: str) -> None:
    """Bring the schema up to date, and nothing else."""
    engine = make_engine(database_url)
    upgrade(engine)
    engine.dispose()


def is_default_store(settings: Settings) -> bool:
    """Whether the settings name the embedded SQLite file used when no URL is given."""
    return settings.database_url == DEFAULT_DATABASE_URL


def background(
    settings: Settings, service: NumberOrdersService, fulfilment_threads: int
) -> Background:
    """Fulfilment threads and webhook delivery on their own (`number-orders worker`), to
    be started."""
    return Background(settings, service, fulfilment_threads=fulfilment_threads)


def sandbox_poller(settings: Settings, service: NumberOrdersService) -> SandboxPoller | None:
    """With the sandbox on, what keeps this process's clock (and faults) in step with the
    store, to be started; None without an admin token: nothing polls."""
    return SandboxPoller(service, FaultBoard()) if settings.admin_token else None


def wait_for_pollers() -> None:
    """Return once every sandboxed process has polled a change just committed."""
    time.sleep(SETTLE_SECONDS)


def collect_journal(service: NumberOrdersService) -> None:
    """Have every sandboxed process write the journal entries it holds, and wait for them
    (before the journal is read or reset from outside a server)."""
    service.request_journal_flush()
    time.sleep(JOURNAL_SETTLE_SECONDS)


def drain(
    settings: Settings,
    service: NumberOrdersService,
    webhook_transport: httpx.AsyncBaseTransport | None = None,
) -> Drained:
    """Run every background step until nothing is due (the sandbox's drain)."""
    return drain_now(settings, service, webhook_transport)


def _sandbox(
    settings: Settings,
    service: NumberOrdersService,
    webhook_transport: httpx.AsyncBaseTransport | None,
) -> tuple[SandboxControls, SandboxPoller]:
    """The sandbox's parts in a server process: the controls its HTTP layer holds, and the
    poller (which passes other processes' requests for the journal on to this one's)."""
    token = settings.admin_token
    journal = None
    if settings.journal:
        journal = Journal(
            lambda batch: service.record_requests(batch, settings.journal_limit, (token,)),
            keep=settings.journal_limit,
        )
    poller = SandboxPoller(
        service, FaultBoard(), on_journal_flush=journal.request_flush if journal else _nothing
    )
    controls = SandboxControls(
        token=token,
        board=poller.board,
        refresh=poller.refresh,
        drain=lambda: drain(settings, service, webhook_transport),
        journal=journal,
        request_journal=service.request_journal_flush,
        settle_seconds=SETTLE_SECONDS,
        journal_settle_seconds=JOURNAL_SETTLE_SECONDS,
    )
    return controls, poller


def _nothing() -> None:
    return None


# prometheus_client reads this at import: with it, each process writes samples to files.
METRICS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def build_service(settings: Settings, store: SqlStore) -> NumberOrdersService:
    return NumberOrdersService(
        store,
        rules=settings.requirement_rules,
        fulfilment_delay=settings.fulfilment_delay,
        deadline_days=settings.deadline_days,
        auth_cache_seconds=settings.auth_cache_seconds,
        reservation_seconds=settings.reservation_seconds,
        inventory=settings.inventory,
    )


def build_app(
    settings: Settings,
    store: SqlStore | None = None,
    webhook_transport: httpx.AsyncBaseTransport | None = None,
    metrics_dir: str | None = None,
) -> RequestGuard:
    store = store or open_store(settings.database_url, connections_per_process(settings))
    service = build_service(settings, store)
    sandbox, poller = (
        _sandbox(settings, service, webhook_transport) if settings.admin_token else (None, None)
    )

    @asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        # The sandbox's clock first: background work compares due times with it.
        if poller is not None and sandbox is not None:
            poller.start()
            if sandbox.journal is not None:
                sandbox.journal.start()
        # Background work (fulfilment, webhook delivery) runs beside the API in every
        # server process unless turned off; it shares its queues through the database, so
        # more processes are safe.
        # The first search of a country would build its catalogues (seconds); a thread
        # builds them now instead, while the server already answers.
        if settings.inventory_warm:
            threading.Thread(target=service.warm_inventory, name="inventory", daemon=True).start()
        background = None
        if settings.run_worker:
            background = Background(settings, service, webhook_transport=webhook_transport).start()
            service.fulfilment_due = background.wake
        try:
            yield
        finally:
            if background is not None:
                background.stop()
            if poller is not None and sandbox is not None:
                if sandbox.journal is not None:
                    sandbox.journal.stop()
                poller.stop()
            store.close()

    return create_app(settings, service, metrics_dir, sandbox=sandbox, lifespan=lifespan)


def app_from_environment() -> RequestGuard:
    """The factory each `serve --workers N` process calls (settings come via environment,
    secrets via the file it names)."""
    configure_logging()
    return build_app(
        Settings.from_env(with_secrets(os.environ)),
        metrics_dir=os.environ.get(METRICS_DIR_VARIABLE),
    )


# Settings that are secrets do not travel to server processes in their environment (which
# every child inherits, and crash reports and `ps e` show), but in a file only this user
# can read, named by this variable; the environment has the URL without its password.
SECRETS_VARIABLE = "NUMBER_ORDERS_SECRETS_FILE"
_SECRET_VARIABLES = (
    "NUMBER_ORDERS_DATABASE_URL",
    "NUMBER_ORDERS_METRICS_TOKEN",
    "NUMBER_ORDERS_ADMIN_TOKEN",
)


def process_environment(settings: Settings, folder: Path) -> dict[str, str]:
    """The environment for `serve`'s processes; the secrets go to a file in `folder`."""
    environment = settings.to_env()
    secrets = {name: environment[name] for name in _SECRET_VARIABLES}
    path = folder / "secrets.json"
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as file:
        file.write(orjson.dumps(secrets))
    for name in _SECRET_VARIABLES:
        environment[name] = ""
    environment["NUMBER_ORDERS_DATABASE_URL"] = shown_url(settings.database_url)
    environment[SECRETS_VARIABLE] = str(path)
    return environment


def with_secrets(environ: Mapping[str, str]) -> dict[str, str]:
    path = environ.get(SECRETS_VARIABLE)
    secrets: dict[str, str] = orjson.loads(Path(path).read_bytes()) if path else {}
    return {**environ, **secrets}


def shown_url(database_url: str) -> str:
    """The database URL as it may be shown or logged: without its password."""
    return normalise_url(database_url).render_as_string(hide_password=True)


# Open files a server process needs besides its client connections: the store's
# connections or files, the listening socket, logs, libraries.
_OWN_FILES = 256


def allow_open_files(max_connections: int) -> None:
    """Raise this process's open-file limit (which the server processes inherit) so that
    `max_connections` clients fit: a common default of 1,024 would run out first, and a
    process out of descriptors fails to accept instead of refusing cleanly."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = max_connections + _OWN_FILES
    if max_connections <= 0 or soft == resource.RLIM_INFINITY or soft >= needed:
        return
    raised = needed if hard == resource.RLIM_INFINITY else min(hard, needed)
    resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))
    if raised < needed:
        log.warning(
            "open files are limited to %d per process: fewer than the %d connections allowed "
            "(NUMBER_ORDERS_MAX_CONNECTIONS) and the process's own",
            raised,
            needed,
        )


def log_connection_budget(settings: Settings) -> None:
    """How many PostgreSQL connections this `serve` may open, against the server's limit."""
    if normalise_url(settings.database_url).get_backend_name() != "postgresql":
        return
    each = connections_per_process(settings)
    total = each * max(1, settings.workers)
    log.info(
        "PostgreSQL %s: up to %d connections per server process, %d for %d process(es) "
        "(NUMBER_ORDERS_DATABASE_CONNECTIONS=%d)",
        shown_url(settings.database_url),
        each,
        total,
        max(1, settings.workers),
        settings.database_connections,
    )
    limit = server_max_connections(settings.database_url)
    if limit is not None and total >= limit:
        log.warning(
            "PostgreSQL allows %d connections (max_connections) and this server may open %d: "
            "lower NUMBER_ORDERS_DATABASE_CONNECTIONS or raise max_connections",
            limit,
            total,
        )


def configure_logging() -> None:
    """Log lines go to a writer thread in batches: a write from the event loop thread
    releases the GIL and then waits for it behind other threads."""
    root = logging.getLogger("number_orders")
    # Lines are the message alone: a record need not look up its thread and process names,
    # which costs more than the rest of the record.
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    # uvicorn's logging setup closes every handler there is (`dictConfig`): one closed so
    # after `serve` logged its start is replaced.
    for closed in [h for h in root.handlers if isinstance(h, BatchedHandler) and h.closing]:
        root.removeHandler(closed)
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        batched = BatchedHandler(handler)
        atexit.register(batched.close)
        root.addHandler(batched)
    root.setLevel(logging.INFO)
    root.propagate = False


class BatchedHandler(logging.Handler):
    """Collects records for a writer thread, which formats and writes them a batch at a
    time. A record is appended to a deque, with no lock; the writer is woken only when it
    sleeps, and lets a few milliseconds of records gather before it writes, so under load a
    request neither writes nor wakes a thread (a wake-up per line cost more than the line).
    """

    GATHER_SECONDS = 0.02

    def __init__(self, target: logging.Handler) -> None:
        super().__init__()
        self.target = target
        self.records: deque[logging.LogRecord] = deque()
        self.wake = threading.Event()
        self.closing = False
        self.writer = threading.Thread(target=self._write, name="log-writer", daemon=True)
        self.writer.start()

    def handle(self, record: logging.LogRecord) -> bool:
        # No filters are set on this handler, and a deque needs no handler lock.
        self.records.append(record)
        if not self.wake.is_set():
            self.wake.set()
        return True

    def emit(self, record: logging.LogRecord) -> None:
        self.handle(record)

    def close(self) -> None:
        if not self.closing:
            self.closing = True
            self.wake.set()
            self.writer.join(5)
            self._drain()
        super().close()

    def _write(self) -> None:
        while not self.closing:
            self.wake.wait()
            time.sleep(self.GATHER_SECONDS)
            # Cleared before draining: a record appended after the drain sets it again.
            self.wake.clear()
            self._drain()

    def _drain(self) -> None:
        while self.records:
            self.target.handle(self.records.popleft())
        self.target.flush()


def serve(settings: Settings) -> None:
    configure_logging()
    log_connection_budget(settings)
    allow_open_files(settings.max_connections)
    run_dir = tempfile.mkdtemp(prefix="number-orders-")  # 0700: this user's only
    os.environ.update(process_environment(settings, Path(run_dir)))
    metrics_dir = None
    if settings.workers > 1:
        # Spawned workers import prometheus_client afresh and see the directory.
        metrics_dir = tempfile.mkdtemp(prefix="number-orders-metrics-")
        os.environ[METRICS_DIR_VARIABLE] = metrics_dir
    try:
        _run_uvicorn(settings)
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)
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
        **front_door_options(settings),
    )
