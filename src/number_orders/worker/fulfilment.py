"""The fulfilment worker: settles due orders, reviews submitted requirement groups
(`requirement_groups.py`) and fails numbers past their deadline (`deadlines.py`), outside
any request.

Runs as a thread inside each `serve` process and as `number-orders worker`. Any number of
them can share one database: each batch is claimed in a transaction that other workers
skip (see `SqlStore.fulfil_due_orders`), so no order is settled twice. Nothing about the
queue lives in memory; a wake-up from this process only shortens the wait.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from number_orders.domain.timestamps import now_micros
from number_orders.errors import StoreUnavailable
from number_orders.service import FulfilledOrder, NumberOrdersService
from number_orders.worker import deadlines, requirement_groups

log = logging.getLogger("number_orders.worker")

BATCH = 50
IDLE_WAIT = 0.25  # seconds between looks when idle: how soon work queued elsewhere is seen
MIN_WAIT = 0.02
ERROR_WAIT = 1.0


class FulfilmentWorker:
    def __init__(
        self,
        service: NumberOrdersService,
        on_fulfilled: Callable[[list[FulfilledOrder]], None] | None = None,
        batch: int = BATCH,
        idle_wait: float = IDLE_WAIT,
    ) -> None:
        self.service = service
        self.on_fulfilled = on_fulfilled
        self.batch = batch
        self.idle_wait = idle_wait
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
                log.warning("fulfilment: store unavailable (%s); retrying", error)
                self._pause(ERROR_WAIT)
                continue
            except Exception:
                log.exception("fulfilment: unexpected error; retrying")
                self._pause(ERROR_WAIT)
                continue
            if not busy:
                self._pause(self._idle_wait())

    def run_once(self) -> bool:
        """Settle one batch, review one batch of requirement groups and fail one batch of
        orders past their deadline; True if any batch was full (more may be due)."""
        fulfilled = self.service.fulfil_due_orders(self.batch)
        if fulfilled and self.on_fulfilled is not None:
            self.on_fulfilled(fulfilled)
        reviewed = requirement_groups.review_requirement_groups(self.service, now_micros())
        expired = deadlines.fail_overdue_orders(self.service)
        if expired and self.on_fulfilled is not None:
            self.on_fulfilled(expired)
        return (
            len(fulfilled) == self.batch
            or reviewed == requirement_groups.BATCH
            or len(expired) == deadlines.BATCH
        )

    def _idle_wait(self) -> float:
        due = self.service.next_fulfilment_at()
        if due is None:
            return self.idle_wait
        # Due now yet unclaimed means another worker holds it: look again shortly.
        return min(self.idle_wait, max(MIN_WAIT, (due - now_micros()) / 1_000_000))

    def _pause(self, seconds: float) -> None:
        self._wake.wait(seconds)
        self._wake.clear()


class WorkerThreads:
    """Workers on daemon threads, for `serve` and `number-orders worker --threads N`."""

    def __init__(self, workers: list[FulfilmentWorker]) -> None:
        self.workers = workers
        self.threads = [
            threading.Thread(target=w.run, name=f"fulfilment-{i}", daemon=True)
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
