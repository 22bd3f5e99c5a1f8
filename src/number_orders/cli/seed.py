"""`seed`: bulk-insert realistic orders for an account."""

from __future__ import annotations

import argparse
import os
import sys
import time

from number_orders.cli.command import Commands, command, with_service
from number_orders.config import Settings
from number_orders.domain.timestamps import now_micros
from number_orders.seed.loading import seed_orders
from number_orders.service import NumberOrdersService


def add_commands(commands: Commands) -> None:
    seed = command(commands, "seed", _seed, "bulk-insert realistic orders")
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


def _seed(args: argparse.Namespace, settings: Settings) -> int:
    if args.orders < 0:
        print("--orders must be zero or more", file=sys.stderr)
        return 2

    def action(service: NumberOrdersService) -> int:
        account = service.ensure_account(args.account)
        started = time.perf_counter()
        now = now_micros() if args.now is None else args.now
        inserted = seed_orders(
            service, account.account_id, args.orders, args.seed, now, args.processes
        )
        elapsed = time.perf_counter() - started
        rate = inserted / elapsed if elapsed > 0 else 0.0
        print(
            f"seeded {inserted} orders for {args.account} in {elapsed:.1f}s ({rate:,.0f} orders/s)"
        )
        return 0

    return with_service(settings, action)
