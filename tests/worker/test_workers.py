"""Fulfilment workers beside each other, on both engines: each order is settled exactly
once, each number goes to one account, and the queue lives only in the database. The
`worker` command as a process: `tests/system/test_processes.py`."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

from sqlalchemy import select

from number_orders.domain.creating import NewOrder
from number_orders.domain.idempotency import IdempotencyKey
from number_orders.domain.listing import ListQuery
from number_orders.domain.orders import PENDING, SUCCESS, NumberOrderDetail
from number_orders.domain.timestamps import now_micros
from number_orders.domain.webhooks import DeliveryPolicy
from number_orders.seed.factory import OrderFactory
from number_orders.server import open_store
from number_orders.service import NumberOrdersService
from number_orders.storage import FulfilledOrder
from number_orders.storage.schema import number_holdings
from number_orders.storage.sql_store import SqlStore
from number_orders.testing import wait_until
from number_orders.worker.delivery import WebhookDelivery
from number_orders.worker.steps import Work
from number_orders.worker.threads import StepWorker, WorkerThreads
from tests.support.orders import (
    assert_counts_exact,
    new_order,
    number,
    order_body,
    pending_count,
    status_of,
)

BURST = 160
WORKERS = 4


def step_worker(service: NumberOrdersService, batch: int) -> StepWorker:
    """The registry's steps, as the server's step threads run them."""
    return StepWorker(Work(service, WebhookDelivery(service, DeliveryPolicy()), batch=batch))


class Recording(NumberOrdersService):
    """A service that reports every order it settles."""

    def __init__(self, store: SqlStore, record: Callable[[list[FulfilledOrder]], None]) -> None:
        super().__init__(store)
        self.record = record

    def fulfil_due_orders(self, limit: int) -> list[FulfilledOrder]:
        fulfilled = super().fulfil_due_orders(limit)
        self.record(fulfilled)
        return fulfilled


def test_many_workers_settle_a_burst_exactly_once(store: SqlStore, database_url: str) -> None:
    service = NumberOrdersService(store)
    accounts = [service.create_api_key(n).account.account_id for n in ("acme", "globex")]
    # Every number is ordered by both accounts, so workers also race for holdings.
    shared = [number() for _ in range(BURST // 2)]
    created = [
        service.create_number_order(account, new_order(phone_number)).order.id
        for phone_number in shared
        for account in accounts
    ]
    seen: list[str] = []
    lock = threading.Lock()

    def record(fulfilled: list[FulfilledOrder]) -> None:
        with lock:
            seen.extend(f.detail.order.id for f in fulfilled if f.settled)

    # Each worker has its own engine and connections, as separate processes would.
    stores = [open_store(database_url) for _ in range(WORKERS)]
    workers = [step_worker(Recording(s, record), batch=10) for s in stores]
    threads = WorkerThreads(workers).start()
    try:
        wait_until(lambda: pending_count(store, accounts) == 0, timeout=60, interval=0.1)
    finally:
        threads.stop()
        for s in stores:
            s.close()
    assert sorted(seen) == sorted(created)  # every order settled, none twice
    winners = Counter(
        detail.numbers[0].phone_number
        for account in accounts
        for detail in _details(store, account)
        if detail.order.status == SUCCESS
    )
    assert winners == Counter(dict.fromkeys(shared, 1))
    assert_counts_exact(store)


def _details(store: SqlStore, account_id: str) -> list[NumberOrderDetail]:
    orders, _ = store.list_number_orders(account_id, ListQuery(page_size=250))
    found = [store.retrieve_number_order(account_id, o.id) for o in orders]
    return [d for d in found if d is not None]


def test_an_order_waits_for_its_fulfilment_delay(store: SqlStore) -> None:
    service = NumberOrdersService(store, fulfilment_delay=3600)
    account = service.create_api_key("acme").account.account_id
    detail = service.create_number_order(account, new_order(number()))
    assert service.next_fulfilment_at() == detail.order.created_at + 3600 * 1_000_000
    assert service.fulfil_due_orders(10) == []
    assert status_of(store, account, detail.order.id) == PENDING


def test_failed_numbers_are_released_and_successful_ones_owned(store: SqlStore) -> None:
    service = NumberOrdersService(store)
    account = service.create_api_key("acme").account.account_id
    good, bad = number(), number("US", "0000")
    detail = service.create_number_order(account, new_order(good, bad))
    assert _holdings(store) == {good: "pending", bad: "pending"}
    (fulfilled,) = service.fulfil_due_orders(10)
    assert fulfilled.settled and fulfilled.detail.order.id == detail.order.id
    assert _holdings(store) == {good: "owned"}
    assert service.fulfil_due_orders(10) == []  # off the queue


def _holdings(store: SqlStore) -> dict[str, str]:
    h = number_holdings.c
    with store.engine.connect() as conn:
        return {
            phone_number: state
            for phone_number, state in conn.execute(select(h.phone_number, h.state))
        }


def test_seeded_orders_with_work_join_the_queue(store: SqlStore) -> None:
    service = NumberOrdersService(store)
    account = service.create_api_key("acme").account.account_id
    factory = OrderFactory(seed=3)
    factory.now = now_micros()
    store.insert_number_orders(account, factory.orders(300))
    step_worker(service, batch=500).run_once()
    for detail in _details(store, account):
        # What is still pending waits for requirements, as the rules say.
        for n in detail.numbers:
            assert n.status != PENDING or not n.requirements_met
    assert service.next_fulfilment_at() is None
    assert_counts_exact(store)


def test_idempotency_keys_expire_after_a_day(store: SqlStore) -> None:
    service = NumberOrdersService(store)
    account = service.create_api_key("acme").account.account_id
    body = order_body(number())
    service.create_number_order(
        account, NewOrder.from_body(body), IdempotencyKey.for_body("k", body)
    )
    assert service.expire_idempotency_keys() == 0  # younger than a day: kept
    assert store.expire_idempotency_keys(now_micros() + 1) == 1
