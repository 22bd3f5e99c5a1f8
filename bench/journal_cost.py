"""What the sandbox's request journal costs the list endpoint: page 1's throughput with the
journal on and off, in the same run, against the goal of at most 10%.

For each engine one database is seeded, and two servers run on it side by side, both with
the sandbox on (an admin token) and one with `--no-journal`; `wrk` (32 connections) drives
them in turn, `--rounds` times each (each first every other round, and each server started
first for half the rounds), so both see the same neighbours on a shared machine.
Every answer must be 2xx. The cost is 1 - (median with) / (median without).

    python -m bench.journal_cost [--orders 10000] [--engines sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench.run import CLI, NOW, WRK_SECONDS, cli, database, get, wait_for, write_results, wrk
from number_orders.testing import free_port

GOAL = 0.10  # the journal may cost the list at most this share of its throughput


@dataclass
class Comparison:
    engine: str
    orders: int
    with_journal: list[float] = field(default_factory=list)
    without_journal: list[float] = field(default_factory=list)

    @property
    def cost(self) -> float:
        return 1 - statistics.median(self.with_journal) / statistics.median(self.without_journal)

    def line(self) -> str:
        verdict = "met" if self.cost <= GOAL else "NOT met"
        return (
            f"{self.engine} {self.orders:,} orders, page 1: "
            f"{statistics.median(self.with_journal):,.0f} req/s with the journal, "
            f"{statistics.median(self.without_journal):,.0f} without; "
            f"ratio {1 - self.cost:.3f}, cost {self.cost:.1%} (goal <= {GOAL:.0%}): {verdict}"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--seconds", type=int, default=WRK_SECONDS)
    args = parser.parse_args()
    comparisons = []
    with tempfile.TemporaryDirectory(prefix="bench-journal-") as work:
        for engine in args.engines.split(","):
            with database(engine, Path(work), "journal") as url:
                comparisons.append(compare(engine, url, args.orders, args.rounds, args.seconds))
                print(comparisons[-1].line(), flush=True)
    document = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f} at the end",
        "goal": GOAL,
        "runs": [{**vars(c), "cost": c.cost} for c in comparisons],
    }
    write_results("journal_cost", document, [c.line() for c in comparisons])


def compare(engine: str, url: str, orders: int, rounds: int, seconds: int) -> Comparison:
    key = cli(url, "keys", "create", "--account", "acme").strip().splitlines()[-1]
    cli(url, "seed", "--account", "acme", "--orders", str(orders), "--now", str(NOW))
    comparison = Comparison(engine, orders)
    # Half the rounds with each server started first: on PostgreSQL the order in which two
    # servers start alone moved their throughput by up to 20%.
    for journaled_first in (True, False):
        flags = [(), ("--no-journal",)] if journaled_first else [("--no-journal",), ()]
        with serve(url, key, *flags[0]) as first, serve(url, key, *flags[1]) as second:
            journaled, plain = (first, second) if journaled_first else (second, first)
            for page in (journaled, plain):
                get(page, key)  # raises unless 2xx
            for round_number in range(rounds // 2):
                # Each goes first every other round, so neither always meets a warmer
                # machine; wrk raises on any answer that is not 2xx.
                pair = [(journaled, comparison.with_journal), (plain, comparison.without_journal)]
                for page, figures in pair if round_number % 2 == 0 else reversed(pair):
                    figures.append(wrk(page, key, 32, seconds)["rps"])
    return comparison


@contextmanager
def serve(url: str, key: str, *flags: str) -> Iterator[str]:
    """`number-orders serve` with the sandbox on, as `make bench` runs the server; the
    list's URL."""
    port = free_port()
    env = {
        **os.environ,
        "NUMBER_ORDERS_RUN_WORKER": "0",
        "NUMBER_ORDERS_DEMO": "0",
        "NUMBER_ORDERS_ADMIN_TOKEN": secrets.token_urlsafe(24),
    }
    command = [*CLI, "serve", "--port", str(port), "--rate-limit", "0", *flags]
    server = subprocess.Popen(
        [*command, "--database-url", url],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        page = f"http://127.0.0.1:{port}/v2/number_orders"
        wait_for(page, key)
        yield page
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install -y wrk")
    main()
