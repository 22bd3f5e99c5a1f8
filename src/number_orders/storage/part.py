"""What every resource's part of the SQL store shares. `SqlStore` is all parts together
and provides the engine and the transactions: `reading()` (a snapshot on PostgreSQL) and
`writing()` (one writer at a time on SQLite), both with store errors translated."""

from __future__ import annotations

from contextlib import AbstractContextManager

from sqlalchemy import Connection, Engine


class StorePart:
    engine: Engine

    def reading(self) -> AbstractContextManager[Connection]:
        raise NotImplementedError("SqlStore provides the transactions")

    def writing(self) -> AbstractContextManager[Connection]:
        raise NotImplementedError("SqlStore provides the transactions")
