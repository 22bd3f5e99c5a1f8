"""Reservation expiry, the registry's `reservations` step, on both engines: due holds are
freed in small batches, each with its reservation's rows, exactly once however many
workers share the queue; an idle step thread only reads."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, select

from number_orders.domain.number_reservations import (
    NewReservation,
    NumberReservation,
    build_reservation,
)
from number_orders.domain.timestamps import now_micros
from number_orders.domain.webhooks import DeliveryPolicy
from number_orders.server import open_store
from number_orders.service import NumberOrdersService
from number_orders.storage.database import make_engine
from number_orders.storage.schema import number_holdings, reserved_phone_numbers
from number_orders.storage.sql_store import SqlStore
from number_orders.testing import wait_until
from number_orders.worker.delivery import WebhookDelivery
from number_orders.worker.steps import STEPS, Work, expire_reservations
from number_orders.worker.threads import StepWorker, WorkerThreads
from tests.support.orders import number, order_body


def work_on(service: NumberOrdersService, batch: int = 50) -> Work:
    return Work(service, WebhookDelivery(service, DeliveryPolicy()), batch=batch)


def expiry_worker(service: NumberOrdersService) -> StepWorker:
    """A step thread's worker with the registry's expiry step alone."""
    return StepWorker(work_on(service), [s for s in STEPS if s.name == "reservations"])


def reserve_expired(store: SqlStore, account: str, count: int) -> list[NumberReservation]:
    """`count` reservations of one number each, made now and due a microsecond ago."""
    now = now_micros()
    return [
        store.create_number_reservation(
            account, build_reservation(NewReservation.from_body(order_body(number())), now), now - 1
        )
        for _ in range(count)
    ]


def numbers_of(reservations: list[NumberReservation]) -> list[str]:
    return [n.phone_number for r in reservations for n in r.numbers]


def states(store: SqlStore) -> dict[str, str]:
    n = reserved_phone_numbers.c
    with store.reading() as conn:
        return {p: s for p, s in conn.execute(select(n.phone_number, n.state)).all()}


def held(store: SqlStore) -> set[str]:
    with store.reading() as conn:
        return set(conn.scalars(select(number_holdings.c.phone_number)))


@contextmanager
def writes(store: SqlStore) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(*args: Any) -> None:
        statement = args[2].lstrip().upper()
        if statement.startswith(("INSERT", "UPDATE", "DELETE", "BEGIN IMMEDIATE")):
            seen.append(statement)

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(store.engine, "before_cursor_execute", record)


def test_due_holds_are_freed_in_batches_and_marked_expired(store: SqlStore) -> None:
    service = NumberOrdersService(store)
    account = service.create_api_key("acme").account.account_id
    due = reserve_expired(store, account, 5)
    new = NewReservation.from_body(order_body(number()))
    alive = service.create_number_reservation(account, new).numbers[0].phone_number
    work = work_on(service, batch=2)
    assert [expire_reservations(work) for _ in range(3)] == [2, 2, 1]
    assert held(store) == {alive}
    assert states(store) == dict.fromkeys(numbers_of(due), "expired") | {alive: "reserved"}
    for before in due:
        after = service.retrieve_number_reservation(account, before.id)
        # Expired when it was due; the reservation moved when the worker said so.
        assert after.numbers[0].expired_at == before.numbers[0].expired_at
        assert after.updated_at > before.updated_at and after.status == "success"


def test_an_idle_worker_only_reads(store: SqlStore) -> None:
    service = NumberOrdersService(store)
    account = service.create_api_key("acme").account.account_id
    service.create_number_reservation(account, NewReservation.from_body(order_body(number())))
    worker = expiry_worker(service)
    with writes(store) as seen:
        assert worker.run_once() is False
    assert seen == []
    assert 0 < worker._idle_wait() <= worker.idle_wait


def test_workers_sharing_the_queue_free_each_hold_once(store: SqlStore, database_url: str) -> None:
    service = NumberOrdersService(store)
    account = service.create_api_key("acme").account.account_id
    due = reserve_expired(store, account, 60)
    stores = [open_store(database_url) for _ in range(3)]
    freed: list[int] = []
    lock = threading.Lock()

    def drain(worker_store: SqlStore) -> None:
        worker_service = NumberOrdersService(worker_store)
        while held(worker_store):
            count = worker_service.expire_due_reservations(5)
            with lock:
                freed.append(count)

    threads = [threading.Thread(target=drain, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for s in stores:
        s.close()
    assert sum(freed) == len(due)
    assert states(store) == dict.fromkeys(numbers_of(due), "expired")


def test_a_running_worker_frees_a_reservation_soon_after_it_is_due(store: SqlStore) -> None:
    service = NumberOrdersService(store, reservation_seconds=1)
    account = service.create_api_key("acme").account.account_id
    made = service.create_number_reservation(
        account, NewReservation.from_body(order_body(number()))
    )
    threads = WorkerThreads([expiry_worker(service)]).start()
    try:
        wait_until(lambda: not held(store), timeout=10)
        freed_at = now_micros()
    finally:
        started = time.monotonic()
        threads.stop()
        assert time.monotonic() - started < 2
    expired_at = made.numbers[0].expired_at
    assert expired_at is not None and 0 <= freed_at - expired_at < 2_000_000


def test_the_worker_outlives_a_store_that_does_not_answer(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Nothing listens on port 1: every read and write is an outage, the idle wait's too.
    store = SqlStore(make_engine("postgresql://nobody@127.0.0.1:1/none"))
    threads = WorkerThreads([expiry_worker(NumberOrdersService(store))]).start()
    try:
        wait_until(lambda: "store unavailable" in caplog.text, timeout=10)
        time.sleep(0.1)
        assert threads.threads[0].is_alive()
    finally:
        threads.stop()
        store.close()
    assert not threads.threads[0].is_alive()
