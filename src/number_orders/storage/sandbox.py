"""The sandbox in the SQL store: the clock's offset, faults, the journal, and reset."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from number_orders.domain.faults import Fault
from number_orders.domain.journal import JournalEntry
from number_orders.storage.interface.sandbox import NamedFault
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
            return _offset(conn)

    def advance_clock(self, micros: int) -> int:
        dialect_insert = sqlite_insert if self.engine.dialect.name == "sqlite" else pg_insert
        row = dialect_insert(sandbox_clock).values(
            account_id=SERVER_ACCOUNT_ID, offset_micros=micros
        )
        added = sandbox_clock.c.offset_micros + row.excluded.offset_micros
        statement = row.on_conflict_do_update(
            index_elements=["account_id"], set_={"offset_micros": added}
        ).returning(sandbox_clock.c.offset_micros)
        with self.writing() as conn:
            return int(conn.execute(statement).scalar_one())

    def sandbox_state(self) -> tuple[int, tuple[Fault, ...]]:
        with self.reading() as conn:
            faults = conn.execute(select(*_FAULT_COLUMNS).order_by(f.created_at, f.id))
            return _offset(conn), tuple(_fault(row) for row in faults)

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


def _offset(conn: Connection) -> int:
    statement = select(sandbox_clock.c.offset_micros).where(
        sandbox_clock.c.account_id == SERVER_ACCOUNT_ID
    )
    return int(conn.execute(statement).scalar() or 0)


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
