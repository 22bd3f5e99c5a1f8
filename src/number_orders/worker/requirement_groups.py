"""The regulator's review of submitted requirement groups, as a worker step: a small
batch at a time, each group reviewed in a transaction of its own together with the
comment that says why it was declined. Any number of workers may run it: a group another
worker is reviewing is skipped, and one already reviewed is no longer due."""

from __future__ import annotations

from number_orders.service import NumberOrdersService

BATCH = 20


def review_requirement_groups(service: NumberOrdersService, now: int) -> int:
    """Review up to `BATCH` groups whose review is due at `now`; how many were reviewed
    (`BATCH` means more may be due)."""
    return service.review_requirement_groups(now, BATCH)
