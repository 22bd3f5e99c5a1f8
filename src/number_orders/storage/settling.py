"""Settling a batch of due orders in the caller's transaction, one statement per kind of
change for the whole batch rather than several per order.

Each order is settled in turn, in memory (`fulfilment.settle`), against the holders of
its numbers read once for the batch: a number its order holds is taken, one held by
anyone else is refused, as `holdings.take` would answer. Only a number that is free or
held by an expired reservation goes through `holdings.take` itself, in SQL, after the
batch's changes so far, so every order sees the holdings the orders before it left (the
same answers as settling them one by one). Then, in the lock order of
`lifecycle.py`: the holdings taken and freed (phone-number order), the order rows, the
regulator's comments, the `number_order.complete` events (the transactional outbox),
the order counts, and the numbers bought with their tags and tallies.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, bindparam, update
from sqlalchemy.exc import InterfaceError, OperationalError

from number_orders.domain.comments import Comment
from number_orders.domain.fulfilment import Settlement
from number_orders.domain.orders import PENDING, NumberOrderDetail
from number_orders.domain.phone_numbers import PhoneNumber, purchased
from number_orders.domain.requirement_reviews import next_review
from number_orders.storage import holdings, outbox, phone_number_rows, queries
from number_orders.storage.comments import insert_comments
from number_orders.storage.interface import CountKey, FulfilledOrder, Settle, StoredOrder
from number_orders.storage.lifecycle import OrderFailed, stored_from_row
from number_orders.storage.schema import number_orders


class BatchFailed(Exception):
    """A statement for the whole batch failed for a reason that is not the store's: which
    order it was is not known, so the caller settles the orders one at a time."""


def settle_batch(
    conn: Connection, rows: Sequence[Any], now: int, settle: Settle
) -> list[FulfilledOrder]:
    """Settle the claimed order rows. An order whose settling fails for a reason of its
    own raises `OrderFailed`; a failing statement of several orders, `BatchFailed`."""
    stored = [_stored(row) for row in rows]
    numbers = (n.phone_number for s in stored for n in s.detail.numbers if not n.settled)
    batch = _Batch(conn, now, holdings.holders_of(conn, numbers))
    fulfilled = [batch.settle(row, s, settle) for row, s in zip(rows, stored, strict=True)]
    try:
        batch.write()
    except (OperationalError, InterfaceError):
        raise  # the store's own: the whole batch is run again
    except Exception as error:
        if len(rows) == 1:
            raise OrderFailed(rows[0].account_id, rows[0].id, error) from error
        raise BatchFailed(str(error)) from error
    return fulfilled


def _stored(row: Any) -> StoredOrder:
    try:
        return stored_from_row(row)
    except Exception as error:
        raise OrderFailed(row.account_id, row.id, error) from error


@dataclass
class _Batch:
    conn: Connection
    now: int
    holders: dict[str, Any]
    owned: list[tuple[str, str]] = field(default_factory=list)  # (number, order)
    released: list[tuple[str, str, str]] = field(default_factory=list)  # (number, account, order)
    orders: list[dict[str, Any]] = field(default_factory=list)
    comments: list[tuple[str, Comment]] = field(default_factory=list)
    completed: list[tuple[str, NumberOrderDetail]] = field(default_factory=list)
    counts: dict[str, Counter[CountKey]] = field(default_factory=dict)
    bought: dict[str, list[PhoneNumber]] = field(default_factory=dict)

    def settle(self, row: Any, stored: StoredOrder, settle: Settle) -> FulfilledOrder:
        account_id, order_id = row.account_id, row.id
        try:
            settlement = settle(stored.detail, self._taker(account_id, order_id))
        except (OperationalError, InterfaceError):
            raise
        except Exception as error:
            raise OrderFailed(account_id, order_id, error) from error
        return self._record(account_id, stored, settlement)

    def _taker(self, account_id: str, order_id: str) -> Callable[[str], bool]:
        def take(phone_number: str) -> bool:
            held = holdings.holds(self.holders.get(phone_number), account_id, order_id, self.now)
            if held is True:
                self.owned.append((phone_number, order_id))
            if held is not None:
                return held
            # Free, or an expired reservation's: decided in SQL, after what came before.
            self._write_holdings()
            return holdings.take(self.conn, account_id, order_id, phone_number, now=self.now)

        return take

    def _record(
        self, account_id: str, stored: StoredOrder, settlement: Settlement
    ) -> FulfilledOrder:
        detail, order_id = settlement.detail, stored.detail.order.id
        for phone_number in settlement.failed:
            self.released.append((phone_number, account_id, order_id))
            holder = self.holders.get(phone_number)
            if (
                holder is not None
                and holder.order_id == order_id
                and holder.state == holdings.PENDING
            ):
                del self.holders[phone_number]  # free for the orders after this one
        numbers = {n.phone_number: n for n in detail.numbers}
        self.bought.setdefault(account_id, []).extend(
            purchased(detail.order, numbers[p], self.now) for p in settlement.succeeded
        )
        # Every number that could move has moved; the rest wait for requirements (the
        # worker comes back when a check ends; an update that supplies values queues it).
        self.orders.append(_order_row(account_id, detail, next_review(detail.numbers)))
        self.comments += [(account_id, c) for c in settlement.comments]
        settled = stored.detail.order.status == PENDING and detail.order.status != PENDING
        if settled:
            # Committed with the status change, or not at all: the transactional outbox.
            # This is the only place an order leaves `pending` (updates only supply
            # requirements).
            self.completed.append((account_id, detail))
        before, after = queries.count_key(stored.detail.order), queries.count_key(detail.order)
        if before != after:
            self.counts.setdefault(account_id, Counter()).update({before: -1, after: 1})
        return FulfilledOrder(account_id, detail, settled)

    def _write_holdings(self) -> None:
        holdings.own_all(self.conn, self.owned, self.now)
        holdings.release_all(self.conn, self.released)
        self.owned, self.released = [], []

    def write(self) -> None:
        self._write_holdings()
        if self.orders:
            self.conn.execute(_SETTLED, self.orders)
        insert_comments(self.conn, self.comments)
        outbox.enqueue_orders_complete(self.conn, self.completed)
        # Counts last, in one sorted statement per table: see `lifecycle.insert_orders`.
        queries.add_counts_of(self.conn, self.counts)
        # The numbers bought become the accounts' records, counted, in this commit.
        phone_number_rows.add_of(self.conn, self.bought)


def _order_row(account_id: str, detail: NumberOrderDetail, fulfil_at: int | None) -> dict[str, Any]:
    order = detail.order
    return {
        "b_account": account_id,
        "b_id": order.id,
        "status": order.status,
        "requirements_met": order.requirements_met,
        "updated_at": order.updated_at,
        "phone_number_details": queries.details_text(detail.numbers),
        "fulfil_at": fulfil_at,
    }


_c = number_orders.c
# A settled order's changing columns (its row's other keys: status, requirements_met,
# updated_at, phone_number_details, fulfil_at), its failures (if it had any) cleared: one
# statement with a row of parameters per order.
_SETTLED = (
    update(number_orders)
    .where(_c.account_id == bindparam("b_account"), _c.id == bindparam("b_id"))
    .values(fulfil_failures=None, fulfil_error=None)
)
