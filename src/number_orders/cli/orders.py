"""`orders failing`: the queued orders the worker could not settle, set aside with the
error that stopped them and when they are tried again (see docs/ARCHITECTURE.md)."""

from __future__ import annotations

import argparse

from number_orders.cli.command import Commands, command, with_service
from number_orders.config import Settings
from number_orders.domain.timestamps import format_micros
from number_orders.service import NumberOrdersService


def add_commands(commands: Commands) -> None:
    group = commands.add_parser("orders", help="number orders, for operators")
    orders = group.add_subparsers(metavar="ACTION")
    failing = command(
        orders, "failing", _failing, "orders whose settling failed, with their last error"
    )
    failing.add_argument("--limit", type=int, default=50, help="at most this many (default 50)")


def _failing(args: argparse.Namespace, settings: Settings) -> int:
    def action(service: NumberOrdersService) -> int:
        found = service.failing_orders(args.limit)
        if not found:
            print("no failing orders")
        for order in found:
            print(
                f"{order.order_id}  account {order.account_id}  {order.failures} failure(s)  "
                f"retried at {format_micros(order.retry_at)}  {order.error}"
            )
        return 0

    return with_service(settings, action)
