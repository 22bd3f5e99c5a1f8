"""What the HTTP layer holds while the sandbox is on: the operator's token, this process's
copy of the faults, the journal, and the operations that belong to other layers (the
poller's refresh, the drain), handed in by the server."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass

from number_orders.domain.faults import FaultBoard
from number_orders.domain.sandbox import Drained
from number_orders.http.journal import Journal

PREFIX = "/_sandbox"


@dataclass(frozen=True, slots=True)
class SandboxControls:
    token: str
    board: FaultBoard
    # Copies the store's clock and faults into this process now.
    refresh: Callable[[], None]
    # Runs every background step until nothing is due (blocking).
    drain: Callable[[], Drained]
    journal: Journal | None
    # Asks every process, through the store, to write the journal entries it holds.
    request_journal: Callable[[], object]
    # How long after a committed change every process has seen it; and has also written
    # what its journal holds.
    settle_seconds: float
    journal_settle_seconds: float

    def admits(self, token: str | None) -> bool:
        # Constant time, so the answer's timing says nothing about the token.
        return token is not None and hmac.compare_digest(token.encode(), self.token.encode())

    def collect_journal(self) -> None:
        """Ask every process to write the journal entries it holds, and write this one's
        (blocking); the others' are in the store `journal_settle_seconds` after."""
        self.request_journal()
        if self.journal is not None:
            self.journal.flush()


def is_sandbox_path(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")
