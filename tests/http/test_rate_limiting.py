"""`RateLimiter` on the real store, both engines: several limiters stand for several server
processes sharing one counter."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from sqlalchemy import select

from number_orders.http.rate_limiting import RateLimiter, Verdict
from number_orders.service import NumberOrdersService
from number_orders.storage.schema import rate_limit_counters
from number_orders.storage.sql_store import SqlStore


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


async def offload(function: Callable[..., int], *args: Any) -> int:
    return function(*args)


class CountingLease:
    """The service's lease, counting the writes it makes."""

    def __init__(self, service: NumberOrdersService) -> None:
        self.service = service
        self.calls = 0

    def __call__(self, account_id: str, key_id: str, window: int, wanted: int) -> int:
        self.calls += 1
        return self.service.lease_rate_tokens(account_id, key_id, window, wanted)


def run(step: Coroutine[Any, Any, Verdict]) -> Verdict:
    return asyncio.run(step)


def test_processes_sharing_the_counter_admit_exactly_the_limit(store: SqlStore) -> None:
    clock = Clock(6_000_010.0)
    lease = CountingLease(NumberOrdersService(store))
    limiters = [RateLimiter(lease, 3000, offload, clock) for _ in range(3)]

    async def burst() -> list[bool]:
        return [(await limiters[i % 3].admit("acct", "key1")).allowed for i in range(3300)]

    admitted = asyncio.run(burst())
    assert admitted.count(True) == 3000
    assert lease.calls < 300  # leases come in blocks, not a write per request
    calls = lease.calls
    asyncio.run(burst())
    assert lease.calls == calls  # a refused process does not write again this window

    clock.now += 60  # the next window starts afresh, and the old one's row is dropped
    assert run(limiters[0].admit("acct", "key1")).allowed
    with store.engine.connect() as conn:
        windows = conn.execute(select(rate_limit_counters.c.window_start)).scalars().all()
    assert windows == [6_000_060]


def test_small_limits_take_one_token_per_request_and_stay_exact(store: SqlStore) -> None:
    clock = Clock(6_000_010.0)
    lease = CountingLease(NumberOrdersService(store))
    limiters = [RateLimiter(lease, 50, offload, clock) for _ in range(3)]

    async def burst() -> list[bool]:
        # Uneven spread: one process gets most requests, another only a few.
        return [(await limiters[0 if i % 5 else 1].admit("acct", "k")).allowed for i in range(80)]

    assert asyncio.run(burst()).count(True) == 50


def test_keys_are_counted_apart_and_headers_tell_the_state(store: SqlStore) -> None:
    clock = Clock(6_000_030.5)
    limiter = RateLimiter(NumberOrdersService(store).lease_rate_tokens, 3, offload, clock)
    verdicts = [run(limiter.admit("acct", "key1")) for _ in range(4)]
    assert [v.allowed for v in verdicts] == [True, True, True, False]
    assert [v.remaining for v in verdicts] == [2, 1, 0, 0]
    assert verdicts[0].headers() == {
        "x-ratelimit-limit": "3",
        "x-ratelimit-remaining": "2",
        "x-ratelimit-reset": "30",
    }
    assert run(limiter.admit("acct", "key2")).allowed
