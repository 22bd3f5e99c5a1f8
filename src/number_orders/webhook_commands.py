"""`accounts`, `webhooks` and `events` commands: thin calls into the service."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from number_orders.config import Settings
from number_orders.domain.timestamps import format_micros
from number_orders.domain.webhooks import EVENT_STATUSES, WebhookEvent
from number_orders.server import open_store
from number_orders.service import NumberOrdersService

Command = Callable[[argparse.Namespace, Settings], int]
AddCommand = Callable[[Any, str, Command, str], argparse.ArgumentParser]


def add_commands(commands: Any, command: AddCommand) -> None:
    accounts = commands.add_parser("accounts", help="account settings")
    group = accounts.add_subparsers(metavar="ACTION")
    set_webhook = command(group, "set-webhook", _set_webhook, "set an account's webhook URL")
    set_webhook.add_argument("name")
    set_webhook.add_argument("url")
    clear = command(group, "clear-webhook", _clear_webhook, "stop sending an account webhooks")
    clear.add_argument("name")
    show = command(group, "show", _show_account, "an account's settings and event counts")
    show.add_argument("name")

    webhooks = commands.add_parser("webhooks", help="webhook signing keys")
    group = webhooks.add_subparsers(metavar="ACTION")
    public = command(group, "public-key", _public_key, "the base64 key receivers verify with")
    public.add_argument("--all", action="store_true", help="every key, retired ones included")
    command(group, "rotate-key", _rotate_key, "sign from now on with a new key")

    events = commands.add_parser("events", help="the webhook outbox")
    group = events.add_subparsers(metavar="ACTION")
    listing = command(group, "list", _events_list, "events, newest first")
    listing.add_argument("--account", help="only this account's events")
    listing.add_argument("--status", choices=EVENT_STATUSES)
    listing.add_argument("--limit", type=int, default=50)
    show_event = command(group, "show", _events_show, "an event and its delivery attempts")
    show_event.add_argument("event_id")
    redeliver = command(group, "redeliver", _events_redeliver, "send an event again, now")
    redeliver.add_argument("event_id")


def _service(settings: Settings) -> NumberOrdersService:
    return NumberOrdersService(open_store(settings.database_url))


def _run(settings: Settings, action: Callable[[NumberOrdersService], int]) -> int:
    """Run `action` on a fresh service; a refusal becomes a message and exit status 1."""
    service = _service(settings)
    try:
        return action(service)
    except (LookupError, ValueError) as refusal:
        print(str(refusal).strip("'\""), file=sys.stderr)
        return 1
    finally:
        service.store.close()


def _set_webhook(args: argparse.Namespace, settings: Settings) -> int:
    def action(service: NumberOrdersService) -> int:
        account = service.set_webhook_url(args.name, args.url)
        print(f"account {account.name}: webhooks go to {account.webhook_url}")
        return 0

    return _run(settings, action)


def _clear_webhook(args: argparse.Namespace, settings: Settings) -> int:
    def action(service: NumberOrdersService) -> int:
        service.set_webhook_url(args.name, None)
        print(f"account {args.name}: no webhook URL; new events will be kept as dead")
        return 0

    return _run(settings, action)


def _show_account(args: argparse.Namespace, settings: Settings) -> int:
    def action(service: NumberOrdersService) -> int:
        account = service.store.find_account(args.name)
        if account is None:
            raise LookupError(f"no account named {args.name!r}")
        counts = service.store.count_webhook_events(account.account_id)
        print(f"name         {account.name}")
        print(f"account id   {account.account_id}")
        print(f"webhook URL  {account.webhook_url or '(none)'}")
        print("events       " + ", ".join(f"{s} {counts.get(s, 0)}" for s in EVENT_STATUSES))
        return 0

    return _run(settings, action)


def _public_key(args: argparse.Namespace, settings: Settings) -> int:
    def action(service: NumberOrdersService) -> int:
        active = service.ensure_signing_key()
        if args.all:
            for key in service.store.list_signing_keys():
                state = f"retired {format_micros(key.retired_at)}" if key.retired_at else "active"
                print(f"{key.key_id}  created {format_micros(key.created_at)}  {state}")
                print(f"  {key.public_key}")
        print(active.public_key)
        return 0

    return _run(settings, action)


def _rotate_key(_args: argparse.Namespace, settings: Settings) -> int:
    def action(service: NumberOrdersService) -> int:
        service.ensure_signing_key()
        key = service.rotate_signing_key()
        print(f"new signing key {key.key_id}; earlier keys are kept (webhooks public-key --all)")
        print(key.public_key)
        return 0

    return _run(settings, action)


def _events_list(args: argparse.Namespace, settings: Settings) -> int:
    def action(service: NumberOrdersService) -> int:
        for event in service.list_webhook_events(args.account, args.status, args.limit):
            print(_event_line(event))
        return 0

    return _run(settings, action)


def _event_line(event: WebhookEvent) -> str:
    line = (
        f"{event.id}  {event.status:<9}  attempts {event.attempts}  {event.event_type}  "
        f"account {event.account_id}  occurred {format_micros(event.occurred_at)}"
    )
    if event.status == "pending":
        line += f"  next {format_micros(event.next_attempt_at)}"
    if event.last_error:
        line += f"  last error: {event.last_error}"
    return line


def _events_show(args: argparse.Namespace, settings: Settings) -> int:
    def action(service: NumberOrdersService) -> int:
        event = service.store.find_webhook_event(args.event_id)
        if event is None:
            raise LookupError(f"no event {args.event_id}")
        print(_event_line(event))
        for a in service.store.list_webhook_attempts(event.account_id, event.id):
            outcome = a.status_code if a.status_code is not None else a.error
            print(
                f"  attempt {a.attempt}  {format_micros(a.started_at)}  {a.url}  -> {outcome}"
                f"  {a.duration_micros / 1000:.1f} ms  signed by {a.key_id}"
            )
        return 0

    return _run(settings, action)


def _events_redeliver(args: argparse.Namespace, settings: Settings) -> int:
    def action(service: NumberOrdersService) -> int:
        event = service.redeliver_webhook_event(args.event_id)
        print(f"event {event.id} will be delivered again now (was {event.status})")
        return 0

    return _run(settings, action)
