"""`events list|show|redeliver`: the webhook outbox, for operators."""

from __future__ import annotations

import argparse

from number_orders.cli.command import Commands, command, with_service
from number_orders.config import Settings
from number_orders.domain.timestamps import format_micros
from number_orders.domain.webhooks import EVENT_STATUSES, WebhookEvent
from number_orders.service import NumberOrdersService


def add_commands(commands: Commands) -> None:
    events = commands.add_parser("events", help="the webhook outbox")
    group = events.add_subparsers(metavar="ACTION")
    listing = command(group, "list", _list, "events, newest first")
    listing.add_argument("--account", help="only this account's events")
    listing.add_argument("--status", choices=EVENT_STATUSES)
    listing.add_argument("--limit", type=int, default=50)
    show = command(group, "show", _show, "an event and its delivery attempts")
    show.add_argument("event_id")
    redeliver = command(group, "redeliver", _redeliver, "send an event again, now")
    redeliver.add_argument("event_id")


def _list(args: argparse.Namespace, settings: Settings) -> int:
    def action(service: NumberOrdersService) -> int:
        for event in service.list_webhook_events(args.account, args.status, args.limit):
            print(_event_line(event))
        return 0

    return with_service(settings, action)


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


def _show(args: argparse.Namespace, settings: Settings) -> int:
    def action(service: NumberOrdersService) -> int:
        event, attempts = service.show_webhook_event(args.event_id)
        print(_event_line(event))
        for a in attempts:
            outcome = a.status_code if a.status_code is not None else a.error
            print(
                f"  attempt {a.attempt}  {format_micros(a.started_at)}  {a.url}  -> {outcome}"
                f"  {a.duration_micros / 1000:.1f} ms  signed by {a.key_id}"
            )
        return 0

    return with_service(settings, action)


def _redeliver(args: argparse.Namespace, settings: Settings) -> int:
    def action(service: NumberOrdersService) -> int:
        event = service.redeliver_webhook_event(args.event_id)
        print(f"event {event.id} will be delivered again now (was {event.status})")
        return 0

    return with_service(settings, action)
