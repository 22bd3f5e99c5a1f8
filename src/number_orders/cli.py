"""`number-orders`: thin commands over the layers below. Every command that touches the
store brings its schema up to date first.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence

from number_orders.config import Settings
from number_orders.demo import prepare_demo
from number_orders.domain.timestamps import format_micros, now_micros
from number_orders.seed_rows import Chunk, RowMaker, load_in_parallel
from number_orders.server import build_service, configure_logging, open_store, serve
from number_orders.service import NumberOrdersService
from number_orders.storage.database import make_engine, upgrade
from number_orders.storage.sql_store import SqlStore
from number_orders.webhook_commands import add_commands as add_webhook_commands
from number_orders.worker.runner import Background

Command = Callable[[argparse.Namespace, Settings], int]


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    try:
        settings = Settings.from_env(os.environ).with_changes(database_url=args.database_url)
    except ValueError as error:
        print(f"invalid configuration: {error}", file=sys.stderr)
        return 2
    result: int = args.run(args, settings)
    return result


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="number-orders", description="A server for the Telnyx number orders API."
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    serve_cmd = _command(commands, "serve", _serve, "run the HTTP API (and the worker)")
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

    worker_cmd = _command(
        commands, "worker", _worker, "settle orders and deliver webhooks (beside other workers)"
    )
    worker_cmd.add_argument("--threads", type=int, default=1, help="fulfilment threads (default 1)")
    _webhook_options(worker_cmd)

    _command(commands, "migrate", _migrate, "bring the schema up to date")

    keys = commands.add_parser("keys", help="manage API keys").add_subparsers(metavar="ACTION")
    create = _command(keys, "create", _keys_create, "create a key (and the account if new)")
    create.add_argument("--account", required=True)
    listing = _command(keys, "list", _keys_list, "list an account's keys")
    listing.add_argument("--account", required=True)
    revoke = _command(keys, "revoke", _keys_revoke, "revoke a key")
    revoke.add_argument("key_id")

    seed = _command(commands, "seed", _seed, "bulk-insert realistic orders")
    seed.add_argument("--account", required=True)
    seed.add_argument("--orders", type=int, required=True)
    seed.add_argument("--seed", type=int, help="random seed, for repeatable data")
    seed.add_argument("--now", type=int, help="time anchor in Unix microseconds (default: now)")
    seed.add_argument(
        "--processes",
        type=int,
        default=os.cpu_count() or 1,
        help="processes making and inserting rows",
    )

    add_webhook_commands(commands, _command)
    return parser


def _webhook_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--webhook-max-attempts",
        type=int,
        help="attempts per event before it is kept as dead (default 12)",
    )


def _command(
    group: argparse._SubParsersAction[argparse.ArgumentParser], name: str, run: Command, text: str
) -> argparse.ArgumentParser:
    command = group.add_parser(name, help=text, description=text)
    command.add_argument(
        "--database-url",
        help="sqlite:///PATH or postgresql://USER@HOST:PORT/DB "
        "(default: $NUMBER_ORDERS_DATABASE_URL, else ./var/number-orders.sqlite3)",
    )
    command.set_defaults(run=run)
    return command


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
    store = open_store(settings.database_url)
    try:
        prepare_demo(store, settings, print)
    finally:
        store.close()
    serve(settings)
    return 0


def _webhook_options_valid(args: argparse.Namespace) -> bool:
    if args.webhook_max_attempts is not None and args.webhook_max_attempts < 1:
        print("--webhook-max-attempts must be 1 or more", file=sys.stderr)
        return False
    return True


def _worker(args: argparse.Namespace, settings: Settings) -> int:
    if args.threads < 1:
        print("--threads must be 1 or more", file=sys.stderr)
        return 2
    if not _webhook_options_valid(args):
        return 2
    settings = settings.with_changes(webhook_max_attempts=args.webhook_max_attempts)
    configure_logging()
    store = open_store(settings.database_url)
    service = build_service(settings, store)
    background = Background(settings, store, service, fulfilment_threads=args.threads)
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
    store.close()
    return 0


def _migrate(_args: argparse.Namespace, settings: Settings) -> int:
    engine = make_engine(settings.database_url)
    upgrade(engine)
    engine.dispose()
    print("schema is up to date")
    return 0


def _keys_create(args: argparse.Namespace, settings: Settings) -> int:
    store = open_store(settings.database_url)
    issued = NumberOrdersService(store).create_api_key(args.account)
    store.close()
    print(f"account {issued.account.name} ({issued.account.account_id}), key id {issued.key_id}")
    print("the key is shown only now; store it safely:", file=sys.stderr)
    print(issued.token)
    return 0


def _keys_list(args: argparse.Namespace, settings: Settings) -> int:
    store = open_store(settings.database_url)
    account = store.find_account(args.account)
    if account is None:
        store.close()
        print(f"no account named {args.account!r}", file=sys.stderr)
        return 1
    for key in store.list_api_keys(account.account_id):
        state = f"revoked {format_micros(key.revoked_at)}" if key.revoked_at else "active"
        print(f"{key.key_id}  created {format_micros(key.created_at)}  {state}")
    store.close()
    return 0


def _keys_revoke(args: argparse.Namespace, settings: Settings) -> int:
    store = open_store(settings.database_url)
    revoked = store.revoke_api_key(args.key_id, now_micros())
    store.close()
    print(f"revoked {args.key_id}" if revoked else f"no active key {args.key_id}")
    return 0 if revoked else 1


def _seed(args: argparse.Namespace, settings: Settings) -> int:
    if args.orders < 0:
        print("--orders must be zero or more", file=sys.stderr)
        return 2
    store = open_store(settings.database_url)
    account = store.ensure_account(args.account)
    started = time.perf_counter()
    now = now_micros() if args.now is None else args.now
    inserted = seed_orders(store, account.account_id, args.orders, args.seed, now, args.processes)
    elapsed = time.perf_counter() - started
    store.close()
    rate = inserted / elapsed if elapsed > 0 else 0.0
    print(f"seeded {inserted} orders for {args.account} in {elapsed:.1f}s ({rate:,.0f} orders/s)")
    return 0


def seed_orders(
    store: SqlStore, account_id: str, count: int, seed: int | None, now: int, processes: int
) -> int:
    maker = RowMaker(account_id, now, count)

    def load(made: Iterator[Chunk]) -> int:
        return store.load_order_rows(account_id, ((c.rows, c.counts) for c in made))

    loaded = load_in_parallel(maker, seed, count, processes, load, store.after_fork)
    store.finish_loading()
    return loaded
