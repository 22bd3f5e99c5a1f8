"""`number-orders`: thin commands over the service, one module per command group. Every
command that touches the store brings its schema up to date first (`server.open_service`).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from number_orders.cli import accounts, events, keys, orders, prune, sandbox, seed, serve, webhooks
from number_orders.config import Settings

# In the order `--help` lists them; a new group adds its module here.
GROUPS = (serve, keys, seed, accounts, webhooks, events, orders, prune, sandbox)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    try:
        settings = Settings.from_env(os.environ).with_args(args)
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
    for group in GROUPS:
        group.add_commands(commands)
    return parser
