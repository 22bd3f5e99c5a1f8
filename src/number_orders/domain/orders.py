"""Number orders and their phone numbers, and the rules that derive an order's state.

An order's `status` and `requirements_met` are never set directly: they follow from its
numbers (`derive_order_state`), so every writer (API, worker, seeder) agrees.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from number_orders.domain.requirements_status import (
    VALUE_APPROVED,
    VALUE_DECLINED,
    VALUE_PENDING_APPROVAL,
    VALUE_UNAPPROVED,
    status_of,
)

PENDING, SUCCESS, FAILURE = "pending", "success", "failure"
ORDER_STATUSES = (PENDING, SUCCESS, FAILURE)

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.ASCII)


@dataclass(frozen=True, slots=True)
class RegulatoryRequirement:
    """One requirement of a number and its value.

    A supplied value is under the regulator's check until `reviewed_at`; the review
    (`requirement_reviews.review_due`) then clears `reviewed_at`, and marks it `declined`
    if the check declined it. A value without `reviewed_at` that is not declined is
    approved (values applied from an approved group, and those stored before checks).
    """

    requirement_id: str
    field_type: str
    field_value: str | None = None
    reviewed_at: int | None = None
    declined: bool = False

    @property
    def status(self) -> str:
        if self.field_value is None:
            return VALUE_UNAPPROVED
        if self.reviewed_at is not None:
            return VALUE_PENDING_APPROVAL
        return VALUE_DECLINED if self.declined else VALUE_APPROVED


@dataclass(slots=True)
class OrderedNumber:
    """One phone number inside an order, as `NumberOrderWithPhoneNumbers` shows it."""

    id: str
    phone_number: str
    country_code: str
    phone_number_type: str
    status: str = PENDING
    bundle_id: str | None = None
    requirement_group_id: str | None = None
    regulatory_requirements: list[RegulatoryRequirement] = field(default_factory=list)

    @property
    def requirements_met(self) -> bool:
        """Every value supplied and approved: only then can the number be claimed."""
        return all(r.status == VALUE_APPROVED for r in self.regulatory_requirements)

    @property
    def requirements_status(self) -> str:
        return status_of(r.status for r in self.regulatory_requirements)

    @property
    def settled(self) -> bool:
        return self.status != PENDING


@dataclass(slots=True)
class NumberOrder:
    """An order as the list shows it: numbers as `(id, phone_number)` only."""

    id: str
    status: str
    requirements_met: bool
    phone_numbers_count: int
    created_at: int
    updated_at: int
    phone_numbers: list[tuple[str, str]]
    sub_number_orders_ids: list[str]
    customer_reference: str | None = None
    connection_id: str | None = None
    messaging_profile_id: str | None = None
    billing_group_id: str | None = None
    # When its pending numbers fail for want of approved requirements; None for orders
    # settled before numbers had deadlines.
    deadline: int | None = None


@dataclass(slots=True)
class NumberOrderDetail:
    """An order with its full phone-number objects, as create/retrieve/update show it."""

    order: NumberOrder
    numbers: list[OrderedNumber]


def derive_order_state(numbers: Sequence[OrderedNumber]) -> tuple[str, bool]:
    """`success` when every number succeeded; `failure` when all settled and one failed."""
    requirements_met = all(n.requirements_met for n in numbers)
    if any(not n.settled for n in numbers):
        return PENDING, requirements_met
    if all(n.status == SUCCESS for n in numbers):
        return SUCCESS, requirements_met
    return FAILURE, requirements_met


def parse_order_id(text: str) -> str | None:
    """The canonical (lowercase) form of an order id, or None if it cannot be one."""
    lowered = text.lower()
    return lowered if _UUID.fullmatch(lowered) else None
