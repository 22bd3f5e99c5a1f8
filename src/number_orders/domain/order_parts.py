"""An order's parts: its sub orders and its phone numbers, as views of the order.

A sub order is the order's numbers of one (country, phone number type); the order names
its sub orders in `sub_number_orders_ids`, one per such pair in the order of their first
number. Nothing of a part is stored apart from its order (only its id, to find the order:
`PART_KINDS`), so every view shows the order's one state. The changes a view can make
(requirements, a requirement group, a cancel) are changes of the order scoped to the
part's numbers; their status derives like the order's (`derive_order_state`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from number_orders.domain.fields import FieldReader, shown
from number_orders.domain.orders import (
    FAILURE,
    ORDER_STATUSES,
    PENDING,
    NumberOrder,
    NumberOrderDetail,
    OrderedNumber,
    RegulatoryRequirement,
    derive_order_state,
    parse_order_id,
)
from number_orders.domain.parameters import (
    Rule,
    choice,
    country_code,
    integer,
    read_params,
    uuid_text,
)
from number_orders.domain.representation import number_json, requirement_json
from number_orders.domain.requirements_catalogue import PHONE_NUMBER_TYPES
from number_orders.domain.requirements_status import VALUE_UNAPPROVED
from number_orders.domain.timestamps import format_micros
from number_orders.errors import ApiError, Problem, invalid_body

SUB_NUMBER_ORDER, PHONE_NUMBER = "sub_number_order", "phone_number"
PART_KINDS = (SUB_NUMBER_ORDER, PHONE_NUMBER)
INCLUDED_NUMBERS = 50  # `filter[include_phone_numbers]` shows the first 50, as the spec says
# A missing value, in the per-number requirement statuses the clients know.
AWAITING_VALUE = "awaiting-value"


@dataclass(frozen=True, slots=True)
class SubOrder:
    id: str
    country_code: str
    phone_number_type: str
    numbers: tuple[OrderedNumber, ...]

    @property
    def status(self) -> str:
        return derive_order_state(self.numbers)[0]

    @property
    def requirements_met(self) -> bool:
        return derive_order_state(self.numbers)[1]

    @property
    def number_ids(self) -> frozenset[str]:
        return frozenset(n.id for n in self.numbers)


def sub_orders(detail: NumberOrderDetail) -> list[SubOrder]:
    """The order's sub orders, in the order of `sub_number_orders_ids`."""
    groups: dict[tuple[str, str], list[OrderedNumber]] = {}
    for number in detail.numbers:
        groups.setdefault((number.country_code, number.phone_number_type), []).append(number)
    return [
        SubOrder(sub_id, country, kind, tuple(numbers))
        for sub_id, ((country, kind), numbers) in zip(
            detail.order.sub_number_orders_ids, groups.items(), strict=False
        )
    ]


def sub_order_of(detail: NumberOrderDetail, sub_id: str) -> SubOrder | None:
    return next((s for s in sub_orders(detail) if s.id == sub_id), None)


def sub_order_of_number(detail: NumberOrderDetail, number_id: str) -> SubOrder | None:
    return next((s for s in sub_orders(detail) if number_id in s.number_ids), None)


def number_of(detail: NumberOrderDetail, number_id: str) -> OrderedNumber | None:
    return next((n for n in detail.numbers if n.id == number_id), None)


def part_ids(order: NumberOrder) -> list[tuple[str, str]]:
    """`(id, kind)` of every part of the order: what finds the order by a part's id."""
    return [(i, SUB_NUMBER_ORDER) for i in order.sub_number_orders_ids] + [
        (i, PHONE_NUMBER) for i, _ in order.phone_numbers
    ]


# --- Changes -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Failed:
    """An order after some of its pending numbers failed, and those numbers (to free)."""

    detail: NumberOrderDetail
    released: tuple[str, ...]


def fail_numbers(detail: NumberOrderDetail, number_ids: Iterable[str], now: int) -> Failed:
    """The order with the named numbers that are still pending failed."""
    wanted = frozenset(number_ids)
    failing = [n for n in detail.numbers if n.id in wanted and n.status == PENDING]
    if not failing:
        return Failed(detail, ())
    ids = {n.id for n in failing}
    numbers = [replace(n, status=FAILURE) if n.id in ids else n for n in detail.numbers]
    status, requirements_met = derive_order_state(numbers)
    order = replace(
        detail.order,
        status=status,
        requirements_met=requirements_met,
        updated_at=max(now, detail.order.updated_at + 1),
    )
    return Failed(NumberOrderDetail(order, numbers), tuple(sorted(n.phone_number for n in failing)))


def with_numbers(
    detail: NumberOrderDetail, changed: Sequence[OrderedNumber], now: int
) -> NumberOrderDetail | None:
    """The order with some of its numbers replaced, its state derived again; None when
    that changes nothing."""
    by_id = {n.id: n for n in changed}
    numbers = [by_id.get(n.id, n) for n in detail.numbers]
    if numbers == detail.numbers:
        return None
    status, requirements_met = derive_order_state(numbers)
    order = replace(
        detail.order,
        status=status,
        requirements_met=requirements_met,
        updated_at=max(now, detail.order.updated_at + 1),
    )
    return NumberOrderDetail(order, numbers)


def cancel(detail: NumberOrderDetail, sub: SubOrder, now: int) -> Failed:
    """`PATCH .../cancel`: the sub order's pending numbers fail; a 422 once it is settled."""
    if sub.status != PENDING:
        raise ApiError(
            422,
            [
                Problem(
                    "10015",
                    "Bad Request",
                    f"sub number order {sub.id} is {sub.status}; only a pending sub number "
                    "order can be cancelled.",
                )
            ],
        )
    return fail_numbers(detail, sub.number_ids, now)


def overdue(detail: NumberOrderDetail, now: int) -> Failed:
    """Past the order's deadline, its pending numbers fail."""
    deadline = detail.order.deadline
    if deadline is None or now < deadline:
        return Failed(detail, ())
    return fail_numbers(detail, (n.id for n in detail.numbers), now)


# --- JSON --------------------------------------------------------------------------------


def sub_order_json(
    detail: NumberOrderDetail, sub: SubOrder, user_id: str, include_numbers: bool = False
) -> dict[str, Any]:
    """`SubNumberOrder`; with `include_numbers`, its first 50 numbers as well."""
    order = detail.order
    status, requirements_met = derive_order_state(sub.numbers)
    body: dict[str, Any] = {
        "id": sub.id,
        "record_type": "sub_number_order",
        "order_request_id": order.id,
        "country_code": sub.country_code,
        "phone_number_type": sub.phone_number_type,
        "phone_numbers_count": len(sub.numbers),
        "is_block_sub_number_order": False,
        "regulatory_requirements": [
            {
                "record_type": "phone_number_regulatory_requirement",
                "requirement_id": r.requirement_id,
                "field_type": r.field_type,
            }
            for r in _distinct_requirements(sub.numbers)
        ],
        "requirements_met": requirements_met,
        "status": status,
        "user_id": user_id,
        "created_at": format_micros(order.created_at),
        "updated_at": format_micros(order.updated_at),
    }
    if order.customer_reference is not None:
        body["customer_reference"] = order.customer_reference
    if include_numbers:
        body["phone_numbers"] = [
            number_json(n, _reviewed_requirement) for n in sub.numbers[:INCLUDED_NUMBERS]
        ]
    return body


def order_number_json(
    detail: NumberOrderDetail, number: OrderedNumber, reviewed: bool = False
) -> dict[str, Any]:
    """`NumberOrderPhoneNumber`; `reviewed` shows each requirement's review status (the
    shape `.../requirement_group` answers with)."""
    sub = sub_order_of_number(detail, number.id)
    body = number_json(number, _reviewed_requirement if reviewed else requirement_json)
    body["order_request_id"] = detail.order.id
    if sub is not None:
        body["sub_number_order_id"] = sub.id
    body["is_block_number"] = False
    if detail.order.deadline is not None:
        body["deadline"] = format_micros(detail.order.deadline)
    return body


def _reviewed_requirement(r: RegulatoryRequirement) -> dict[str, Any]:
    body = requirement_json(r)
    body["status"] = AWAITING_VALUE if r.status == VALUE_UNAPPROVED else r.status
    return body


def _distinct_requirements(numbers: Sequence[OrderedNumber]) -> list[RegulatoryRequirement]:
    seen: dict[str, RegulatoryRequirement] = {}
    for number in numbers:
        for r in number.regulatory_requirements:
            seen.setdefault(r.requirement_id, r)
    return list(seen.values())


# --- Queries -----------------------------------------------------------------------------

# The lists are not paged (the spec gives them no page parameters): they look at the
# account's newest orders, at most this many, so a list costs the same however many
# orders the account has. `filter[order_request_id]` reads that one order instead.
RECENT_ORDERS = 1_000


@dataclass(frozen=True, slots=True)
class SubOrdersQuery:
    """`GET /sub_number_orders`: the spec's five filters."""

    status: str | None = None
    order_request_id: str | None = None
    country_code: str | None = None
    phone_number_type: str | None = None
    phone_numbers_count: int | None = None

    @classmethod
    def from_params(cls, pairs: Iterable[tuple[str, str]]) -> SubOrdersQuery:
        return cls(**read_params(pairs, _SUB_ORDER_RULES))

    def admits(self, sub: SubOrder) -> bool:
        return (
            self.status in (None, sub.status)
            and self.country_code in (None, sub.country_code)
            and self.phone_number_type in (None, sub.phone_number_type)
            and self.phone_numbers_count in (None, len(sub.numbers))
        )


_SUB_ORDER_RULES = {
    "filter[status]": Rule("status", choice(ORDER_STATUSES)),
    "filter[order_request_id]": Rule("order_request_id", uuid_text),
    "filter[country_code]": Rule("country_code", country_code),
    "filter[phone_number_type]": Rule("phone_number_type", choice(PHONE_NUMBER_TYPES)),
    "filter[phone_numbers_count]": Rule("phone_numbers_count", integer(1, 1000)),
}


@dataclass(frozen=True, slots=True)
class SubOrderView:
    """`GET /sub_number_orders/{id}`: `filter[include_phone_numbers]`."""

    include_phone_numbers: bool = False

    @classmethod
    def from_params(cls, pairs: Iterable[tuple[str, str]]) -> SubOrderView:
        values = read_params(pairs, _VIEW_RULES)
        return cls(values.get("include_phone_numbers") == "true")


_VIEW_RULES = {
    "filter[include_phone_numbers]": Rule("include_phone_numbers", choice(("true", "false")))
}


@dataclass(frozen=True, slots=True)
class OrderNumbersQuery:
    """`GET /number_order_phone_numbers`: `filter[country_code]`."""

    country_code: str | None = None

    @classmethod
    def from_params(cls, pairs: Iterable[tuple[str, str]]) -> OrderNumbersQuery:
        return cls(**read_params(pairs, _NUMBER_RULES))

    def admits(self, number: OrderedNumber) -> bool:
        return self.country_code in (None, number.country_code)


_NUMBER_RULES = {"filter[country_code]": Rule("country_code", country_code)}


def requirement_group_id_from_body(body: Mapping[str, Any]) -> str:
    """`{"requirement_group_id": UUID}`, the body of `.../requirement_group`, or a 422."""
    reader = FieldReader()
    value = reader.text(body, "requirement_group_id", "/requirement_group_id", required=True)
    canonical = parse_order_id(value) if value is not None else None
    if value is not None and canonical is None:
        reader.bad(
            "/requirement_group_id",
            f"requirement_group_id must be the UUID of a requirement group; got {shown(value)}.",
        )
    if reader.problems or canonical is None:
        raise invalid_body(reader.problems)
    return canonical
