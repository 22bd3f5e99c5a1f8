"""`serve`, `worker` and `migrate`: the processes that run, and the schema they run on."""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from number_orders import server
from number_orders.cli.command import Commands, command
from number_orders.config import Settings, add_flags
from number_orders.seed.demo import prepare_demo

# The settings each command offers as flags (`config.SETTINGS` says how each is spelled).
# A worker beside sandboxed servers follows their clock when it has the admin token too.
WORKER_SETTINGS = (
    "webhook_max_attempts",
    "reservation_seconds",
    "webhook_account_concurrency",
    "event_retention_days",
    "prune_interval",
    "admin_token",
)
SERVE_SETTINGS = (
    "host",
    "port",
    "workers",
    "rate_limit",
    "body_limit",
    "fulfilment_delay",
    "deadline_days",
    "run_worker",
    "inventory_seed",
    "inventory_countries",
    "inventory_warm",
    "metrics_token",
    "max_connections",
    "head_timeout",
    "auth_failure_limit",
    "database_connections",
    *WORKER_SETTINGS,
    "journal",
    "journal_limit",
)


def add_commands(commands: Commands) -> None:
    serve_cmd = command(commands, "serve", _serve, "run the HTTP API (and the worker)")
    add_flags(serve_cmd, *SERVE_SETTINGS)

    worker_cmd = command(
        commands,
        "worker",
        _worker,
        "settle orders, expire reservations and deliver webhooks (beside other workers)",
    )
    worker_cmd.add_argument("--threads", type=int, default=1, help="fulfilment threads (default 1)")
    add_flags(worker_cmd, *WORKER_SETTINGS)

    command(commands, "migrate", _migrate, "bring the schema up to date")


def _serve(_args: argparse.Namespace, settings: Settings) -> int:
    service = server.open_service(settings)
    try:
        prepare_demo(service, settings, print, default_store=server.is_default_store(settings))
    finally:
        service.close()
    server.serve(settings)
    return 0


def _worker(args: argparse.Namespace, settings: Settings) -> int:
    if args.threads < 1:
        print("--threads must be 1 or more", file=sys.stderr)
        return 2
    server.configure_logging()
    service = server.open_service(settings)
    poller = server.sandbox_poller(settings, service)
    background = server.background(settings, service, args.threads)
    stopped = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopped.set())
    if poller is not None:
        poller.start()
    background.start()
    print(
        f"worker running: {args.threads} fulfilment thread(s), reservation expiry and "
        "webhook delivery; Ctrl-C stops it",
        flush=True,
    )
    stopped.wait()
    background.stop()
    if poller is not None:
        poller.stop()
    service.close()
    return 0


def _migrate(_args: argparse.Namespace, settings: Settings) -> int:
    server.migrate(settings.database_url)
    print("schema is up to date")
    return 0
