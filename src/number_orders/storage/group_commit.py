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

An outcome is given only after `run` returns, that is, after the group's commit
returned: no caller hears of its item before it is durable. `run` says for each item
what became of it (a result or an exception of its own); an exception out of `run`
itself is every item's.
"""

from __future__ import annotations

import copy
import threading
from collections import deque
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

I = TypeVar("I")  # noqa: E741 - the item, as R is the result
R = TypeVar("R")


class _Slot(Generic[I, R]):
    __slots__ = ("error", "item", "leads", "ready", "result")

    def __init__(self, item: I) -> None:
        self.item = item
        self.leads = False
        self.ready = threading.Event()
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

    @property
    def queued(self) -> int:
        with self._lock:
            return len(self._queue)

    def submit(self, item: I) -> R:
        """The item's result once its group has committed, or its exception."""
        slot: _Slot[I, R] = _Slot(item)
        with self._lock:
            self._queue.append(slot)
            slot.leads = not self._leading
            self._leading = True
        if not slot.leads:
            slot.ready.wait()  # until answered, or given the lead
        if slot.leads:
            self._lead()
        return slot.answer()

    def _lead(self) -> None:
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
                if self._queue:
                    following = self._queue[0]
                    following.leads = True
                    following.ready.set()
                else:
                    self._leading = False
        for slot, outcome in zip(group, outcomes, strict=True):
            if isinstance(outcome, Exception):
                slot.error = outcome
            else:
                slot.result = outcome
            slot.leads = False
            slot.ready.set()

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
