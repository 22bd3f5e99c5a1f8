"""Webhook delivery throughput and latency against a real loopback receiver.

    .venv/bin/python -m bench.webhook_delivery [--engine sqlite|postgresql] [--events N]

Burst: N events already in the outbox (N orders settled before the loop starts), one
delivery loop, time until the receiver has them all. Trickle: one settlement every 100 ms
with the loop idle in between; latency is from the settling commit to the receiver reading
the request. Orders: `number-orders serve` (fulfilment delay 0) and real orders; latency is
from the create's 200 to the receiver reading the `number_order.complete` event
(fulfilment pick-up, settlement and delivery).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx

from bench.create_rate import next_number
from number_orders.config import Settings
from number_orders.domain.creating import NewOrder
from number_orders.server import open_store
from number_orders.service import NumberOrdersService
from number_orders.storage.sql_store import SqlStore
from number_orders.testing import PostgresServer, ServeProcess, WebhookReceiver
from number_orders.worker.runner import webhook_delivery

SETTLE_BATCH = 500


def run_loop(settings: Settings, store: SqlStore, stop: threading.Event) -> threading.Thread:
    async def main() -> None:
        stopping = asyncio.Event()
        task = asyncio.create_task(webhook_delivery(settings, store).run(stopping))
        while not stop.is_set():
            await asyncio.sleep(0.05)
        stopping.set()
        await task

    thread = threading.Thread(target=asyncio.run, args=(main(),))
    thread.start()
    return thread


def create_due_orders(service: NumberOrdersService, account_id: str, count: int) -> None:
    """Orders of one plain number each, due for settlement at once."""
    for _ in range(count):
        body = {"phone_numbers": [{"phone_number": next_number()}]}
        service.create_number_order(account_id, NewOrder.from_body(body))


def measure(database_url: str, events: int) -> None:
    settings = Settings(database_url=database_url)
    store = open_store(database_url)
    # Settling an order enqueues its event in the same transaction, as the worker does.
    service = NumberOrdersService(store, fulfilment_delay=0.0)
    with WebhookReceiver() as receiver:
        account_id = store.ensure_account("bench").account_id
        service.set_webhook_url("bench", receiver.url)
        create_due_orders(service, account_id, events + 50)
        settled = 0
        while settled < events:
            settled += len(service.fulfil_due_orders(min(SETTLE_BATCH, events - settled)))
        stop = threading.Event()
        started = time.perf_counter()
        thread = run_loop(settings, store, stop)
        receiver.wait_for(events, timeout=600)
        elapsed = time.perf_counter() - started
        print(f"burst: {events} events in {elapsed:.2f} s = {events / elapsed:,.0f} events/s")

        latencies = []
        for _ in range(50):
            time.sleep(0.1)
            committed = time.time()
            assert len(service.fulfil_due_orders(1)) == 1
            receiver.wait_for(len(receiver.deliveries) + 1)
            latencies.append((receiver.deliveries[-1].received_at - committed) * 1000)
        stop.set()
        thread.join()
    report(
        f"trickle latency, commit to receipt (poll {settings.webhook_poll_interval} s)", latencies
    )
    report("order latency, create answered to event received", order_latencies(database_url))
    store.close()


def order_latencies(database_url: str, count: int = 50) -> list[float]:
    settings = Settings(database_url=database_url, rate_limit=0, fulfilment_delay=0.0, demo=False)
    store = open_store(database_url)
    key = NumberOrdersService(store).create_api_key("orders").token
    latencies = []
    with WebhookReceiver() as receiver, ServeProcess(settings) as server:
        NumberOrdersService(store).set_webhook_url("orders", receiver.url)
        headers = {"Authorization": f"Bearer {key}"}
        with httpx.Client(base_url=server.base_url, headers=headers) as client:
            for i in range(count):
                time.sleep(0.1)
                body = {"phone_numbers": [{"phone_number": next_number()}]}
                assert client.post("/number_orders", json=body).status_code == 200
                answered = time.time()
                receiver.wait_for(i + 1)
                latencies.append((receiver.deliveries[-1].received_at - answered) * 1000)
    store.close()
    return latencies


def report(what: str, latencies: list[float]) -> None:
    cuts = statistics.quantiles(latencies, n=20)
    print(
        f"{what}: p50 {statistics.median(latencies):.0f} ms, p95 {cuts[18]:.0f} ms, "
        f"max {max(latencies):.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--events", type=int, default=2000)
    args = parser.parse_args()
    if args.engine == "sqlite":
        with tempfile.TemporaryDirectory() as directory:
            measure(f"sqlite:///{Path(directory) / 'bench.sqlite3'}", args.events)
        return
    server = PostgresServer()
    server.start()
    try:
        measure(server.create_database("bench"), args.events)
    finally:
        server.cleanup()


if __name__ == "__main__":
    main()
