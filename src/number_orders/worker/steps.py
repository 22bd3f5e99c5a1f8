"""Every kind of background work, in one registry (`STEPS`), and the sandbox's drain.

A step does one batch of the work that is due now and says how much it did. The same
steps run in two ways: in the background, by `runner.Background` (the step threads run
them over and over; a step with a loop of its own, webhook delivery or retention's
pruner, runs on that loop), and to the end, by `drain` (`POST /_sandbox/drain`,
`number-orders sandbox drain`), which runs them all until none has anything left. A new
kind of work is one `Step` here.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from number_orders.config import Settings
from number_orders.domain.sandbox import Drained
from number_orders.domain.timestamps import now_micros
from number_orders.service import NumberOrdersService
from number_orders.worker import deadlines, documents, requirement_groups, retention
from number_orders.worker.delivery import WebhookDelivery

BATCH = 50  # items a step takes at a time; a full batch means more may be due
DRAIN_SECONDS = 10.0
DRAIN_ROUNDS = 1000
# How soon a drain looks again at work that is due but held by another worker.
HELD_WAIT = 0.02


@dataclass(frozen=True, slots=True)
class Work:
    """What steps run with: the service, a delivery for webhook attempts, and the settings
    (retention's)."""

    service: NumberOrdersService
    delivery: WebhookDelivery
    settings: Settings = field(default_factory=Settings)
    batch: int = BATCH


@dataclass(frozen=True, slots=True)
class Step:
    """`run` does at most a batch of what is due now and returns how many items it did.
    `next_due` (optional) says when work is next due, in microseconds of the server's
    clock, counting work another worker holds right now as due; None when nothing waits.
    In the background a step runs every pass of the step threads, or on a loop of its
    own (`own_loop`)."""

    name: str
    run: Callable[[Work], int]
    next_due: Callable[[Work], int | None] | None = None
    own_loop: bool = False

    def is_due(self, work: Work) -> bool:
        due = self.next_due(work) if self.next_due is not None else None
        return due is not None and due <= now_micros()


def settle_orders(work: Work) -> int:
    return len(work.service.fulfil_due_orders(work.batch))


def next_settlement(work: Work) -> int | None:
    return work.service.next_fulfilment_at()


def review_groups(work: Work) -> int:
    return requirement_groups.review_requirement_groups(work.service, now_micros())


def next_review(work: Work) -> int | None:
    return work.service.next_requirement_review_at()


def review_documents(work: Work) -> int:
    return documents.review_documents(work.service, now_micros())


def next_document_review(work: Work) -> int | None:
    return work.service.next_document_review_at()


def fail_overdue_orders(work: Work) -> int:
    return len(deadlines.fail_overdue_orders(work.service))


def next_deadline(work: Work) -> int | None:
    return work.service.next_deadline_at()


def expire_reservations(work: Work) -> int:
    return work.service.expire_due_reservations(work.batch)


def next_expiry(work: Work) -> int | None:
    return work.service.next_reservation_expiry_at()


def prune(work: Work) -> int:
    """One retention pass, while retention is on (`prune_interval` > 0)."""
    if work.settings.prune_interval <= 0:
        return 0
    return sum(retention.prune(work.service, work.settings, now_micros()).values())


def deliver_webhooks(work: Work) -> int:
    return asyncio.run(work.delivery.deliver_due())


def next_delivery(work: Work) -> int | None:
    return work.service.next_webhook_attempt_at()


STEPS: tuple[Step, ...] = (
    Step("fulfilment", settle_orders, next_due=next_settlement),
    Step("requirement_groups", review_groups, next_due=next_review),
    Step("documents", review_documents, next_due=next_document_review),
    Step("deadlines", fail_overdue_orders, next_due=next_deadline),
    Step("reservations", expire_reservations, next_due=next_expiry),
    # A pass can be long (a backlog of old events): the pruner's thread runs it, every
    # `prune_interval` seconds, so it never holds up the step threads.
    Step("retention", prune, own_loop=True),
    Step("webhooks", deliver_webhooks, next_due=next_delivery, own_loop=True),
)


def drain(
    work: Work,
    steps: tuple[Step, ...] = STEPS,
    seconds: float = DRAIN_SECONDS,
    rounds: int = DRAIN_ROUNDS,
) -> Drained:
    """Run every step until none does anything and none has work due (work held by
    another worker is waited for), within `seconds` and `rounds`."""
    done = {step.name: 0 for step in steps}
    deadline = time.monotonic() + seconds
    for round_number in range(1, rounds + 1):
        did = 0
        for step in steps:
            count = step.run(work)
            done[step.name] += count
            did += count
        if not did and not any(step.is_due(work) for step in steps):
            return Drained(done, round_number, complete=True)
        if time.monotonic() >= deadline:
            return Drained(done, round_number, complete=False)
        if not did:
            time.sleep(HELD_WAIT)
    return Drained(done, rounds, complete=False)
