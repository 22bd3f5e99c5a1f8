"""The sandbox's poller: keeps this process's clock offset (`domain.timestamps`) and its
copy of the faults (`FaultBoard`) in step with the store, so every process answers with
the same clock and faults without reading the store on each request; and passes on a
reader's request that every process write the journal entries it holds.

It runs only while the sandbox is on (an admin token is set). A change made through any
process is answered only after `SETTLE_SECONDS`, by when every poller has seen it; a
journal read waits `JOURNAL_SETTLE_SECONDS`, by when every process has also written.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from number_orders.domain.faults import FaultBoard
from number_orders.domain.timestamps import set_clock_offset
from number_orders.service import NumberOrdersService

log = logging.getLogger("number_orders.sandbox")

POLL_SECONDS = 0.05
# A poll that began before a change committed may still write the old state; the next
# one cannot. Three intervals leave room for a slow read.
SETTLE_SECONDS = 3 * POLL_SECONDS
# Then a write of what a process holds (at most a few thousand entries).
JOURNAL_SETTLE_SECONDS = SETTLE_SECONDS + 0.35


def _nothing() -> None:
    return None


class SandboxPoller:
    def __init__(
        self,
        service: NumberOrdersService,
        board: FaultBoard,
        interval: float = POLL_SECONDS,
        on_journal_flush: Callable[[], None] = _nothing,
    ) -> None:
        self.service = service
        self.board = board
        self.interval = interval
        # Asked for when a reader anywhere wants the journal; must not block.
        self.on_journal_flush = on_journal_flush
        self.journal_flushes: int | None = None  # as of the last poll
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sandbox-poller", daemon=True)
        self._failing = False

    def refresh(self) -> None:
        """Copy the store's state now (also after a change made through this process)."""
        state = self.service.sandbox_state()
        set_clock_offset(state.offset)
        self.board.replace(state.faults)
        seen, self.journal_flushes = self.journal_flushes, state.journal_flushes
        if seen is not None and state.journal_flushes != seen:
            self.on_journal_flush()

    def start(self) -> SandboxPoller:
        try:
            self.refresh()  # the first requests already see the store's clock
        except Exception as error:
            log.warning("sandbox: could not read the clock and faults yet (%s)", error)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(5)
        # The process's clock is the wall clock again (several servers may share a test
        # process, one after another).
        set_clock_offset(0)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.refresh()
            except Exception as error:
                # The last state stays in force; the store's outage shows elsewhere.
                if not self._failing:
                    log.warning("sandbox: cannot read the clock and faults (%s)", error)
                self._failing = True
                continue
            self._failing = False
