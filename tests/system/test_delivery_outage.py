"""PostgreSQL goes away while an attempt is in flight: the loop keeps running, records the
attempt once the database is back (no second send), and delivers what comes after."""

from __future__ import annotations

import socket
import time

from number_orders.config import Settings
from number_orders.domain.webhooks import DELIVERED
from number_orders.errors import StoreUnavailable
from number_orders.server import open_store
from number_orders.storage.sql_store import SqlStore
from number_orders.testing import Answer, PostgresServer, WebhookReceiver, wait_until
from tests.support.outbox import account_with_url, delivery_loop, orders, settle


def status(store: SqlStore, event_id: str) -> str | None:
    try:
        event = store.find_webhook_event(event_id)
    except StoreUnavailable:  # this test's own pooled connections died with the server
        return None
    return event.status if event else None


def test_an_outage_during_an_attempt_loses_and_repeats_nothing() -> None:
    with PostgresServer() as server, WebhookReceiver() as receiver:
        url = server.create_database("outage")
        settings = Settings(
            database_url=url, webhook_poll_interval=0.05, webhook_timeout=5.0, demo=False
        )
        store = open_store(url)
        account_id = account_with_url(store, url=receiver.url)
        [first, second] = orders(store, account_id, 2)
        receiver.answer(Answer(200, delay=1.5))
        with delivery_loop(settings):
            first_id = settle(store, account_id, first)
            receiver.wait_for(1)
            server.stop()  # the answer comes while the database is down
            with socket.socket() as holder:
                # Hold the port while it is down, so no other test's server can take it.
                holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                holder.bind(("127.0.0.1", server.port))
                time.sleep(2.5)
            server.start()
            wait_until(lambda: status(store, first_id) == DELIVERED)
            settle(store, account_id, second)
            deliveries = receiver.wait_for(2)
            time.sleep(0.3)
        assert [d.attempt for d in receiver.deliveries] == [1, 1]
        assert {d.event_id for d in deliveries} == {first_id, deliveries[1].event_id}
        store.close()
