"""Seed rate: orders per second that `number-orders seed` loads into a fresh database.

For each engine a fresh database (a file for SQLite; a PostgreSQL with the bench's tuning
and its durability settings on: fsync, synchronous commit, full page writes), migrated
first (`keys create`, untimed), then one `seed` of `--orders` orders with a fixed seed and
time anchor, timed from outside the command: the figure includes starting Python, the
final checkpoint or sync and the statistics, everything a user waits for. Afterwards the
orders, order parts, owned numbers and holdings are counted; the orders must be exactly
`--orders`, and every owned number must have its holding.

Goal: GOAL orders/s on each engine.

    python -m bench.seed_rate [--engines sqlite,postgresql] [--orders 1000000]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.run import NOW, cli, database, write_results

GOAL = 100_000  # orders/s
SEED = 100
COUNTS = {
    "orders": "SELECT count(*) FROM number_orders",
    "parts": "SELECT count(*) FROM order_parts",
    "numbers": "SELECT count(*) FROM phone_numbers",
    "holdings": "SELECT count(*) FROM number_holdings WHERE state = 'owned'",
}


@dataclass
class Seeded:
    engine: str
    orders: int
    seconds: float
    counts: dict[str, int]

    @property
    def orders_per_s(self) -> float:
        return self.orders / self.seconds

    @property
    def complete(self) -> bool:
        c = self.counts
        return c["orders"] == self.orders and c["numbers"] == c["holdings"] > 0

    @property
    def met(self) -> bool:
        return self.complete and self.orders_per_s >= GOAL

    def line(self) -> str:
        verdict = "met" if self.met else "NOT met"
        counted = ", ".join(f"{n:,} {name}" for name, n in self.counts.items())
        return (
            f"{self.engine}: {self.orders:,} orders in {self.seconds:.1f} s = "
            f"{self.orders_per_s:,.0f} orders/s (goal {GOAL:,}); counted {counted}"
            f"{'' if self.complete else ' (INCOMPLETE)'}: {verdict}"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    runs = []
    with tempfile.TemporaryDirectory(prefix="bench-seed-") as work:
        for engine in args.engines.split(","):
            with database(engine, Path(work), "seed", durable=True) as url:
                runs.append(seed(engine, url, args.orders, args.processes))
                print(runs[-1].line(), flush=True)
    document = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f} at the end",
        "goal": GOAL,
        "runs": [{**vars(r), "orders_per_s": round(r.orders_per_s), "met": r.met} for r in runs],
    }
    write_results("seed_rate", document, [r.line() for r in runs])
    if not all(r.complete for r in runs):
        sys.exit("seed rate: the seeded rows are not all there")


def seed(engine: str, url: str, orders: int, processes: int) -> Seeded:
    cli(url, "keys", "create", "--account", "acme")  # migrates the database, untimed
    started = time.perf_counter()
    cli(
        url,
        "seed",
        "--account",
        "acme",
        "--orders",
        str(orders),
        "--seed",
        str(SEED),
        "--now",
        str(NOW),
        "--processes",
        str(processes),
    )
    seconds = time.perf_counter() - started
    return Seeded(engine, orders, seconds, count(url))


def count(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {name: conn.execute(text(sql)).scalar_one() for name, sql in COUNTS.items()}
    finally:
        engine.dispose()


if __name__ == "__main__":
    main()
