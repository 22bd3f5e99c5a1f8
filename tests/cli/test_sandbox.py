"""`number-orders sandbox ...` as operators run it, in its own process, on both engines:
the clock, faults, the journal, reset and drain, on the store directly."""

from __future__ import annotations

import subprocess
from typing import Any

import orjson

from number_orders.domain.creating import NewOrder
from number_orders.domain.orders import SUCCESS
from number_orders.service import NumberOrdersService
from number_orders.storage.sql_store import SqlStore
from tests.orders import number, order_body
from tests.test_cli import run


def sandbox(url: str, *args: str) -> Any:
    done = run("sandbox", *args, url=url)
    assert done.returncode == 0, done.stderr
    return orjson.loads(done.stdout)


def refused(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    done = run("sandbox", *args, url=url)
    assert done.returncode != 0 and done.stdout == ""
    return done


def test_the_clock_moves_forward_and_drain_follows_it(database_url: str, store: SqlStore) -> None:
    service = NumberOrdersService(store, fulfilment_delay=3600)
    account = service.create_api_key("acme").account.account_id
    order = service.create_number_order(account, NewOrder.from_body(order_body(number())))
    assert sandbox(database_url, "clock")["offset_seconds"] == 0
    assert sandbox(database_url, "drain")["done"]["fulfilment"] == 0
    assert sandbox(database_url, "advance", "3600")["offset_seconds"] == 3600
    drained = sandbox(database_url, "drain")
    assert drained["done"]["fulfilment"] == 1 and drained["complete"] is True
    settled = service.retrieve_number_order(account, order.order.id)
    assert settled.order.status == SUCCESS
    assert "moves forward" in refused(database_url, "advance", "-5").stderr


def test_faults_are_added_listed_and_removed(database_url: str, store: SqlStore) -> None:
    NumberOrdersService(store).create_api_key("acme")
    added = sandbox(
        database_url, "faults", "add", "--status", "503", "--account", "acme", "--path", "/v2"
    )
    assert added["status"] == 503 and added["remaining"] == 1 and added["account"] == "acme"
    lasting = sandbox(database_url, "faults", "add", "--latency-ms", "50", "--forever")
    assert lasting["remaining"] is None and lasting["status"] is None
    assert [f["id"] for f in sandbox(database_url, "faults", "list")] == [
        added["id"],
        lasting["id"],
    ]
    assert sandbox(database_url, "faults", "remove", added["id"])["id"] == added["id"]
    assert "No fault" in refused(database_url, "faults", "remove", added["id"]).stderr
    assert "status" in refused(database_url, "faults", "add", "--status", "200").stderr
    assert (
        "nobody"
        in refused(database_url, "faults", "add", "--status", "503", "--account", "nobody").stderr
    )


def test_the_journal_and_reset(database_url: str, store: SqlStore) -> None:
    service = NumberOrdersService(store)
    account = service.create_api_key("acme").account.account_id
    service.create_number_order(account, NewOrder.from_body(order_body(number())))
    service.create_api_key("globex")
    assert sandbox(database_url, "requests", "--account", "acme") == []
    assert "nobody" in refused(database_url, "requests", "--account", "nobody").stderr
    assert (
        "--limit" in refused(database_url, "requests", "--account", "acme", "--limit", "0").stderr
    )
    removed = sandbox(database_url, "reset", "--account", "acme")
    assert removed["number_orders"] == 1 and removed["number_holdings"] == 1
    assert sandbox(database_url, "reset")["number_orders"] == 0
    assert store.find_account("acme") is not None and service.list_api_keys("acme")
