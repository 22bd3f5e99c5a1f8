"""The store on SQLAlchemy Core: one code path for SQLite and PostgreSQL.

`SqlStore` is composed of one part per resource (`storage/accounts.py`,
`storage/number_orders.py`, ...); here are what they share: the engine, the transactions
and how store errors are sorted into outages and bugs.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from typing import Any

from sqlalchemy import Connection, Engine, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from number_orders.errors import StoreUnavailable
from number_orders.storage.accounts import SqlAccounts
from number_orders.storage.async_reads import AsyncPageReader
from number_orders.storage.available_numbers import SqlAvailableNumbers
from number_orders.storage.comments import SqlComments
from number_orders.storage.creates import create_groups
from number_orders.storage.database import is_sqlite, list_pool_size
from number_orders.storage.documents import SqlDocuments
from number_orders.storage.number_orders import SqlNumberOrders
from number_orders.storage.number_reservations import SqlNumberReservations
from number_orders.storage.order_parts import SqlOrderParts
from number_orders.storage.pages import PageReader
from number_orders.storage.phone_numbers import SqlPhoneNumbers
from number_orders.storage.rate_limits import SqlRateLimits
from number_orders.storage.requirement_groups import SqlRequirementGroups
from number_orders.storage.sandbox import SqlSandbox
from number_orders.storage.unavailable import is_unavailable
from number_orders.storage.webhook_deliveries import SqlWebhookDeliveries
from number_orders.storage.webhooks import SqlWebhooks


class SqlStore(
    SqlAccounts,
    SqlNumberOrders,
    SqlNumberReservations,
    SqlWebhooks,
    SqlWebhookDeliveries,
    SqlRateLimits,
    SqlRequirementGroups,
    SqlComments,
    SqlAvailableNumbers,
    SqlSandbox,
    SqlPhoneNumbers,
    SqlOrderParts,
    SqlDocuments,
):
    """Every resource's part together, over one engine, with the transactions they share."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sqlite = is_sqlite(engine)
        self.pages = PageReader(engine)
        # PostgreSQL's list reads are awaited on the event loop, with the connections the
        # list's own pool would have had (`PageReader`'s, which then stays unopened in a
        # server); SQLite's that are not quick run on the store's database threads.
        self.async_pages = (
            None if self.sqlite else AsyncPageReader(engine, 2 * list_pool_size(engine))
        )
        self.read_threads = _read_threads()
        self.create_groups = create_groups(self.writing)
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
        except (PoolTimeout, DBAPIError) as error:
            # An outage is a 503 the client retries; any other error is a bug (a 500).
            if is_unavailable(error):
                raise StoreUnavailable(str(getattr(error, "orig", None) or error)) from error
            raise

    def ping(self) -> None:
        with self.reading() as conn:
            conn.execute(select(1))

    def close(self) -> None:
        """Release connections and threads; like the engine, the store opens new ones if
        it is used again."""
        if self.async_pages is not None:
            self.async_pages.close()
        self.read_threads.shutdown(wait=False)
        self.read_threads = _read_threads()
        self.pages.close()
        self.engine.dispose()

    def after_fork(self) -> None:
        """In a forked child: leave the parent's pooled connections to the parent, and
        start threads of its own (the parent's are not in the child)."""
        self.engine.dispose(close=False)
        if self.async_pages is not None:
            self.async_pages.after_fork()
        self.read_threads = _read_threads()


def _read_threads() -> ThreadPoolExecutor:
    """Eight threads (started as needed), as many as the list's hop always had."""
    return ThreadPoolExecutor(8, thread_name_prefix="database")
