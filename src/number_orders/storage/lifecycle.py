"""Order lifecycle statements: create, update and fulfilment, in the caller's transaction.

Lock order, the same in every transaction so they never wait on each other in a circle:
the order row (or the idempotency key), then number holdings in phone-number order, then
counts, last and in one sorted statement.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import Connection, insert, literal_column, select, tuple_, update
from sqlalchemy.exc import DBAPIError

from number_orders.domain.fulfilment import retry_delay
from number_orders.domain.idempotency import RETENTION_MICROS, IdempotencyKey, PriorRequest
from number_orders.domain.order_parts import part_ids
from number_orders.domain.orders import PENDING, NumberOrder, NumberOrderDetail
from number_orders.storage import holdings, outbox, queries
from number_orders.storage.comments import insert_comment
from number_orders.storage.interface import (
    CountKey,
    FailingOrder,
    StoredOrder,
)
from number_orders.storage.schema import idempotency_keys, number_orders, order_parts

DETAIL_COLUMNS = (
    number_orders.c.account_id,
    *queries.ORDER_COLUMNS,
    number_orders.c.phone_number_details,
    number_orders.c.fulfil_at,
    number_orders.c.fulfil_failures,
)
# `status = 'pending'` as literal SQL, so SQLite sees it implies the partial index's WHERE
# (a bound parameter would not).
PENDING_ORDER = number_orders.c.status == literal_column("'pending'")
_ERROR_TEXT = 500  # characters of a fulfilment error kept on the order

# PostgreSQL's answers to a lost race that is safe to run again: serialization failure,
# deadlock detected.
_RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})
_ATTEMPTS = 3

T = TypeVar("T")


def insert_orders(conn: Connection, orders: Sequence[tuple[str, StoredOrder]]) -> None:
    """New orders of any accounts, with their holdings, parts and counts: four statements
    for the orders, their holdings and their parts plus one per tally table, however many
    orders."""
    if not orders:
        return
    # One statement whose compiled form SQLAlchemy keeps, with the rows as parameters.
    conn.execute(
        insert(number_orders),
        [queries.order_row(account_id, s.detail, s.fulfil_at) for account_id, s in orders],
    )
    holdings.reserve_orders(
        conn,
        [
            holdings.OrderClaim(
                account_id,
                s.detail.order.id,
                tuple(n.phone_number for n in s.detail.numbers),
                s.detail.order.created_at,
            )
            for account_id, s in orders
        ],
    )
    conn.execute(
        insert(order_parts),
        [row for account_id, s in orders for row in _part_rows(account_id, s.detail.order)],
    )
    # Counts last, in every transaction, so no one waits on a count while holding others.
    counts: dict[str, Counter[CountKey]] = {}
    for account_id, s in orders:
        counts.setdefault(account_id, Counter())[queries.count_key(s.detail.order)] += 1
    queries.add_counts_of(conn, counts)


def insert_parts(conn: Connection, account_id: str, orders: Iterable[NumberOrder]) -> None:
    """The ids of the orders' sub orders and numbers, each naming its order."""
    rows = [row for order in orders for row in _part_rows(account_id, order)]
    if rows:
        conn.execute(insert(order_parts), rows)


def _part_rows(account_id: str, order: NumberOrder) -> list[dict[str, str]]:
    return [
        {"account_id": account_id, "id": part_id, "order_id": order.id, "kind": kind}
        for part_id, kind in part_ids(order)
    ]


def commit_change(
    conn: Connection, account_id: str, before: StoredOrder, after: StoredOrder
) -> Counter[CountKey]:
    """Write a changed order with everything that goes with it, in the caller's
    transaction: its freed numbers, the regulator's comments and the
    `number_order.complete` event when it has just settled. Its count move is returned,
    for the caller to apply last (see the lock order above)."""
    write_order(conn, account_id, after)
    order_id = after.detail.order.id
    for phone_number in after.released:
        holdings.release(conn, account_id, order_id, phone_number)
    for comment in after.comments:
        insert_comment(conn, account_id, comment)
    old, new = before.detail.order, after.detail.order
    if old.status == PENDING and new.status != PENDING:
        outbox.enqueue_order_complete(conn, account_id, after.detail)
    moves: Counter[CountKey] = Counter()
    moves[queries.count_key(old)] -= 1
    moves[queries.count_key(new)] += 1
    return moves


def overdue(now: int, limit: int) -> Any:
    """Pending orders past their deadline that no other worker holds, along the deadline
    queue (`ix_orders_deadline_at`)."""
    c = number_orders.c
    return (
        select(*DETAIL_COLUMNS)
        .where(PENDING_ORDER, c.deadline_at <= now)
        .order_by(c.deadline_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )


class _Use(NamedTuple):
    fingerprint: str
    order_id: str
    created_at: int


def use_idempotency_keys(
    conn: Connection, uses: Sequence[tuple[str, IdempotencyKey, StoredOrder]]
) -> list[PriorRequest | None]:
    """For each (account, key, order): what the key was used for before, or None after
    recording it for this order. A key given twice is recorded for its first order; the
    later ones get what that recorded, as if they had come after it.

    One read of every key, then one insert of the new ones in key order, first in the
    transaction: on PostgreSQL a concurrent twin waits on the key's row before doing any
    other work, and two transactions sharing keys take them in the same order.
    """
    c = idempotency_keys.c
    pairs = sorted({(account_id, key.key) for account_id, key, _ in uses})
    known = {
        (row.account_id, row.idempotency_key): _Use(row.fingerprint, row.order_id, row.created_at)
        for row in conn.execute(
            select(c.account_id, c.idempotency_key, c.fingerprint, c.order_id, c.created_at).where(
                tuple_(c.account_id, c.idempotency_key).in_(pairs)
            )
        )
    }
    priors: list[PriorRequest | None] = []
    new: dict[tuple[str, str], _Use] = {}
    for account_id, key, stored in uses:
        now = stored.detail.order.created_at
        pair = (account_id, key.key)
        use = new.get(pair) or known.get(pair)
        # Past its retention a key names nothing, whether or not it has been swept yet.
        if use is not None and (pair in new or use.created_at >= now - RETENTION_MICROS):
            priors.append(PriorRequest(use.fingerprint, use.order_id))
            continue
        new[pair] = _Use(key.fingerprint, stored.detail.order.id, now)
        priors.append(None)
    rows = [
        {"account_id": a, "idempotency_key": k, **use._asdict()}
        for (a, k), use in sorted(new.items())
        if (a, k) not in known
    ]
    if rows:
        conn.execute(insert(idempotency_keys), rows)
    for (account_id, key_text), use in sorted(new.items()):
        if (account_id, key_text) in known:
            conn.execute(
                update(idempotency_keys)
                .where(c.account_id == account_id, c.idempotency_key == key_text)
                .values(**use._asdict())
            )
    return priors


def select_order(account_id: str, order_id: str) -> Any:
    c = number_orders.c
    return select(*DETAIL_COLUMNS).where(c.account_id == account_id, c.id == order_id)


def due(now: int, limit: int) -> Any:
    """Due orders no other worker holds. SKIP LOCKED lets workers share the queue on
    PostgreSQL; SQLite renders no FOR UPDATE, and its BEGIN IMMEDIATE already admits
    one writer at a time."""
    c = number_orders.c
    return (
        select(*DETAIL_COLUMNS)
        .where(c.fulfil_at.is_not(None), c.fulfil_at <= now)
        .order_by(c.fulfil_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )


class OrderFailed(Exception):
    """Settling one order failed for a reason of its own, not the store's: the caller
    rolls the batch back, moves this order out of the way (`defer`) and runs the rest
    (`settling.py` settles a batch)."""

    def __init__(self, account_id: str, order_id: str, error: Exception) -> None:
        super().__init__(f"{type(error).__name__}: {error}".rstrip(": "))
        self.account_id = account_id
        self.order_id = order_id


def defer(conn: Connection, failed: OrderFailed, now: int) -> tuple[int, int] | None:
    """Put a failed order back on the queue later, with its error recorded; its number of
    failures in a row and when it is due again (None if the order is gone)."""
    c = number_orders.c
    where = (c.account_id == failed.account_id, c.id == failed.order_id)
    row = conn.execute(select(c.fulfil_failures).where(*where).with_for_update()).first()
    if row is None:
        return None
    failures = (row.fulfil_failures or 0) + 1
    due = now + retry_delay(failures)
    conn.execute(
        update(number_orders)
        .where(*where)
        .values(fulfil_at=due, fulfil_failures=failures, fulfil_error=str(failed)[:_ERROR_TEXT])
    )
    return failures, due


def failing(conn: Connection, limit: int) -> list[FailingOrder]:
    """Queued orders whose settling failed last time, soonest due first: an operator's
    view over every account, like the queue itself."""
    c = number_orders.c
    statement = (
        select(c.account_id, c.id, c.fulfil_failures, c.fulfil_error, c.fulfil_at)
        .where(c.fulfil_at.is_not(None), c.fulfil_failures.is_not(None))
        .order_by(c.fulfil_at)
        .limit(limit)
    )
    return [FailingOrder(*row) for row in conn.execute(statement)]


def write_order(conn: Connection, account_id: str, after: StoredOrder) -> None:
    """Write the order's changing columns (counts are the caller's)."""
    order = after.detail.order
    c = number_orders.c
    conn.execute(
        update(number_orders)
        .where(c.account_id == account_id, c.id == order.id)
        .values(
            status=order.status,
            requirements_met=order.requirements_met,
            customer_reference=order.customer_reference,
            updated_at=order.updated_at,
            phone_number_details=queries.details_text(after.detail.numbers),
            fulfil_at=after.fulfil_at,
        )
    )


def stored_from_row(row: Any) -> StoredOrder:
    detail = NumberOrderDetail(
        queries.order_from_row(row), queries.numbers_from_text(row.phone_number_details)
    )
    return StoredOrder(detail, row.fulfil_at)


def retrying(attempt: Callable[[], T]) -> T:
    """Run a transaction again when PostgreSQL aborted it to break a deadlock."""
    for remaining in range(_ATTEMPTS - 1, -1, -1):
        try:
            return attempt()
        except DBAPIError as error:
            if remaining == 0 or getattr(error.orig, "sqlstate", None) not in _RETRYABLE_SQLSTATES:
                raise
    raise AssertionError("unreachable")
