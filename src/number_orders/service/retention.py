"""Retention: rows past their use are deleted a bounded batch per transaction, so the
store does not grow without bound and no statement runs long.

- delivered and dead webhook events older than the retention, with their attempts;
- tally rows that count zero (orders moved to other keys, old customer references);
- idempotency keys past their 24 hours (a create treats them as unused either way).

The background worker's `Pruner` runs `prune` every `prune_interval` seconds; the `prune`
command runs it once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from number_orders.domain.idempotency import RETENTION_MICROS
from number_orders.storage import Store

DAY_MICROS = 86_400 * 1_000_000


class Retention:
    store: Store

    def prune(
        self,
        now: int,
        event_retention_days: float,
        batch: int,
        stopping: Callable[[], bool] = lambda: False,
    ) -> dict[str, int]:
        """Delete everything past retention as of `now`, `batch` rows per transaction,
        until nothing is left (or `stopping()`); rows deleted, by table. Events are kept
        forever when `event_retention_days` is 0."""
        limit = max(1, batch)
        pruned: Counter[str] = Counter()

        def drain(step: Callable[[], dict[str, int]]) -> None:
            while not stopping():
                deleted = step()
                pruned.update(deleted)
                if max(deleted.values(), default=0) < limit:
                    return

        if event_retention_days > 0:
            before = now - int(event_retention_days * DAY_MICROS)

            def events() -> dict[str, int]:
                count, attempts = self.store.prune_webhook_events(before, limit)
                return {"webhook_events": count, "webhook_deliveries": attempts}

            drain(events)
        drain(lambda: self.store.prune_empty_tallies(limit))
        expired = now - RETENTION_MICROS
        drain(lambda: {"idempotency_keys": self.store.expire_idempotency_keys(expired, limit)})
        return {table: count for table, count in pruned.items() if count}
