"""Sub number orders and number order phone numbers: views of their orders. Reading one
finds its order by the part's id; every change is a change of the order (the order's own
update, in one transaction with its counts, holdings, comments and events), scoped to
the part's numbers. The deadline worker fails pending numbers past their deadline."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from number_orders import errors
from number_orders.domain.order_parts import (
    PHONE_NUMBER,
    RECENT_ORDERS,
    SUB_NUMBER_ORDER,
    Failed,
    OrderNumbersQuery,
    SubOrder,
    SubOrdersQuery,
    cancel,
    number_of,
    overdue,
    sub_order_of,
    sub_orders,
    with_numbers,
)
from number_orders.domain.orders import (
    PENDING,
    NumberOrderDetail,
    OrderedNumber,
    parse_order_id,
)
from number_orders.domain.requirement_groups import RequirementGroup, apply_to_numbers
from number_orders.domain.timestamps import now_micros
from number_orders.domain.updating import OrderUpdate
from number_orders.errors import bad_field, invalid_body
from number_orders.service.number_orders import changed_order, document_statuses
from number_orders.storage.interface import (
    DocumentStore,
    FulfilledOrder,
    NumberOrderStore,
    OrderPartStore,
    RequirementGroupStore,
    StoredOrder,
)


class _Stores(OrderPartStore, NumberOrderStore, RequirementGroupStore, DocumentStore, Protocol):
    """The parts' own store, and the orders', groups' and documents' they change and read."""


# A change of the order seen through a part: the order's new numbers (or None when
# nothing changes) and the numbers it failed, to free.
PartChange = Callable[[NumberOrderDetail, int], Failed | NumberOrderDetail | None]


@dataclass(frozen=True, slots=True)
class SubOrderFound:
    detail: NumberOrderDetail
    sub: SubOrder


@dataclass(frozen=True, slots=True)
class NumberFound:
    detail: NumberOrderDetail
    number: OrderedNumber


class OrderParts:
    store: _Stores
    fulfilment_delay: int
    fulfilment_due: Callable[[], None]

    # -- sub number orders ---------------------------------------------------------------

    def list_sub_number_orders(self, account_id: str, query: SubOrdersQuery) -> list[SubOrderFound]:
        """Newest order first, its sub orders in its order; over the account's newest
        `RECENT_ORDERS` orders (pending ones only for `filter[status]=pending`), or the
        one order `filter[order_request_id]` names."""
        if query.order_request_id is not None:
            found = self.store.retrieve_number_order(account_id, query.order_request_id)
            details = [found] if found is not None else []
        else:
            pending_only = query.status == PENDING
            details = self.store.recent_number_orders(account_id, RECENT_ORDERS, pending_only)
        return [
            SubOrderFound(detail, sub)
            for detail in details
            for sub in sub_orders(detail)
            if query.admits(sub)
        ]

    def retrieve_sub_number_order(self, account_id: str, sub_id: str) -> SubOrderFound:
        detail = self._order_of(account_id, sub_id, SUB_NUMBER_ORDER)
        return _sub_found(detail, sub_id)

    def update_sub_number_order(
        self, account_id: str, sub_id: str, update: OrderUpdate
    ) -> SubOrderFound:
        return _sub_found(self._supply(account_id, sub_id, SUB_NUMBER_ORDER, update), sub_id)

    def cancel_sub_number_order(self, account_id: str, sub_id: str) -> SubOrderFound:
        """The sub order's pending numbers fail and are free again; a 422 once settled."""

        def change(detail: NumberOrderDetail, now: int) -> Failed:
            return cancel(detail, _sub_found(detail, sub_id).sub, now)

        return _sub_found(self._change_part(account_id, sub_id, SUB_NUMBER_ORDER, change), sub_id)

    def update_sub_number_order_requirement_group(
        self, account_id: str, sub_id: str, group_id: str
    ) -> SubOrderFound:
        changed = self._apply_group(account_id, sub_id, SUB_NUMBER_ORDER, group_id)
        return _sub_found(changed, sub_id)

    # -- number order phone numbers --------------------------------------------------------

    def list_number_order_phone_numbers(
        self, account_id: str, query: OrderNumbersQuery
    ) -> list[NumberFound]:
        """Newest order first, its numbers in its order; over the account's newest
        `RECENT_ORDERS` orders."""
        details = self.store.recent_number_orders(account_id, RECENT_ORDERS)
        return [
            NumberFound(detail, number)
            for detail in details
            for number in detail.numbers
            if query.admits(number)
        ]

    def retrieve_number_order_phone_number(self, account_id: str, number_id: str) -> NumberFound:
        detail = self._order_of(account_id, number_id, PHONE_NUMBER)
        return _number_found(detail, number_id)

    def update_number_order_phone_number(
        self, account_id: str, number_id: str, update: OrderUpdate
    ) -> NumberFound:
        changed = self._supply(account_id, number_id, PHONE_NUMBER, update)
        return _number_found(changed, number_id)

    def update_number_order_phone_number_requirement_group(
        self, account_id: str, number_id: str, group_id: str
    ) -> NumberFound:
        changed = self._apply_group(account_id, number_id, PHONE_NUMBER, group_id)
        return _number_found(changed, number_id)

    # -- deadlines -------------------------------------------------------------------------

    def fail_overdue_orders(self, limit: int) -> list[FulfilledOrder]:
        """Fail the pending numbers of up to `limit` orders past their deadline, freeing
        them, as the worker does."""
        now = now_micros()

        def expire(stored: StoredOrder) -> StoredOrder | None:
            failed = overdue(stored.detail, now)
            if not failed.released and failed.detail is stored.detail:
                return None
            return StoredOrder(failed.detail, None, released=failed.released)

        return self.store.fail_overdue_orders(now, limit, expire)

    def next_deadline_at(self) -> int | None:
        return self.store.next_deadline_at()

    # -- shared ----------------------------------------------------------------------------

    def _order_of(self, account_id: str, part_id: str, kind: str) -> NumberOrderDetail:
        """The order of the account's part; unknown, malformed, other accounts' ids and
        ids of the other kind of part are all 404."""
        valid_id = parse_order_id(part_id)
        part = self.store.find_order_part(account_id, valid_id) if valid_id else None
        detail = None
        if part is not None and part.kind == kind:
            detail = self.store.retrieve_number_order(account_id, part.order_id)
        if detail is None:
            raise _not_found(kind)
        return detail

    def _supply(
        self, account_id: str, part_id: str, kind: str, update: OrderUpdate
    ) -> NumberOrderDetail:
        """Requirement values for the part's numbers, as the order's update takes them."""
        delay = self.fulfilment_delay
        documents = document_statuses(self.store, account_id, update)

        def change(detail: NumberOrderDetail, now: int) -> NumberOrderDetail | None:
            scope = frozenset(n.id for n in _numbers_of(detail, part_id, kind))
            return update.apply(detail, now, delay, only=scope, documents=documents)

        return self._change_part(account_id, part_id, kind, change)

    def _apply_group(
        self, account_id: str, part_id: str, kind: str, group_id: str
    ) -> NumberOrderDetail:
        """An approved group's values on the part's numbers."""
        self._order_of(account_id, part_id, kind)  # an unknown part is a 404 first
        group = self._approved_group(account_id, group_id)

        def change(detail: NumberOrderDetail, now: int) -> NumberOrderDetail | None:
            numbers = _numbers_of(detail, part_id, kind)
            return with_numbers(detail, apply_to_numbers(group, numbers), now)

        return self._change_part(account_id, part_id, kind, change)

    def _change_part(
        self, account_id: str, part_id: str, kind: str, part_change: PartChange
    ) -> NumberOrderDetail:
        """The order's update (`update_number_order`), run on the part's order."""
        order_id = self._order_of(account_id, part_id, kind).order.id
        now = now_micros()
        delay = self.fulfilment_delay

        def change(stored: StoredOrder) -> StoredOrder | None:
            result = part_change(stored.detail, now)
            if result is None:
                return None
            if isinstance(result, Failed):
                if not result.released:
                    return None
                return changed_order(stored, result.detail, now, delay, result.released)
            return changed_order(stored, result, now, delay)

        changed = self.store.update_number_order(account_id, order_id, change)
        if changed is None:
            raise _not_found(kind)
        self.fulfilment_due()
        return changed

    def _approved_group(self, account_id: str, group_id: str) -> RequirementGroup:
        """The account's group (whether it is approved is checked where it is applied, in
        the order's transaction); an unknown one is a 422 on the body's field."""
        valid_id = parse_order_id(group_id)
        group = self.store.retrieve_requirement_group(account_id, valid_id) if valid_id else None
        if group is None:
            detail = f"requirement_group_id {group_id} is not a requirement group of this account."
            raise invalid_body([bad_field("/requirement_group_id", detail)])
        return group


def _sub_found(detail: NumberOrderDetail, sub_id: str) -> SubOrderFound:
    sub = sub_order_of(detail, sub_id)
    if sub is None:
        raise _not_found(SUB_NUMBER_ORDER)
    return SubOrderFound(detail, sub)


def _number_found(detail: NumberOrderDetail, number_id: str) -> NumberFound:
    number = number_of(detail, number_id)
    if number is None:
        raise _not_found(PHONE_NUMBER)
    return NumberFound(detail, number)


def _numbers_of(detail: NumberOrderDetail, part_id: str, kind: str) -> list[OrderedNumber]:
    if kind == SUB_NUMBER_ORDER:
        return list(_sub_found(detail, part_id).sub.numbers)
    return [_number_found(detail, part_id).number]


def _not_found(kind: str) -> errors.ApiError:
    what = "sub number order" if kind == SUB_NUMBER_ORDER else "number order phone number"
    return errors.not_found(f"No {what} with this id exists.")
