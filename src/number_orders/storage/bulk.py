"""Bulk loading of order rows for seeding: the driver's fastest path on each engine.

Rows arrive as tuples in `ORDER_COLUMNS` order with their tally changes and the numbers
the orders bought, and go in with one `executemany` (SQLite) or `COPY` (PostgreSQL) per
batch; the numbers become owned (`phone_number_rows.load`), all with their tallies in
the same transaction. Rows come oldest first, so every secondary index grows at its newest end;
that measured faster than dropping the indexes and building them again afterwards.

A batch is `BATCH_ROWS` orders. The keys that do not grow with time (order parts' and
numbers' random ids, the numbers themselves) land all over their indexes, and SQLite
writes every page a transaction changed to the WAL at its commit: fewer, larger
transactions write each such page fewer times (a seed of 10^5 orders wrote 0.66 GB of
WAL, against 1.19 GB in batches of 10^4). The loading connection gets a page cache large
enough to keep those indexes' pages between statements.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

import orjson
import psycopg
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError

from number_orders.domain.order_parts import PHONE_NUMBER, SUB_NUMBER_ORDER
from number_orders.storage import phone_number_rows, queries
from number_orders.storage.interface import (
    CountKey,
    PhoneCountKey,
    RowBatch,
    phone_number_counts,
)

ORDER_COLUMNS = (
    "account_id",
    "id",
    "status",
    "requirements_met",
    "phone_numbers_count",
    "customer_reference",
    "connection_id",
    "messaging_profile_id",
    "billing_group_id",
    "created_at",
    "updated_at",
    "phone_numbers",
    "sub_number_orders_ids",
    "phone_number_details",
    "fulfil_at",
    "deadline_at",
)
_ID, _NUMBERS, _SUB_ORDERS = (
    ORDER_COLUMNS.index(c) for c in ("id", "phone_numbers", "sub_number_orders_ids")
)
BATCH_ROWS = 50_000
_AUTOCHECKPOINT_PAGES = 1000  # SQLite's default
_CACHE_KIB = 65_536  # the page cache every connection has (`database._sqlite_engine`)
_LOADING_CACHE_KIB = 524_288


# A seed stopped part way keeps the batches it committed; run again with the same seed it
# would make the same ids. That is refused with this message instead of a driver error.
OVERLAP = (
    "the account already holds orders that this seed makes (a seed that was stopped keeps "
    "the batches it finished): seed another account, or this one with another --seed"
)


def load(engine: Engine, account_id: str, batches: Iterable[RowBatch]) -> int:
    """Load the batches; a ValueError (`OVERLAP`) when their orders are there already."""
    loaded = 0
    with _loading(engine) as conn, _turns(engine) as turn:
        for rows, counts, numbers, number_counts in _merged(batches):
            try:
                with turn(), conn.begin():
                    _insert(conn, rows)
                    left_out = phone_number_rows.load(conn, numbers)
                    queries.add_counts(conn, account_id, counts)
                    number_counts.subtract(phone_number_counts(left_out))
                    phone_number_rows.write_counts(conn, account_id, number_counts)
            except (
                sqlite3.IntegrityError,
                psycopg.errors.UniqueViolation,
                IntegrityError,
            ) as error:
                raise ValueError(OVERLAP) from error
            loaded += len(rows)
    return loaded


def finish(engine: Engine) -> None:
    """After every `load` of a seed: the WAL into the database file (SQLite), fresh
    statistics."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            driver = conn.connection.driver_connection
            assert driver is not None
            driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    _analyze(engine)


@contextmanager
def _loading(engine: Engine) -> Iterator[Connection]:
    """One connection for the whole load. On SQLite its commits skip the fsync
    (`synchronous=OFF`): a seed is not an acknowledged write, and it ends with a
    checkpoint at `synchronous=FULL` (`finish`), which syncs the WAL and then the database
    file, so the data is durable when the seed returns. Readers keep running beside it.

    The connection runs no automatic checkpoint (`wal_autocheckpoint=0`): a checkpoint
    copies every process's committed pages into the database file, and one run without
    fsync could lose other processes' acknowledged commits in an OS crash. Appending its
    own frames to the WAL unsynced risks only the seed's own batches; every later commit
    of another process syncs the WAL, earlier frames included."""
    with engine.connect().execution_options(writing=True) as conn:
        if conn.dialect.name != "sqlite":
            yield conn
            return
        # On the driver itself, outside any transaction (SQLAlchemy would begin one).
        driver = conn.connection.driver_connection
        assert driver is not None
        driver.execute("PRAGMA wal_autocheckpoint=0")
        driver.execute("PRAGMA synchronous=OFF")
        driver.execute("PRAGMA temp_store=MEMORY")
        driver.execute(f"PRAGMA cache_size=-{_LOADING_CACHE_KIB}")
        try:
            yield conn
        finally:
            driver.execute("PRAGMA synchronous=FULL")
            driver.execute("PRAGMA temp_store=DEFAULT")
            driver.execute(f"PRAGMA cache_size=-{_CACHE_KIB}")
            driver.execute(f"PRAGMA wal_autocheckpoint={_AUTOCHECKPOINT_PAGES}")


Turn = Callable[[], AbstractContextManager[object]]


@contextmanager
def _turns(engine: Engine) -> Iterator[Turn]:
    """What a batch holds while it writes: on a SQLite file, an exclusive lock on a file
    beside it, so the seed's processes take the single writer's place in turn and the
    next waiter wakes as soon as it is free. SQLite's own busy handler sleeps and polls,
    up to 100 ms a time, and gives up after `busy_timeout` (30 s), shorter than a large
    batch can take on a busy machine. PostgreSQL writes batches side by side."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield nullcontext
        return
    with open(os.open(f"{database}.load-lock", os.O_WRONLY | os.O_CREAT, 0o600), "w") as lock:

        @contextmanager
        def turn() -> Iterator[None]:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

        yield turn


def _merged(batches: Iterable[RowBatch]) -> Iterator[RowBatch]:
    """Batches of at least `BATCH_ROWS`: fewer commits, and fewer tally rows to upsert."""
    rows: list[tuple[Any, ...]] = []
    counts: Counter[CountKey] = Counter()
    numbers: list[tuple[Any, ...]] = []
    number_counts: Counter[PhoneCountKey] = Counter()
    for more_rows, more_counts, more_numbers, more_number_counts in batches:
        rows += more_rows
        counts.update(more_counts)
        numbers += more_numbers
        number_counts.update(more_number_counts)
        if len(rows) >= BATCH_ROWS:
            yield rows, counts, numbers, number_counts
            rows, counts, numbers, number_counts = [], Counter(), [], Counter()
    if rows:
        yield rows, counts, numbers, number_counts


def _insert(conn: Connection, rows: list[tuple[Any, ...]]) -> None:
    _copy(conn, "number_orders", ORDER_COLUMNS, rows)
    _copy(conn, "order_parts", PART_COLUMNS, [p for row in rows for p in _parts(row)])


PART_COLUMNS = ("account_id", "id", "order_id", "kind")


def _parts(row: tuple[Any, ...]) -> list[tuple[str, str, str, str]]:
    """The order parts of a loaded row, read back from its JSON lists."""
    account_id, order_id = row[0], row[_ID]
    subs = orjson.loads(row[_SUB_ORDERS])
    numbers = orjson.loads(row[_NUMBERS])
    return [(account_id, i, order_id, SUB_NUMBER_ORDER) for i in subs] + [
        (account_id, n["id"], order_id, PHONE_NUMBER) for n in numbers
    ]


def _copy(conn: Connection, table: str, columns: tuple[str, ...], rows: list[Any]) -> None:
    driver = conn.connection.driver_connection
    names = ", ".join(columns)
    if conn.dialect.name == "sqlite":
        marks = ", ".join("?" * len(columns))
        driver.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # type: ignore[union-attr]
        return
    with driver.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:  # type: ignore[union-attr]
        for row in rows:
            copy.write_row(row)


@contextmanager
def _writing(engine: Engine) -> Iterator[Connection]:
    with engine.connect().execution_options(writing=True) as conn, conn.begin():
        yield conn


def _analyze(engine: Engine) -> None:
    """Fresh statistics, so both planners pick the per-filter indexes."""
    with _writing(engine) as conn:
        conn.exec_driver_sql("ANALYZE")
