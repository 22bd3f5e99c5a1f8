"""Webhook delivery throughput and latency against a real loopback receiver.

    .venv/bin/python -m bench.webhook_delivery [--engine sqlite|postgresql] [--events N]

Burst: N events already in the outbox, one delivery loop, time until the receiver has them
all. Trickle: one settlement every 100 ms with the loop idle in between; latency is from
the settling commit to the receiver reading the request. Orders: a real server (fulfilment
delay 0) and real orders; latency is from the create's 200 to the receiver reading the
`number_order.complete` event (fulfilment pick-up, settlement and delivery).
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
from tests.live import LiveServer
from tests.outbox_helpers import account_with_url, orders, settle
from tests.webhook_receiver import WebhookReceiver

from number_orders.config import Settings
from number_orders.server import open_store
from number_orders.service import NumberOrdersService
from number_orders.storage.sql_store import SqlStore
from number_orders.testing import PostgresServer
from number_orders.worker.runner import webhook_delivery


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


def measure(database_url: str, events: int) -> None:
    settings = Settings(database_url=database_url)
    store = open_store(database_url)
    with WebhookReceiver() as receiver:
        account_id = account_with_url(store, url=receiver.url)
        details = orders(store, account_id, events + 50, seed=5)
        for detail in details[:events]:
            settle(store, account_id, detail)
        stop = threading.Event()
        started = time.perf_counter()
        thread = run_loop(settings, store, stop)
        receiver.wait_for(events, timeout=600)
        elapsed = time.perf_counter() - started
        print(f"burst: {events} events in {elapsed:.2f} s = {events / elapsed:,.0f} events/s")

        latencies = []
        for detail in details[events:]:
            time.sleep(0.1)
            committed = time.time()
            settle(store, account_id, detail)
            receiver.wait_for(len(receiver.deliveries) + 1)
            latencies.append((receiver.deliveries[-1].received_at - committed) * 1000)
        stop.set()
        thread.join()
    report(
        f"trickle latency, commit to receipt (poll {settings.webhook_poll_interval} s)", latencies
    )
    report("order latency, create answered to event received", order_latencies(store))
    store.close()


def order_latencies(store: SqlStore, count: int = 50) -> list[float]:
    settings = Settings(database_url="", rate_limit=0, fulfilment_delay=0.0, demo=False)
    key = NumberOrdersService(store).create_api_key("orders").token
    latencies = []
    with WebhookReceiver() as receiver, LiveServer(settings, store) as live:
        NumberOrdersService(store).set_webhook_url("orders", receiver.url)
        headers = {"Authorization": f"Bearer {key}"}
        with httpx.Client(base_url=live.base_url, headers=headers) as client:
            for i in range(count):
                time.sleep(0.1)
                body = {"phone_numbers": [{"phone_number": f"+1312555{2000 + i:04d}"}]}
                assert client.post("/number_orders", json=body).status_code == 200
                answered = time.time()
                receiver.wait_for(i + 1)
                latencies.append((receiver.deliveries[-1].received_at - answered) * 1000)
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
