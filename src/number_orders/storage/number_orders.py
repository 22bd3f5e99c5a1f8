"""Number orders in the SQL store: the list (`pages.py`), the order lifecycle
(`lifecycle.py`, `holdings.py`), the count tallies (`queries.py`) and bulk loading
(`bulk.py`). Each method is one transaction (or, for loading, a series of them)."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from sqlalchemy import func, insert, select

from number_orders.domain.fulfilment import has_work
from number_orders.domain.idempotency import IdempotencyKey, PriorRequest
from number_orders.domain.listing import ListedOrder, ListQuery
from number_orders.domain.orders import SUCCESS, NumberOrderDetail
from number_orders.domain.phone_numbers import PhoneNumber, purchased
from number_orders.domain.timestamps import now_micros
from number_orders.storage import (
    bulk,
    lifecycle,
    phone_number_rows,
    queries,
    retention,
    settling,
)
from number_orders.storage.async_reads import AsyncPageReader
from number_orders.storage.creates import NewCreate
from number_orders.storage.group_commit import GroupCommit
from number_orders.storage.interface import (
    Change,
    FailingOrder,
    FulfilledOrder,
    RowBatch,
    Settle,
    StoredOrder,
)
from number_orders.storage.pages import PageReader
from number_orders.storage.part import StorePart
from number_orders.storage.schema import number_orders

_INSERT_BATCH = 5_000

log = logging.getLogger("number_orders.worker")


class SqlNumberOrders(StorePart):
    pages: PageReader
    async_pages: AsyncPageReader | None  # PostgreSQL's list reads, awaited
    read_threads: ThreadPoolExecutor  # SQLite's list reads that are not quick
    create_groups: GroupCommit[NewCreate, PriorRequest | None]

    # -- the list ----------------------------------------------------------------------

    def list_number_orders(
        self, account_id: str, query: ListQuery
    ) -> tuple[list[ListedOrder], int]:
        return self.pages.list_number_orders(account_id, query)

    def list_is_quick(self, query: ListQuery) -> bool:
        """Whether the list for `query` is read in place on the event loop."""
        return self.pages.is_quick(query)

    async def list_number_orders_async(
        self, account_id: str, query: ListQuery
    ) -> tuple[list[ListedOrder], int]:
        if self.pages.is_quick(query):
            # Cheaper than the hop: the loop's thread would wait as long for the GIL.
            return self.pages.list_number_orders(account_id, query)
        if self.async_pages is not None:
            return await self.async_pages.list_number_orders(account_id, query)
        return await asyncio.get_running_loop().run_in_executor(
            self.read_threads, self.pages.list_number_orders, account_id, query
        )

    # -- the order lifecycle -----------------------------------------------------------

    def create_number_order(
        self, account_id: str, order: StoredOrder, idempotency: IdempotencyKey | None
    ) -> PriorRequest | None:
        # With other creates of this process, in one transaction (`creates.py`).
        return self.create_groups.submit(NewCreate(account_id, order, idempotency))

    def retrieve_number_order(self, account_id: str, order_id: str) -> NumberOrderDetail | None:
        with self.reading() as conn:
            row = conn.execute(lifecycle.select_order(account_id, order_id)).first()
        return lifecycle.stored_from_row(row).detail if row else None

    def update_number_order(
        self, account_id: str, order_id: str, change: Change
    ) -> NumberOrderDetail | None:
        def attempt() -> NumberOrderDetail | None:
            with self.writing() as conn:
                row = conn.execute(
                    lifecycle.select_order(account_id, order_id).with_for_update()
                ).first()
                if row is None:
                    return None
                stored = lifecycle.stored_from_row(row)
                changed = change(stored)
                if changed is None:
                    return stored.detail
                moves = lifecycle.commit_change(conn, account_id, stored, changed)
                queries.add_counts(conn, account_id, moves)
                return changed.detail

        return lifecycle.retrying(attempt)

    def fulfil_due_orders(self, now: int, limit: int, settle: Settle) -> list[FulfilledOrder]:
        def attempt(size: int) -> list[FulfilledOrder]:
            with self.writing() as conn:
                rows = conn.execute(lifecycle.due(now, size)).all()
                return settling.settle_batch(conn, rows, now, settle)

        # An order that cannot be settled is moved out of the way and the batch runs
        # again without it: at most once per order of the batch. A batch's statement that
        # fails without naming its order makes the orders go one at a time, so the one at
        # fault is found.
        size = limit
        for _ in range(limit):
            try:
                return lifecycle.retrying(partial(attempt, size))
            except lifecycle.OrderFailed as failed:
                self._defer(failed, now)
            except settling.BatchFailed:
                size = 1
        return lifecycle.retrying(partial(attempt, size))

    def _defer(self, failed: lifecycle.OrderFailed, now: int) -> None:
        with self.writing() as conn:
            deferred = lifecycle.defer(conn, failed, now)
        if deferred is not None:
            failures, due = deferred
            log.error(
                "fulfilment of order %s (account %s) failed %d time(s) in a row: %s; "
                "next try in %.0f s",
                failed.order_id,
                failed.account_id,
                failures,
                failed,
                (due - now) / 1_000_000,
            )

    def failing_orders(self, limit: int) -> list[FailingOrder]:
        """Queued orders whose settling failed, soonest retry first, over every account."""
        with self.reading() as conn:
            return lifecycle.failing(conn, limit)

    def next_fulfilment_at(self) -> int | None:
        c = number_orders.c
        with self.reading() as conn:
            value = conn.execute(select(func.min(c.fulfil_at)).where(c.fulfil_at.is_not(None)))
            result: int | None = value.scalar_one()
        return result

    # -- retention: one bounded batch per call, each in a short transaction ---------------

    def expire_idempotency_keys(self, before: int, limit: int = 500) -> int:
        """Up to `limit` idempotency keys first used before `before`; how many went."""
        with self.writing() as conn:
            return retention.expire_idempotency_keys(conn, before, limit)

    def prune_webhook_events(self, before: int, limit: int) -> tuple[int, int]:
        """Up to `limit` events delivered or dead before `before`, with their attempts."""
        with self.writing() as conn:
            return retention.prune_webhook_events(conn, before, limit)

    def prune_empty_tallies(self, limit: int) -> dict[str, int]:
        """Up to `limit` zero rows of each tally table, one transaction per table."""
        pruned = {}
        for table in retention.TALLIES:
            with self.writing() as conn:
                pruned[table.name] = retention.prune_empty_tallies(conn, table, limit)
        return pruned

    # -- loading in bulk ---------------------------------------------------------------

    def insert_number_orders(self, account_id: str, orders: Iterable[NumberOrderDetail]) -> int:
        """Bulk insert in large batches, counts included, in as few transactions as fit."""
        total = 0
        batch: list[NumberOrderDetail] = []
        for detail in orders:
            batch.append(detail)
            if len(batch) >= _INSERT_BATCH:
                total += self._insert_batch(account_id, batch)
                batch = []
        if batch:
            total += self._insert_batch(account_id, batch)
        return total

    def _insert_batch(self, account_id: str, batch: list[NumberOrderDetail]) -> int:
        # Loaded orders that the worker could settle join its queue, as if just created.
        now = now_micros()
        order_rows = [
            queries.order_row(account_id, d, now if has_work(d.numbers) else None) for d in batch
        ]
        counts = Counter(queries.count_key(d.order) for d in batch)
        bought = [phone_number_rows.row_of(account_id, r) for r in _bought(batch)]
        with self.writing() as conn:
            conn.execute(insert(number_orders), order_rows)
            lifecycle.insert_parts(conn, account_id, (d.order for d in batch))
            left_out = phone_number_rows.load(conn, bought)
            queries.add_counts(conn, account_id, counts)
            phone_number_rows.add_tallies(conn, account_id, added=bought, removed=left_out)
        return len(batch)

    def load_order_rows(self, account_id: str, batches: Iterable[RowBatch]) -> int:
        """Seeding's fast path: rows already shaped as `bulk.ORDER_COLUMNS` tuples."""
        return bulk.load(self.engine, account_id, batches)

    def finish_loading(self) -> None:
        """After the last `load_order_rows` of a seed: checkpoint and fresh statistics."""
        bulk.finish(self.engine)


def _bought(batch: list[NumberOrderDetail]) -> list[PhoneNumber]:
    """The records of loaded orders' successful numbers, bought when the order last
    changed."""
    return [
        purchased(d.order, n, d.order.updated_at)
        for d in batch
        for n in d.numbers
        if n.status == SUCCESS
    ]
