"""Retention in the background: `Pruner` runs the service's `prune` (see
`service/retention.py`) every `prune_interval` seconds beside the other background work
(each `serve` process and each `worker`; concurrent passes only share the work).
"""

from __future__ import annotations

import logging
import random
import threading

from number_orders.config import Settings
from number_orders.domain.timestamps import now_micros
from number_orders.errors import StoreUnavailable
from number_orders.service import NumberOrdersService

log = logging.getLogger("number_orders.worker")

ERROR_WAIT = 30.0  # seconds before a failed pass is tried again


def prune(
    service: NumberOrdersService,
    settings: Settings,
    now: int,
    stop: threading.Event | None = None,
) -> dict[str, int]:
    """One full pass as the settings say; rows deleted, by table."""
    return service.prune(
        now,
        settings.event_retention_days,
        settings.prune_batch,
        stopping=stop.is_set if stop is not None else lambda: False,
    )


class Pruner:
    """`prune` every `settings.prune_interval` seconds, on a thread of its own."""

    def __init__(self, service: NumberOrdersService, settings: Settings) -> None:
        self.service = service
        self.settings = settings
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pruner", daemon=True)

    def start(self) -> Pruner:
        if self.settings.prune_interval > 0:
            self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        # Processes started together spread their passes over the first interval.
        wait = random.uniform(0, min(self.settings.prune_interval, 60.0))
        while not self._stop.wait(wait):
            wait = self.settings.prune_interval
            try:
                pruned = prune(self.service, self.settings, now_micros(), self._stop)
            except StoreUnavailable as error:
                log.warning("retention: store unavailable (%s); retrying", error)
                wait = min(wait, ERROR_WAIT)
                continue
            except Exception:
                log.exception("retention: pruning failed; retrying")
                wait = min(wait, ERROR_WAIT)
                continue
            if pruned:
                log.info("retention: deleted %s", ", ".join(f"{n} {t}" for t, n in pruned.items()))
