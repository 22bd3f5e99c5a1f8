"""Which database errors mean "the database cannot serve right now" (a 503 the client
retries) and which are bugs (a 500, logged with its traceback).

Only an outage is unavailability: on PostgreSQL a lost or refused connection, a server
shutting down or starting up, out of resources (disk, memory, connections), read-only;
on SQLite a file that is busy, locked, read-only, full, failing to read or write, or that
cannot be opened. Anything else, a missing table or a syntax error included, is a bug,
and retrying would only repeat it.
"""

from __future__ import annotations

import sqlite3

from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

# SQLSTATE classes and codes of an outage: connection exceptions (08), admin shutdown,
# crash shutdown, cannot connect now (57P01-57P03), insufficient resources (53: a full
# disk, out of memory, too many connections), a read-only transaction (25006).
_UNAVAILABLE_STATES = ("08", "57P01", "57P02", "57P03", "53", "25006")
# SQLite's primary result codes of an outage: SQLITE_READONLY, SQLITE_BUSY, SQLITE_LOCKED,
# SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN. An extended code carries its primary code
# in its low byte.
_SQLITE_UNAVAILABLE = frozenset({5, 6, 8, 10, 13, 14})


def is_unavailable(error: BaseException) -> bool:
    """For a driver's own error (psycopg's, asyncpg's, sqlite3's), or SQLAlchemy's
    wrapping of one."""
    if isinstance(error, PoolTimeout):  # every connection busy, or none opened in time
        return True
    if isinstance(error, DBAPIError):
        return error.connection_invalidated or (
            error.orig is not None and is_unavailable(error.orig)
        )
    if isinstance(error, sqlite3.Error):
        code = getattr(error, "sqlite_errorcode", None)
        return code is not None and code & 0xFF in _SQLITE_UNAVAILABLE
    if type(error).__module__.startswith("psycopg"):
        return _psycopg_unavailable(error)
    if type(error).__module__.startswith("asyncpg"):
        return _asyncpg_unavailable(error)
    return False


def _psycopg_unavailable(error: BaseException) -> bool:
    # Imported only here, once an error shows psycopg is loaded: SQLite users never pay for it.
    import psycopg

    state: str | None = getattr(error, "sqlstate", None)
    if state is not None:
        return state.startswith(_UNAVAILABLE_STATES)
    # No SQLSTATE: the client failed to reach the server, or lost its connection.
    return isinstance(error, psycopg.OperationalError | psycopg.InterfaceError)


def _asyncpg_unavailable(error: BaseException) -> bool:
    import asyncpg  # as for psycopg: loaded only by the PostgreSQL list reads

    state: str | None = getattr(error, "sqlstate", None)
    if state is not None:
        return state.startswith(_UNAVAILABLE_STATES)
    # No SQLSTATE: the connection was closed or lost under the client. A protocol state
    # the client cannot leave comes of the same: the server ended the session (say, a
    # terminated backend) between two statements, as each connection serves one read at
    # a time (`async_reads.ReadPool`).
    return isinstance(error, asyncpg.InterfaceError | asyncpg.InternalClientError)
