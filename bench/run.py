"""`make bench`: list-endpoint latency and throughput against the HTTP server's ceiling,
and the number search's (`bench/search.py`).

For each engine and size, the bench account gets its orders beside other accounts' (one
`number-orders seed` per step, adding to the last), the real server starts as users run
it (`number-orders serve`, one process), and `wrk` drives it over loopback: requests per
second with 32 connections, p50/p99 with one, every answer 2xx. The ceiling is a raw
ASGI app serving the project's own page-1 bytes under the same uvicorn settings,
measured right after page 1. The same account's owned phone numbers (its orders'
successful numbers, bought in bulk by the seed: about 2.5 per order, so from ~2.5 * 10^4
to ~2 * 10^6) are listed the same way: page 1 and one filter, with their own ceiling.
The search runs on databases of its own beside the list's.

    python -m bench.run [--sizes 10000,100000,1000000] [--engines sqlite,postgresql]
                        [--parts list,search]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench import report
from number_orders.testing import PostgresServer, free_port

RESULTS = Path(__file__).parent / "results"
CLI = [sys.executable, "-m", "number_orders"]
WRK_SECONDS = 5
LATENCY_SECONDS = 3
NOW = 1_780_000_000_000_000  # a fixed anchor (2026-05-28), so every run seeds the same data
# Tuned for a throwaway server on a small machine: data and indexes stay in memory.
PG_TUNING = {
    "shared_buffers": "2GB",
    "effective_cache_size": "6GB",
    "work_mem": "16MB",
    "maintenance_work_mem": "512MB",
    "random_page_cost": "1.1",
    "jit": "off",
    "max_wal_size": "8GB",
    "checkpoint_timeout": "30min",
    "autovacuum": "off",  # the bench vacuums after each seed; nothing else may run
}
# Figures about writes keep production's durability: acknowledged means on disk.
DURABLE = {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}


def month_window() -> str:
    """One calendar month a year before the anchor, as dates."""
    anchor = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=NOW)
    start = anchor.replace(year=anchor.year - 1, day=1, hour=0, minute=0, second=0, microsecond=0)
    end = (start + timedelta(days=32)).replace(day=1)
    return f"filter[created_at][gt]={start:%Y-%m-%d}&filter[created_at][lt]={end:%Y-%m-%d}"


MIX: dict[str, str] = {
    "page 1": "",
    "size 250": "page[size]=250",
    "status": "filter[status]=success",
    "requirements_met": "filter[requirements_met]=false",
    "phone_numbers_count": "filter[phone_numbers_count]=3",
    "customer_reference": "filter[customer_reference]=acme-007",
    "created_at month": month_window(),
    "three filters": f"filter[status]=success&filter[requirements_met]=true&{month_window()}",
    "page 2000": "page[number]=2000",
    "last page": "page[number]=LAST",
}


# `GET /v2/phone_numbers`: page 1 and one filter, on the bench account's owned numbers.
NUMBERS_MIX: dict[str, str] = {
    "page 1": "",
    "country": "filter[country_iso_alpha2]=GB",
}


@dataclass
class Run:
    engine: str
    size: int
    queries: dict[str, dict[str, float]] = field(default_factory=dict)
    ceiling_rps: float = 0.0
    seed_rate: float = 0.0
    numbers: dict[str, dict[str, float]] = field(default_factory=dict)
    numbers_ceiling_rps: float = 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--parts", default="list,search", help="list, search or both")
    parser.add_argument("--name", default="latest")
    args = parser.parse_args()
    from bench.search import bench_search  # it uses this module's helpers

    sizes = [int(s) for s in args.sizes.split(",")]
    parts = args.parts.split(",")
    runs: list[Run] = []
    searches: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="bench-") as work:
        for engine in args.engines.split(","):
            with databases(engine, Path(work)) as database:
                if "list" in parts:
                    runs += bench_engine(engine, sizes, database("bench"))
                if "search" in parts:
                    searches += bench_search(engine, database)
    document = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}",
        "wrk_seconds": WRK_SECONDS,
        "runs": [vars(r) for r in runs],
        "searches": searches,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.name}.json").write_text(json.dumps(document, indent=1))
    (RESULTS / f"{args.name}.md").write_text(report.markdown(document))
    if runs:
        report.plot(document, RESULTS / f"{args.name}.png")
    print(report.markdown(document))


@contextmanager
def databases(engine: str, work: Path, durable: bool = False) -> Iterator[Callable[[str], str]]:
    """Makes an empty database by name on the engine: a file, or one of a PostgreSQL
    server tuned for the bench that lives as long as the context (`durable`: with
    production's durability settings, for figures about writes)."""
    if engine != "postgresql":
        yield lambda name: f"sqlite:///{work / (name + '.sqlite3')}"
        return
    settings = {**PG_TUNING, **(DURABLE if durable else {})}
    postgres = PostgresServer()
    postgres.start()
    try:
        with (postgres.data_dir / "postgresql.conf").open("a") as conf:
            conf.write("".join(f"{k} = '{v}'\n" for k, v in settings.items()))
        postgres.restart()
        yield postgres.create_database
    finally:
        postgres.cleanup()


@contextmanager
def database(engine: str, work: Path, name: str, durable: bool = False) -> Iterator[str]:
    """One empty database on the engine, for as long as the context."""
    with databases(engine, work, durable) as make:
        yield make(name)


def write_results(name: str, document: dict[str, Any], lines: list[str]) -> None:
    """`bench/results/NAME.json`, and `NAME.md`: when and where, then `lines`. Whether a
    goal is met is for `bench.goals` to say, so a part only fails when it could not
    measure (an error answer, a lost order)."""
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(document, indent=1))
    head = f"Run {document['when']} on {document['machine']}."
    (RESULTS / f"{name}.md").write_text("\n".join([head, "", *lines, ""]))


def new_key(url: str, account: str = "acme") -> str:
    """A new key of the account (the first command on a database also migrates it)."""
    return cli(url, "keys", "create", "--account", account).strip().splitlines()[-1]


def bench_engine(engine: str, sizes: list[int], url: str) -> list[Run]:
    key = new_key(url)
    runs, seeded = [], 0
    for step, size in enumerate(sizes):
        run = Run(engine, size)
        run.seed_rate = seed(url, "acme", size - seeded, 100 + step)
        seed(url, f"other-{step}", max(size // 10 - seeded // 10, 1), 200 + step)
        seeded = size
        prepare(url)
        measure(run, url, key)
        runs.append(run)
        print(f"{engine} {size}: done", file=sys.stderr)
    return runs


def cli(url: str, *args: str) -> str:
    done = subprocess.run(
        [*CLI, *args, "--database-url", url], capture_output=True, text=True, check=True
    )
    return done.stdout


def seed(url: str, account: str, orders: int, seed_number: int) -> float:
    started = time.perf_counter()
    cli(
        url,
        "seed",
        "--account",
        account,
        "--orders",
        str(orders),
        "--seed",
        str(seed_number),
        "--now",
        str(NOW),
    )
    return orders / (time.perf_counter() - started)


def prepare(url: str) -> None:
    """Statistics and, on PostgreSQL, the visibility map that index-only scans need."""
    if url.startswith("postgresql"):
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("VACUUM (ANALYZE) number_orders")
            conn.execute("VACUUM (ANALYZE)")


def measure(run: Run, url: str, key: str) -> None:
    port = free_port()
    env = {**os.environ, "NUMBER_ORDERS_RUN_WORKER": "0", "NUMBER_ORDERS_DEMO": "0"}
    server = subprocess.Popen(
        [*CLI, "serve", "--port", str(port), "--rate-limit", "0", "--database-url", url],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}/v2/number_orders"
        first = wait_for(base, key)
        last_page = max(1, -(-json.loads(first)["meta"]["total_results"] // 20))
        for name, query in MIX.items():
            run.queries[name], ceiling_rps = figures(
                base, query.replace("LAST", str(last_page)), key
            )
            run.ceiling_rps = ceiling_rps or run.ceiling_rps
        numbers = f"http://127.0.0.1:{port}/v2/phone_numbers"
        for name, query in NUMBERS_MIX.items():
            run.numbers[name], ceiling_rps = figures(numbers, query, key)
            run.numbers_ceiling_rps = ceiling_rps or run.numbers_ceiling_rps
    finally:
        server.terminate()
        server.wait(10)


def figures(base: str, query: str, key: str) -> tuple[dict[str, float], float]:
    """Throughput, latency and total of one query; for page 1 (no query) also the
    ceiling's throughput on the same bytes, else 0."""
    url = f"{base}?{query}" if query else base
    body = get(url, key)
    found = {
        "rps": wrk(url, key, 32, WRK_SECONDS)["rps"],
        **wrk(url, key, 1, LATENCY_SECONDS),
        "total_results": json.loads(body)["meta"]["total_results"],
    }
    if query:
        return found, 0.0
    # The machine is shared: alternate with the ceiling and keep the medians, so both
    # figures see the same neighbours.
    project, ceilings = [found["rps"]], []
    for _ in range(2):
        ceilings.append(ceiling(body))
        project.append(wrk(url, key, 32, WRK_SECONDS)["rps"])
    found["rps"] = statistics.median(project)
    return found, statistics.median(ceilings)


def wait_for(url: str, key: str) -> bytes:
    deadline = time.monotonic() + 60
    while True:
        try:
            return get(url, key)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def get(url: str, key: str) -> bytes:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        body: bytes = response.read()
        return body


def wrk(url: str, key: str, connections: int, seconds: int) -> dict[str, float]:
    done = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-H",
            f"Authorization: Bearer {key}",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return parse_wrk(done.stdout)


def parse_wrk(output: str) -> dict[str, float]:
    result: dict[str, float] = {}
    for line in output.splitlines():
        words = line.split()
        if line.startswith("Requests/sec:"):
            result["rps"] = float(words[1])
        elif len(words) == 2 and words[0] in ("50%", "99%"):
            result["p50_ms" if words[0] == "50%" else "p99_ms"] = to_ms(words[1])
        elif "Non-2xx" in line:
            raise RuntimeError(f"errors under load: {line}")
    return result


def to_ms(text: str) -> float:
    for unit, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * factor
    raise ValueError(text)


def ceiling(body: bytes, seconds: int = WRK_SECONDS) -> float:
    with tempfile.NamedTemporaryFile(suffix=".json") as page:
        page.write(body)
        page.flush()
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "bench.ceiling", page.name, str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            url = f"http://127.0.0.1:{port}/"
            deadline = time.monotonic() + 30
            while True:
                try:
                    urllib.request.urlopen(url, timeout=5).read()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
            return wrk(url, "none", 32, seconds)["rps"]
        finally:
            server.terminate()
            server.wait(10)


if __name__ == "__main__":
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install -y wrk")
    main()
