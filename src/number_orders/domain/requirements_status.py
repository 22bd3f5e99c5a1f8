"""How an ordered number's `requirements_status` follows from its requirement values.

A supplied value is checked by the simulated regulator: it is under review until its
`reviewed_at`, then approved, unless it is the sandbox's decline trigger (`decline`),
which the check declines. Pure functions of the values and the time; no state moves here.

| a number's values                          | requirements_status            |
|--------------------------------------------|--------------------------------|
| any value declined by a finished check     | requirement-info-exception     |
| any value missing                          | requirement-info-pending       |
| any value still under review               | requirement-info-under-review  |
| every value approved (or none needed)      | approved                       |
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

INFO_PENDING = "requirement-info-pending"
UNDER_REVIEW = "requirement-info-under-review"
APPROVED = "approved"
INFO_EXCEPTION = "requirement-info-exception"

# One value's review state, in the vocabulary of a requirement group's values.
VALUE_UNAPPROVED = "unapproved"
VALUE_PENDING_APPROVAL = "pending-approval"
VALUE_APPROVED = "approved"
VALUE_DECLINED = "declined"

DECLINE = "decline"  # the value every check declines, like a test card that always fails
DAY = 86_400 * 1_000_000
DEADLINE_DAYS = 30.0  # how long a pending number waits for approved requirements
DEFAULT_DEADLINE = int(DEADLINE_DAYS * DAY)


def declines(field_value: str) -> bool:
    return field_value == DECLINE


@dataclass(frozen=True, slots=True)
class SubmittedValue:
    """One requirement of a number and where its value stands.

    `reviewed_at` is when the check of `field_value` ends; None while no value is given.
    A value taken from an approved requirement group is reviewed the moment it is applied.
    """

    requirement_id: str
    field_value: str | None = None
    reviewed_at: int | None = None


def submit(requirement_id: str, field_value: str, now: int, review_delay: int) -> SubmittedValue:
    """A value supplied now: its check ends `review_delay` microseconds later."""
    return SubmittedValue(requirement_id, field_value, now + review_delay)


def value_status(value: SubmittedValue, now: int) -> str:
    if value.field_value is None or value.reviewed_at is None:
        return VALUE_UNAPPROVED
    if now < value.reviewed_at:
        return VALUE_PENDING_APPROVAL
    return VALUE_DECLINED if declines(value.field_value) else VALUE_APPROVED


def requirements_status(values: Iterable[SubmittedValue], now: int) -> str:
    return status_of(value_status(v, now) for v in values)


def status_of(value_statuses: Iterable[str]) -> str:
    """A number's status from its values' statuses (the table above)."""
    statuses = set(value_statuses)
    if VALUE_DECLINED in statuses:
        return INFO_EXCEPTION
    if VALUE_UNAPPROVED in statuses:
        return INFO_PENDING
    if VALUE_PENDING_APPROVAL in statuses:
        return UNDER_REVIEW
    return APPROVED


def requirements_met(values: Iterable[SubmittedValue], now: int) -> bool:
    """True once every value has passed its check: only then can the number be claimed."""
    return requirements_status(values, now) == APPROVED


def next_review(values: Sequence[SubmittedValue], now: int) -> int | None:
    """When the status next changes by itself (the earliest check still running), so a
    worker knows when to look again; None when nothing is under review."""
    running = [v.reviewed_at for v in values if v.reviewed_at is not None and now < v.reviewed_at]
    return min(running, default=None)


def deadline(created_at: int, period: int = DEFAULT_DEADLINE) -> int:
    """When a pending number's requirements are due; past it the number fails."""
    return created_at + period


def past_deadline(created_at: int, now: int, period: int = DEFAULT_DEADLINE) -> bool:
    return now >= deadline(created_at, period)
