"""What the service needs from persistence for number orders: the list, the order
lifecycle (create, retrieve, update, fulfilment), and loading orders in bulk."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from number_orders.domain.comments import Comment
from number_orders.domain.fulfilment import Settlement
from number_orders.domain.idempotency import IdempotencyKey, PriorRequest
from number_orders.domain.listing import ListedOrder, ListQuery
from number_orders.domain.orders import NumberOrderDetail
from number_orders.storage.interface.phone_numbers import PhoneCountKey


@dataclass(frozen=True, slots=True)
class StoredOrder:
    """An order and when the fulfilment worker should next look at it (None: never).

    A change also names what goes with it in its transaction: the regulator's comments,
    and the numbers it failed, whose holdings it frees.
    """

    detail: NumberOrderDetail
    fulfil_at: int | None
    comments: tuple[Comment, ...] = field(default=())
    released: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class FulfilledOrder:
    """An order the worker has just processed."""

    account_id: str
    detail: NumberOrderDetail
    settled: bool  # True when this step took it from pending to success or failure


@dataclass(frozen=True, slots=True)
class FailingOrder:
    """A queued order whose settling failed: how often in a row, why, and when it is
    tried again."""

    account_id: str
    order_id: str
    failures: int
    error: str
    retry_at: int


# Runs inside the store's transaction with the order row locked: the new state, or None
# when nothing changes. It may raise (an ApiError) to leave the order as it was.
Change = Callable[[StoredOrder], StoredOrder | None]
# `take(phone_number)` claims a number for the order's account, inside the same transaction.
Settle = Callable[[NumberOrderDetail, Callable[[str], bool]], Settlement]

# What the count tallies group by: (status, requirements_met, phone_numbers_count,
# customer_reference, day of created_at).
CountKey = tuple[str, bool, int, str | None, int]
# Orders made straight as rows for bulk loading: tuples in the order of the bulk loader's
# columns (`storage.bulk.ORDER_COLUMNS`) and the tally changes they make, then the numbers
# they bought, as `PHONE_NUMBER_COLUMNS` tuples (owned once loaded, if nobody holds them
# yet), and those numbers' tally changes (`phone_number_counts`).
RowBatch = tuple[
    list[tuple[Any, ...]], Counter[CountKey], list[tuple[Any, ...]], Counter[PhoneCountKey]
]


class NumberOrderStore(Protocol):
    def list_number_orders(
        self, account_id: str, query: ListQuery
    ) -> tuple[list[ListedOrder], int]: ...

    async def list_number_orders_async(
        self, account_id: str, query: ListQuery
    ) -> tuple[list[ListedOrder], int]:
        """`list_number_orders` for a caller on the event loop, which it never blocks for
        long: awaited on an async driver, or read in place when that answers in well under
        a millisecond without waiting on anything, or on a database thread."""
        ...

    def create_number_order(
        self,
        account_id: str,
        order: StoredOrder,
        idempotency: IdempotencyKey | None,
    ) -> PriorRequest | None:
        """Insert the order, reserve its numbers and count it, in one transaction; if the
        idempotency key was used before, write nothing and say what it was used for."""
        ...

    def retrieve_number_order(self, account_id: str, order_id: str) -> NumberOrderDetail | None: ...

    def update_number_order(
        self, account_id: str, order_id: str, change: Change
    ) -> NumberOrderDetail | None:
        """Apply `change` under a row lock; the order as it is afterwards, None if unknown."""
        ...

    def fulfil_due_orders(self, now: int, limit: int, settle: Settle) -> list[FulfilledOrder]:
        """Claim up to `limit` orders due by `now` that no other worker holds, settle them,
        and take them off the queue, all in one transaction."""
        ...

    def next_fulfilment_at(self) -> int | None: ...

    def failing_orders(self, limit: int) -> list[FailingOrder]: ...

    # Retention: each call deletes one bounded batch in a short transaction.
    def expire_idempotency_keys(self, before: int, limit: int = 500) -> int: ...

    def prune_webhook_events(self, before: int, limit: int) -> tuple[int, int]: ...

    def prune_empty_tallies(self, limit: int) -> dict[str, int]: ...

    def insert_number_orders(self, account_id: str, orders: Iterable[NumberOrderDetail]) -> int: ...

    def load_order_rows(self, account_id: str, batches: Iterable[RowBatch]) -> int:
        """Seeding's fast path: orders already made as rows, tallies included."""
        ...

    def finish_loading(self) -> None:
        """After the last `load_order_rows` of a seed: durable on disk, fresh statistics."""
        ...
