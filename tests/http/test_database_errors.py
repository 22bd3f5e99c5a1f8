"""Database errors as a client meets them, on both engines: a bug in a statement (here a
missing table) is the contract's 500, logged with its traceback; an outage (a locked
SQLite file, lost PostgreSQL connections) is a 503 with Retry-After that heals by itself."""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from sqlalchemy import event, text

from number_orders.config import Settings
from number_orders.server import open_store
from number_orders.storage.database import make_engine
from number_orders.storage.sql_store import SqlStore
from number_orders.testing import PostgresServer
from tests.support.app import InProcess, new_key
from tests.support.orders import number

UNEXPECTED = {
    "code": "10007",
    "title": "Unexpected error",
    "detail": "An unexpected error occurred.",
    "meta": {"url": "https://developers.telnyx.com/docs/overview/errors/10007"},
}


class Captured(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def tracebacks(self) -> list[str]:
        formatter = logging.Formatter()
        return [formatter.formatException(r.exc_info) for r in self.records if r.exc_info]


@pytest.fixture
def logged() -> Iterator[Captured]:
    handler = Captured()
    logger = logging.getLogger("number_orders")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


def quiet(settings: Settings) -> Settings:
    return settings.with_changes(run_worker=False)


def create_body() -> dict[str, Any]:
    return {"phone_numbers": [{"phone_number": number()}]}


def test_a_missing_table_is_a_logged_500_not_an_outage(
    store: SqlStore, settings: Settings, logged: Captured
) -> None:
    token = new_key(store, "acme")
    with InProcess(quiet(settings), store) as server, server.client(token) as client:
        assert client.get("/number_orders").status_code == 200
        with store.engine.begin() as conn:
            conn.execute(text("DROP TABLE order_counts"))
        # The list reads the table on its own path (`storage.pages`), a create through
        # the store's transactions: both meet the bug.
        for response in (
            client.get("/number_orders"),
            client.post("/number_orders", json=create_body()),
        ):
            assert response.status_code == 500, response.text
            assert response.json() == {"errors": [UNEXPECTED]}
            assert "retry-after" not in response.headers
            assert "Traceback" not in response.text
    tracebacks = logged.tracebacks()
    assert len(tracebacks) == 2
    assert all("order_counts" in t and "Traceback" in t for t in tracebacks)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'orders.sqlite3'}"
    open_store(url).close()  # with its schema
    return url


def impatient_store(url: str) -> SqlStore:
    """A store that waits 0.1 s, not 30, for SQLite's write lock."""
    engine = make_engine(url)

    @event.listens_for(engine, "connect")
    def _impatient(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA busy_timeout=100")

    return SqlStore(engine)


def test_a_locked_sqlite_database_is_a_503_with_retry_after(
    sqlite_url: str, logged: Captured
) -> None:
    store = impatient_store(sqlite_url)
    token = new_key(store, "acme")
    settings = Settings(database_url=sqlite_url, rate_limit=0, demo=False, run_worker=False)
    with InProcess(settings, store) as server, server.client(token) as client:
        holder = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another process writing, and not letting go
        try:
            started = time.monotonic()
            locked = client.post("/number_orders", json=create_body())
            assert time.monotonic() - started < 2
            # Reads in WAL mode never wait for a writer.
            assert client.get("/number_orders").status_code == 200
        finally:
            holder.rollback()
            holder.close()
        assert locked.status_code == 503, locked.text
        assert locked.headers["retry-after"] == "1"
        assert [e["code"] for e in locked.json()["errors"]] == ["10007"]
        assert client.post("/number_orders", json=create_body()).status_code == 200
    store.close()
    assert logged.tracebacks() == []  # an outage is no bug


def test_lost_postgresql_connections_are_a_503_that_heals(
    postgres: PostgresServer, logged: Captured
) -> None:
    url = postgres.create_database("lost_connections")
    store = open_store(url)
    token = new_key(store, "acme")
    settings = Settings(database_url=url, rate_limit=0, demo=False, run_worker=False)
    with InProcess(settings, store) as server, server.client(token) as client:
        # A first page in one statement, a deep one in a transaction of several.
        for path in ("/number_orders", DEEP_PAGE):
            assert client.get(path).status_code == 200
            with psycopg.connect(url, autocommit=True) as admin:
                admin.execute(
                    # Only this test's database: other tests' servers share the PostgreSQL.
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = 'number-orders' AND datname = current_database()"
                )
            lost = client.get(path)  # on a pooled connection that is gone
            assert_outage(lost)
            recovers(client, path)
    store.close()
    assert logged.tracebacks() == []


DEEP_PAGE = "/number_orders?page[number]=600&page[size]=1"


def assert_outage(answer: httpx.Response) -> None:
    assert answer.status_code == 503, answer.text
    assert answer.headers["retry-after"] == "1"
    assert [e["code"] for e in answer.json()["errors"]] == ["10007"]


def recovers(client: httpx.Client, path: str) -> None:
    deadline = time.monotonic() + 10
    while (answer := client.get(path)).status_code != 200:
        assert_outage(answer)
        assert time.monotonic() < deadline, "no recovery"


def test_a_postgresql_server_down_is_a_503_until_it_is_back(logged: Captured) -> None:
    with PostgresServer() as postgres:  # its own: this test stops it
        url = postgres.create_database("down")
        store = open_store(url)
        token = new_key(store, "acme")
        # The key, once checked, is trusted meanwhile: each 503 is the list's own.
        settings = Settings(
            database_url=url, rate_limit=0, demo=False, run_worker=False, auth_cache_seconds=60
        )
        with InProcess(settings, store) as server, server.client(token) as client:
            assert client.get("/number_orders").status_code == 200
            postgres.stop()
            for path in ("/number_orders", DEEP_PAGE):
                started = time.monotonic()
                assert_outage(client.get(path))  # refused at once, not after a timeout
                assert time.monotonic() - started < 2
            postgres.restart()
            for path in ("/number_orders", DEEP_PAGE):
                recovers(client, path)
        store.close()
    assert logged.tracebacks() == []
