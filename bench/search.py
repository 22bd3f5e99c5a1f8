"""The number search in `make bench`: `GET /v2/available_phone_numbers` for 50 numbers of
one US locality, against the raw-ASGI ceiling serving the same bytes, with 10^4 and with
10^6 numbers held in `number_holdings`.

Each size has a database and a `number-orders serve` of its own, both running at once,
and every measurement alternates between them (and, for throughput, with the ceiling):
the machine is shared, and flatness compares figures taken under the same neighbours.
Measuring starts once every country's catalogues are built. Held numbers are mostly
spread over the North American plan, plus a few of the search's own candidates (every
fourth of the first 200, in both databases), so the search meets holdings and asks
again, as a real one does.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert

from bench.run import CLI, LATENCY_SECONDS, WRK_SECONDS, ceiling, get, new_key, wait_for, wrk
from number_orders.domain.available_numbers import SUPPORTED_COUNTRIES, Inventory, SearchQuery
from number_orders.domain.timestamps import now_micros
from number_orders.storage.database import make_engine
from number_orders.storage.schema import number_holdings
from number_orders.testing import free_port as _free_port

QUERY = "filter[locality]=Chicago&filter[administrative_area]=IL&filter[limit]=50"
HELD = (10_000, 1_000_000)
ROUNDS = 3  # throughput runs per size, each beside a ceiling run
LATENCY_ROUNDS = 5  # one-connection runs per size; p50 and p99 are their medians
_BATCH = 50_000
_ORDER_ID = "00000000-0000-7000-8000-00000000b0b0"


@dataclass
class SearchRun:
    engine: str
    held: int
    rps: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    ceiling_rps: float = 0.0
    total_results: int = 0


@dataclass
class Target:
    run: SearchRun
    url: str
    key: str
    body: bytes = b""
    rps: list[float] = field(default_factory=list)
    ceilings: list[float] = field(default_factory=list)
    latencies: list[dict[str, float]] = field(default_factory=list)


def bench_search(engine: str, database: Callable[[str], str]) -> list[dict[str, Any]]:
    """One run per size of `HELD`; `database(name)` makes an empty database."""
    numbers = held_numbers(HELD[-1])
    with ExitStack() as stack:
        targets = []
        for size in HELD:
            url = database(f"search_{size}")
            key = new_key(url)
            hold(url, numbers[:size])
            base = stack.enter_context(server(url, key))
            targets.append(Target(SearchRun(engine, size), f"{base}?{QUERY}", key))
        for target in targets:
            target.body = get(target.url, target.key)
            target.run.total_results = json.loads(target.body)["meta"]["total_results"]
            assert target.run.total_results == 50, target.body[:500]
        for _ in range(ROUNDS):
            for target in targets:
                target.rps.append(wrk(target.url, target.key, 32, WRK_SECONDS)["rps"])
                target.ceilings.append(ceiling(target.body))
        for _ in range(LATENCY_ROUNDS):
            for target in targets:
                target.latencies.append(wrk(target.url, target.key, 1, LATENCY_SECONDS))
    return [vars(summary(target)) for target in targets]


def summary(target: Target) -> SearchRun:
    run = target.run
    run.rps, run.ceiling_rps = statistics.median(target.rps), statistics.median(target.ceilings)
    run.p50_ms = statistics.median(latency["p50_ms"] for latency in target.latencies)
    run.p99_ms = statistics.median(latency["p99_ms"] for latency in target.latencies)
    return run


def held_numbers(count: int) -> list[str]:
    """`count` distinct numbers: every fourth of the first 200 the measured search meets,
    then numbers anywhere in the North American plan, always the same ones."""
    query = SearchQuery(locality="Chicago", administrative_area="IL", limit=200)
    found = Inventory().search_numbers(query, lambda numbers, **_: set())
    numbers = dict.fromkeys(f.phone_number for f in found[::4])
    rng = random.Random(HELD[-1])
    while len(numbers) < count:
        numbers[f"+1{rng.randrange(2_000_000_000, 10_000_000_000)}"] = None
    return list(numbers)


def hold(url: str, numbers: list[str]) -> None:
    """Numbers held by other accounts (owned), inserted in bulk."""
    engine = make_engine(url)
    try:
        for start in range(0, len(numbers), _BATCH):
            rows = [_row(start + i, n) for i, n in enumerate(numbers[start : start + _BATCH])]
            with engine.begin() as conn:
                conn.execute(insert(number_holdings), rows)
    finally:
        engine.dispose()
    if url.startswith("postgresql"):
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("VACUUM (ANALYZE) number_holdings")


def _row(index: int, phone_number: str) -> dict[str, Any]:
    return {
        "phone_number": phone_number,
        "account_id": f"00000000-0000-4000-8000-{index % 1000:012d}",
        "order_id": _ORDER_ID,
        "state": "owned",
        "updated_at": now_micros(),
    }


@contextmanager
def server(url: str, key: str) -> Iterator[str]:
    """`number-orders serve` on the database, once every country's catalogues are built;
    the search's URL."""
    port = _free_port()
    env = {**os.environ, "NUMBER_ORDERS_RUN_WORKER": "0", "NUMBER_ORDERS_DEMO": "0"}
    process = subprocess.Popen(
        [*CLI, "serve", "--port", str(port), "--rate-limit", "0", "--database-url", url],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}/v2/available_phone_numbers"
        wait_for(base, key)
        for country in SUPPORTED_COUNTRIES:
            # Each waits until its country is built: after the last, nothing else runs.
            get(f"{base}?filter[country_code]={country}&filter[limit]=1", key)
        yield base
    finally:
        process.terminate()
        process.wait(10)
