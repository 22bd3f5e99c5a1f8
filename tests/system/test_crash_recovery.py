"""A server killed with SIGKILL in the middle of a burst of creates, on both engines:
every order answered 200 is there, none is half-written, and after a restart the worker
completes what was pending."""

from __future__ import annotations

import signal
import threading

import httpx
from sqlalchemy import select

from number_orders.config import Settings
from number_orders.domain.listing import ListedOrder, ListQuery
from number_orders.storage.schema import number_holdings
from number_orders.storage.sql_store import SqlStore
from number_orders.testing import ServeProcess, wait_until
from tests.support.app import bearer, new_key
from tests.support.orders import assert_counts_exact, number, order_body

CLIENTS = 8
ANSWERED_BEFORE_KILL = 40


def test_sigkill_during_creates_loses_no_answered_order(store: SqlStore, database_url: str) -> None:
    key = new_key(store, "acme")
    account_id = store.ensure_account("acme").account_id
    settings = Settings(database_url=database_url, rate_limit=0, demo=False)
    # No worker in the first life, so every order is still pending when it dies.
    server = ServeProcess(settings.with_changes(run_worker=False)).start()
    answered: dict[str, list[str]] = {}
    unexpected: list[str] = []
    stop = threading.Event()

    def create_until_it_dies() -> None:
        with httpx.Client(base_url=server.base_url, headers=bearer(key), timeout=10) as client:
            while not stop.is_set():
                numbers = [number(), number("GB")]
                try:
                    response = client.post("/number_orders", json=order_body(*numbers))
                except httpx.TransportError:
                    return
                if response.status_code == 200:
                    answered[response.json()["data"]["id"]] = numbers
                else:
                    unexpected.append(response.text)

    threads = [threading.Thread(target=create_until_it_dies) for _ in range(CLIENTS)]
    try:
        for thread in threads:
            thread.start()
        wait_until(lambda: len(answered) >= ANSWERED_BEFORE_KILL, timeout=60)
    finally:
        server.kill()
        stop.set()
        for thread in threads:
            thread.join(20)
    assert not unexpected
    total = store.list_number_orders(account_id, ListQuery(page_size=1))[1]
    assert total >= len(answered)
    for order_id, numbers in answered.items():
        detail = store.retrieve_number_order(account_id, order_id)
        assert detail is not None, order_id
        assert [n.phone_number for n in detail.numbers] == numbers
    # Nothing half-written: every stored order has its numbers reserved and is counted.
    holders = _holders(store)
    for order in _all_orders(store, account_id, total):
        assert all(holders[p] == order.id for _, p in order.phone_numbers), order.id
    assert_counts_exact(store)

    # Second life, with the worker: everything pending completes (the GB numbers wait for
    # an address; the US ones settle).
    restarted = ServeProcess(settings.with_changes(fulfilment_delay=0.0)).start()
    try:

        def all_settled() -> bool:
            orders = _all_orders(store, account_id, total)
            details = [store.retrieve_number_order(account_id, o.id) for o in orders]
            return all(d is not None and d.numbers[0].status == "success" for d in details)

        wait_until(all_settled, timeout=60, interval=0.2)
    finally:
        # uvicorn shuts down gracefully, then re-raises the SIGTERM it caught.
        assert restarted.stop() in (0, -signal.SIGTERM)
    assert_counts_exact(store)


def _holders(store: SqlStore) -> dict[str, str]:
    h = number_holdings.c
    with store.engine.connect() as conn:
        return {
            phone_number: order_id
            for phone_number, order_id in conn.execute(select(h.phone_number, h.order_id))
        }


def _all_orders(store: SqlStore, account_id: str, total: int) -> list[ListedOrder]:
    orders: list[ListedOrder] = []
    for page in range(1, total // 250 + 2):
        orders += store.list_number_orders(account_id, ListQuery(page_size=250, page_number=page))[
            0
        ]
    return orders
