"""Orders as the JSON objects of the Telnyx API (plain dicts, not yet bytes).

One shape for every way an order leaves the server: HTTP responses and webhook payloads
both use these, so a client sees the same object either way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from number_orders.domain.orders import (
    NumberOrder,
    NumberOrderDetail,
    OrderedNumber,
    RegulatoryRequirement,
)
from number_orders.domain.timestamps import format_micros


class OrderFields(Protocol):
    """What the order object is made of: a `NumberOrder`, or a `ListedOrder` as a page
    reads it."""

    @property
    def id(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def requirements_met(self) -> bool: ...
    @property
    def phone_numbers_count(self) -> int: ...
    @property
    def created_at(self) -> int: ...
    @property
    def updated_at(self) -> int: ...
    @property
    def customer_reference(self) -> str | None: ...
    @property
    def connection_id(self) -> str | None: ...
    @property
    def messaging_profile_id(self) -> str | None: ...
    @property
    def billing_group_id(self) -> str | None: ...


def order_shape(
    order: OrderFields, phone_numbers: Any, sub_number_orders_ids: Any
) -> dict[str, Any]:
    """The number order object. Its two lists come as the caller has them: decoded, or
    (a page of the list) the stored JSON wrapped to be embedded as it is."""
    body: dict[str, Any] = {
        "id": order.id,
        "record_type": "number_order",
        "phone_numbers_count": order.phone_numbers_count,
        "phone_numbers": phone_numbers,
        "sub_number_orders_ids": sub_number_orders_ids,
        "status": order.status,
        "requirements_met": order.requirements_met,
        "created_at": format_micros(order.created_at),
        "updated_at": format_micros(order.updated_at),
    }
    # The published schema types these as plain strings, so an absent value is left out.
    if order.customer_reference is not None:
        body["customer_reference"] = order.customer_reference
    if order.connection_id is not None:
        body["connection_id"] = order.connection_id
    if order.messaging_profile_id is not None:
        body["messaging_profile_id"] = order.messaging_profile_id
    if order.billing_group_id is not None:
        body["billing_group_id"] = order.billing_group_id
    return body


def order_json(order: NumberOrder) -> dict[str, Any]:
    numbers = [{"id": i, "phone_number": p} for i, p in order.phone_numbers]
    return order_shape(order, numbers, order.sub_number_orders_ids)


def requirement_json(r: RegulatoryRequirement) -> dict[str, Any]:
    """A number's requirement as an order shows it: its value once one is given."""
    body: dict[str, Any] = {
        "record_type": "phone_number_regulatory_requirement",
        "requirement_id": r.requirement_id,
        "field_type": r.field_type,
    }
    if r.field_value is not None:
        body["field_value"] = r.field_value
    return body


def number_json(
    number: OrderedNumber,
    requirement: Callable[[RegulatoryRequirement], dict[str, Any]] = requirement_json,
) -> dict[str, Any]:
    """An order's number (`NumberOrderPhoneNumber`'s core); `requirement` shapes each of
    its requirements (the order parts' views add a review status)."""
    body: dict[str, Any] = {
        "id": number.id,
        "record_type": "number_order_phone_number",
        "phone_number": number.phone_number,
        "country_code": number.country_code,
        "phone_number_type": number.phone_number_type,
        "regulatory_requirements": [requirement(r) for r in number.regulatory_requirements],
        "requirements_met": number.requirements_met,
        "requirements_status": number.requirements_status,
        "status": number.status,
    }
    if number.bundle_id is not None:
        body["bundle_id"] = number.bundle_id
    return body


def detail_json(detail: NumberOrderDetail) -> dict[str, Any]:
    body = order_json(detail.order)
    body["phone_numbers"] = [number_json(n) for n in detail.numbers]
    return body
