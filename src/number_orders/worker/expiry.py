"""The expiry worker: frees the numbers of reservations whose time is up.

Runs on a thread beside fulfilment, in each `serve` process and in `number-orders worker`.
Each batch is one transaction that deletes the due holds and marks the numbers expired
in their reservations; any number of workers share the queue (`ix_holdings_expires_at`)
without freeing a number twice. Requests never wait for this: an expired hold is free to
everyone by the clock already; the worker makes the reservations say so and keeps the
queue short.
"""

from __future__ import annotations

import logging
import threading

from number_orders.domain.timestamps import now_micros
from number_orders.errors import StoreUnavailable
from number_orders.service.number_reservations import NumberReservations

log = logging.getLogger("number_orders.worker")

BATCH = 50  # small: each batch holds its numbers' rows for one short transaction
IDLE_WAIT = 0.25  # seconds between looks when nothing is due soon
MIN_WAIT = 0.02
ERROR_WAIT = 1.0


class ExpiryWorker:
    def __init__(
        self, service: NumberReservations, batch: int = BATCH, idle_wait: float = IDLE_WAIT
    ) -> None:
        self.service = service
        self.batch = batch
        self.idle_wait = idle_wait
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self.run, name="reservation-expiry", daemon=True)

    def start(self) -> ExpiryWorker:
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def run(self) -> None:
        """Work until `stop()`; errors are logged and retried, never fatal."""
        while not self._stop.is_set():
            try:
                # The wait is read from the store too, so it is inside the guard.
                wait = 0.0 if self.run_once() else self._idle_wait()
            except StoreUnavailable as error:
                log.warning("reservation expiry: store unavailable (%s); retrying", error)
                wait = ERROR_WAIT
            except Exception:
                log.exception("reservation expiry: unexpected error; retrying")
                wait = ERROR_WAIT
            self._stop.wait(wait)

    def run_once(self) -> bool:
        """Free one batch; True if it was full (more may be due)."""
        return self.service.expire_due_reservations(self.batch) == self.batch

    def _idle_wait(self) -> float:
        due = self.service.next_reservation_expiry_at()
        if due is None:
            return self.idle_wait
        return min(self.idle_wait, max(MIN_WAIT, (due - now_micros()) / 1_000_000))
