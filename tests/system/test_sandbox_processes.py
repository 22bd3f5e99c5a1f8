"""The sandbox across processes, on both engines: two `serve` processes on one store see
the same clock and the same faults as soon as a change is answered, a fault's count holds
across them, a journal read through one has what both served, and a `number-orders
worker` follows the clock too."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from contextlib import ExitStack
from typing import Any

import httpx
import pytest

from number_orders.config import Settings
from number_orders.domain.timestamps import parse_instant
from number_orders.storage.sql_store import SqlStore
from number_orders.testing import SandboxClient, ServeProcess, wait_until
from tests.support.app import bearer, new_key
from tests.support.orders import number, order_body
from tests.support.sandbox import ADMIN_TOKEN

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("processes")]


def served(database_url: str, **changes: Any) -> ServeProcess:
    """`serve` with the sandbox on, on `database_url`."""
    settings = Settings(
        database_url=database_url, rate_limit=0, demo=False, admin_token=ADMIN_TOKEN
    )
    return ServeProcess(settings.with_changes(**changes))


def control(process: ServeProcess) -> SandboxClient:
    return SandboxClient(process.root_url, ADMIN_TOKEN)


def api(process: ServeProcess, key: str) -> httpx.Client:
    return httpx.Client(base_url=process.base_url, headers=bearer(key), timeout=30)


def test_two_servers_share_the_clock_and_the_faults(store: SqlStore, database_url: str) -> None:
    key = new_key(store, "acme")
    with ExitStack() as stack:
        first = stack.enter_context(served(database_url))
        second = stack.enter_context(served(database_url))
        a, b = control(first), control(second)
        stack.callback(a.close)
        stack.callback(b.close)
        on_a, on_b = stack.enter_context(api(first, key)), stack.enter_context(api(second, key))

        # Advanced through one, stamped by the other at once.
        a.advance(7200)
        created = on_b.post("/number_orders", json=order_body(number())).json()["data"]
        created_at = parse_instant(created["created_at"])
        assert created_at is not None and created_at / 1e6 > time.time() + 7200 - 60

        # Three failures in all, wherever the requests land; the first lands elsewhere.
        a.inject_fault(503, path="/v2/number_orders", times=3)
        clients = [on_b, on_a] * 3
        statuses = [client.get("/number_orders").status_code for client in clients]
        assert statuses[0] == 503 and sorted(statuses) == [200, 200, 200, 503, 503, 503]

        # Removed through one, gone from the other at once.
        lasting = b.inject_fault(500, path="/v2/number_orders", times=None)
        assert on_a.get("/number_orders").status_code == 500
        b.remove_fault(lasting)
        assert on_a.get("/number_orders").status_code == 200

        # Read through one, the journal has what both served.
        journal = a.requests("acme", limit=100)
        assert [e["method"] for e in journal].count("POST") == 1  # served by the other
        statuses = [e["status"] for e in journal]
        assert (statuses.count(503), statuses.count(500)) == (3, 1)


def test_a_worker_process_follows_the_clock(store: SqlStore, database_url: str) -> None:
    key = new_key(store, "acme")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("NUMBER_ORDERS_")}
    worker = subprocess.Popen(
        [sys.executable, "-m", "number_orders", "worker", "--database-url", database_url],
        env={**environment, "NUMBER_ORDERS_ADMIN_TOKEN": ADMIN_TOKEN},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with (
            served(database_url, run_worker=False, fulfilment_delay=3600.0) as server,
            api(server, key) as client,
        ):
            order_id = client.post("/number_orders", json=order_body(number())).json()["data"]["id"]
            sandbox = control(server)
            sandbox.advance(3600)
            sandbox.close()

            def settled() -> bool:
                status = client.get(f"/number_orders/{order_id}").json()["data"]["status"]
                return bool(status == "success")

            wait_until(settled, timeout=20)
    finally:
        worker.terminate()
        worker.wait(20)
