"""What the service needs from persistence for the sandbox: the clock's offset, injected
faults, the request journal, and resetting accounts."""

from __future__ import annotations

from typing import NamedTuple, Protocol

from number_orders.domain.faults import Fault
from number_orders.domain.journal import JournalEntry


class NamedFault(NamedTuple):
    fault: Fault
    account: str | None  # the account's name; None: any account


class SandboxState(NamedTuple):
    """What every process polls: the clock's offset, how many journal flushes readers
    have asked for, and every fault (oldest first)."""

    offset: int
    journal_flushes: int
    faults: tuple[Fault, ...]


class SandboxStore(Protocol):
    def read_clock_offset(self) -> int: ...

    def advance_clock(self, micros: int) -> int:
        """Move the stored offset forward by `micros`; the new offset."""
        ...

    def sandbox_state(self) -> SandboxState:
        """In one snapshot."""
        ...

    def request_journal_flush(self) -> int:
        """Ask every process to write the journal entries it holds; the request's number."""
        ...

    def add_fault(self, fault: Fault) -> None: ...

    def list_faults(self) -> list[NamedFault]: ...

    def remove_fault(self, fault_id: str) -> NamedFault | None: ...

    def take_fault(self, fault: Fault) -> bool:
        """Count one use of a fault with a `remaining` count; False when none is left
        (another process used the last), and it is gone once used up."""
        ...

    def record_requests(self, entries: list[JournalEntry], keep: int) -> None:
        """Add journal entries, then keep only each of their accounts' newest `keep`."""
        ...

    def list_requests(self, account_id: str, limit: int) -> list[JournalEntry]: ...

    def reset_accounts(self, account_id: str | None) -> dict[str, int]:
        """Delete everything an account has (every account's, for None) except the account
        and its keys; rows removed per table."""
        ...
