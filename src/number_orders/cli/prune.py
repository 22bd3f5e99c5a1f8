"""`prune`: one retention pass now (the worker runs one every `prune_interval` seconds),
printing the rows deleted per table."""

from __future__ import annotations

import argparse

from number_orders.cli.command import Commands, command, with_service
from number_orders.config import Settings, add_flags
from number_orders.domain.timestamps import now_micros
from number_orders.service import NumberOrdersService

# The settings a pass reads; `config.SETTINGS` says how each flag is spelled.
PRUNE_SETTINGS = ("event_retention_days", "prune_batch")


def add_commands(commands: Commands) -> None:
    prune = command(
        commands,
        "prune",
        _prune,
        "delete finished webhook events past retention, tally rows counting zero and "
        "expired idempotency keys, now",
    )
    add_flags(prune, *PRUNE_SETTINGS)


def _prune(_args: argparse.Namespace, settings: Settings) -> int:
    def action(service: NumberOrdersService) -> int:
        pruned = service.prune(now_micros(), settings.event_retention_days, settings.prune_batch)
        if not pruned:
            print("nothing to delete")
        for table, count in sorted(pruned.items()):
            print(f"{table}: {count} deleted")
        return 0

    return with_service(settings, action)
