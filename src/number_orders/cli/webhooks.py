"""`webhooks public-key|rotate-key`: the server's webhook signing keys."""

from __future__ import annotations

import argparse

from number_orders.cli.command import Commands, command, with_service
from number_orders.config import Settings
from number_orders.domain.timestamps import format_micros
from number_orders.service import NumberOrdersService


def add_commands(commands: Commands) -> None:
    webhooks = commands.add_parser("webhooks", help="webhook signing keys")
    group = webhooks.add_subparsers(metavar="ACTION")
    public = command(group, "public-key", _public_key, "the base64 key receivers verify with")
    public.add_argument("--all", action="store_true", help="every key, retired ones included")
    command(group, "rotate-key", _rotate_key, "sign from now on with a new key")


def _public_key(args: argparse.Namespace, settings: Settings) -> int:
    def action(service: NumberOrdersService) -> int:
        active = service.ensure_signing_key()
        if args.all:
            for key in service.list_signing_keys():
                state = f"retired {format_micros(key.retired_at)}" if key.retired_at else "active"
                print(f"{key.key_id}  created {format_micros(key.created_at)}  {state}")
                print(f"  {key.public_key}")
        print(active.public_key)
        return 0

    return with_service(settings, action)


def _rotate_key(_args: argparse.Namespace, settings: Settings) -> int:
    def action(service: NumberOrdersService) -> int:
        service.ensure_signing_key()
        key = service.rotate_signing_key()
        print(f"new signing key {key.key_id}; earlier keys are kept (webhooks public-key --all)")
        print(key.public_key)
        return 0

    return with_service(settings, action)
