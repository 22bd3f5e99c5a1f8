"""`accounts set-webhook|clear-webhook|show`: an account's settings."""

from __future__ import annotations

import argparse

from number_orders.cli.command import Commands, command, with_service
from number_orders.config import Settings
from number_orders.domain.webhooks import EVENT_STATUSES
from number_orders.service import NumberOrdersService


def add_commands(commands: Commands) -> None:
    accounts = commands.add_parser("accounts", help="account settings")
    group = accounts.add_subparsers(metavar="ACTION")
    set_webhook = command(group, "set-webhook", _set_webhook, "set an account's webhook URL")
    set_webhook.add_argument("name")
    set_webhook.add_argument("url")
    clear = command(group, "clear-webhook", _clear_webhook, "stop sending an account webhooks")
    clear.add_argument("name")
    show = command(group, "show", _show, "an account's settings and event counts")
    show.add_argument("name")


def _set_webhook(args: argparse.Namespace, settings: Settings) -> int:
    def action(service: NumberOrdersService) -> int:
        account = service.set_webhook_url(args.name, args.url)
        print(f"account {account.name}: webhooks go to {account.webhook_url}")
        return 0

    return with_service(settings, action)


def _clear_webhook(args: argparse.Namespace, settings: Settings) -> int:
    def action(service: NumberOrdersService) -> int:
        service.set_webhook_url(args.name, None)
        print(f"account {args.name}: no webhook URL; new events will be kept as dead")
        return 0

    return with_service(settings, action)


def _show(args: argparse.Namespace, settings: Settings) -> int:
    def action(service: NumberOrdersService) -> int:
        account = service.account_named(args.name)
        counts = service.count_webhook_events(account.account_id)
        print(f"name         {account.name}")
        print(f"account id   {account.account_id}")
        print(f"webhook URL  {account.webhook_url or '(none)'}")
        print("events       " + ", ".join(f"{s} {counts.get(s, 0)}" for s in EVENT_STATUSES))
        return 0

    return with_service(settings, action)
