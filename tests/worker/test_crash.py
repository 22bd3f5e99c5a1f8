"""A server process killed with SIGKILL while an attempt is in flight: the event was
committed with the status change, so it is delivered after a restart (as attempt 2,
once the dead process's lease has run out). Both engines."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import telnyx

from number_orders.domain.webhooks import DELIVERED
from number_orders.service import NumberOrdersService
from number_orders.storage.sql_store import SqlStore
from tests.outbox_helpers import account_with_url, orders, settle
from tests.test_cli import free_port
from tests.webhook_receiver import Answer, WebhookReceiver

CLIENT = telnyx.Telnyx(api_key="KEYunused", base_url="http://127.0.0.1:9/v2")


@contextmanager
def server_process(database_url: str, port: int) -> Iterator[subprocess.Popen[bytes]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUMBER_ORDERS_")}
    env.update(
        NUMBER_ORDERS_DEMO="0",
        NUMBER_ORDERS_WEBHOOK_TIMEOUT="1",  # a lease of 2 * 1 + 5 = 7 s
        NUMBER_ORDERS_WEBHOOK_POLL_INTERVAL="0.05",
        NUMBER_ORDERS_WEBHOOK_BACKOFF_BASE="0.05",
    )
    command = [sys.executable, "-m", "number_orders", "serve", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--database-url", database_url],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/v2/docs", timeout=1)
                break
            except httpx.TransportError:
                assert process.poll() is None and time.monotonic() < deadline
                time.sleep(0.1)
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(10)


def test_sigkill_during_delivery_loses_nothing(database_url: str, store: SqlStore) -> None:
    with WebhookReceiver() as receiver:
        account_id = account_with_url(store, url=receiver.url)
        [detail] = orders(store, account_id, 1)
        receiver.answer(Answer(200, delay=4.0))  # the first attempt is still waiting when killed
        port = free_port()
        with server_process(database_url, port) as process:
            event_id = settle(store, account_id, detail)
            receiver.wait_for(1)
            process.send_signal(signal.SIGKILL)
            process.wait(10)
        event = store.find_webhook_event(event_id)
        assert event is not None and event.status != DELIVERED and event.attempts == 1
        with server_process(database_url, free_port()):
            deliveries = receiver.wait_for(2, timeout=30)
            deadline = time.monotonic() + 10
            while (found := store.find_webhook_event(event_id)) and found.status != DELIVERED:
                assert time.monotonic() < deadline
                time.sleep(0.05)
    assert [(d.event_id, d.attempt) for d in deliveries] == [(event_id, 1), (event_id, 2)]
    public_key = NumberOrdersService(store).ensure_signing_key().public_key
    for delivery in deliveries:
        CLIENT.webhooks.unwrap(delivery.body, headers=delivery.headers, key=public_key)
    # The killed attempt left no outcome; the one after the restart did.
    assert [a.attempt for a in store.list_webhook_attempts(account_id, event_id)] == [2]
