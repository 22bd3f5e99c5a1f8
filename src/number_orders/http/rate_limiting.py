"""Per-key rate limiting shared by every server process through the store.

Each process leases blocks of tokens from the key's counter for the current window (one
upsert per block) and spends them locally. The counter only grows, and a lease is granted
only the part that fits under the limit, so however many processes serve a key, the
requests they admit in a window never exceed the limit. A process that is refused
remembers it until the window ends, so a flood of over-limit requests writes nothing.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from number_orders.domain import rate_limits

Clock = Callable[[], float]
# `service.lease_rate_tokens`: adds tokens to a key's shared counter, returns its total.
Lease = Callable[[str, str, int, int], int]
# Runs a blocking store call off the event loop (starlette's `run_in_threadpool`).
Offload = Callable[..., Awaitable[int]]


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    reset: int  # seconds until the window ends

    def headers(self) -> dict[str, str]:
        headers = {
            "x-ratelimit-limit": str(self.limit),
            "x-ratelimit-remaining": str(self.remaining),
            "x-ratelimit-reset": str(self.reset),
        }
        return headers


@dataclass(slots=True)
class _Allotment:
    """This process's tokens for one key in one window."""

    window: int
    tokens: int = 0
    used_seen: int = 0  # the shared counter's total, as of this process's last lease
    refused: bool = False


class RateLimiter:
    def __init__(self, lease: Lease, limit: int, offload: Offload, clock: Clock = time.time):
        self.lease = lease
        self.limit = limit
        self.offload = offload
        self.clock = clock
        self._allotments: dict[str, _Allotment] = {}
        self._window = 0

    async def admit(self, account_id: str, key_id: str) -> Verdict:
        """Spend one token of the key's allowance for this minute, leasing more if needed."""
        now = self.clock()
        allotment = self._allotment(key_id, rate_limits.window_start(now))
        if allotment.tokens == 0 and not allotment.refused:
            await self._lease(allotment, account_id, key_id)
        allowed = allotment.tokens > 0
        if allowed:
            allotment.tokens -= 1
        remaining = max(0, self.limit - allotment.used_seen) + allotment.tokens
        return Verdict(allowed, self.limit, remaining, rate_limits.seconds_to_reset(now))

    def _allotment(self, key_id: str, window: int) -> _Allotment:
        if window != self._window:
            self._window = window
            self._allotments = {}  # leases never outlive their window
        allotment = self._allotments.get(key_id)
        if allotment is None:
            allotment = self._allotments[key_id] = _Allotment(window)
        return allotment

    async def _lease(self, allotment: _Allotment, account_id: str, key_id: str) -> None:
        wanted = rate_limits.lease_size(self.limit, allotment.used_seen)
        used = await self.offload(self.lease, account_id, key_id, allotment.window, wanted)
        got = rate_limits.granted(self.limit, wanted, used)
        # If the window turned meanwhile, this allotment is already dropped: the request
        # that asked still spends a token of the window it arrived in, the rest lapse.
        allotment.tokens += got
        allotment.used_seen = max(allotment.used_seen, used)
        allotment.refused = got == 0


class FailedAuthentications:
    """Failed authentications per client address, in fixed one-minute windows, in this
    process: past `limit` in a window an address is refused (429) instead of told its key
    is wrong (401) until the window ends. It costs no store write, so a flood of bad keys
    writes nothing; with N processes an address may fail up to N times the limit.
    Addresses are forgotten at every window; at most `MAX_ADDRESSES` are tracked at once,
    so a flood from many addresses cannot grow memory without bound."""

    MAX_ADDRESSES = 100_000

    def __init__(self, limit: int, clock: Clock = time.time) -> None:
        self.limit = limit
        self.clock = clock
        self._failures: dict[str, int] = {}
        self._window = 0

    def refused_for(self, address: str) -> int | None:
        """Seconds until `address` may try again, or None while it is under the limit."""
        now = self._turn()
        if self._failures.get(address, 0) <= self.limit:
            return None
        return rate_limits.seconds_to_reset(now)

    def record(self, address: str) -> None:
        self._turn()
        if address in self._failures or len(self._failures) < self.MAX_ADDRESSES:
            self._failures[address] = self._failures.get(address, 0) + 1

    def _turn(self) -> float:
        now = self.clock()
        window = rate_limits.window_start(now)
        if window != self._window:
            self._window = window
            self._failures = {}
        return now
