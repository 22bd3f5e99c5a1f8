"""How a page of orders and its exact total are read, on the driver directly.

The hot path skips SQLAlchemy's per-execution work: statements are plain SQL text, built
once per filter shape, so each connection's driver reuses its prepared form (SQLite's
statement cache, psycopg's automatic prepare). Every page costs the same at any size:

- the total comes from tallies (`order_counts`, `order_reference_counts`, and per period
  `order_period_counts`), counting rows only inside the partial edge days of a
  `created_at` range, or inside one customer reference when it is combined with a range;
- a shallow page is one statement that reads the total and the rows together, so both
  come from one snapshot on either engine;
- a deep page finds the period that holds its first row from the period tallies, skips
  rows only inside that day (from whichever end is nearer), and reads the page by keyset.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NamedTuple

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from number_orders.domain.listing import ListedOrder, ListQuery
from number_orders.errors import StoreUnavailable
from number_orders.storage import periods
from number_orders.storage.database import is_sqlite, make_autocommit_engine
from number_orders.storage.unavailable import is_unavailable

# Below this many skipped rows an OFFSET scan is cheaper than seeking through the tallies.
SEEK_FROM_OFFSET = 500

# The columns of a listed order, in the order of `ListedOrder`'s fields (see `_listed`).
_COLUMNS = (
    "id, status, requirements_met, phone_numbers_count, created_at, updated_at, "
    "phone_numbers, sub_number_orders_ids, customer_reference, connection_id, "
    "messaging_profile_id, billing_group_id"
)
_NEWEST = "ORDER BY created_at DESC, id DESC"
# The grouped columns of `order_period_counts`: (bit of `filters`, column, the query's
# parameter, the value a row that rolls the column up holds, as SQL).
_ANY_STATUS, _ANY_MET, _ANY_COUNT = periods.ROLLED_UP
_LEVEL_COLUMNS = (
    (periods.STATUS, "status", ":status", f"'{_ANY_STATUS}'"),
    (periods.MET, "requirements_met", ":met", str(_ANY_MET).lower()),
    (periods.COUNT, "phone_numbers_count", ":count", str(_ANY_COUNT)),
)
_OLDEST = "ORDER BY created_at ASC, id ASC"


class Shape(NamedTuple):
    """Which filters a query has: the statements differ only by these, so their text is
    built once per shape."""

    status: bool
    requirements_met: bool
    phone_numbers_count: bool
    customer_reference: bool
    created_range: bool


def shape_of(query: ListQuery) -> Shape:
    return Shape(
        status=query.status is not None,
        requirements_met=query.requirements_met is not None,
        phone_numbers_count=query.phone_numbers_count is not None,
        customer_reference=query.customer_reference is not None,
        created_range=query.created_after is not None or query.created_before is not None,
    )


class PageReader:
    def __init__(self, engine: Engine) -> None:
        self.sqlite = is_sqlite(engine)
        # PostgreSQL reads run in autocommit: one statement is its own snapshot, and a
        # deep page opens a REPEATABLE READ transaction of its own.
        self.engine = engine if self.sqlite else make_autocommit_engine(engine)
        self.begin = "BEGIN" if self.sqlite else "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
        self.statements = Statements(self.sqlite)
        dbapi = self.engine.dialect.dbapi
        assert dbapi is not None, "an engine made from a URL has its driver"
        # Any error of the driver's: the connection is dropped, whatever the cause.
        self._errors: tuple[type[Exception], ...] = (dbapi.Error,)
        # A raw connect raises the driver's own errors, a pooled one SQLAlchemy's.
        self._connect_errors: tuple[type[Exception], ...] = (
            DBAPIError,
            PoolTimeout,
            *self._errors,
        )

        # Quick reads come from one thread (the server's event loop), so that thread keeps
        # one pooled connection instead of checking one out and back (and rolling it back)
        # for every page. Other threads use the pool as before.
        self._kept: Any = None
        self._keeper: int | None = None
        self._claim = threading.Lock()

    def close(self) -> None:
        if self._kept is not None:
            self._kept.close()
            self._kept = None
        if not self.sqlite:
            self.engine.dispose()

    def is_quick(self, query: ListQuery) -> bool:
        """A first page on SQLite whose cost has a proven bound: two indexed reads of a
        local file in WAL mode, which never wait for a writer, cost less than the hop to a
        thread and back. Only shapes with at most one filter and no `created_at` range
        qualify: their total is a sum over tally rows and their page the first rows of one
        index. A range counts the rows of its edge days one by one, and two filters walk
        one filter's index past every row the other rejects, however many that is."""
        status, met, count, reference, ranged = shape_of(query)
        filters = status + met + count + reference
        return self.sqlite and query.offset == 0 and not ranged and filters <= 1

    def list_number_orders(
        self, account_id: str, query: ListQuery
    ) -> tuple[list[ListedOrder], int]:
        with self._connection(self.is_quick(query)) as conn:
            read = _Read(conn, self.statements, account_id, query)
            if query.offset < SEEK_FROM_OFFSET and not self.sqlite:
                return read.run(read.shallow())  # one round trip, one snapshot
            conn.execute(self.begin)
            try:
                # SQLite has no round trips to save, and plans the two apart better.
                deep = query.offset >= SEEK_FROM_OFFSET
                return read.run(read.deep() if deep else read.separate())
            finally:
                conn.execute("COMMIT")

    @contextmanager
    def _connection(self, quick: bool = False) -> Iterator[Any]:
        keep = quick and self._keeps()
        try:
            pooled = self._kept if keep and self._kept is not None else self.engine.raw_connection()
        except self._connect_errors as error:
            # No connection to be had (refused, timed out, the pool empty) is an outage;
            # anything else, such as a failing setup statement, is a bug.
            if is_unavailable(error):
                raise StoreUnavailable(str(error)) from error
            raise
        if keep:
            self._kept = pooled
        try:
            yield pooled.driver_connection
        except self._errors as error:
            # It may be broken or inside a failed transaction: it never goes back to the pool.
            pooled.invalidate()
            if keep:
                self._kept = None
            if is_unavailable(error):
                raise StoreUnavailable(str(error)) from error
            raise  # a bug, such as a missing table: a 500, logged
        finally:
            if not keep:
                pooled.close()

    def _keeps(self) -> bool:
        """Whether this thread keeps the connection: the first to make a quick read does."""
        if self._keeper is None:
            with self._claim:
                if self._keeper is None:
                    self._keeper = threading.get_ident()
        return self._keeper == threading.get_ident()


Build = Callable[["Statements", Shape], str]


# A read is a series of statements, each chosen from the rows of the ones before: the
# steps below yield (statement, extra parameters) and are sent back each one's rows, so
# the sync driver here and the async one (`async_reads.py`) run the very same steps.
Step = tuple[Build, dict[str, Any]]
Steps = Generator[Step, Sequence[Any], tuple[list[ListedOrder], int]]


class _Read:
    def __init__(self, conn: Any, statements: Statements, account_id: str, query: ListQuery):
        self.conn = conn
        self.sql = statements
        self.query = query
        self.shape = shape_of(query)
        lo, hi = query.created_range
        self.lo = periods.EARLIEST if lo is None else lo
        self.hi = periods.LATEST if hi is None else hi
        self.params: dict[str, Any] = {
            "account": account_id,
            "status": query.status,
            "met": query.requirements_met,
            "count": query.phone_numbers_count,
            "reference": query.customer_reference,
            "lo": self.lo,
            "hi": self.hi,
            "size": query.page_size,
            "offset": query.offset,
        }
        self.pieces = periods.split(self.lo, self.hi)
        if self.shape.created_range:
            self.params.update(_piece_params(self.pieces))

    def run(self, steps: Steps) -> tuple[list[ListedOrder], int]:
        """The steps, each statement run on this connection."""
        try:
            build, extra = next(steps)
            while True:
                rows = self.conn.execute(
                    self.sql.text(build, self.shape), {**self.params, **extra}
                ).fetchall()
                build, extra = steps.send(rows)
        except StopIteration as done:
            page: tuple[list[ListedOrder], int] = done.value
            return page

    def shallow(self) -> Steps:
        # Each row is the total, then a listed order's columns; with no orders on the
        # page, one row of the total and NULLs.
        rows = yield Statements.total_and_page, {}
        total = int(rows[0][0])
        return [_listed(row[1:]) for row in rows if row[1] is not None], total

    def separate(self) -> Steps:
        total = int((yield Statements.total, {})[0][0])
        rows = (yield Statements.page, {}) if self.query.offset < total else []
        return [_listed(row) for row in rows], total

    def deep(self) -> Steps:
        if self.shape.customer_reference:  # its orders are few: skip inside them
            total = int((yield Statements.total, {})[0][0])
            if self.query.offset >= total:
                return [], total
            whole = periods.Period(periods.ROWS, self.lo, self.hi, total)
            found: tuple[periods.Period, int] | None = (whole, self.query.offset)
        else:
            sums = yield Statements.period_sums, _piece_params(self.pieces)
            timeline = periods.newest_first(self.pieces, [tuple(row) for row in sums])
            total = sum(p.n for p in timeline)
            located = periods.locate(timeline, self.query.offset)
            found = None if located is None else (yield from self._narrow(*located))
        if found is None:
            return [], total
        rows = yield self._page_at(*found)
        return [_listed(row) for row in rows], total

    def _narrow(
        self, period: periods.Period, offset: int
    ) -> Generator[Step, Sequence[Any], tuple[periods.Period, int]]:
        """From a block down to the day that holds the row."""
        if period.width != periods.BLOCK_DAYS:
            return period, offset
        sums = yield Statements.day_sums, {"block_lo": period.lo, "block_hi": period.hi}
        days = [periods.Period(1, start, start + periods.DAY, int(n)) for start, n in sums]
        located = periods.locate(days, offset)
        assert located is not None, "a block's days add up to the block"
        return located

    def _page_at(self, period: periods.Period, offset: int) -> Step:
        """The page whose first row is `offset` places from the newest in `period`, skipping
        from whichever end of the period is nearer."""
        bounds = {"piece_lo": max(period.lo, self.lo), "piece_hi": min(period.hi, self.hi)}
        if offset <= period.n // 2:
            return Statements.page_from_newest, {"skip": offset, **bounds}
        return Statements.page_from_oldest, {"skip": period.n - 1 - offset, **bounds}


def _piece_params(pieces: tuple[periods.Piece, ...]) -> dict[str, int]:
    params = {}
    for index, piece in enumerate(pieces):
        params[f"p{index}lo"], params[f"p{index}hi"] = piece.lo, piece.hi
        if piece.width == periods.ROWS:
            edge = periods.edge(piece)
            params[f"p{index}day"], params[f"p{index}whole"] = edge.day, edge.whole
            params[f"p{index}sign"] = edge.sign
            params[f"p{index}x"], params[f"p{index}y"] = edge.lo, edge.hi
    return params


def _listed(row: Any) -> ListedOrder:
    """A row of `_COLUMNS`; SQLite keeps booleans as integers."""
    (
        order_id,
        status,
        requirements_met,
        phone_numbers_count,
        created_at,
        updated_at,
        phone_numbers_json,
        sub_number_orders_ids_json,
        customer_reference,
        connection_id,
        messaging_profile_id,
        billing_group_id,
    ) = row
    return ListedOrder(
        order_id,
        status,
        bool(requirements_met),
        phone_numbers_count,
        created_at,
        updated_at,
        phone_numbers_json,
        sub_number_orders_ids_json,
        customer_reference,
        connection_id,
        messaging_profile_id,
        billing_group_id,
    )


class Statements:
    """SQL text per (statement, filter shape), built once, in the driver's parameter style.
    Each statement is a method taking the shape; `text` caches what it builds."""

    def __init__(self, sqlite: bool) -> None:
        self.sqlite = sqlite
        self._cache: dict[tuple[Build, Shape], str] = {}
        # Rows of one stretch of time (a partial edge day, the day a deep page skips in) are
        # read along the index that carries every tallied filter, so no table row is read.
        # SQLite would take a filter's own index (fewer entries by its statistics) and read
        # the table for the other filters; PostgreSQL weighs the covering index itself.
        self._recent = " INDEXED BY ix_orders_recent" if sqlite else ""

    def text(self, build: Build, shape: Shape) -> str:
        text = self._cache.get((build, shape))
        if text is None:
            text = build(self, shape)
            if not self.sqlite:
                text = re.sub(r":(\w+)", r"%(\1)s", text)
            self._cache[build, shape] = text
        return text

    @staticmethod
    def _tallied(shape: Shape) -> list[str]:
        """The account and the filters that the tallies also group by."""
        clauses = ["account_id = :account"]
        if shape.status:
            clauses.append("status = :status")
        if shape.requirements_met:
            clauses.append("requirements_met = :met")
        if shape.phone_numbers_count:
            clauses.append("phone_numbers_count = :count")
        return clauses

    @classmethod
    def _tally_filters(cls, shape: Shape) -> str:
        return " AND ".join(cls._tallied(shape))

    @staticmethod
    def _periods(shape: Shape) -> str:
        """The account and the one level of `order_period_counts` that holds this shape's
        tallied filters (`periods.levels`): one row per period."""
        fixed = (shape.status, shape.requirements_met, shape.phone_numbers_count)
        level = sum(bit for (bit, *_), on in zip(_LEVEL_COLUMNS, fixed, strict=True) if on)
        clauses = [f"account_id = :account AND filters = {level}"]
        for (_, column, value, rolled_up), on in zip(_LEVEL_COLUMNS, fixed, strict=True):
            clauses.append(f"{column} = {value if on else rolled_up}")
        return " AND ".join(clauses)

    @classmethod
    def _filters(cls, shape: Shape) -> str:
        """Every filter, on order rows."""
        clauses = cls._tallied(shape)
        if shape.customer_reference:
            clauses.append("customer_reference = :reference")
        if shape.created_range:
            clauses.append("created_at >= :lo AND created_at < :hi")
        return " AND ".join(clauses)

    def total(self, shape: Shape) -> str:
        tallied = self._tally_filters(shape)
        if shape.customer_reference and shape.created_range:
            return f"SELECT count(*) FROM number_orders WHERE {self._filters(shape)}"
        if shape.customer_reference:
            return (
                "SELECT coalesce(sum(n), 0) FROM order_reference_counts "
                f"WHERE {tallied} AND customer_reference = :reference"
            )
        if shape.created_range:
            totals = (
                f"({self._piece_total(shape, index, width)})"
                for index, width in enumerate(periods.PIECE_WIDTHS)
            )
            return "SELECT " + " + ".join(totals)
        return f"SELECT coalesce(sum(n), 0) FROM order_counts WHERE {tallied}"

    def _piece_total(self, shape: Shape, index: int, width: int) -> str:
        """The orders in piece `index` of `periods.split`, which is `width` days wide."""
        if width == periods.ROWS:
            return self._edge_total(shape, index)
        return (
            "SELECT coalesce(sum(n), 0) FROM order_period_counts "
            f"WHERE {self._periods(shape)} AND period_days = {width} "
            f"AND period_start >= :p{index}lo AND period_start < :p{index}hi"
        )

    def _edge_total(self, shape: Shape, index: int) -> str:
        """A partial day at an edge of the range, counted as `periods.edge` says."""
        return (
            f"SELECT :p{index}whole * (SELECT coalesce(sum(n), 0) FROM order_period_counts "
            f"WHERE {self._periods(shape)} AND period_days = 1 AND period_start = :p{index}day) "
            f"+ :p{index}sign * (SELECT count(*) FROM number_orders{self._recent} "
            f"WHERE {self._tally_filters(shape)} "
            f"AND created_at >= :p{index}x AND created_at < :p{index}y)"
        )

    def total_and_page(self, shape: Shape) -> str:
        return (
            f"SELECT t.total, p.* FROM (SELECT ({self.total(shape)}) AS total) AS t "
            f"LEFT JOIN ({self.page(shape)}) AS p ON true ORDER BY p.created_at DESC, p.id DESC"
        )

    def page(self, shape: Shape) -> str:
        return (
            f"SELECT {_COLUMNS} FROM number_orders WHERE {self._filters(shape)} "
            f"{_NEWEST} LIMIT :size OFFSET :offset"
        )

    def period_sums(self, shape: Shape) -> str:
        """`(piece index, period start, n)` for every period of every piece."""
        parts = []
        for index, width in enumerate(periods.PIECE_WIDTHS):
            if width == periods.ROWS:
                parts.append(f"SELECT {index}, 0, ({self._edge_total(shape, index)})")
            else:
                parts.append(
                    f"SELECT {index}, period_start, n FROM order_period_counts "
                    f"WHERE {self._periods(shape)} AND period_days = {width} "
                    f"AND period_start >= :p{index}lo AND period_start < :p{index}hi"
                )
        return " UNION ALL ".join(parts)

    def day_sums(self, shape: Shape) -> str:
        return (
            "SELECT period_start, n FROM order_period_counts "
            f"WHERE {self._periods(shape)} AND period_days = 1 "
            "AND period_start >= :block_lo AND period_start < :block_hi "
            "ORDER BY period_start DESC"
        )

    def _from_key(self, shape: Shape, order: str) -> str:
        """The page that starts at the row `:skip` places from one end (`order`) of
        `[:piece_lo, :piece_hi)`: that row's `(created_at, id)` is found first, by skipping
        along a covering index, then the page is read from it by keyset."""
        index = "" if shape.customer_reference else self._recent
        return (
            f"WITH k AS MATERIALIZED (SELECT created_at AS at, id AS kid FROM number_orders{index} "
            f"WHERE {self._filters(shape)} AND created_at >= :piece_lo AND created_at < :piece_hi "
            f"{order} LIMIT 1 OFFSET :skip) "
            f"SELECT {_COLUMNS} FROM number_orders WHERE {self._filters(shape)} "
            "AND created_at <= (SELECT at FROM k) "
            "AND (created_at < (SELECT at FROM k) OR id <= (SELECT kid FROM k)) "
            f"{_NEWEST} LIMIT :size"
        )

    def page_from_newest(self, shape: Shape) -> str:
        return self._from_key(shape, _NEWEST)

    def page_from_oldest(self, shape: Shape) -> str:
        return self._from_key(shape, _OLDEST)
