"""`serve`, `worker` and `migrate`: the processes that run, and the schema they run on."""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from number_orders import server
from number_orders.cli.command import Commands, command
from number_orders.config import Settings
from number_orders.seed.demo import prepare_demo


def add_commands(commands: Commands) -> None:
    serve_cmd = command(commands, "serve", _serve, "run the HTTP API (and the worker)")
    serve_cmd.add_argument("--host")
    serve_cmd.add_argument("--port", type=int)
    serve_cmd.add_argument("--workers", type=int, help="server processes")
    serve_cmd.add_argument(
        "--rate-limit", type=int, help="requests per minute per API key (default 6000); 0: off"
    )
    serve_cmd.add_argument(
        "--body-limit", type=int, help="largest request body in bytes (default 1 MiB)"
    )
    serve_cmd.add_argument(
        "--fulfilment-delay",
        type=float,
        metavar="SECONDS",
        help="how long an order waits before the worker settles it (default 1)",
    )
    serve_cmd.add_argument(
        "--no-worker",
        action="store_true",
        help="no background work (fulfilment, webhooks) in the server processes",
    )
    _webhook_options(serve_cmd)

    worker_cmd = command(
        commands, "worker", _worker, "settle orders and deliver webhooks (beside other workers)"
    )
    worker_cmd.add_argument("--threads", type=int, default=1, help="fulfilment threads (default 1)")
    _webhook_options(worker_cmd)

    command(commands, "migrate", _migrate, "bring the schema up to date")


def _webhook_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--webhook-max-attempts",
        type=int,
        help="attempts per event before it is kept as dead (default 12)",
    )


def _webhook_options_valid(args: argparse.Namespace) -> bool:
    if args.webhook_max_attempts is not None and args.webhook_max_attempts < 1:
        print("--webhook-max-attempts must be 1 or more", file=sys.stderr)
        return False
    return True


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    if not _webhook_options_valid(args):
        return 2
    if args.fulfilment_delay is not None and args.fulfilment_delay < 0:
        print("--fulfilment-delay must be zero or more seconds", file=sys.stderr)
        return 2
    settings = settings.with_changes(
        host=args.host,
        port=args.port,
        workers=args.workers,
        rate_limit=args.rate_limit,
        body_limit=args.body_limit,
        fulfilment_delay=args.fulfilment_delay,
        run_worker=False if args.no_worker else None,
        webhook_max_attempts=args.webhook_max_attempts,
    )
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
    if not _webhook_options_valid(args):
        return 2
    settings = settings.with_changes(webhook_max_attempts=args.webhook_max_attempts)
    server.configure_logging()
    service = server.open_service(settings)
    background = server.background(settings, service, args.threads)
    stopped = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopped.set())
    background.start()
    print(
        f"worker running: {args.threads} fulfilment thread(s) and webhook delivery; "
        "Ctrl-C stops it",
        flush=True,
    )
    stopped.wait()
    background.stop()
    service.close()
    return 0


def _migrate(_args: argparse.Namespace, settings: Settings) -> int:
    server.migrate(settings.database_url)
    print("schema is up to date")
    return 0
