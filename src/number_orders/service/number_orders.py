"""Number orders: the list, create, retrieve and update; fulfilment by the workers; and
loading orders in bulk (seed, demo)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Protocol

from number_orders import errors
from number_orders.domain.creating import NewOrder, build_order
from number_orders.domain.documents import named_document_ids
from number_orders.domain.fulfilment import has_work, settle
from number_orders.domain.idempotency import HEADER, RETENTION_MICROS, IdempotencyKey
from number_orders.domain.listing import ListedOrder, ListQuery
from number_orders.domain.orders import PENDING, NumberOrderDetail, parse_order_id
from number_orders.domain.regulatory import RequirementRules
from number_orders.domain.requirement_groups import RequirementGroup, apply_to_order
from number_orders.domain.requirement_reviews import next_review, review_due
from number_orders.domain.timestamps import now_micros
from number_orders.domain.updating import OrderUpdate
from number_orders.storage import (
    DocumentStore,
    FailingOrder,
    FulfilledOrder,
    NumberOrderStore,
    RequirementGroupStore,
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


class OrderStores(NumberOrderStore, RequirementGroupStore, DocumentStore, Protocol):
    """Orders, and the requirement groups and documents their requirements may name."""


class NumberOrders:
    store: OrderStores
    rules: RequirementRules
    fulfilment_delay: int  # microseconds from creation until the worker looks at an order
    deadline_period: int  # microseconds from creation until pending numbers fail
    # Nudges an in-process worker when work is queued; other processes poll.
    fulfilment_due: Callable[[], None]

    def list_number_orders(self, account_id: str, query: ListQuery) -> Page:
        orders, total = self.store.list_number_orders(account_id, query)
        return Page(orders, total, query)

    async def list_number_orders_async(self, account_id: str, query: ListQuery) -> Page:
        """The same page, for a caller on the event loop, which it never blocks for long."""
        orders, total = await self.store.list_number_orders_async(account_id, query)
        return Page(orders, total, query)

    def create_number_order(
        self, account_id: str, new: NewOrder, idempotency: IdempotencyKey | None = None
    ) -> NumberOrderDetail:
        """A new pending order; with a key used before, the order that key made."""
        now = now_micros()
        built = build_order(new, self.rules, now, deadline_period=self.deadline_period)
        detail = self._with_groups(account_id, built)
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
        documents = document_statuses(self.store, account_id, update)

        def change(stored: StoredOrder) -> StoredOrder | None:
            detail = update.apply(stored.detail, now, self.fulfilment_delay, documents=documents)
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

    def _with_groups(self, account_id: str, detail: NumberOrderDetail) -> NumberOrderDetail:
        """The new order with the requirement groups its numbers name applied."""
        named = {n.requirement_group_id for n in detail.numbers if n.requirement_group_id}
        if not named:
            return detail
        groups: dict[str, RequirementGroup] = {}
        for group_id in sorted(filter(None, map(parse_order_id, named))):
            group = self.store.retrieve_requirement_group(account_id, group_id)
            if group is not None:
                groups[group_id] = group
        return apply_to_order(detail, groups)

    def _due(self, detail: NumberOrderDetail, now: int) -> int | None:
        return now + self.fulfilment_delay if has_work(detail.numbers) else None

    def _queued(self, stored: StoredOrder) -> None:
        if stored.fulfil_at is not None:
            self.fulfilment_due()


def document_statuses(store: DocumentStore, account_id: str, update: OrderUpdate) -> dict[str, str]:
    """The statuses of the account's documents the update's values name, for its checks."""
    named = named_document_ids(update.field_values())
    return store.document_statuses(account_id, named) if named else {}


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
