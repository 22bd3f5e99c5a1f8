"""What every resource's part of the SQL store shares. `SqlStore` is all parts together
and provides the engine and the transactions: `reading()` (a snapshot on PostgreSQL) and
`writing()` (one writer at a time on SQLite), both with store errors translated.

A part names them here, as a protocol it subclasses, and never implements them: its
methods run only as methods of `SqlStore`."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol

from sqlalchemy import Connection, Engine


class StorePart(Protocol):
    engine: Engine

    def reading(self) -> AbstractContextManager[Connection]: ...

    def writing(self) -> AbstractContextManager[Connection]: ...
