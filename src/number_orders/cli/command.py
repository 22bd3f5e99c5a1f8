"""How a command is declared (`command`: its name, what it runs, its help) and how it runs
against the service (`with_service`)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from number_orders.config import Settings, add_flags
from number_orders.server import open_service
from number_orders.service import NumberOrdersService

# A command's body: the parsed arguments and the settings in, the exit status out.
Command = Callable[[argparse.Namespace, Settings], int]
# `parser.add_subparsers()`: where a group's commands are added.
Commands = Any


def command(group: Commands, name: str, run: Command, text: str) -> argparse.ArgumentParser:
    """Every command accepts `--database-url` after its own arguments."""
    parser: argparse.ArgumentParser = group.add_parser(name, help=text, description=text)
    add_flags(parser, "database_url")
    parser.set_defaults(run=run)
    return parser


def with_service(settings: Settings, action: Callable[[NumberOrdersService], int]) -> int:
    """Run `action` on a fresh service; a refusal (LookupError, ValueError) becomes its
    message and exit status 1."""
    service = open_service(settings)
    try:
        return action(service)
    except (LookupError, ValueError) as refusal:
        print(refusal, file=sys.stderr)
        return 1
    finally:
        service.close()
