"""CPU-heavy request parsing off the event loop.

Checking a create of 1,000 numbers (`NewOrder.from_body`, `phonenumbers` on each) takes
tens of milliseconds of CPU; on the event loop that is tens of milliseconds in which no
other request of any account moves. Such a body is checked on a thread of its own
instead: the loop then waits for the GIL a switch interval (5 ms) at a time, not for the
whole check. One thread: the checks are pure Python, so a second would add no throughput,
only another contender for the GIL, and a flood of large creates queues for it rather than
crowding onto the GIL. Database threads are separate, so queued parsing never holds up a
read. A body of a few numbers is checked in place: that costs less than the hop, and it
never queues behind someone else's large ones.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, ParamSpec, TypeVar

from number_orders.domain.creating import NewOrder

P = ParamSpec("P")
T = TypeVar("T")

PARSING_THREADS = 1
# Numbers a create may hold and still be checked on the loop (about 0.1 ms each).
INLINE_NUMBERS = 16

_parsing = ThreadPoolExecutor(PARSING_THREADS, thread_name_prefix="parsing")


async def off_loop(function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`function(*args, **kwargs)` on a parsing thread; its result or its exception."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_parsing, partial(function, *args, **kwargs))


async def new_order(body: Mapping[str, Any]) -> NewOrder:
    """`NewOrder.from_body`, on a parsing thread when the body holds many numbers."""
    numbers = body.get("phone_numbers")
    if isinstance(numbers, list) and len(numbers) > INLINE_NUMBERS:
        return await off_loop(NewOrder.from_body, body)
    return NewOrder.from_body(body)
