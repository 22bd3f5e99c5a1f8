"""Retention: rows past their use are deleted in the background, a bounded batch per
transaction, so the store does not grow without bound and no statement runs long.

- delivered and dead webhook events older than `event_retention_days`, with their attempts;
- tally rows that count zero (orders moved to other keys, old customer references);
- idempotency keys past their 24 hours (a create treats them as unused either way).

`prune` does one full pass; `Pruner` runs it every `prune_interval` seconds beside the
other background work (each `serve` process and each `worker`; concurrent passes only
share the work). The `prune` command calls `prune` directly.
"""

from __future__ import annotations

import logging
import random
import threading
from collections import Counter
from collections.abc import Callable

from number_orders.config import Settings
from number_orders.domain.idempotency import RETENTION_MICROS
from number_orders.domain.timestamps import now_micros
from number_orders.errors import StoreUnavailable
from number_orders.storage import Store

log = logging.getLogger("number_orders.worker")

DAY_MICROS = 86_400 * 1_000_000
ERROR_WAIT = 30.0  # seconds before a failed pass is tried again


def prune(
    store: Store, settings: Settings, now: int, stop: threading.Event | None = None
) -> dict[str, int]:
    """Delete everything past retention as of `now`, `settings.prune_batch` rows per
    transaction, until nothing is left (or `stop` is set); rows deleted, by table."""
    limit = max(1, settings.prune_batch)
    pruned: Counter[str] = Counter()

    def drain(batch: Callable[[], dict[str, int]]) -> None:
        while stop is None or not stop.is_set():
            deleted = batch()
            pruned.update(deleted)
            if max(deleted.values(), default=0) < limit:
                return

    if settings.event_retention_days > 0:
        before = now - int(settings.event_retention_days * DAY_MICROS)

        def events() -> dict[str, int]:
            count, attempts = store.prune_webhook_events(before, limit)
            return {"webhook_events": count, "webhook_deliveries": attempts}

        drain(events)
    drain(lambda: store.prune_empty_tallies(limit))
    expired = now - RETENTION_MICROS
    drain(lambda: {"idempotency_keys": store.expire_idempotency_keys(expired, limit)})
    return {table: count for table, count in pruned.items() if count}


class Pruner:
    """`prune` every `settings.prune_interval` seconds, on a thread of its own."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
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
                pruned = prune(self.store, self.settings, now_micros(), self._stop)
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
