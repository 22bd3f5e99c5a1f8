"""What the service needs from persistence for rate limits: the shared per-key counter."""

from __future__ import annotations

from typing import Protocol


class RateLimitStore(Protocol):
    def lease_rate_tokens(
        self, account_id: str, key_id: str, window_start: int, wanted: int
    ) -> int: ...
