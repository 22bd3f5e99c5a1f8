"""`sandbox reset|clock|advance|drain|faults|requests`: the control API's operations on the
store directly, for operators and scripts. Servers with an admin token follow a change
within a poll; `advance` and the fault commands return once they have."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

import orjson

from number_orders import server
from number_orders.cli.command import Commands, command, with_service
from number_orders.config import Settings
from number_orders.domain.faults import NewFault, fault_json
from number_orders.domain.journal import entry_json
from number_orders.domain.sandbox import JOURNAL_PAGE_LIMIT, MICROS, seconds
from number_orders.domain.timestamps import (
    clock_offset,
    format_micros,
    now_micros,
    set_clock_offset,
)
from number_orders.errors import ApiError
from number_orders.service import NumberOrdersService


def add_commands(commands: Commands) -> None:
    sandbox = commands.add_parser("sandbox", help="control a sandboxed server (tests)")
    group = sandbox.add_subparsers(metavar="ACTION")
    reset = command(group, "reset", _reset, "delete an account's data (every account's)")
    reset.add_argument("--account", help="only this account (default: every account)")
    command(group, "clock", _clock, "the sandbox's clock and its offset")
    advance = command(group, "advance", _advance, "move the clock forward")
    advance.add_argument("seconds", type=float)
    command(group, "drain", _drain, "run all work that is due now, until none is left")
    _add_fault_commands(group)
    requests = command(group, "requests", _requests, "an account's request journal")
    requests.add_argument("--account", required=True)
    requests.add_argument("--limit", type=int, default=50)


def _add_fault_commands(group: Commands) -> None:
    faults = group.add_parser("faults", help="injected faults")
    actions = faults.add_subparsers(metavar="ACTION")
    command(actions, "list", _list_faults, "every fault, oldest first")
    add = command(actions, "add", _add_fault, "make matching requests fail or wait")
    add.add_argument("--status", type=int, help="the status to answer (400-599)")
    add.add_argument("--account", help="only this account's requests")
    add.add_argument("--method", help="only this method")
    add.add_argument("--path", help="a route template (with {...}) or a path prefix")
    add.add_argument("--times", type=int, default=1, help="requests it applies to (default 1)")
    add.add_argument("--forever", action="store_true", help="until removed")
    add.add_argument("--latency-ms", type=int, help="delay each matching request first")
    remove = command(actions, "remove", _remove_fault, "remove a fault")
    remove.add_argument("fault_id")


def _run(settings: Settings, action: Callable[[NumberOrdersService], Any]) -> int:
    """Print what `action` returns as JSON; a refusal is its message and exit status 1."""

    def printed(service: NumberOrdersService) -> int:
        try:
            result = action(service)
        except ApiError as refusal:
            print(refusal, file=sys.stderr)
            return 1
        print(orjson.dumps(result, option=orjson.OPT_INDENT_2).decode())
        return 0

    return with_service(settings, printed)


def _reset(args: argparse.Namespace, settings: Settings) -> int:
    def reset(service: NumberOrdersService) -> dict[str, int]:
        server.collect_journal(service)  # entries servers hold go with the rest
        return service.reset_sandbox(args.account)

    return _run(settings, reset)


def _clock(_args: argparse.Namespace, settings: Settings) -> int:
    return _run(settings, _clock_json)


def _clock_json(service: NumberOrdersService) -> dict[str, Any]:
    set_clock_offset(service.read_clock_offset())
    return {"now": format_micros(now_micros()), "offset_seconds": seconds(clock_offset())}


def _advance(args: argparse.Namespace, settings: Settings) -> int:
    if not args.seconds >= 0:
        print("the clock only moves forward: give 0 or more seconds", file=sys.stderr)
        return 2

    def advance(service: NumberOrdersService) -> dict[str, Any]:
        service.advance_clock(round(args.seconds * MICROS))
        server.wait_for_pollers()
        return _clock_json(service)

    return _run(settings, advance)


def _drain(_args: argparse.Namespace, settings: Settings) -> int:
    def drain(service: NumberOrdersService) -> dict[str, Any]:
        # Due times are compared with the sandbox's clock, so this process follows it.
        set_clock_offset(service.read_clock_offset())
        drained = server.drain(settings, service)
        return {"done": drained.done, "rounds": drained.rounds, "complete": drained.complete}

    return _run(settings, drain)


def _list_faults(_args: argparse.Namespace, settings: Settings) -> int:
    return _run(settings, lambda service: [fault_json(*f) for f in service.list_faults()])


def _add_fault(args: argparse.Namespace, settings: Settings) -> int:
    body = {
        "status": args.status,
        "account": args.account,
        "method": args.method,
        "path": args.path,
        "times": None if args.forever else args.times,
        "latency_ms": args.latency_ms,
    }

    def add(service: NumberOrdersService) -> dict[str, Any]:
        added = service.add_fault(NewFault.from_body(body))
        server.wait_for_pollers()
        return fault_json(*added)

    return _run(settings, add)


def _remove_fault(args: argparse.Namespace, settings: Settings) -> int:
    def remove(service: NumberOrdersService) -> dict[str, Any]:
        removed = service.remove_fault(args.fault_id)
        server.wait_for_pollers()
        return fault_json(*removed)

    return _run(settings, remove)


def _requests(args: argparse.Namespace, settings: Settings) -> int:
    if not 1 <= args.limit <= JOURNAL_PAGE_LIMIT:
        print(f"--limit must be from 1 to {JOURNAL_PAGE_LIMIT}", file=sys.stderr)
        return 2

    def entries(service: NumberOrdersService) -> list[dict[str, object]]:
        server.collect_journal(service)
        return [entry_json(e) for e in service.list_requests(args.account, args.limit)]

    return _run(settings, entries)
