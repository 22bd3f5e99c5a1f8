"""The order list on PostgreSQL, awaited on the event loop instead of read on a thread.

The statements are `pages.Statements`' PostgreSQL text with its `%(name)s` placeholders
numbered (`$1`, `$2`, ...), and the steps are `pages._Read`'s own, run by an awaiting
driver (a shallow page in one statement, a deep page in one REPEATABLE READ transaction),
so both paths return the same page; only the waiting differs. The driver is asyncpg:
binary results decoded in C, and each statement prepared on a connection the first time
it runs there (its statement cache). Measured against psycopg's `AsyncConnection` in
docs/PERFORMANCE.md.

Connections come from `ReadPool`: a fixed number of slots, connections opened on demand
and kept while they are healthy. Any error of the driver drops the connection it came from
(it may be broken, or inside a failed transaction); an outage (refused, lost, no free slot
within the timeout) is `StoreUnavailable`, as on the sync path. A pool belongs to one event
loop of one process: a forked child, or another loop, opens its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import asyncpg
from sqlalchemy import Engine

from number_orders.domain.listing import ListedOrder, ListQuery
from number_orders.errors import StoreUnavailable
from number_orders.storage.pages import SEEK_FROM_OFFSET, Build, Shape, Statements, Steps, _Read
from number_orders.storage.unavailable import is_unavailable

_BEGIN = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
# Seconds to wait for a free slot or a new connection before answering 503, as the sync
# pools wait (`database.make_engine`).
TIMEOUT = 2.0
# Prepared statements kept per connection: every statement of every filter shape fits.
STATEMENT_CACHE = 1024
_NAMED = re.compile(r"%\((\w+)\)s")

if TYPE_CHECKING:
    Connection = asyncpg.Connection[asyncpg.Record]  # generic in the stubs only
_ERRORS = (
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
    OSError,
    TimeoutError,
)


class ReadPool:
    """At most `size` connections to `dsn`, for the event loop that made the pool."""

    def __init__(self, dsn: str, size: int, timeout: float = TIMEOUT) -> None:
        self.dsn = dsn
        self.timeout = timeout
        self._slots = asyncio.Semaphore(size)
        self._idle: list[Connection] = []
        self.loop = asyncio.get_running_loop()
        self.pid = os.getpid()

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[Connection]:
        await self._take_slot()
        try:
            conn = self._idle.pop() if self._idle else await self._connect()
            try:
                yield conn
            except _ERRORS as error:
                conn.terminate()  # possibly broken, or inside a failed transaction
                if _outage(error):
                    raise StoreUnavailable(str(error)) from error
                raise  # a bug, such as a missing table: a 500, logged
            except BaseException:
                conn.terminate()  # cancelled mid-statement: its state is unknown
                raise
            if conn.is_closed() or conn.is_in_transaction():
                conn.terminate()
            else:
                self._idle.append(conn)
        finally:
            self._slots.release()

    async def _take_slot(self) -> None:
        if not self._slots.locked():
            await self._slots.acquire()  # a free slot: returns without suspending
            return
        try:
            async with asyncio.timeout(self.timeout):
                await self._slots.acquire()
        except TimeoutError:
            raise StoreUnavailable(f"no database connection free within {self.timeout} s") from None

    async def _connect(self) -> Connection:
        try:
            return await asyncpg.connect(
                self.dsn,
                timeout=self.timeout,
                statement_cache_size=STATEMENT_CACHE,
                server_settings={"application_name": "number-orders"},
            )
        except _ERRORS as error:
            if _outage(error):
                raise StoreUnavailable(str(error)) from error
            raise

    def close(self) -> None:
        """Close the idle connections (in use there are none once the server stops)."""
        while self._idle:
            conn = self._idle.pop()
            # On a loop already closed the connection cannot say goodbye; it goes with it.
            with contextlib.suppress(RuntimeError):
                conn.terminate()


def _outage(error: BaseException) -> bool:
    """A refused, lost or timed-out connection, or what `is_unavailable` says of the
    driver's errors."""
    return isinstance(error, OSError | TimeoutError) or is_unavailable(error)


class AsyncPageReader:
    """`PageReader.list_number_orders` for PostgreSQL, awaited."""

    def __init__(self, engine: Engine, size: int) -> None:
        url = engine.url.set(drivername="postgresql")
        self.dsn = url.render_as_string(hide_password=False)
        self.size = size
        self.statements = Statements(sqlite=False)
        self._texts: dict[str, tuple[str, tuple[str, ...]]] = {}
        self._pool: ReadPool | None = None

    def pool(self) -> ReadPool:
        """The pool of this loop in this process, opened on first use: a forked child or
        another loop never shares the connections of a pool it did not open."""
        pool = self._pool
        if pool is None or pool.pid != os.getpid() or pool.loop is not asyncio.get_running_loop():
            if pool is not None and pool.pid == os.getpid():
                pool.close()
            pool = self._pool = ReadPool(self.dsn, self.size)
        return pool

    async def list_number_orders(
        self, account_id: str, query: ListQuery
    ) -> tuple[list[ListedOrder], int]:
        async with self.pool().connection() as conn:
            read = _AsyncRead(conn, self, account_id, query)
            if query.offset < SEEK_FROM_OFFSET:
                return await read.run_async(read.shallow())  # one round trip, one snapshot
            await conn.execute(_BEGIN)
            page = await read.run_async(read.deep())
            await conn.execute("COMMIT")
            return page

    def numbered(self, build: Build, shape: Shape) -> tuple[str, tuple[str, ...]]:
        """The statement with `$n` placeholders, and the parameter names in that order."""
        text = self.statements.text(build, shape)
        found = self._texts.get(text)
        if found is None:
            names: list[str] = []

            def number(match: re.Match[str]) -> str:
                if match[1] not in names:
                    names.append(match[1])
                return f"${names.index(match[1]) + 1}"

            found = self._texts[text] = (_NAMED.sub(number, text), tuple(names))
        return found

    def close(self) -> None:
        if self._pool is not None and self._pool.pid == os.getpid():
            self._pool.close()
        self._pool = None

    def after_fork(self) -> None:
        self._pool = None  # the parent's connections stay the parent's


class _AsyncRead(_Read):
    """`_Read`'s parameters and steps, each statement awaited."""

    def __init__(
        self, conn: Connection, reader: AsyncPageReader, account_id: str, query: ListQuery
    ) -> None:
        super().__init__(conn, reader.statements, account_id, query)
        self.reader = reader

    async def run_async(self, steps: Steps) -> tuple[list[ListedOrder], int]:
        """The steps, each statement awaited on this connection."""
        try:
            build, extra = next(steps)
            while True:
                sql, names = self.reader.numbered(build, self.shape)
                params = {**self.params, **extra}
                rows = await self.conn.fetch(sql, *[params[n] for n in names])
                build, extra = steps.send(rows)
        except StopIteration as done:
            page: tuple[list[ListedOrder], int] = done.value
            return page
