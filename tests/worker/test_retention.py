"""Retention on both engines: finished webhook events past their days go with their
attempts, tally rows counting zero go while every total stays exact, expired idempotency
keys go (and count as unused before they do), each a bounded batch per transaction, by
`prune` and by the worker in the background."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import func, insert, select, update

from number_orders.config import Settings
from number_orders.domain.creating import NewOrder
from number_orders.domain.idempotency import RETENTION_MICROS, IdempotencyKey
from number_orders.domain.listing import ListQuery
from number_orders.domain.timestamps import now_micros
from number_orders.domain.updating import OrderUpdate
from number_orders.domain.webhooks import DEAD, DELIVERED, PENDING
from number_orders.service import NumberOrdersService
from number_orders.service.retention import DAY_MICROS
from number_orders.storage.schema import (
    idempotency_keys,
    order_reference_counts,
    webhook_deliveries,
    webhook_events,
)
from number_orders.storage.sql_store import SqlStore
from number_orders.testing import wait_until
from number_orders.worker import retention
from tests.support.app import new_key
from tests.support.live import LiveServer
from tests.support.orders import assert_counts_exact, number, order_body
from tests.support.outbox import account_with_url, orders, settle


def event_at(store: SqlStore, account_id: str, status: str, finished: int, attempts: int) -> str:
    """An outbox event that ended (or waits) with `status` at `finished`, with attempts."""
    event_id = settle(store, account_id, orders(store, account_id, 1, seed=now_micros())[0])
    with store.writing() as conn:
        conn.execute(
            update(webhook_events)
            .where(webhook_events.c.id == event_id)
            .values(status=status, next_attempt_at=finished, attempts=attempts)
        )
        for attempt in range(1, attempts + 1):
            conn.execute(
                insert(webhook_deliveries).values(
                    account_id=account_id,
                    event_id=event_id,
                    attempt=attempt,
                    key_id="k",
                    url="http://127.0.0.1:9/hooks",
                    started_at=finished,
                    duration_micros=1,
                    status_code=500,
                )
            )
    return event_id


def prune(store: SqlStore, settings: Settings, now: int) -> dict[str, int]:
    """One pass as the worker runs it, through a service over `store`."""
    return retention.prune(NumberOrdersService(store), settings, now)


def count(store: SqlStore, table: Any, *where: Any) -> int:
    with store.reading() as conn:
        return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())


def test_finished_events_past_retention_go_with_their_attempts(
    store: SqlStore, settings: Settings
) -> None:
    account_id = account_with_url(store)
    now = now_micros()
    old = now - 31 * DAY_MICROS
    gone = [
        event_at(store, account_id, DELIVERED, old, 2),
        event_at(store, account_id, DEAD, old, 3),
    ]
    kept = [
        event_at(store, account_id, DELIVERED, now - 29 * DAY_MICROS, 1),  # too recent
        event_at(store, account_id, PENDING, old, 4),  # still to be delivered: never pruned
    ]
    pruned = prune(store, settings.with_changes(prune_batch=1), now)
    assert pruned["webhook_events"] == 2 and pruned["webhook_deliveries"] == 5
    remaining = {e.id for e in store.list_webhook_events(account_id, None, 100)}
    assert remaining == set(kept)
    assert count(store, webhook_deliveries) == 5
    assert not any(store.list_webhook_attempts(account_id, e) for e in gone)
    assert prune(store, settings, now).get("webhook_events", 0) == 0
    # Kept forever when retention is off.
    forever = settings.with_changes(event_retention_days=0)
    assert "webhook_events" not in prune(store, forever, now + 365 * DAY_MICROS)


def test_each_call_deletes_one_bounded_batch_and_prune_takes_them_all(
    store: SqlStore, settings: Settings
) -> None:
    account_id = account_with_url(store)
    old = now_micros() - 40 * DAY_MICROS
    for _ in range(12):
        event_at(store, account_id, DELIVERED, old, 1)
    assert store.prune_webhook_events(old + 1, 5) == (5, 5)
    assert count(store, webhook_events) == 7
    pruned = prune(store, settings.with_changes(prune_batch=5), now_micros())
    assert pruned["webhook_events"] == 7 and count(store, webhook_events) == 0


def test_tally_rows_counting_zero_go_and_every_total_stays_exact(
    store: SqlStore, settings: Settings
) -> None:
    service = NumberOrdersService(store)
    account_id = service.create_api_key("acme").account.account_id
    order = service.create_number_order(account_id, NewOrder.from_body(order_body(number())))
    for index in range(30):  # every new reference leaves the previous one's rows at zero
        change = OrderUpdate.from_body({"customer_reference": f"ref-{index}"})
        service.update_number_order(account_id, order.order.id, change)
    assert count(store, order_reference_counts, order_reference_counts.c.n == 0) == 29
    pruned = prune(store, settings.with_changes(prune_batch=7), now_micros())
    assert pruned["order_reference_counts"] == 29
    assert count(store, order_reference_counts) == 1
    assert_counts_exact(store)

    def total(**params: str) -> int:
        query = ListQuery.from_params(list(params.items()))
        return service.list_number_orders(account_id, query).total_results

    assert total() == 1 and total(**{"filter[customer_reference]": "ref-29"}) == 1
    assert total(**{"filter[customer_reference]": "ref-3"}) == 0
    # A reference used again is counted anew.
    service.update_number_order(
        account_id, order.order.id, OrderUpdate.from_body({"customer_reference": "ref-3"})
    )
    assert total(**{"filter[customer_reference]": "ref-3"}) == 1
    assert_counts_exact(store)


def age_idempotency_keys(store: SqlStore, by: int) -> None:
    with store.writing() as conn:
        conn.execute(update(idempotency_keys).values(created_at=idempotency_keys.c.created_at - by))


def create(
    service: NumberOrdersService, account_id: str, key: str, body: dict[str, Any] | None = None
) -> str:
    body = body or order_body(number())
    new, idempotency = NewOrder.from_body(body), IdempotencyKey.for_body(key, body)
    return service.create_number_order(account_id, new, idempotency).order.id


def test_expired_idempotency_keys_go_and_count_as_unused_before_they_do(
    store: SqlStore, settings: Settings
) -> None:
    service = NumberOrdersService(store)
    account_id = service.create_api_key("acme").account.account_id
    first = create(service, account_id, "reused")
    for index in range(3):
        create(service, account_id, f"other-{index}")
    age_idempotency_keys(store, RETENTION_MICROS + 1_000_000)
    # Not swept yet, but past its retention: another body makes a new order, no 422.
    body = order_body(number())
    second = create(service, account_id, "reused", body)
    assert second != first
    assert create(service, account_id, "reused", body) == second  # the key now names it
    pruned = prune(store, settings.with_changes(prune_batch=2), now_micros())
    assert pruned["idempotency_keys"] == 3
    assert count(store, idempotency_keys) == 1


def test_the_worker_prunes_in_the_background(store: SqlStore, settings: Settings) -> None:
    new_key(store, "acme")
    account_id = account_with_url(store, name="hooks")
    old = event_at(store, account_id, DELIVERED, now_micros() - 60 * DAY_MICROS, 1)
    background = settings.with_changes(prune_interval=0.2)
    exists: Callable[[], bool] = lambda: store.find_webhook_event(old) is not None  # noqa: E731
    with LiveServer(background, store):
        wait_until(lambda: not exists(), timeout=15)
    assert count(store, webhook_deliveries) == 0
