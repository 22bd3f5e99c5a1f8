"""`number-orders sandbox ...` run as `main` runs it, on both engines: the clock, faults,
the journal, reset and drain, on the store directly; and another command that, given the
admin token, follows the sandbox's clock. A command copies the sandbox's clock into its
process, so each test puts this process back on the wall clock."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from sqlalchemy import update

from number_orders.domain.creating import NewOrder
from number_orders.domain.orders import SUCCESS
from number_orders.domain.timestamps import now_micros, set_clock_offset
from number_orders.domain.webhooks import DELIVERED
from number_orders.service import NumberOrdersService
from number_orders.service.retention import DAY_MICROS
from number_orders.storage.schema import webhook_events
from number_orders.storage.sql_store import SqlStore
from tests.support.cli import Cli
from tests.support.orders import number, order_body
from tests.support.outbox import orders, settle


@pytest.fixture(autouse=True)
def wall_clock() -> Iterator[None]:
    yield
    set_clock_offset(0)


@pytest.fixture
def sandbox(cli: Cli, database_url: str) -> Sandbox:
    return Sandbox(cli, database_url)


class Sandbox:
    """`number-orders sandbox ARGS` on the test's database: its JSON, or its refusal."""

    def __init__(self, cli: Cli, url: str) -> None:
        self.cli = cli
        self.url = url

    def __call__(self, *args: str) -> Any:
        done = self.cli("sandbox", *args, url=self.url)
        assert done.returncode == 0, done.stderr
        return orjson.loads(done.stdout)

    def refused(self, *args: str) -> subprocess.CompletedProcess[str]:
        done = self.cli("sandbox", *args, url=self.url)
        assert done.returncode != 0 and done.stdout == ""
        return done


def test_the_clock_moves_forward_and_drain_follows_it(sandbox: Sandbox, store: SqlStore) -> None:
    service = NumberOrdersService(store, fulfilment_delay=3600)
    account = service.create_api_key("acme").account.account_id
    order = service.create_number_order(account, NewOrder.from_body(order_body(number())))
    assert sandbox("clock")["offset_seconds"] == 0
    assert sandbox("drain")["done"]["fulfilment"] == 0
    assert sandbox("advance", "3600")["offset_seconds"] == 3600
    drained = sandbox("drain")
    assert drained["done"]["fulfilment"] == 1 and drained["complete"] is True
    settled = service.retrieve_number_order(account, order.order.id)
    assert settled.order.status == SUCCESS
    assert "moves forward" in sandbox.refused("advance", "-5").stderr


def test_faults_are_added_listed_and_removed(sandbox: Sandbox, store: SqlStore) -> None:
    NumberOrdersService(store).create_api_key("acme")
    added = sandbox("faults", "add", "--status", "503", "--account", "acme", "--path", "/v2")
    assert added["status"] == 503 and added["remaining"] == 1 and added["account"] == "acme"
    lasting = sandbox("faults", "add", "--latency-ms", "50", "--forever")
    assert lasting["remaining"] is None and lasting["status"] is None
    assert [f["id"] for f in sandbox("faults", "list")] == [
        added["id"],
        lasting["id"],
    ]
    assert sandbox("faults", "remove", added["id"])["id"] == added["id"]
    assert "No fault" in sandbox.refused("faults", "remove", added["id"]).stderr
    assert "status" in sandbox.refused("faults", "add", "--status", "200").stderr
    assert (
        "nobody"
        in sandbox.refused("faults", "add", "--status", "503", "--account", "nobody").stderr
    )


def test_the_journal_and_reset(sandbox: Sandbox, store: SqlStore) -> None:
    service = NumberOrdersService(store)
    account = service.create_api_key("acme").account.account_id
    service.create_number_order(account, NewOrder.from_body(order_body(number())))
    service.create_api_key("globex")
    assert sandbox("requests", "--account", "acme") == []
    assert "nobody" in sandbox.refused("requests", "--account", "nobody").stderr
    assert "--limit" in sandbox.refused("requests", "--account", "acme", "--limit", "0").stderr
    removed = sandbox("reset", "--account", "acme")
    assert removed["number_orders"] == 1 and removed["number_holdings"] == 1
    assert sandbox("reset")["number_orders"] == 0
    assert store.find_account("acme") is not None and service.list_api_keys("acme")


def test_a_command_with_the_admin_token_follows_the_clock(
    cli: Cli, sandbox: Sandbox, database_url: str, store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    account_id = store.ensure_account("acme").account_id
    (event,) = [settle(store, account_id, o) for o in orders(store, account_id, 1)]
    ten_days_ago = now_micros() - 10 * DAY_MICROS
    with store.writing() as conn:
        conn.execute(
            update(webhook_events)
            .where(webhook_events.c.id == event)
            .values(status=DELIVERED, next_attempt_at=ten_days_ago)
        )
    sandbox("advance", str(25 * 86_400))  # 35 days ago on the sandbox's clock
    set_clock_offset(0)  # as a new process starts
    on_the_wall_clock = cli("prune", url=database_url)
    assert on_the_wall_clock.returncode == 0 and "webhook_events" not in on_the_wall_clock.stdout
    monkeypatch.setenv("NUMBER_ORDERS_ADMIN_TOKEN", "operator-token-0123456789")
    sandboxed = cli("prune", url=database_url)
    assert sandboxed.returncode == 0, sandboxed.stderr
    assert "webhook_events: 1 deleted" in sandboxed.stdout.splitlines()
