"""The store on SQLAlchemy Core: one code path for SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from number_orders.domain.accounts import Account
from number_orders.domain.listing import ListedOrder, ListQuery
from number_orders.domain.orders import NumberOrderDetail
from number_orders.domain.timestamps import now_micros
from number_orders.errors import StoreUnavailable
from number_orders.storage import bulk, queries
from number_orders.storage.database import is_sqlite
from number_orders.storage.interface import ApiKeyRecord
from number_orders.storage.pages import PageReader
from number_orders.storage.schema import (
    accounts,
    api_keys,
    number_orders,
)

_INSERT_BATCH = 5_000


class SqlStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sqlite = is_sqlite(engine)
        self.pages = PageReader(engine)
        self.revocations = 0

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
        except (OperationalError, DBAPIError) as error:
            if error.connection_invalidated or _is_connection_error(error):
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

    def _insert_batch(self, account_id: str, batch: list[NumberOrderDetail]) -> int:
        order_rows = [queries.order_row(account_id, d) for d in batch]
        counts = Counter(queries.count_key(d.order) for d in batch)
        with self.writing() as conn:
            conn.execute(insert(number_orders), order_rows)
            queries.add_counts(conn, account_id, counts)
        return len(batch)


def _is_connection_error(error: DBAPIError) -> bool:
    text = str(error.orig).lower()
    return any(
        sign in text
        for sign in ("connection", "could not connect", "server closed", "terminating", "timeout")
    )
