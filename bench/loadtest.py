"""Load test: many concurrent clients against a real `number-orders serve` on loopback.

Starts its own server (two worker processes by default) on a throwaway PostgreSQL, or on
the store given with --database-url, seeds it, and runs a fixed number of clients for a
fixed time with mixed list traffic, plus creates and retrieves when the server offers
`POST /v2/number_orders`. Rate limiting stays on, one key per client. Stops by itself and
fails (exit 1) on any 5xx, any transport error, or any created order that cannot be read
back. Usage: python -m bench.loadtest [--clients 64] [--duration 60] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from number_orders.config import Settings
from number_orders.seed.factory import OrderFactory
from number_orders.server import open_store
from number_orders.service import NumberOrdersService
from number_orders.testing import PostgresServer, ServeProcess, postgres_available

LIST_QUERIES = [
    "",
    "page[size]=50",
    "page[size]=250&page[number]=3",
    "filter[status]=pending",
    "filter[status]=success&page[size]=100",
    "filter[requirements_met]=false",
    "filter[phone_numbers_count]=2",
    "filter[created_at][gt]=2025-01-01&page[size]=10",
    "filter[customer_reference]=acme-001",
    "page[number]=9999",
    "page[size]=0",  # a 400 now and then, as real clients make them
]


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    transport_errors: Counter[str] = field(default_factory=Counter)
    created: list[str] = field(default_factory=list)

    def record(self, kind: str, status: int, seconds: float) -> None:
        self.latencies[kind].append(seconds)
        self.statuses[(kind, status)] += 1


@contextmanager
def database(url: str | None) -> Iterator[str]:
    if url:
        yield url
        return
    if not postgres_available():
        with tempfile.TemporaryDirectory() as directory:
            yield f"sqlite:///{directory}/load.sqlite3"
        return
    with PostgresServer() as server:
        yield server.create_database("load")


def prepare(url: str, clients: int, orders: int) -> list[str]:
    store = open_store(url)
    service = NumberOrdersService(store)
    keys = [service.create_api_key("load").token for _ in range(clients)]
    account = store.ensure_account("load").account_id
    store.insert_number_orders(account, OrderFactory(seed=42).orders(orders))
    store.close()
    return keys


def server(url: str, workers: int, log: Path) -> ServeProcess:
    """`serve --workers N` on `url`, rate limits on, orders settling after 0.2 s."""
    settings = Settings(database_url=url, workers=workers, fulfilment_delay=0.2, demo=False)
    return ServeProcess(settings, log=log)


def new_number(rng: random.Random) -> str:
    # US geographic numbers with a valid area code and exchange, unique enough per run.
    return f"+1{rng.choice(['202', '312', '415', '617', '718'])}{rng.randint(2_000_000, 9_999_999)}"


async def probe_create(client: httpx.AsyncClient) -> bool:
    """Whether the server takes creates: an empty create is a 422 there, a 405 here."""
    response = await client.post("/number_orders", json={})
    return response.status_code != 405


async def one_client(
    base: str, key: str, stop_at: float, creates: bool, seed: int, tally: Tally
) -> None:
    rng = random.Random(seed)
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=base + "/v2", headers=headers, timeout=10) as client:
        while time.monotonic() < stop_at:
            roll = rng.random()
            try:
                if creates and roll < 0.2:
                    await create(client, rng, tally)
                elif creates and roll < 0.3 and tally.created:
                    await timed(
                        client,
                        "retrieve",
                        "GET",
                        f"/number_orders/{rng.choice(tally.created)}",
                        tally,
                    )
                else:
                    query = rng.choice(LIST_QUERIES)
                    await timed(client, "list", "GET", "/number_orders?" + query, tally)
            except httpx.TransportError as error:
                tally.transport_errors[type(error).__name__] += 1


async def timed(
    client: httpx.AsyncClient, kind: str, method: str, path: str, tally: Tally, **kw: Any
) -> httpx.Response:
    started = time.perf_counter()
    response = await client.request(method, path, **kw)
    tally.record(kind, response.status_code, time.perf_counter() - started)
    return response


async def create(client: httpx.AsyncClient, rng: random.Random, tally: Tally) -> None:
    numbers = [{"phone_number": new_number(rng)} for _ in range(rng.randint(1, 3))]
    body = {"phone_numbers": numbers, "customer_reference": f"load-{rng.randint(1, 50)}"}
    response = await timed(client, "create", "POST", "/number_orders", tally, json=body)
    if response.status_code == 200:
        tally.created.append(response.json()["data"]["id"])


async def verify(base: str, key: str, created: list[str], expected_total: int) -> list[str]:
    """Every created order can be read back, and the list counts every order."""
    headers = {"Authorization": f"Bearer {key}"}
    lost = []
    async with httpx.AsyncClient(base_url=base + "/v2", headers=headers, timeout=30) as client:
        for order_id in created:
            for _ in range(20):  # a 429 only means "later"
                response = await client.get(f"/number_orders/{order_id}")
                if response.status_code != 429:
                    break
                await asyncio.sleep(float(response.headers.get("retry-after", "1")))
            if response.status_code != 200:
                lost.append(order_id)
        total = (await client.get("/number_orders")).json()["meta"]["total_results"]
    if total != expected_total:
        lost.append(f"list counts {total} orders, expected {expected_total}")
    return lost


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def report(tally: Tally, seconds: float, lost: list[str]) -> int:
    total = sum(tally.statuses.values())
    print(f"\n{total} requests in {seconds:.1f}s: {total / seconds:,.0f} requests/s")
    print(f"{'kind':<10}{'count':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for kind, values in sorted(tally.latencies.items()):
        cells = [percentile(values, q) * 1000 for q in (0.5, 0.95, 0.99)] + [max(values) * 1000]
        print(f"{kind:<10}{len(values):>8}" + "".join(f"{c:>9.1f}" for c in cells))
    everything = [v for values in tally.latencies.values() for v in values]
    print(f"{'all':<10}{len(everything):>8}{percentile(everything, 0.99) * 1000:>27.1f}")
    print("statuses:", dict(sorted(tally.statuses.items())))
    server_errors = sum(n for (_, status), n in tally.statuses.items() if status >= 500)
    print(f"5xx: {server_errors}  transport errors: {dict(tally.transport_errors)}")
    print(f"created: {len(tally.created)}  lost: {len(lost)} {lost[:5]}")
    return 1 if server_errors or tally.transport_errors or lost else 0


async def run(base: str, keys: list[str], duration: float, seeded: int) -> int:
    async with httpx.AsyncClient(
        base_url=base + "/v2", headers={"Authorization": f"Bearer {keys[0]}"}
    ) as probe:
        creates = await probe_create(probe)
    print(f"creates: {'yes' if creates else 'no (POST /v2/number_orders is not served)'}")
    tally = Tally()
    started = time.monotonic()
    stop_at = started + duration
    clients = [
        one_client(base, key, stop_at, creates, seed, tally) for seed, key in enumerate(keys)
    ]
    await asyncio.wait_for(asyncio.gather(*clients), timeout=duration + 30)
    elapsed = time.monotonic() - started
    lost = await verify(base, keys[0], tally.created, seeded + len(tally.created))
    return report(tally, elapsed, lost)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds (at most 600)")
    parser.add_argument("--workers", type=int, default=2, help="server processes")
    parser.add_argument("--orders", type=int, default=20_000, help="orders seeded first")
    parser.add_argument("--database-url", help="default: a throwaway PostgreSQL")
    args = parser.parse_args()
    duration = min(args.duration, 600.0)
    with tempfile.TemporaryDirectory() as workdir, database(args.database_url) as url:
        keys = prepare(url, args.clients, args.orders)
        log = Path(workdir) / "server.log"
        print(
            f"{args.clients} clients for {duration:.0f}s against {args.workers} processes on {url.split(':')[0]}"
        )
        with server(url, args.workers, log) as served:
            return asyncio.run(run(served.root_url, keys, duration, args.orders))


if __name__ == "__main__":
    sys.exit(main())
