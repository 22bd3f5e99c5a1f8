"""`GET /number_reservations` parameters: paging as for number orders and the spec's
filters, one 400 problem per bad parameter (`parameters.read_params`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from number_orders.domain.number_reservations import RESERVATION_STATUSES
from number_orders.domain.parameters import (
    PAGE_RULES,
    Page,
    Rule,
    choice,
    e164,
    instant,
    read_params,
    text,
)

_RULES = {
    **PAGE_RULES,
    "filter[status]": Rule("status", choice(RESERVATION_STATUSES)),
    "filter[created_at][gt]": Rule("created_after", instant),
    "filter[created_at][lt]": Rule("created_before", instant),
    # The clients send one number; several (comma-joined or repeated) match any of them.
    "filter[phone_numbers.phone_number]": Rule("phone_numbers", e164, many=True),
    "filter[customer_reference]": Rule("customer_reference", text),
}


@dataclass(frozen=True, slots=True)
class ReservationQuery:
    page: Page = field(default_factory=Page)
    status: str | None = None
    created_after: int | None = None  # strict bounds, as for orders
    created_before: int | None = None
    phone_numbers: tuple[str, ...] = ()
    customer_reference: str | None = None

    @property
    def counted_by_tally(self) -> bool:
        """Whether the total is a sum of tallies (no filter but status) rather than a
        count of matching rows along an index."""
        return not (
            self.phone_numbers
            or self.customer_reference is not None
            or self.created_after is not None
            or self.created_before is not None
        )

    @classmethod
    def from_params(cls, pairs: Iterable[tuple[str, str]]) -> ReservationQuery:
        values = read_params(pairs, _RULES)
        number, size = values.pop("page_number", 1), values.pop("page_size", Page().size)
        return cls(Page(number, size), **values)
