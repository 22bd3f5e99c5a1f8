"""The store on SQLAlchemy Core: one code path for SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import threading
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from number_orders.domain.accounts import Account
from number_orders.domain.fulfilment import has_work
from number_orders.domain.idempotency import IdempotencyKey, PriorRequest
from number_orders.domain.listing import ListedOrder, ListQuery
from number_orders.domain.orders import NumberOrderDetail
from number_orders.domain.signing import SigningKey
from number_orders.domain.timestamps import now_micros
from number_orders.domain.webhooks import (
    AttemptResult,
    ClaimedEvent,
    DeliveryAttempt,
    NextStep,
    WebhookEvent,
)
from number_orders.errors import StoreUnavailable
from number_orders.storage import bulk, lifecycle, outbox, queries, retention, signing_keys
from number_orders.storage.database import is_sqlite
from number_orders.storage.interface import (
    ApiKeyRecord,
    Change,
    FailingOrder,
    FulfilledOrder,
    Settle,
    StoredOrder,
)
from number_orders.storage.pages import PageReader
from number_orders.storage.schema import (
    accounts,
    api_keys,
    number_orders,
    rate_limit_counters,
)

_INSERT_BATCH = 5_000

log = logging.getLogger("number_orders.worker")


class SqlStore:
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

    # -- accounts and keys -------------------------------------------------------------

    def ensure_account(self, name: str) -> Account:
        found = self.find_account(name)
        if found is not None:
            return found
        account = Account(str(uuid.uuid4()), name)
        try:
            with self.writing() as conn:
                conn.execute(
                    insert(accounts).values(
                        account_id=account.account_id, name=name, created_at=now_micros()
                    )
                )
        except IntegrityError:
            # Another process created it first; use theirs.
            found = self.find_account(name)
            assert found is not None
            return found
        return account

    def find_account(self, name: str) -> Account | None:
        with self.reading() as conn:
            row = conn.execute(
                select(accounts.c.account_id, accounts.c.name, accounts.c.webhook_url).where(
                    accounts.c.name == name
                )
            ).first()
        return Account(*row) if row else None

    def count_accounts(self) -> int:
        with self.reading() as conn:
            return int(conn.execute(select(func.count()).select_from(accounts)).scalar_one())

    def add_api_key(self, record: ApiKeyRecord) -> None:
        with self.writing() as conn:
            conn.execute(
                insert(api_keys).values(
                    key_id=record.key_id,
                    account_id=record.account_id,
                    secret_hash=record.secret_hash,
                    created_at=record.created_at,
                    revoked_at=record.revoked_at,
                )
            )

    def find_api_key(self, key_id: str) -> ApiKeyRecord | None:
        with self.reading() as conn:
            row = conn.execute(queries.FIND_API_KEY, {"key_id": key_id}).first()
        return ApiKeyRecord(*row) if row else None

    def list_api_keys(self, account_id: str) -> list[ApiKeyRecord]:
        statement = (
            select(*queries.API_KEY_COLUMNS)
            .where(api_keys.c.account_id == account_id)
            .order_by(api_keys.c.created_at)
        )
        with self.reading() as conn:
            return [ApiKeyRecord(*row) for row in conn.execute(statement)]

    def revoke_api_key(self, key_id: str, at: int) -> bool:
        statement = (
            update(api_keys)
            .where(api_keys.c.key_id == key_id, api_keys.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        with self.writing() as conn:
            revoked: bool = conn.execute(statement).rowcount == 1
        self.revocations += 1
        return revoked

    # -- orders ------------------------------------------------------------------------

    def list_number_orders(
        self, account_id: str, query: ListQuery
    ) -> tuple[list[ListedOrder], int]:
        return self.pages.list_number_orders(account_id, query)

    def list_is_quick(self, query: ListQuery) -> bool:
        return self.pages.is_quick(query)

    def insert_number_orders(self, account_id: str, orders: Iterable[NumberOrderDetail]) -> int:
        """Bulk insert in large batches, counts included, in as few transactions as fit."""
        total = 0
        batch: list[NumberOrderDetail] = []
        for detail in orders:
            batch.append(detail)
            if len(batch) >= _INSERT_BATCH:
                total += self._insert_batch(account_id, batch)
                batch = []
        if batch:
            total += self._insert_batch(account_id, batch)
        return total

    def load_order_rows(self, account_id: str, batches: Iterable[bulk.Batch]) -> int:
        """Seeding's fast path: rows already shaped as `bulk.ORDER_COLUMNS` tuples."""
        return bulk.load(self.engine, account_id, batches)

    def finish_loading(self) -> None:
        """After the last `load_order_rows` of a seed: checkpoint and fresh statistics."""
        bulk.finish(self.engine)

    def after_fork(self) -> None:
        """In a forked child: leave the parent's pooled connections to the parent."""
        self.engine.dispose(close=False)

    def outbox_depth(self) -> int:
        """Webhook events waiting for delivery, over every account (an operator's gauge)."""
        with self.reading() as conn:
            return outbox.depth(conn)

    # -- rate limits -------------------------------------------------------------------

    def lease_rate_tokens(
        self, account_id: str, key_id: str, window_start: int, wanted: int
    ) -> int:
        """Add `wanted` to the key's counter for the window in one upsert; the new total.

        The caller works out how many of its tokens fit under the limit from the total
        (`domain.rate_limits.granted`); a window's first lease also drops older windows.
        """
        with self.writing() as conn:
            used = int(
                conn.execute(
                    queries.lease_statement(conn),
                    {
                        "account_id": account_id,
                        "key_id": key_id,
                        "window_start": window_start,
                        "used": wanted,
                    },
                ).scalar_one()
            )
            if used == wanted:
                c = rate_limit_counters.c
                conn.execute(
                    delete(rate_limit_counters).where(
                        c.account_id == account_id,
                        c.key_id == key_id,
                        c.window_start < window_start,
                    )
                )
        return used

    def _insert_batch(self, account_id: str, batch: list[NumberOrderDetail]) -> int:
        # Loaded orders that the worker could settle join its queue, as if just created.
        now = now_micros()
        order_rows = [
            queries.order_row(account_id, d, now if has_work(d.numbers) else None) for d in batch
        ]
        counts = Counter(queries.count_key(d.order) for d in batch)
        with self.writing() as conn:
            conn.execute(insert(number_orders), order_rows)
            queries.add_counts(conn, account_id, counts)
        return len(batch)

    # -- the order lifecycle -----------------------------------------------------------

    def create_number_order(
        self, account_id: str, order: StoredOrder, idempotency: IdempotencyKey | None
    ) -> PriorRequest | None:
        def attempt() -> PriorRequest | None:
            with self.writing() as conn:
                if idempotency is not None:
                    prior = lifecycle.use_idempotency_key(conn, account_id, idempotency, order)
                    if prior is not None:
                        return prior
                lifecycle.insert_order(conn, account_id, order)
            return None

        try:
            return lifecycle.retrying(attempt)
        except IntegrityError:
            # A concurrent request with the same key committed first (PostgreSQL makes the
            # loser wait on the key, then fail): run again to read what it stored.
            if idempotency is None:
                raise
            return lifecycle.retrying(attempt)

    def retrieve_number_order(self, account_id: str, order_id: str) -> NumberOrderDetail | None:
        with self.reading() as conn:
            row = conn.execute(lifecycle.select_order(account_id, order_id)).first()
        return lifecycle.stored_from_row(row).detail if row else None

    def update_number_order(
        self, account_id: str, order_id: str, change: Change
    ) -> NumberOrderDetail | None:
        def attempt() -> NumberOrderDetail | None:
            with self.writing() as conn:
                row = conn.execute(
                    lifecycle.select_order(account_id, order_id).with_for_update()
                ).first()
                if row is None:
                    return None
                stored = lifecycle.stored_from_row(row)
                changed = change(stored)
                if changed is None:
                    return stored.detail
                lifecycle.write_order(conn, account_id, changed)
                before, after = stored.detail.order, changed.detail.order
                queries.move_count(
                    conn, account_id, queries.count_key(before), queries.count_key(after)
                )
                return changed.detail

        return lifecycle.retrying(attempt)

    def fulfil_due_orders(self, now: int, limit: int, settle: Settle) -> list[FulfilledOrder]:
        def attempt() -> list[FulfilledOrder]:
            with self.writing() as conn:
                rows = conn.execute(lifecycle.due(now, limit)).all()
                fulfilled = [lifecycle.fulfil(conn, row, now, settle) for row in rows]
                # Counts last and in one sorted statement: see `_insert_order`.
                for account_id, moves in lifecycle.count_moves(fulfilled, rows).items():
                    queries.add_counts(conn, account_id, moves)
                return fulfilled

        # An order that cannot be settled is moved out of the way and the batch runs
        # again without it: at most once per order of the batch.
        for _ in range(limit):
            try:
                return lifecycle.retrying(attempt)
            except lifecycle.OrderFailed as failed:
                self._defer(failed, now)
        return lifecycle.retrying(attempt)

    def _defer(self, failed: lifecycle.OrderFailed, now: int) -> None:
        with self.writing() as conn:
            deferred = lifecycle.defer(conn, failed, now)
        if deferred is not None:
            failures, due = deferred
            log.error(
                "fulfilment of order %s (account %s) failed %d time(s) in a row: %s; "
                "next try in %.0f s",
                failed.order_id,
                failed.account_id,
                failures,
                failed,
                (due - now) / 1_000_000,
            )

    def failing_orders(self, limit: int) -> list[FailingOrder]:
        """Queued orders whose settling failed, soonest retry first, over every account."""
        with self.reading() as conn:
            return lifecycle.failing(conn, limit)

    def next_fulfilment_at(self) -> int | None:
        c = number_orders.c
        with self.reading() as conn:
            value = conn.execute(select(func.min(c.fulfil_at)).where(c.fulfil_at.is_not(None)))
            result: int | None = value.scalar_one()
        return result

    # -- retention: one bounded batch per call, each in a short transaction ---------------

    def expire_idempotency_keys(self, before: int, limit: int = 500) -> int:
        """Up to `limit` idempotency keys first used before `before`; how many went."""
        with self.writing() as conn:
            return retention.expire_idempotency_keys(conn, before, limit)

    def prune_webhook_events(self, before: int, limit: int) -> tuple[int, int]:
        """Up to `limit` events delivered or dead before `before`, with their attempts."""
        with self.writing() as conn:
            return retention.prune_webhook_events(conn, before, limit)

    def prune_empty_tallies(self, limit: int) -> dict[str, int]:
        """Up to `limit` zero rows of each tally table, one transaction per table."""
        pruned = {}
        for table in retention.TALLIES:
            with self.writing() as conn:
                pruned[table.name] = retention.prune_empty_tallies(conn, table, limit)
        return pruned

    # -- webhooks ----------------------------------------------------------------------

    def set_webhook_url(self, account_id: str, url: str | None) -> bool:
        statement = (
            update(accounts).where(accounts.c.account_id == account_id).values(webhook_url=url)
        )
        with self.writing() as conn:
            return conn.execute(statement).rowcount == 1

    def ensure_signing_key(self, candidate: SigningKey) -> SigningKey:
        """The active signing key; `candidate` becomes it when there is none yet."""
        with self.reading() as conn:
            found = signing_keys.active_key(conn)
        if found is not None:
            return found
        try:
            with self.writing() as conn:
                signing_keys.add_key(conn, candidate)
            return candidate
        except IntegrityError:
            # Another process made the first key at the same moment; use theirs.
            with self.reading() as conn:
                found = signing_keys.active_key(conn)
            assert found is not None
            return found

    def active_signing_key(self) -> SigningKey | None:
        with self.reading() as conn:
            return signing_keys.active_key(conn)

    def rotate_signing_key(self, new_key: SigningKey) -> None:
        with self.writing() as conn:
            signing_keys.retire_active(conn, new_key.created_at)
            signing_keys.add_key(conn, new_key)

    def list_signing_keys(self) -> list[SigningKey]:
        with self.reading() as conn:
            return signing_keys.list_keys(conn)

    def claim_webhook_events(
        self, now: int, limit: int, lease_micros: int, token: str, per_account: int = 0
    ) -> list[ClaimedEvent]:
        with self.reading() as conn:
            if not outbox.any_due(conn, now):
                return []
        with self.writing() as conn:
            return outbox.claim(conn, now, limit, lease_micros, token, per_account)

    def finish_webhook_attempts(self, outcomes: list[tuple[AttemptResult, NextStep]]) -> int:
        """Record attempts in one transaction; how many still held their lease."""
        with self.writing() as conn:
            return sum(outbox.finish(conn, result, step) for result, step in outcomes)

    def list_webhook_events(
        self, account_id: str | None, status: str | None, limit: int
    ) -> list[WebhookEvent]:
        with self.reading() as conn:
            return outbox.list_events(conn, account_id, status, limit)

    def find_webhook_event(self, event_id: str) -> WebhookEvent | None:
        with self.reading() as conn:
            return outbox.find_event(conn, event_id)

    def list_webhook_attempts(self, account_id: str, event_id: str) -> list[DeliveryAttempt]:
        with self.reading() as conn:
            return outbox.list_attempts(conn, account_id, event_id)

    def count_webhook_events(self, account_id: str) -> dict[str, int]:
        with self.reading() as conn:
            return outbox.count_by_status(conn, account_id)

    def redeliver_webhook_event(self, account_id: str, event_id: str, now: int) -> bool:
        with self.writing() as conn:
            return outbox.redeliver(conn, account_id, event_id, now)


# SQLSTATEs that mean "the server cannot serve you right now": connection exceptions,
# shutdown and start-up, insufficient resources (a full disk, out of memory, too many
# connections), a read-only database. Anything else is a bug, not an outage.
_UNAVAILABLE_STATES = ("08", "57P01", "57P02", "57P03", "53", "25006")
_SQLITE_BUSY = (
    "database is locked",
    "database is busy",
    "disk i/o error",
    "unable to open",
    "database or disk is full",
    "readonly database",
)


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
