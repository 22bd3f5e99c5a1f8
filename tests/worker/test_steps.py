"""The registry of background steps: the step threads and the drain run the same steps,
so a step added to the registry is run by both; the drain runs until nothing is left,
waits for work another worker holds, and stops at its bound."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from number_orders.config import Settings
from number_orders.domain.timestamps import now_micros
from number_orders.domain.webhooks import DeliveryPolicy
from number_orders.service import NumberOrdersService
from number_orders.storage.sql_store import SqlStore
from number_orders.testing import wait_until
from number_orders.worker.delivery import WebhookDelivery
from number_orders.worker.runner import Background
from number_orders.worker.steps import STEPS, Step, Work, drain


def work_on(store: SqlStore) -> Work:
    service = NumberOrdersService(store)
    return Work(service, WebhookDelivery(service, DeliveryPolicy()))


class Queue:
    """A kind of work of a test's own: `items` to do, one per run."""

    def __init__(self, items: int) -> None:
        self.items = items
        self.runs = 0
        self.lock = threading.Lock()

    def run(self, _work: Work) -> int:
        with self.lock:
            self.runs += 1
            if self.items:
                self.items -= 1
                return 1
            return 0

    def step(self, next_due: Callable[[Work], int | None] | None = None) -> Step:
        return Step("queue", self.run, next_due=next_due)


def names(steps: tuple[Step, ...]) -> list[str]:
    return [step.name for step in steps]


def test_the_registry_names_each_step_once() -> None:
    assert names(STEPS) == [
        "fulfilment",
        "requirement_groups",
        "documents",
        "deadlines",
        "reservations",
        "retention",
        "webhooks",
    ]
    assert len(set(names(STEPS))) == len(STEPS)


def test_a_step_in_the_registry_runs_in_the_background_and_in_a_drain(
    settings: Settings, store: SqlStore
) -> None:
    background_queue, drained_queue = Queue(3), Queue(3)
    service = NumberOrdersService(store)
    background = Background(settings, service, steps=(*STEPS, background_queue.step()))
    background.start()
    try:
        wait_until(lambda: background_queue.items == 0)
    finally:
        background.stop()
    drained = drain(work_on(store), (*STEPS, drained_queue.step()))
    assert drained.done == {**dict.fromkeys(names(STEPS), 0), "queue": 3}
    assert drained.complete and drained.rounds == 4  # three with work, one to see none left


def test_a_drain_waits_for_work_another_worker_holds(store: SqlStore) -> None:
    queue = Queue(0)
    released = time.monotonic() + 0.3

    def held(_work: Work) -> int | None:
        # Due now, yet nothing for this drain to take, until the holder lets go.
        return now_micros() if time.monotonic() < released else None

    drained = drain(work_on(store), (queue.step(next_due=held),))
    assert drained.complete and time.monotonic() >= released
    assert queue.runs > 2


def test_a_drain_stops_at_its_bound(store: SqlStore) -> None:
    def always(_work: Work) -> int | None:
        return 0  # due since 1970, and never taken

    started = time.monotonic()
    drained = drain(work_on(store), (Queue(0).step(next_due=always),), seconds=0.2)
    assert not drained.complete and 0.2 <= time.monotonic() - started < 5
    endless = Queue(10_000)
    drained = drain(work_on(store), (endless.step(),), rounds=5)
    assert not drained.complete and drained.rounds == 5 and drained.done["queue"] == 5
