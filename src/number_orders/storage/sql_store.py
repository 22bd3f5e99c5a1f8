"""The store on SQLAlchemy Core: one code path for SQLite and PostgreSQL.

`SqlStore` is composed of one part per resource (`storage/accounts.py`,
`storage/number_orders.py`, ...); here are what they share: the engine, the transactions
and how store errors are sorted into outages and bugs.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

from sqlalchemy import Connection, Engine, select
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from number_orders.errors import StoreUnavailable
from number_orders.storage.accounts import SqlAccounts
from number_orders.storage.database import is_sqlite
from number_orders.storage.number_orders import SqlNumberOrders
from number_orders.storage.pages import PageReader
from number_orders.storage.rate_limits import SqlRateLimits
from number_orders.storage.webhooks import SqlWebhooks


class SqlStore(SqlAccounts, SqlNumberOrders, SqlWebhooks, SqlRateLimits):
    """Every resource's part together, over one engine, with the transactions they share."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sqlite = is_sqlite(engine)
        self.pages = PageReader(engine)
        self.revocations = 0
        # SQLite admits one writer at a time and makes the others poll with growing sleeps;
        # queueing this process's writers on a lock instead keeps the write rate steady.
        # It orders only this process's threads: other processes still meet the file lock.
        self._write_turn: threading.Lock | nullcontext[None] = (
            threading.Lock() if self.sqlite else nullcontext()
        )

    # -- transactions ------------------------------------------------------------------

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        options: dict[str, Any] = {} if self.sqlite else {"isolation_level": "REPEATABLE READ"}
        with (
            self._translated(),
            self.engine.connect().execution_options(**options) as conn,
            conn.begin(),
        ):
            yield conn

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        with (
            self._write_turn,
            self._translated(),
            self.engine.connect().execution_options(writing=True) as conn,
            conn.begin(),
        ):
            yield conn

    @contextmanager
    def _translated(self) -> Iterator[None]:
        try:
            yield
        except IntegrityError:
            raise
        except PoolTimeout as error:  # every connection busy, or none can be opened in time
            raise StoreUnavailable(str(error)) from error
        except DBAPIError as error:
            if _is_unavailable(error):
                raise StoreUnavailable(str(error.orig)) from error
            raise

    def ping(self) -> None:
        with self.reading() as conn:
            conn.execute(select(1))

    def close(self) -> None:
        self.pages.close()
        self.engine.dispose()

    def after_fork(self) -> None:
        """In a forked child: leave the parent's pooled connections to the parent."""
        self.engine.dispose(close=False)


# SQLSTATEs that mean "the server cannot serve you right now": connection exceptions,
# shutdown and start-up, too many connections. Anything else is a bug, not an outage.
_UNAVAILABLE_STATES = ("08", "57P01", "57P02", "57P03", "53300")
_SQLITE_BUSY = ("database is locked", "database is busy", "disk i/o error", "unable to open")


def _is_unavailable(error: DBAPIError) -> bool:
    if error.connection_invalidated:
        return True
    state: str | None = getattr(error.orig, "sqlstate", None)
    if state is not None:
        return state.startswith(_UNAVAILABLE_STATES)
    if type(error.orig).__module__.startswith("psycopg"):
        # No SQLSTATE: the client failed to reach the server (refused, timed out, closed).
        return isinstance(error, OperationalError)
    text = str(error.orig).lower()
    return isinstance(error, OperationalError) and any(sign in text for sign in _SQLITE_BUSY)
