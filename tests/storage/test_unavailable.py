"""Which real driver errors are outages (retry later) and which are bugs, on both engines."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from number_orders.storage.database import make_engine
from number_orders.storage.unavailable import is_unavailable
from number_orders.testing import PostgresServer


def raised(action: Callable[[], object]) -> BaseException:
    with pytest.raises(Exception) as caught:
        action()
    return caught.value


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Path:
    path = tmp_path / "orders.sqlite3"
    with sqlite3.connect(path) as setup:
        setup.execute("PRAGMA journal_mode=WAL")
        setup.execute("CREATE TABLE t (x INTEGER)")
    return path


def test_a_locked_sqlite_database_is_unavailable(sqlite_file: Path) -> None:
    holder = sqlite3.connect(sqlite_file, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    waiter = sqlite3.connect(sqlite_file, isolation_level=None, timeout=0.05)
    try:
        error = raised(lambda: waiter.execute("BEGIN IMMEDIATE"))
        assert "locked" in str(error)
        assert is_unavailable(error)
    finally:
        waiter.close()
        holder.rollback()
        holder.close()


def test_a_sqlite_file_that_cannot_be_opened_is_unavailable(tmp_path: Path) -> None:
    error = raised(lambda: sqlite3.connect(tmp_path / "no-such-dir" / "orders.sqlite3"))
    assert "unable to open" in str(error)
    assert is_unavailable(error)


@pytest.mark.parametrize(
    "statement", ["SELECT * FROM no_such_table", "SELEKT 1", "SELECT no_such_column FROM t"]
)
def test_sqlite_errors_in_statements_are_bugs(sqlite_file: Path, statement: str) -> None:
    with sqlite3.connect(sqlite_file) as conn:
        error = raised(lambda: conn.execute(statement))
    assert isinstance(error, sqlite3.OperationalError)
    assert not is_unavailable(error)


def test_wrapped_errors_are_judged_by_the_driver_error_inside(sqlite_file: Path) -> None:
    engine = make_engine(f"sqlite:///{sqlite_file}")
    with engine.connect() as conn:
        error = raised(lambda: conn.execute(text("SELECT * FROM no_such_table")))
    assert isinstance(error, DBAPIError)
    assert not is_unavailable(error)
    engine.dispose()


def test_an_exhausted_pool_is_unavailable(sqlite_file: Path) -> None:
    engine = create_engine(
        f"sqlite:///{sqlite_file}", pool_size=1, max_overflow=0, pool_timeout=0.05
    )
    with engine.connect():
        error = raised(engine.connect)
    assert isinstance(error, PoolTimeout)
    assert is_unavailable(error)
    engine.dispose()


def test_postgresql_lost_and_refused_connections_are_unavailable(
    postgres: PostgresServer,
) -> None:
    url = postgres.create_database("unavailable_lost")
    with psycopg.connect(url, autocommit=True) as victim, psycopg.connect(url) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [victim.info.backend_pid])
        admin.commit()
        lost = raised(lambda: victim.execute("SELECT 1"))
    assert isinstance(lost, psycopg.OperationalError)
    assert is_unavailable(lost)
    refused = raised(lambda: psycopg.connect("postgresql://postgres@127.0.0.1:1/x"))
    assert getattr(refused, "sqlstate", None) is None
    assert is_unavailable(refused)


def test_postgresql_errors_in_statements_are_bugs(postgres: PostgresServer) -> None:
    url = postgres.create_database("unavailable_bugs")
    with psycopg.connect(url, autocommit=True) as conn:
        for statement in ("SELECT * FROM no_such_table", "SELEKT 1", "SELECT 1 / 0"):
            error = raised(lambda: conn.execute(statement))  # noqa: B023 (called at once)
            assert isinstance(error, psycopg.Error)
            assert not is_unavailable(error), statement
