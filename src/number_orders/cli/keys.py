"""`keys create|list|revoke`: an account's API keys."""

from __future__ import annotations

import argparse
import sys

from number_orders.cli.command import Commands, command, with_service
from number_orders.config import Settings
from number_orders.domain.timestamps import format_micros
from number_orders.service import NumberOrdersService


def add_commands(commands: Commands) -> None:
    keys = commands.add_parser("keys", help="manage API keys").add_subparsers(metavar="ACTION")
    create = command(keys, "create", _create, "create a key (and the account if new)")
    create.add_argument("--account", required=True)
    listing = command(keys, "list", _list, "list an account's keys")
    listing.add_argument("--account", required=True)
    revoke = command(keys, "revoke", _revoke, "revoke a key")
    revoke.add_argument("key_id")


def _create(args: argparse.Namespace, settings: Settings) -> int:
    def action(service: NumberOrdersService) -> int:
        issued = service.create_api_key(args.account)
        account = issued.account
        print(f"account {account.name} ({account.account_id}), key id {issued.key_id}")
        print("the key is shown only now; store it safely:", file=sys.stderr)
        print(issued.token)
        return 0

    return with_service(settings, action)


def _list(args: argparse.Namespace, settings: Settings) -> int:
    def action(service: NumberOrdersService) -> int:
        for key in service.list_api_keys(args.account):
            state = f"revoked {format_micros(key.revoked_at)}" if key.revoked_at else "active"
            print(f"{key.key_id}  created {format_micros(key.created_at)}  {state}")
        return 0

    return with_service(settings, action)


def _revoke(args: argparse.Namespace, settings: Settings) -> int:
    def action(service: NumberOrdersService) -> int:
        revoked = service.revoke_api_key(args.key_id)
        print(f"revoked {args.key_id}" if revoked else f"no active key {args.key_id}")
        return 0 if revoked else 1

    return with_service(settings, action)
