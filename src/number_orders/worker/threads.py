"""The step threads: run the registry's steps (`steps.STEPS`: settling due orders,
reviewing requirement groups, freeing expired reservations, ...) over and over, outside
any request.

Run inside each `serve` process and as `number-orders worker`. Any number of them can
share one database: each step claims its batch in a transaction that other workers skip
(see `SqlStore.fulfil_due_orders`), so nothing is done twice. Nothing about the queues
lives in memory; a wake-up from this process only shortens the wait.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence

from number_orders.domain.timestamps import now_micros
from number_orders.errors import StoreUnavailable
from number_orders.worker.steps import STEPS, Step, Work

log = logging.getLogger("number_orders.worker")

IDLE_WAIT = 0.25  # seconds between looks when idle: how soon work queued elsewhere is seen
MIN_WAIT = 0.02
ERROR_WAIT = 1.0


def _nothing() -> None:
    return None


class StepWorker:
    """Runs every step without a loop of its own, pass after pass; sleeps when no step
    had a full batch, until the earliest work it knows of is due (or `idle_wait`)."""

    def __init__(
        self,
        work: Work,
        steps: Sequence[Step] = STEPS,
        idle_wait: float = IDLE_WAIT,
        on_work: Callable[[], None] = _nothing,
    ) -> None:
        self.work = work
        self.steps = [step for step in steps if not step.own_loop]
        self.idle_wait = idle_wait
        # Called after a step did something: its work may have queued more elsewhere
        # (a settled order's webhook event).
        self.on_work = on_work
        self._wake = threading.Event()
        self._stop = threading.Event()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def run(self) -> None:
        """Work until `stop()`; errors are logged and retried, never fatal."""
        while not self._stop.is_set():
            try:
                busy = self.run_once()
            except StoreUnavailable as error:
                log.warning("background work: store unavailable (%s); retrying", error)
                self._pause(ERROR_WAIT)
                continue
            except Exception:
                log.exception("background work: unexpected error; retrying")
                self._pause(ERROR_WAIT)
                continue
            if not busy:
                self._pause(self._idle_wait())

    def run_once(self) -> bool:
        """One pass over the steps; True if one did a full batch."""
        busy = False
        for step in self.steps:
            done = step.run(self.work)
            if done:
                self.on_work()
            busy = busy or done >= self.work.batch
        return busy

    def _idle_wait(self) -> float:
        wait = self.idle_wait
        for step in self.steps:
            due = step.next_due(self.work) if step.next_due is not None else None
            if due is not None:
                # Due now yet untaken means another worker holds it: look again shortly.
                wait = min(wait, max(MIN_WAIT, (due - now_micros()) / 1_000_000))
        return wait

    def _pause(self, seconds: float) -> None:
        self._wake.wait(seconds)
        self._wake.clear()


class WorkerThreads:
    """Step workers on daemon threads, for `serve` and `number-orders worker --threads N`."""

    def __init__(self, workers: list[StepWorker]) -> None:
        self.workers = workers
        self.threads = [
            threading.Thread(target=w.run, name=f"steps-{i}", daemon=True)
            for i, w in enumerate(workers)
        ]

    def start(self) -> WorkerThreads:
        for thread in self.threads:
            thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        for worker in self.workers:
            worker.stop()
        deadline = time.monotonic() + timeout
        for thread in self.threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def wake(self) -> None:
        for worker in self.workers:
            worker.wake()
