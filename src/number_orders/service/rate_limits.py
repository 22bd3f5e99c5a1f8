"""Rate limits: the per-key counter every server process leases tokens from."""

from __future__ import annotations

from number_orders.storage import RateLimitStore


class RateLimits:
    store: RateLimitStore

    def lease_rate_tokens(
        self, account_id: str, key_id: str, window_start: int, wanted: int
    ) -> int:
        return self.store.lease_rate_tokens(account_id, key_id, window_start, wanted)
