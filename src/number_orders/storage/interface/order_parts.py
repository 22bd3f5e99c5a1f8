"""What the service needs from persistence for an order's parts (sub orders and order
phone numbers): finding their order by a part's id, the account's newest orders for the
lists, and the deadline queue. Their changes are the order's (`NumberOrderStore`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from number_orders.domain.orders import NumberOrderDetail
from number_orders.storage.interface.number_orders import Change, FulfilledOrder


@dataclass(frozen=True, slots=True)
class OrderPart:
    order_id: str
    kind: str  # `order_parts.SUB_NUMBER_ORDER` or `PHONE_NUMBER`


class OrderPartStore(Protocol):
    def find_order_part(self, account_id: str, part_id: str) -> OrderPart | None:
        """The order a sub order or number id of the account belongs to; None if none."""
        ...

    def recent_number_orders(
        self, account_id: str, limit: int, pending_only: bool = False
    ) -> list[NumberOrderDetail]:
        """The account's newest `limit` orders (only pending ones if asked), newest first."""
        ...

    def fail_overdue_orders(self, now: int, limit: int, expire: Change) -> list[FulfilledOrder]:
        """Apply `expire` to up to `limit` pending orders whose deadline is past at `now`
        that no other worker holds, each with what goes with it, in one transaction.
        Reads only the due end of the deadline queue; an idle call writes nothing."""
        ...

    def next_deadline_at(self) -> int | None:
        """The earliest deadline of a pending order (held by a worker or not); None if no
        order is pending."""
        ...
