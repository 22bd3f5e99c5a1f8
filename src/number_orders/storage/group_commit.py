"""Group commit: concurrent callers' writes done together, in one transaction.

A commit costs a flush to disk (an fsync of SQLite's WAL or of PostgreSQL's) of about as
long as everything else a small write does together; one writer after another, the disk
sets the rate. Here each caller queues its item and waits. The first caller to find no
group running leads: it takes what is queued (up to `most` by `weight`), runs the whole
group through `run` (one transaction, one commit), hands every caller its own outcome,
and passes the lead to the first caller still queued, which then does the same with what
queued meanwhile. Nobody waits for a group to fill: an item alone runs at once, and
items gather only while a group is already running, so under load groups grow by
themselves and each commit carries many items.

A caller on an event loop (`submit_async`) waits without a thread of its own: it
awaits a future, and when the lead comes to it, a thread of the group commit's own (one)
runs the group and keeps leading while anything is queued; the loop hears of each group's
outcomes in one wake-up. Threads and coroutines may queue on the same group commit.

An outcome is given only after `run` returns, that is, after the group's commit
returned: no caller hears of its item before it is durable. `run` says for each item
what became of it (a result or an exception of its own); an exception out of `run`
itself is every item's.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import threading
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Generic, TypeVar

I = TypeVar("I")  # noqa: E741 - the item, as R is the result
R = TypeVar("R")


class _Slot(Generic[I, R]):
    __slots__ = ("error", "future", "item", "leads", "ready", "result")

    def __init__(self, item: I, future: asyncio.Future[None] | None = None) -> None:
        self.item = item
        self.leads = False
        # A thread's slot waits on `ready`; a coroutine's on `future` (set on its loop).
        self.ready = threading.Event()
        self.future = future
        self.result: R | None = None
        self.error: Exception | None = None

    def answer(self) -> R:
        if self.error is not None:
            # A copy, so callers that share an exception each raise one of their own.
            raise copy.copy(self.error) from self.error
        return self.result  # type: ignore[return-value]


class GroupCommit(Generic[I, R]):
    """Runs items submitted from many threads in groups; see the module's text."""

    def __init__(
        self,
        run: Callable[[Sequence[I]], Sequence[R | Exception]],
        weight: Callable[[I], int] = lambda _item: 1,
        most: int = 1000,
    ) -> None:
        self._run = run
        self._weight = weight
        self._most = most
        self._lock = threading.Lock()  # guards the queue and who leads
        self._queue: deque[_Slot[I, R]] = deque()
        self._leading = False
        # Held by the leader while its group runs; holding it from outside lets the
        # queue grow (the tests' way to make a group of several items).
        self.turn = threading.Lock()
        self.groups = 0  # groups run so far
        # Where coroutines' groups run: one thread, as one group runs at a time.
        self._leader = ThreadPoolExecutor(1, thread_name_prefix="group-commit")

    @property
    def queued(self) -> int:
        with self._lock:
            return len(self._queue)

    def submit(self, item: I) -> R:
        """The item's result once its group has committed, or its exception."""
        slot: _Slot[I, R] = _Slot(item)
        if not self._queue_up(slot):
            slot.ready.wait()  # until answered, or given the lead
        if slot.leads:
            group, outcomes, following = self._run_group()
            self._pass_lead(following)
            _answer(group, outcomes)
        return slot.answer()

    async def submit_async(self, item: I) -> R:
        """`submit` for a coroutine: it waits on the event loop, not on a thread, and the
        group runs on the group commit's thread."""
        future = asyncio.get_running_loop().create_future()
        slot: _Slot[I, R] = _Slot(item, future)
        if self._queue_up(slot):
            self._leader.submit(self._lead_while_queued)
        # Shielded: a caller that stops waiting leaves its item to be committed anyway.
        await asyncio.shield(future)
        return slot.answer()

    def _queue_up(self, slot: _Slot[I, R]) -> bool:
        """Queue the slot; True when it leads (no group is running or waiting to run)."""
        with self._lock:
            self._queue.append(slot)
            slot.leads = not self._leading
            self._leading = True
        return slot.leads

    def _lead_while_queued(self) -> None:
        """On the group commit's thread: groups one after another until the queue is
        empty or a thread's slot comes first (that thread then leads)."""
        while True:
            group, outcomes, following = self._run_group()
            to_thread = following is not None and following.future is None
            if to_thread:
                self._pass_lead(following)
            _answer(group, outcomes)
            if following is None or to_thread:
                return

    def _pass_lead(self, following: _Slot[I, R] | None) -> None:
        if following is None:
            return
        if following.future is None:
            following.ready.set()  # that thread leads
        else:
            self._leader.submit(self._lead_while_queued)

    def _run_group(
        self,
    ) -> tuple[list[_Slot[I, R]], Sequence[R | Exception], _Slot[I, R] | None]:
        """Run the group at the queue's head; its slots, their outcomes, and the slot that
        leads next (None: the queue is empty and nobody leads)."""
        group: list[_Slot[I, R]] = []
        try:
            with self.turn:
                with self._lock:
                    group = self._take()
                self.groups += 1
                outcomes = self._outcomes([slot.item for slot in group])
        except Exception as error:
            outcomes = [error] * len(group)
        finally:
            with self._lock:
                following = self._queue[0] if self._queue else None
                if following is None:
                    self._leading = False
                else:
                    following.leads = True
        return group, outcomes, following

    def _take(self) -> list[_Slot[I, R]]:
        """The queue's head (the leader's own item) and what follows while it fits."""
        group = [self._queue.popleft()]
        total = self._weight(group[0].item)
        while self._queue and total + self._weight(self._queue[0].item) <= self._most:
            total += self._weight(self._queue[0].item)
            group.append(self._queue.popleft())
        return group

    def _outcomes(self, items: list[I]) -> Sequence[R | Exception]:
        outcomes = self._run(items)
        if len(outcomes) != len(items):
            raise AssertionError("a group's run must say what became of every item")
        return outcomes


def _answer(group: list[_Slot[I, R]], outcomes: Sequence[R | Exception]) -> None:
    """Hand each slot its outcome; the coroutines of one loop in one wake-up of it."""
    loops: dict[asyncio.AbstractEventLoop, list[asyncio.Future[None]]] = {}
    for slot, outcome in zip(group, outcomes, strict=True):
        if isinstance(outcome, Exception):
            slot.error = outcome
        else:
            slot.result = outcome
        slot.leads = False
        if slot.future is None:
            slot.ready.set()
        else:
            loops.setdefault(slot.future.get_loop(), []).append(slot.future)
    for loop, futures in loops.items():
        with contextlib.suppress(RuntimeError):  # a loop that has closed waits for nobody
            loop.call_soon_threadsafe(_resolve, futures)


def _resolve(futures: list[asyncio.Future[None]]) -> None:
    for future in futures:
        if not future.done():
            future.set_result(None)
