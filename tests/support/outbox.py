"""Outbox events written the way the settling transaction writes them (the status change and
`outbox.enqueue_order_complete` in one transaction, as `storage/settling.py` does),
without running fulfilment, so delivery tests decide exactly when each event appears; and a
delivery loop to take them. End-to-end tests through real orders are in
`tests/worker/test_order_webhooks.py`."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import update

from number_orders.config import Settings
from number_orders.domain.orders import SUCCESS, NumberOrderDetail
from number_orders.seed.factory import OrderFactory
from number_orders.server import open_store
from number_orders.storage import outbox
from number_orders.storage.schema import number_orders
from number_orders.storage.sql_store import SqlStore
from number_orders.worker.delivery import WebhookDelivery
from number_orders.worker.runner import webhook_delivery

URL = "http://127.0.0.1:9/hooks"


def orders(store: SqlStore, account_id: str, count: int, seed: int = 1) -> list[NumberOrderDetail]:
    details = list(OrderFactory(seed).orders(count))
    store.insert_number_orders(account_id, details)
    return details


def settle(store: SqlStore, account_id: str, detail: NumberOrderDetail) -> str:
    """What a settling transaction does: the status change and its event, together."""
    with store.writing() as conn:
        conn.execute(
            update(number_orders)
            .where(number_orders.c.account_id == account_id, number_orders.c.id == detail.order.id)
            .values(status=SUCCESS)
        )
        return outbox.enqueue_order_complete(conn, account_id, detail)


def account_with_url(store: SqlStore, name: str = "acme", url: str = URL) -> str:
    account_id = store.ensure_account(name).account_id
    store.set_webhook_url(account_id, url)
    return account_id


@contextmanager
def delivery_loop(settings: Settings) -> Iterator[WebhookDelivery]:
    """A delivery loop with a store of its own on a thread of its own, like another process."""
    own_store = open_store(settings.database_url)
    delivery = webhook_delivery(settings, own_store)
    stop = asyncio.Event()
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_until_complete, args=(delivery.run(stop),))
    thread.start()
    try:
        yield delivery
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(30)
        loop.close()
        own_store.close()
