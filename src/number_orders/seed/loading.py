"""The `seed` command's work: orders made as rows by `processes` processes and loaded
through the service, then made durable."""

from __future__ import annotations

from collections.abc import Iterator

from number_orders.seed.rows import Chunk, RowMaker, load_in_parallel
from number_orders.service import NumberOrdersService


def seed_orders(
    service: NumberOrdersService,
    account_id: str,
    count: int,
    seed: int | None,
    now: int,
    processes: int,
) -> int:
    """Load `count` orders for the account, the same ones for the same `seed` and `now`;
    how many were loaded."""
    maker = RowMaker(account_id, now, count, deadline_period=service.deadline_period)

    def load(made: Iterator[Chunk]) -> int:
        batches = ((c.rows, c.counts, c.numbers, c.number_counts) for c in made)
        return service.load_order_rows(account_id, batches)

    loaded = load_in_parallel(maker, seed, count, processes, load, service.after_fork)
    service.finish_loading()
    return loaded
