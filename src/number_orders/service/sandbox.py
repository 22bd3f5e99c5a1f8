"""The sandbox's control operations (`/_sandbox`, `number-orders sandbox`): accounts with
keys, the clock, faults, the request journal and reset. Draining due work is the
worker's (`worker/steps.py`), which runs the same steps as the background loops."""

from __future__ import annotations

from typing import Protocol

from number_orders import errors
from number_orders.domain.faults import Fault, NewFault
from number_orders.domain.ids import ordered_id, random_id
from number_orders.domain.journal import Exchange, JournalEntry, journal_entry
from number_orders.domain.sandbox import NewAccount
from number_orders.domain.timestamps import now_micros, set_clock_offset
from number_orders.errors import bad_field
from number_orders.service.accounts import IssuedKey, issue_api_key
from number_orders.storage import AccountStore, NamedFault, SandboxState, SandboxStore


class _Store(SandboxStore, AccountStore, Protocol):
    """Accounts are named in every operation, so they are looked up too."""


class Sandbox:
    store: _Store

    def create_sandbox_account(self, new: NewAccount) -> IssuedKey:
        issued = issue_api_key(self.store, new.name)
        if new.webhook_url is not None:
            self.store.set_webhook_url(issued.account.account_id, new.webhook_url)
        return issued

    # -- the clock -------------------------------------------------------------------

    def read_clock_offset(self) -> int:
        return self.store.read_clock_offset()

    def advance_clock(self, micros: int) -> int:
        """Move the clock forward for every process; this one follows at once."""
        offset = self.store.advance_clock(micros)
        set_clock_offset(offset)
        return offset

    def sandbox_state(self) -> SandboxState:
        return self.store.sandbox_state()

    # -- faults ----------------------------------------------------------------------

    def add_fault(self, new: NewFault) -> NamedFault:
        account_id = None
        if new.account is not None:
            account = self.store.find_account(new.account)
            if account is None:
                problem = bad_field("/account", f"There is no account named {new.account!r}.")
                raise errors.invalid_body([problem])
            account_id = account.account_id
        fault = Fault(
            random_id(),
            account_id,
            new.method,
            new.path,
            new.status,
            new.times,
            new.latency_ms,
            now_micros(),
        )
        self.store.add_fault(fault)
        return NamedFault(fault, new.account)

    def list_faults(self) -> list[NamedFault]:
        return self.store.list_faults()

    def remove_fault(self, fault_id: str) -> NamedFault:
        removed = self.store.remove_fault(fault_id)
        if removed is None:
            raise errors.not_found("No fault with this id exists.")
        return removed

    def take_fault(self, fault: Fault) -> bool:
        """Whether the fault applies to one more request: always, for one without a
        count; else if a use was left, which this takes."""
        return fault.remaining is None or self.store.take_fault(fault)

    # -- the journal -----------------------------------------------------------------

    def request_journal_flush(self) -> int:
        """Ask every process to write the journal entries it holds (they do within a poll)."""
        return self.store.request_journal_flush()

    def record_requests(
        self, exchanges: list[Exchange], keep: int, secrets: tuple[str, ...]
    ) -> None:
        entries = [journal_entry(x, ordered_id(x.at), secrets) for x in exchanges]
        self.store.record_requests(entries, keep)

    def list_requests(self, account_name: str, limit: int) -> list[JournalEntry]:
        """Newest first."""
        return self.store.list_requests(self._account_id(account_name), limit)

    # -- reset -----------------------------------------------------------------------

    def reset_sandbox(self, account_name: str | None) -> dict[str, int]:
        """Everything of the account (of every account, for None) but the account and
        its keys; rows removed per table."""
        account_id = self._account_id(account_name) if account_name is not None else None
        return self.store.reset_accounts(account_id)

    def _account_id(self, name: str) -> str:
        account = self.store.find_account(name)
        if account is None:
            raise errors.not_found(f"There is no account named {name!r}.")
        return account.account_id
