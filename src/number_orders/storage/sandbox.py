"""The sandbox in the SQL store: the clock's offset, faults, the journal, and reset."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from number_orders.domain.faults import Fault
from number_orders.domain.journal import JournalEntry
from number_orders.storage.interface.sandbox import NamedFault, SandboxState
from number_orders.storage.part import StorePart
from number_orders.storage.schema import (
    SERVER_ACCOUNT_ID,
    accounts,
    metadata,
    sandbox_clock,
    sandbox_faults,
    sandbox_requests,
)

# What a reset keeps: who the accounts are and how they authenticate.
KEPT_BY_RESET = frozenset({"accounts", "api_keys"})

f = sandbox_faults.c
r = sandbox_requests.c
_FAULT_COLUMNS = (
    f.id,
    f.account_id,
    f.method,
    f.path,
    f.status,
    f.remaining,
    f.latency_ms,
    f.created_at,
)
_ENTRY_COLUMNS = (
    r.account_id,
    r.id,
    r.at,
    r.method,
    r.path,
    r.query,
    r.status,
    r.duration_micros,
    r.request_body,
    r.response_body,
    r.idempotency_key,
)


class SqlSandbox(StorePart):
    # -- the clock -------------------------------------------------------------------

    def read_clock_offset(self) -> int:
        with self.reading() as conn:
            return _shared_row(conn)[0]

    def advance_clock(self, micros: int) -> int:
        return self._add_to_state("offset_micros", micros)

    def request_journal_flush(self) -> int:
        return self._add_to_state("journal_flushes", 1)

    def _add_to_state(self, column: str, amount: int) -> int:
        """Add to one column of the shared row (made on first use) in one upsert."""
        dialect_insert = sqlite_insert if self.engine.dialect.name == "sqlite" else pg_insert
        values = {"offset_micros": 0, "journal_flushes": 0, column: amount}
        row = dialect_insert(sandbox_clock).values(account_id=SERVER_ACCOUNT_ID, **values)
        added = sandbox_clock.c[column] + row.excluded[column]
        statement = row.on_conflict_do_update(
            index_elements=["account_id"], set_={column: added}
        ).returning(sandbox_clock.c[column])
        with self.writing() as conn:
            return int(conn.execute(statement).scalar_one())

    def sandbox_state(self) -> SandboxState:
        with self.reading() as conn:
            offset, flushes = _shared_row(conn)
            faults = conn.execute(select(*_FAULT_COLUMNS).order_by(f.created_at, f.id))
            return SandboxState(offset, flushes, tuple(_fault(row) for row in faults))

    # -- faults ----------------------------------------------------------------------

    def add_fault(self, fault: Fault) -> None:
        with self.writing() as conn:
            conn.execute(
                insert(sandbox_faults).values(
                    account_id=fault.account_id or SERVER_ACCOUNT_ID,
                    id=fault.id,
                    method=fault.method,
                    path=fault.path,
                    status=fault.status,
                    remaining=fault.remaining,
                    latency_ms=fault.latency_ms,
                    created_at=fault.created_at,
                )
            )

    def list_faults(self) -> list[NamedFault]:
        with self.reading() as conn:
            return _named_faults(conn, None)

    def remove_fault(self, fault_id: str) -> NamedFault | None:
        with self.writing() as conn:
            found = _named_faults(conn, fault_id)
            if not found:
                return None
            conn.execute(delete(sandbox_faults).where(f.id == fault_id))
            return found[0]

    def take_fault(self, fault: Fault) -> bool:
        key = (f.account_id == (fault.account_id or SERVER_ACCOUNT_ID), f.id == fault.id)
        with self.writing() as conn:
            # RETURNING, not rowcount, says whether the row changed (see `holdings`).
            left = conn.execute(
                update(sandbox_faults)
                .where(*key, f.remaining > 0)
                .values(remaining=f.remaining - 1)
                .returning(f.remaining)
            ).scalar()
            if left == 0:
                conn.execute(delete(sandbox_faults).where(*key))
            return left is not None

    # -- the journal -----------------------------------------------------------------

    def record_requests(self, entries: list[JournalEntry], keep: int) -> None:
        if not entries:
            return
        with self.writing() as conn:
            conn.execute(insert(sandbox_requests), [_entry_row(e) for e in entries])
            for account_id in {e.account_id for e in entries}:
                _trim(conn, account_id, keep)

    def list_requests(self, account_id: str, limit: int) -> list[JournalEntry]:
        statement = (
            select(*_ENTRY_COLUMNS)
            .where(r.account_id == account_id)
            .order_by(r.id.desc())
            .limit(limit)
        )
        with self.reading() as conn:
            return [JournalEntry(**row._mapping) for row in conn.execute(statement)]

    # -- reset -----------------------------------------------------------------------

    def reset_accounts(self, account_id: str | None) -> dict[str, int]:
        """Generic over the schema: every table but `KEPT_BY_RESET` loses the account's
        rows (a table added later is covered without a change here); the server's own
        rows (signing keys, the clock, faults for any account) stay."""
        removed = {}
        with self.writing() as conn:
            for table in reversed(metadata.sorted_tables):
                if table.name in KEPT_BY_RESET:
                    continue
                owner = table.c.account_id
                which = owner == account_id if account_id else owner != SERVER_ACCOUNT_ID
                removed[str(table.name)] = conn.execute(delete(table).where(which)).rowcount
        return dict(sorted(removed.items()))


def _shared_row(conn: Connection) -> tuple[int, int]:
    """The clock's offset and the journal flushes asked for; zeros before the first."""
    c = sandbox_clock.c
    statement = select(c.offset_micros, c.journal_flushes).where(c.account_id == SERVER_ACCOUNT_ID)
    row = conn.execute(statement).first()
    return (int(row.offset_micros), int(row.journal_flushes)) if row else (0, 0)


def _fault(row: Any) -> Fault:
    account_id = None if row.account_id == SERVER_ACCOUNT_ID else row.account_id
    return Fault(
        row.id,
        account_id,
        row.method,
        row.path,
        row.status,
        row.remaining,
        row.latency_ms,
        row.created_at,
    )


def _named_faults(conn: Connection, fault_id: str | None) -> list[NamedFault]:
    statement = (
        select(*_FAULT_COLUMNS, accounts.c.name)
        .outerjoin(accounts, accounts.c.account_id == f.account_id)
        .order_by(f.created_at, f.id)
    )
    if fault_id is not None:
        statement = statement.where(f.id == fault_id)
    return [NamedFault(_fault(row), row.name) for row in conn.execute(statement)]


def _entry_row(entry: JournalEntry) -> dict[str, Any]:
    return {column.name: getattr(entry, column.name) for column in _ENTRY_COLUMNS}


def _trim(conn: Connection, account_id: str, keep: int) -> None:
    """Drop all but the newest `keep` entries of the account."""
    newest_dropped = conn.execute(
        select(r.id).where(r.account_id == account_id).order_by(r.id.desc()).limit(1).offset(keep)
    ).scalar()
    if newest_dropped is not None:
        conn.execute(
            delete(sandbox_requests).where(r.account_id == account_id, r.id <= newest_dropped)
        )
