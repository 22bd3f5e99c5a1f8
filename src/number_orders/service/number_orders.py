"""Number orders: the list, create, retrieve and update; fulfilment by the workers; and
loading orders in bulk (seed, demo)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from number_orders import errors
from number_orders.domain.creating import NewOrder, build_order
from number_orders.domain.fulfilment import has_work, settle
from number_orders.domain.idempotency import HEADER, RETENTION_MICROS, IdempotencyKey
from number_orders.domain.listing import ListedOrder, ListQuery
from number_orders.domain.orders import PENDING, NumberOrderDetail, parse_order_id
from number_orders.domain.regulatory import RequirementRules
from number_orders.domain.requirement_reviews import next_review, review_due
from number_orders.domain.timestamps import now_micros
from number_orders.domain.updating import OrderUpdate
from number_orders.storage import (
    FailingOrder,
    FulfilledOrder,
    NumberOrderStore,
    RowBatch,
    StoredOrder,
)


@dataclass(frozen=True, slots=True)
class Page:
    orders: list[ListedOrder]
    total_results: int
    query: ListQuery

    @property
    def total_pages(self) -> int:
        return self.query.total_pages(self.total_results)


class NumberOrders:
    store: NumberOrderStore
    rules: RequirementRules
    fulfilment_delay: int  # microseconds from creation until the worker looks at an order
    deadline_period: int  # microseconds from creation until pending numbers fail
    # Nudges an in-process worker when work is queued; other processes poll.
    fulfilment_due: Callable[[], None]

    def list_number_orders(self, account_id: str, query: ListQuery) -> Page:
        orders, total = self.store.list_number_orders(account_id, query)
        return Page(orders, total, query)

    def list_is_quick(self, query: ListQuery) -> bool:
        return self.store.list_is_quick(query)

    def create_number_order(
        self, account_id: str, new: NewOrder, idempotency: IdempotencyKey | None = None
    ) -> NumberOrderDetail:
        """A new pending order; with a key used before, the order that key made."""
        now = now_micros()
        detail = build_order(new, self.rules, now, deadline_period=self.deadline_period)
        stored = StoredOrder(detail, self._due(detail, now))
        prior = self.store.create_number_order(account_id, stored, idempotency)
        if prior is None:
            self._queued(stored)
            return detail
        assert idempotency is not None
        if prior.fingerprint != idempotency.fingerprint:
            raise errors.idempotency_key_reused(HEADER)
        return self.retrieve_number_order(account_id, prior.order_id)

    def retrieve_number_order(self, account_id: str, order_id: str) -> NumberOrderDetail:
        """The caller's order; unknown, malformed and other accounts' ids are all 404."""
        valid_id = parse_order_id(order_id)
        detail = self.store.retrieve_number_order(account_id, valid_id) if valid_id else None
        if detail is None:
            raise _order_not_found()
        return detail

    def update_number_order(
        self, account_id: str, order_id: str, update: OrderUpdate
    ) -> NumberOrderDetail:
        now = now_micros()

        def change(stored: StoredOrder) -> StoredOrder | None:
            detail = update.apply(stored.detail, now, self.fulfilment_delay)
            if detail is None:
                return None
            return changed_order(stored, detail, now, self.fulfilment_delay)

        valid_id = parse_order_id(order_id)
        result = self.store.update_number_order(account_id, valid_id, change) if valid_id else None
        if result is None:
            raise _order_not_found()
        self.fulfilment_due()
        return result

    # -- fulfilment --------------------------------------------------------------------

    def fulfil_due_orders(self, limit: int) -> list[FulfilledOrder]:
        """Settle up to `limit` due orders that no other worker is settling."""
        now = now_micros()
        return self.store.fulfil_due_orders(
            now, limit, lambda detail, take: settle(detail, take, now)
        )

    def next_fulfilment_at(self) -> int | None:
        return self.store.next_fulfilment_at()

    def failing_orders(self, limit: int) -> list[FailingOrder]:
        """Queued orders whose settling failed, set aside with their error (for operators)."""
        return self.store.failing_orders(limit)

    def expire_idempotency_keys(self) -> int:
        return self.store.expire_idempotency_keys(now_micros() - RETENTION_MICROS)

    # -- loading in bulk ---------------------------------------------------------------

    def insert_number_orders(self, account_id: str, orders: Iterable[NumberOrderDetail]) -> int:
        """Orders made elsewhere (the demo's), counted; those with work join the queue.
        Their pending numbers count their deadline from now, as a seed's do."""
        now = now_micros()

        def with_deadline(detail: NumberOrderDetail) -> NumberOrderDetail:
            order = detail.order
            start = now if order.status == PENDING else order.created_at
            return replace(detail, order=replace(order, deadline=start + self.deadline_period))

        return self.store.insert_number_orders(account_id, map(with_deadline, orders))

    def load_order_rows(self, account_id: str, batches: Iterable[RowBatch]) -> int:
        """Orders made straight as rows (`seed`); `finish_loading` after the last."""
        return self.store.load_order_rows(account_id, batches)

    def finish_loading(self) -> None:
        self.store.finish_loading()

    def _due(self, detail: NumberOrderDetail, now: int) -> int | None:
        return now + self.fulfilment_delay if has_work(detail.numbers) else None

    def _queued(self, stored: StoredOrder) -> None:
        if stored.fulfil_at is not None:
            self.fulfilment_due()


def changed_order(
    stored: StoredOrder,
    detail: NumberOrderDetail,
    now: int,
    fulfilment_delay: int,
    released: tuple[str, ...] = (),
) -> StoredOrder:
    """An order changed through any of its views (order, sub order, number), as it is
    stored: checks that have ended decided, with the regulator's comments, and due for
    the worker when a number can settle now or a check ends (whichever comes first)."""
    reviewed = review_due(detail, now)
    detail = reviewed.detail
    times = (
        stored.fulfil_at,
        next_review(detail.numbers),
        now + fulfilment_delay if has_work(detail.numbers) else None,
    )
    due = min((t for t in times if t is not None), default=None)
    return StoredOrder(detail, due, reviewed.comments, released)


def _order_not_found() -> errors.ApiError:
    return errors.not_found("No number order with this id exists.")
