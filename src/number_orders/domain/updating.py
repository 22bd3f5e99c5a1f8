"""Updating an order: the body's rules (`OrderUpdate.from_body`) and their effect on an
order (`OrderUpdate.apply`). Only `customer_reference` and requirement values change.
A sub order or an order phone number is updated the same way, with requirement values
only (`requirements_from_body`) and scoped to its numbers (`apply`'s `only`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from number_orders.domain.documents import document_value_problem
from number_orders.domain.fields import FieldReader, pointer, shown
from number_orders.domain.orders import (
    NumberOrderDetail,
    OrderedNumber,
    derive_order_state,
)
from number_orders.domain.requirement_reviews import under_review
from number_orders.errors import invalid_body

_KEEP = object()  # customer_reference absent: leave it as it is


@dataclass(frozen=True, slots=True)
class RequirementValue:
    requirement_id: str
    field_value: str


@dataclass(frozen=True, slots=True)
class OrderUpdate:
    customer_reference: Any = _KEEP  # a string, None to clear it, or _KEEP
    requirement_values: tuple[RequirementValue, ...] = ()

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> OrderUpdate:
        reader = FieldReader()
        reference = _KEEP
        if "customer_reference" in body:
            reference = reader.text(body, "customer_reference", "/customer_reference")
        values = _requirement_values(reader, body)
        if reader.problems:
            raise invalid_body(reader.problems)
        return cls(reference, tuple(values))

    @classmethod
    def requirements_from_body(cls, body: Mapping[str, Any]) -> OrderUpdate:
        """A sub order's or an order phone number's update: requirement values only."""
        reader = FieldReader()
        values = _requirement_values(reader, body)
        if reader.problems:
            raise invalid_body(reader.problems)
        return cls(_KEEP, tuple(values))

    def field_values(self) -> list[str]:
        """The values given: those naming documents are checked against the caller's
        documents (the service reads their statuses for `apply`)."""
        return [v.field_value for v in self.requirement_values]

    def apply(
        self,
        detail: NumberOrderDetail,
        now: int,
        review_delay: int = 0,
        only: frozenset[str] | None = None,
        documents: Mapping[str, str] | None = None,
    ) -> NumberOrderDetail | None:
        """The order after this update, or None when nothing would change.

        A requirement id names one requirement of a country (`regulatory.requirement_id`),
        so one value satisfies it on every number of the order (or of `only`, the ids of
        the numbers in view) that has it. A new value is under review for `review_delay`. A
        value for a `document` requirement must name a verified document of the account;
        `documents` maps the account's document ids to their statuses.
        """
        in_view = [n for n in detail.numbers if only is None or n.id in only]
        self._check_known(in_view, documents or {})
        order = detail.order
        reference = order.customer_reference
        if self.customer_reference is not _KEEP:
            reference = self.customer_reference
        values = {v.requirement_id: v.field_value for v in self.requirement_values}
        numbers = [
            _with_values(n, values, now, review_delay) if only is None or n.id in only else n
            for n in detail.numbers
        ]
        if reference == order.customer_reference and numbers == detail.numbers:
            return None
        status, requirements_met = derive_order_state(numbers)
        changed = replace(
            order,
            customer_reference=reference,
            status=status,
            requirements_met=requirements_met,
            updated_at=max(now, order.updated_at + 1),
        )
        return NumberOrderDetail(changed, numbers)

    def _check_known(self, numbers: list[OrderedNumber], documents: Mapping[str, str]) -> None:
        known = {r.requirement_id: r.field_type for n in numbers for r in n.regulatory_requirements}
        reader = FieldReader()
        for index, value in enumerate(self.requirement_values):
            where = pointer("regulatory_requirements", index)
            field_type = known.get(value.requirement_id)
            if field_type is None:
                reader.bad(
                    where + "/requirement_id",
                    f"requirement_id {shown(value.requirement_id)} is not a requirement of these "
                    f"numbers; their requirements: {', '.join(sorted(known)) or 'none'}.",
                )
            elif field_type == "document":
                problem = document_value_problem(
                    where + "/field_value", value.field_value, documents
                )
                if problem is not None:
                    reader.problems.append(problem)
        if reader.problems:
            raise invalid_body(reader.problems)


def _with_values(
    number: OrderedNumber, values: Mapping[str, str], now: int, review_delay: int
) -> OrderedNumber:
    requirements = [
        under_review(r, values[r.requirement_id], now, review_delay)
        if r.requirement_id in values
        else r
        for r in number.regulatory_requirements
    ]
    if requirements == number.regulatory_requirements:
        return number
    return replace(number, regulatory_requirements=requirements)


def _requirement_values(reader: FieldReader, body: Mapping[str, Any]) -> list[RequirementValue]:
    items = reader.array(body, "regulatory_requirements", "/regulatory_requirements")
    values: list[RequirementValue] = []
    seen: set[str] = set()
    for index, item in enumerate(items or []):
        where = pointer("regulatory_requirements", index)
        entry = reader.object(item, "each regulatory_requirements item", where)
        if entry is None:
            continue
        requirement = reader.text(entry, "requirement_id", where + "/requirement_id", required=True)
        value = reader.text(entry, "field_value", where + "/field_value", required=True)
        if requirement is not None and requirement in seen:
            reader.bad(
                where + "/requirement_id",
                f"requirement_id {shown(requirement)} appears more than once.",
            )
        elif requirement is not None and value is not None:
            seen.add(requirement)
            values.append(RequirementValue(requirement, value))
    return values
