"""Creating an order: the body's rules (`NewOrder.from_body`) and the order it becomes
(`build_order`). Every rule about a create request lives here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from number_orders.domain.fields import FieldReader, json_type, pointer, shown
from number_orders.domain.forced_outcomes import forced_requirements
from number_orders.domain.ids import random_id
from number_orders.domain.numbering import ClassifiedNumber, classify
from number_orders.domain.orders import (
    NumberOrder,
    NumberOrderDetail,
    OrderedNumber,
    derive_order_state,
)
from number_orders.domain.regulatory import RequirementRules
from number_orders.domain.requirements_status import DEFAULT_DEADLINE, deadline
from number_orders.errors import bad_phone_number, invalid_body

MAX_NUMBERS = 1000
OPTIONAL_TEXT = ("connection_id", "messaging_profile_id", "billing_group_id", "customer_reference")


@dataclass(frozen=True, slots=True)
class RequestedNumber:
    number: ClassifiedNumber
    bundle_id: str | None = None
    requirement_group_id: str | None = None


@dataclass(frozen=True, slots=True)
class NewOrder:
    numbers: tuple[RequestedNumber, ...]
    connection_id: str | None = None
    messaging_profile_id: str | None = None
    billing_group_id: str | None = None
    customer_reference: str | None = None

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> NewOrder:
        """A valid request, or one 422 listing every problem in the body."""
        reader = FieldReader()
        numbers = _numbers(reader, body)
        optional = {name: reader.text(body, name, pointer(name)) for name in OPTIONAL_TEXT}
        if reader.problems:
            raise invalid_body(reader.problems)
        return cls(tuple(numbers), **optional)


def _numbers(reader: FieldReader, body: Mapping[str, Any]) -> list[RequestedNumber]:
    items = reader.array(body, "phone_numbers", "/phone_numbers")
    if items is None:
        if "phone_numbers" not in body or body["phone_numbers"] is None:
            reader.missing("/phone_numbers", "phone_numbers (an array of 1 to 1000 numbers)")
        return []
    if not 1 <= len(items) <= MAX_NUMBERS:
        reader.bad(
            "/phone_numbers",
            f"phone_numbers must hold 1 to {MAX_NUMBERS} numbers; got {len(items)}.",
        )
        return []
    seen: set[str] = set()
    numbers = []
    for index, item in enumerate(items):
        requested = _number(reader, item, index, seen)
        if requested is not None:
            numbers.append(requested)
    return numbers


def _number(reader: FieldReader, item: Any, index: int, seen: set[str]) -> RequestedNumber | None:
    entry = reader.object(item, "each phone_numbers item", pointer("phone_numbers", index))
    if entry is None:
        return None
    where = pointer("phone_numbers", index, "phone_number")
    value = entry.get("phone_number")
    number = None
    if value is None:
        reader.missing(where, "phone_number")
    elif not isinstance(value, str):
        reader.bad(where, f"phone_number must be a string; got {json_type(value)}.")
    else:
        number = _classified(reader, value, where, seen)
    bundle = reader.text(entry, "bundle_id", pointer("phone_numbers", index, "bundle_id"))
    group_where = pointer("phone_numbers", index, "requirement_group_id")
    group = reader.text(entry, "requirement_group_id", group_where)
    return RequestedNumber(number, bundle, group) if number is not None else None


def _classified(
    reader: FieldReader, value: str, where: str, seen: set[str]
) -> ClassifiedNumber | None:
    number = classify(value)
    if number is None:
        detail = (
            f"phone_number must be a valid number in +E.164 format (a plus sign, the country "
            f"code and the national number, digits only, e.g. +13125550123); got {shown(value)}."
        )
        reader.problems.append(bad_phone_number(where, detail))
        return None
    if number.e164 in seen:
        reader.bad(where, f"phone_number {number.e164} appears more than once in this order.")
        return None
    seen.add(number.e164)
    return number


def build_order(
    new: NewOrder,
    rules: RequirementRules,
    now: int,
    make_id: Callable[[], str] = random_id,
    deadline_period: int = DEFAULT_DEADLINE,
) -> NumberOrderDetail:
    """The pending order a valid request becomes; one sub order per (country, type), in
    the order of their first number (`order_parts.sub_orders`)."""
    numbers = [_ordered(requested, rules, make_id) for requested in new.numbers]
    groups = dict.fromkeys((n.country_code, n.phone_number_type) for n in numbers)
    status, requirements_met = derive_order_state(numbers)
    order = NumberOrder(
        id=make_id(),
        status=status,
        requirements_met=requirements_met,
        phone_numbers_count=len(numbers),
        created_at=now,
        updated_at=now,
        phone_numbers=[(n.id, n.phone_number) for n in numbers],
        sub_number_orders_ids=[make_id() for _ in groups],
        customer_reference=new.customer_reference,
        connection_id=new.connection_id,
        messaging_profile_id=new.messaging_profile_id,
        billing_group_id=new.billing_group_id,
        deadline=deadline(now, deadline_period),
    )
    return NumberOrderDetail(order, numbers)


def _ordered(
    requested: RequestedNumber, rules: RequirementRules, make_id: Callable[[], str]
) -> OrderedNumber:
    number = requested.number
    return OrderedNumber(
        id=make_id(),
        phone_number=number.e164,
        country_code=number.country_code,
        phone_number_type=number.phone_number_type,
        bundle_id=requested.bundle_id,
        requirement_group_id=requested.requirement_group_id,
        regulatory_requirements=rules.requirements_for(
            number.country_code, forced_requirements(number.e164)
        ),
    )
