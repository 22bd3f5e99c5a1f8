"""The order lifecycle end to end: created through the API, settled by the application's
own worker, on both engines. The test numbers force each path (README, "Test numbers")."""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any

import httpx
from sqlalchemy import update

from number_orders.config import Settings
from number_orders.domain.creating import NewOrder
from number_orders.domain.fulfilment import settle
from number_orders.domain.timestamps import now_micros
from number_orders.service import NumberOrdersService
from number_orders.storage.schema import number_orders
from number_orders.storage.sql_store import SqlStore
from tests.support.app import InProcess, new_key
from tests.support.live import LiveServer, client_for
from tests.support.orders import assert_counts_exact, number, order_body, quiet, settled


def create(client: httpx.Client, *numbers: str, **fields: Any) -> dict[str, Any]:
    response = client.post("/number_orders", json=order_body(*numbers, **fields))
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def supply_requirements(client: httpx.Client, order: dict[str, Any]) -> dict[str, Any]:
    ids = {
        r["requirement_id"] for n in order["phone_numbers"] for r in n["regulatory_requirements"]
    }
    body = {"regulatory_requirements": [{"requirement_id": i, "field_value": "addr"} for i in ids]}
    response = client.patch(f"/number_orders/{order['id']}", json=body)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def statuses(order: dict[str, Any]) -> list[str]:
    return [n["status"] for n in order["phone_numbers"]]


def test_an_order_of_plain_us_numbers_succeeds(app: InProcess, store: SqlStore) -> None:
    with app.client(new_key(store, "acme")) as client:
        created = create(client, number(), number(), "+18005550199")
        done = settled(client, created["id"])
    assert done["status"] == "success" and done["requirements_met"] is True
    assert statuses(done) == ["success"] * 3
    assert done["updated_at"] > created["updated_at"]
    assert_counts_exact(store)


def test_each_test_number_takes_its_path(app: InProcess, store: SqlStore) -> None:
    with app.client(new_key(store, "acme")) as client:
        fails = create(client, number("US", "0000"))
        fails_abroad = create(client, number("GB", "0000"))
        needs_address = create(client, number("US", "0001"))
        fails_later = create(client, number("US", "0002"))
        abroad = create(client, number("GB"), number("DE"))
        # 0000 fails at once, even where an address is missing.
        assert settled(client, fails["id"])["status"] == "failure"
        failed_abroad = settled(client, fails_abroad["id"])
        assert failed_abroad["status"] == "failure" and failed_abroad["requirements_met"] is False
        # The others wait, pending, for their requirements.
        for order in (needs_address, fails_later, abroad):
            waiting = quiet(client, order["id"])
            assert waiting["status"] == "pending" and waiting["requirements_met"] is False
            assert all(n["status"] == "pending" for n in waiting["phone_numbers"])
        assert needs_address["phone_numbers"][0]["regulatory_requirements"][0]["field_type"] == (
            "address"
        )
        for order in (needs_address, fails_later, abroad):
            supply_requirements(client, order)
        assert settled(client, needs_address["id"])["status"] == "success"
        assert settled(client, fails_later["id"])["status"] == "failure"
        done = settled(client, abroad["id"])
        assert done["status"] == "success" and done["requirements_met"] is True
        assert statuses(done) == ["success", "success"]
    assert_counts_exact(store)


def test_an_order_is_pending_until_every_number_settles(app: InProcess, store: SqlStore) -> None:
    with app.client(new_key(store, "acme")) as client:
        created = create(client, number(), number("GB"), number("US", "0000"))
        waiting = quiet(client, created["id"])
        assert statuses(waiting) == ["success", "pending", "failure"]
        assert waiting["status"] == "pending"
        with_address = supply_requirements(client, created)
        assert with_address["updated_at"] > waiting["updated_at"]
        done = settled(client, created["id"])
    assert statuses(done) == ["success", "success", "failure"]
    assert done["status"] == "failure" and done["requirements_met"] is True
    assert_counts_exact(store)


def test_a_number_belongs_to_one_account(app: InProcess, store: SqlStore) -> None:
    owned, held = number(), number("GB")
    with (
        app.client(new_key(store, "acme")) as acme,
        app.client(new_key(store, "globex")) as globex,
    ):
        first = settled(acme, create(acme, owned)["id"])
        assert first["status"] == "success"
        # Owned already, by another account or by the same one: fails.
        assert settled(globex, create(globex, owned)["id"])["status"] == "failure"
        assert settled(acme, create(acme, owned)["id"])["status"] == "failure"
        # In another account's pending order (waiting for an address): fails.
        pending = create(acme, held)
        quiet(acme, pending["id"])
        rival = create(globex, held)
        supply_requirements(globex, rival)
        assert settled(globex, rival["id"])["status"] == "failure"
        # The first orderer still gets it.
        supply_requirements(acme, pending)
        assert settled(acme, pending["id"])["status"] == "success"
    assert_counts_exact(store)


def test_two_accounts_racing_for_the_same_numbers_one_wins_each(
    app: InProcess, store: SqlStore
) -> None:
    wanted = [number() for _ in range(12)]
    keys = [new_key(store, "acme"), new_key(store, "globex")]
    orders: dict[tuple[int, str], str] = {}
    barrier = threading.Barrier(len(keys) * 2)

    def order_all(account: int, numbers: list[str]) -> None:
        with app.client(keys[account]) as client:
            barrier.wait()
            for phone_number in numbers:
                orders[account, phone_number] = create(client, phone_number)["id"]

    # Two threads per account, in opposite orders, so creates for a number coincide.
    jobs = [(a, half) for a in (0, 1) for half in (wanted[::2], wanted[1::2][::-1])]
    threads = [threading.Thread(target=order_all, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(orders) == 2 * len(wanted)
    outcome: dict[str, list[str]] = {p: [] for p in wanted}
    for account, key in enumerate(keys):
        with app.client(key) as client:
            for phone_number in wanted:
                outcome[phone_number].append(
                    settled(client, orders[account, phone_number])["status"]
                )
    assert all(sorted(s) == ["failure", "success"] for s in outcome.values()), outcome
    assert_counts_exact(store)


def test_configured_requirements_decide_what_waits(settings: Settings, store: SqlStore) -> None:
    # As NUMBER_ORDERS_REQUIREMENTS="US=textual,*=" would configure it.
    configured = replace(settings, requirements="US=textual,*=")
    with (
        InProcess(configured, store) as app,
        app.client(new_key(store, "acme")) as client,
    ):
        abroad = settled(client, create(client, number("GB"))["id"])
        assert abroad["status"] == "success"
        assert abroad["phone_numbers"][0]["regulatory_requirements"] == []
        home = quiet(client, create(client, number())["id"])
        (requirement,) = home["phone_numbers"][0]["regulatory_requirements"]
        assert requirement["field_type"] == "textual" and home["status"] == "pending"


def poison(store: SqlStore, order_id: str) -> None:
    """An order row the worker cannot read (its numbers are not the JSON it wrote), put at
    the head of the queue."""
    with store.writing() as conn:
        conn.execute(
            update(number_orders)
            .where(number_orders.c.id == order_id)
            .values(phone_number_details='[{"no": "numbers"}]', fulfil_at=1)
        )


def test_an_order_that_cannot_be_settled_is_moved_aside_and_the_rest_settle(
    store: SqlStore,
) -> None:
    service = NumberOrdersService(store)
    account_id = service.create_api_key("acme").account.account_id
    ids = [
        service.create_number_order(account_id, NewOrder.from_body(order_body(number()))).order.id
        for _ in range(5)
    ]
    poison(store, ids[0])
    started = now_micros()
    settled_ids = {f.detail.order.id for f in service.fulfil_due_orders(50)}
    assert settled_ids == set(ids[1:])
    [failing] = store.failing_orders(10)
    assert (failing.account_id, failing.order_id, failing.failures) == (account_id, ids[0], 1)
    assert "KeyError" in failing.error
    assert failing.retry_at >= started + 1_000_000  # out of the way, not retried at once
    assert service.fulfil_due_orders(50) == []
    # Each failure in a row waits twice as long.
    store.fulfil_due_orders(failing.retry_at, 50, lambda d, take: settle(d, take, 0))
    [again] = store.failing_orders(10)
    assert again.failures == 2 and again.retry_at - failing.retry_at >= 2_000_000
    assert_counts_exact(store)


def test_the_worker_keeps_settling_new_orders_behind_one_it_cannot_settle(
    live: LiveServer, store: SqlStore
) -> None:
    with client_for(live, new_key(store, "acme")) as client:
        stuck = create(client, number())
        settled(client, stuck["id"])
        poison(store, stuck["id"])
        for _ in range(3):
            assert (
                settled(client, create(client, number())["id"], timeout=10)["status"] == "success"
            )
    assert [f.order_id for f in store.failing_orders(10)] == [stuck["id"]]
