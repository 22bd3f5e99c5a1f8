"""Rate-limit arithmetic: fixed one-minute windows and leases of tokens from a shared counter.

Pure functions; `http.rate_limiting.RateLimiter` applies them with the store's counter.
"""

from __future__ import annotations

import math

WINDOW_SECONDS = 60
# A process leases at most this many tokens at once: one counter write per block of
# requests, and at most this many tokens stranded in a process that stops using a key.
MAX_LEASE = 100
# Leases shrink as the window's tokens run out, so the tokens left unused in other
# processes' leases stay a small share of what remains.
LEASE_SHARE = 8
# Up to this limit every request takes its own token from the shared counter, so small
# limits are exact however requests spread over processes; above it, a few tokens may
# stay unused in another process's lease (never more than the limit is admitted).
EXACT_UP_TO = 600


def window_start(now: float) -> int:
    """The Unix second at which the window holding `now` began."""
    return int(now // WINDOW_SECONDS) * WINDOW_SECONDS


def seconds_to_reset(now: float) -> int:
    """Whole seconds until the next window, at least 1 (what `Retry-After` carries)."""
    return max(1, math.ceil(window_start(now) + WINDOW_SECONDS - now))


def lease_size(limit: int, used_seen: int) -> int:
    """How many tokens to ask for, given the shared total last seen in this window."""
    if limit <= EXACT_UP_TO:
        return 1
    remaining = max(0, limit - used_seen)
    return max(1, min(MAX_LEASE, remaining // LEASE_SHARE))


def granted(limit: int, wanted: int, used_after: int) -> int:
    """Of `wanted` tokens added to a counter that became `used_after`, how many fit under
    `limit`. The addition is atomic, so the total before it was `used_after - wanted`."""
    before = used_after - wanted
    return max(0, min(wanted, limit - before))
