"""The simulated regulator's check of the requirement values supplied for ordered numbers.

A value supplied through any view of an order (the order, a sub order, a number) is
under review until its `reviewed_at` (`under_review`); then the review (`review_due`)
approves it, or declines it when it is `decline` (`requirements_status.declines`), and
the regulator says why in an admin comment on the number's sub order. Whoever writes the
order when a check has ended runs the review: the writing request itself (a review delay
of 0 ends the check at once) or the fulfilment worker, which the order's `fulfil_at`
(`next_review`) brings back for it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from number_orders.domain.comments import (
    SUB_NUMBER_ORDER,
    Comment,
    DeclinedValue,
    admin_comment,
    decline_text,
)
from number_orders.domain.ids import random_id
from number_orders.domain.order_parts import sub_orders
from number_orders.domain.orders import (
    NumberOrderDetail,
    OrderedNumber,
    RegulatoryRequirement,
    derive_order_state,
)
from number_orders.domain.requirements_catalogue import RequirementType
from number_orders.domain.requirements_status import declines


def under_review(
    requirement: RegulatoryRequirement, field_value: str, now: int, review_delay: int
) -> RegulatoryRequirement:
    """The requirement with a newly supplied value, whose check ends `review_delay` later;
    the same value again changes nothing (its check, or its verdict, stands)."""
    if requirement.field_value == field_value:
        return requirement
    return replace(
        requirement, field_value=field_value, reviewed_at=now + review_delay, declined=False
    )


@dataclass(frozen=True, slots=True)
class Review:
    detail: NumberOrderDetail
    comments: tuple[Comment, ...]  # the regulator's, one per sub order with a declined value

    def changed(self, before: NumberOrderDetail) -> bool:
        return self.detail is not before


def review_due(
    detail: NumberOrderDetail, now: int, make_id: Callable[[], str] = random_id
) -> Review:
    """The order with every check that has ended by `now` decided."""
    declined: dict[str, list[RegulatoryRequirement]] = {}
    numbers = []
    for number in detail.numbers:
        requirements = [_decided(r, now) for r in number.regulatory_requirements]
        if requirements == number.regulatory_requirements:
            numbers.append(number)
            continue
        numbers.append(replace(number, regulatory_requirements=requirements))
        for before, after in zip(number.regulatory_requirements, requirements, strict=True):
            if after.declined and not before.declined:
                declined.setdefault(number.id, []).append(after)
    if numbers == detail.numbers:
        return Review(detail, ())
    status, requirements_met = derive_order_state(numbers)
    order = replace(
        detail.order,
        status=status,
        requirements_met=requirements_met,
        updated_at=max(now, detail.order.updated_at + 1),
    )
    reviewed = NumberOrderDetail(order, numbers)
    return Review(reviewed, tuple(_comments(reviewed, declined, now, make_id)))


def _decided(requirement: RegulatoryRequirement, now: int) -> RegulatoryRequirement:
    if requirement.reviewed_at is None or now < requirement.reviewed_at:
        return requirement
    value = requirement.field_value or ""
    return replace(requirement, reviewed_at=None, declined=declines(value))


def next_review(numbers: Sequence[OrderedNumber]) -> int | None:
    """When the next running check ends (None if none runs): when the order is due."""
    return min(
        (
            r.reviewed_at
            for n in numbers
            for r in n.regulatory_requirements
            if r.reviewed_at is not None
        ),
        default=None,
    )


def _comments(
    detail: NumberOrderDetail,
    declined: dict[str, list[RegulatoryRequirement]],
    now: int,
    make_id: Callable[[], str],
) -> list[Comment]:
    comments = []
    for sub in sub_orders(detail):
        values = [
            _declined_value(number, requirement)
            for number in sub.numbers
            for requirement in declined.get(number.id, [])
        ]
        if values:
            text = decline_text(f"Sub number order {sub.id}", values)
            comments.append(admin_comment(SUB_NUMBER_ORDER, sub.id, text, now, make_id))
    return comments


def _declined_value(number: OrderedNumber, requirement: RegulatoryRequirement) -> DeclinedValue:
    kind = RequirementType(number.country_code, requirement.field_type)
    reason = (
        f"for {number.phone_number}, it does not meet the requirement ({kind.kind.description})"
    )
    return DeclinedValue(
        requirement.requirement_id, kind.name, requirement.field_value or "", reason
    )
