"""Settling an order's numbers, as the fulfilment worker does it.

First the regulator decides the checks of requirement values that have ended
(`requirement_reviews.review_due`). Then each pending number takes one step, declared in
`next_step`: wait for requirements, fail (test numbers), or claim the number. A claim succeeds only when the number is free or
already reserved for this order (the caller's `take`, backed by the holdings table), so
a number belongs to one account at a time. The order's state then derives from its
numbers, as everywhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from number_orders.domain.comments import Comment
from number_orders.domain.forced_outcomes import always_fails, fails_after_requirements
from number_orders.domain.orders import (
    FAILURE,
    SUCCESS,
    NumberOrderDetail,
    OrderedNumber,
    derive_order_state,
)
from number_orders.domain.requirement_reviews import review_due

CLAIM = "claim"


def next_step(number: OrderedNumber) -> str | None:
    """FAILURE, CLAIM, or None when the number must wait (or is settled)."""
    if number.settled:
        return None
    if always_fails(number.phone_number):
        return FAILURE
    if not number.requirements_met:
        return None
    if fails_after_requirements(number.phone_number):
        return FAILURE
    return CLAIM


def has_work(numbers: Sequence[OrderedNumber]) -> bool:
    """True when the worker can settle at least one number now."""
    return any(next_step(n) is not None for n in numbers)


@dataclass(frozen=True, slots=True)
class Settlement:
    detail: NumberOrderDetail
    succeeded: list[str]  # phone numbers now owned by the order's account
    failed: list[str]  # phone numbers whose reservation, if any, is released
    comments: tuple[Comment, ...] = field(default=())  # the regulator's, on declines


def settle(detail: NumberOrderDetail, take: Callable[[str], bool], now: int) -> Settlement:
    """Decide the ended checks, then take every step the order's numbers can take now.

    Claims go in phone-number order, so concurrent settlements that share numbers touch
    them in the same order.
    """
    reviewed = review_due(detail, now)
    claimed = _claim(reviewed.detail, take, now)
    return replace(claimed, comments=reviewed.comments)


def _claim(detail: NumberOrderDetail, take: Callable[[str], bool], now: int) -> Settlement:
    outcome: dict[str, str] = {}
    steps = {n.phone_number: next_step(n) for n in detail.numbers}
    for phone_number in sorted(p for p, step in steps.items() if step is not None):
        claimed = steps[phone_number] == CLAIM and take(phone_number)
        outcome[phone_number] = SUCCESS if claimed else FAILURE
    if not outcome:
        return Settlement(detail, [], [])
    numbers = [
        replace(n, status=outcome[n.phone_number]) if n.phone_number in outcome else n
        for n in detail.numbers
    ]
    status, requirements_met = derive_order_state(numbers)
    order = replace(
        detail.order,
        status=status,
        requirements_met=requirements_met,
        updated_at=max(now, detail.order.updated_at + 1),
    )
    return Settlement(
        NumberOrderDetail(order, numbers),
        [p for p, s in outcome.items() if s == SUCCESS],
        [p for p, s in outcome.items() if s == FAILURE],
    )


# An order whose settling fails (a bug, or a row it cannot read) is put back on the queue
# this much later: 1 s after its first failure, doubling up to an hour.
RETRY_FIRST_MICROS = 1_000_000
RETRY_CAP_MICROS = 3_600_000_000


def retry_delay(failures: int) -> int:
    """Microseconds before an order that has failed `failures` times is tried again."""
    return min(RETRY_CAP_MICROS, RETRY_FIRST_MICROS << min(max(failures, 1) - 1, 40))
