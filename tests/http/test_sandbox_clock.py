"""The sandbox's clock on both engines: reading and advancing it, and that every instant
the server writes and every due time it compares follow it."""

from __future__ import annotations

import time

from number_orders.config import Settings
from number_orders.domain.timestamps import parse_instant
from number_orders.storage.sql_store import SqlStore
from tests.support.orders import number, order_body
from tests.support.sandbox import LiveSandbox, live_sandbox

HOUR = 3600


def wall() -> float:
    return time.time()


def seconds_of(text: str) -> float:
    micros = parse_instant(text)
    assert micros is not None
    return micros / 1_000_000


def test_the_clock_starts_at_the_wall_clock_and_moves_forward(sandbox: LiveSandbox) -> None:
    clock = sandbox.clock()
    assert clock["offset_seconds"] == 0
    assert abs(seconds_of(clock["now"]) - wall()) < 5
    moved = sandbox.advance(90)
    assert moved["offset_seconds"] == 90
    assert abs(seconds_of(moved["now"]) - wall() - 90) < 5
    assert sandbox.advance(0.5)["offset_seconds"] == 90.5
    assert sandbox.clock()["offset_seconds"] == 90.5


def test_instants_the_server_writes_follow_the_clock(sandbox: LiveSandbox) -> None:
    sandbox.advance(2 * HOUR)
    with sandbox.v2(sandbox.new_account()) as client:
        created = client.post("/number_orders", json=order_body(number())).json()["data"]
    assert seconds_of(created["created_at"]) > wall() + 2 * HOUR - 5


def test_the_fulfilment_delay_is_counted_on_the_clock(settings: Settings, store: SqlStore) -> None:
    # No background work: only a drain settles, so nothing races the assertions.
    slow = settings.with_changes(fulfilment_delay=float(HOUR), run_worker=False)
    with live_sandbox(slow, store) as sandbox, sandbox.v2(sandbox.new_account()) as client:
        order = client.post("/number_orders", json=order_body(number())).json()["data"]
        assert sandbox.drain()["done"]["fulfilment"] == 0  # due in an hour
        sandbox.advance(HOUR - 60)
        assert sandbox.drain()["done"]["fulfilment"] == 0
        sandbox.advance(60)
        assert sandbox.drain()["done"]["fulfilment"] == 1
        settled = client.get(f"/number_orders/{order['id']}").json()["data"]
    assert settled["status"] == "success"
    assert seconds_of(settled["updated_at"]) >= seconds_of(order["created_at"]) + HOUR


def test_the_clock_only_moves_forward_by_a_number(sandbox: LiveSandbox) -> None:
    cases = [
        ({}, "10004"),
        ({"advance_seconds": -1}, "10015"),
        ({"advance_seconds": "60"}, "10015"),
        ({"advance_seconds": True}, "10015"),
        ({"advance_seconds": 1e12}, "10015"),
    ]
    for body, code in cases:
        response = sandbox.raw("POST", "/clock", json=body)
        assert response.status_code == 422, body
        (problem,) = response.json()["errors"]
        assert problem["code"] == code and problem["source"] == {"pointer": "/advance_seconds"}
    assert sandbox.clock()["offset_seconds"] == 0
