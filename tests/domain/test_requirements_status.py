"""How a number's requirements_status follows from its values and the time."""

from __future__ import annotations

import pytest

from number_orders.domain.requirements_status import (
    APPROVED,
    DAY,
    INFO_EXCEPTION,
    INFO_PENDING,
    UNDER_REVIEW,
    SubmittedValue,
    deadline,
    next_review,
    past_deadline,
    requirements_met,
    requirements_status,
    submit,
    value_status,
)

MISSING = SubmittedValue("a")
REVIEWED_AT_10 = submit("b", "Main Street 1", now=5, review_delay=5)
DECLINED_AT_10 = submit("c", "decline", now=5, review_delay=5)


@pytest.mark.parametrize(
    ("values", "now", "status"),
    [
        ([], 0, APPROVED),  # nothing needed
        ([MISSING], 0, INFO_PENDING),
        ([REVIEWED_AT_10], 9, UNDER_REVIEW),
        ([REVIEWED_AT_10], 10, APPROVED),
        ([DECLINED_AT_10], 9, UNDER_REVIEW),  # a decline shows only once checked
        ([DECLINED_AT_10], 10, INFO_EXCEPTION),
        ([MISSING, REVIEWED_AT_10], 10, INFO_PENDING),
        ([MISSING, DECLINED_AT_10], 10, INFO_EXCEPTION),  # the exception needs action first
        ([REVIEWED_AT_10, submit("d", "x", now=8, review_delay=5)], 12, UNDER_REVIEW),
    ],
)
def test_status_of_a_number(values: list[SubmittedValue], now: int, status: str) -> None:
    assert requirements_status(values, now) == status
    assert requirements_met(values, now) == (status == APPROVED)


def test_each_value_in_the_group_vocabulary() -> None:
    assert [value_status(MISSING, 0), value_status(REVIEWED_AT_10, 9)] == [
        "unapproved",
        "pending-approval",
    ]
    assert [value_status(REVIEWED_AT_10, 10), value_status(DECLINED_AT_10, 10)] == [
        "approved",
        "declined",
    ]
    # A value from an approved group is reviewed when applied: approved at once.
    assert value_status(SubmittedValue("e", "Main Street 1", reviewed_at=7), 7) == "approved"


def test_the_next_review_tells_a_worker_when_to_look_again() -> None:
    later = submit("d", "x", now=8, review_delay=5)
    assert next_review([MISSING, REVIEWED_AT_10, later], 9) == 10
    assert next_review([REVIEWED_AT_10, later], 10) == 13
    assert next_review([REVIEWED_AT_10, MISSING], 10) is None


def test_the_deadline_is_thirty_days_unless_configured() -> None:
    assert deadline(1_000) == 1_000 + 30 * DAY
    assert deadline(1_000, period=DAY) == 1_000 + DAY
    assert not past_deadline(0, 30 * DAY - 1)
    assert past_deadline(0, 30 * DAY)
